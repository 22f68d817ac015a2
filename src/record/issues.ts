/**
 * Errors are values inside the core: each problem is an Issue with a namespaced code, and functions that can fail
 * return a Result. Exceptions are for programmer errors and for the adapters at the edge (CLI, HTTP).
 */
import { lookupTable } from './tables.ts';

export type Severity = 'error' | 'warning' | 'information';

export interface Issue {
  /** Namespaced and stable, e.g. `fhir.bundle.not-a-bundle`, `knowledge.field.invalid`. */
  readonly code: string;
  readonly severity: Severity;
  /** One line a person can act on. Never includes patient data beyond resource references. */
  readonly message: string;
  /** Where: a file and field, or a FHIR resource reference and element path. */
  readonly path?: string;
}

export type Result<T> = { ok: true; value: T; issues: Issue[] } | { ok: false; issues: Issue[] };

export const ok = <T>(value: T, issues: Issue[] = []): Result<T> => ({ ok: true, value, issues });
export const fail = <T = never>(issues: Issue[]): Result<T> => ({ ok: false, issues });
export const issue = (code: string, message: string, path?: string, severity: Severity = 'error'): Issue =>
  path === undefined ? { code, severity, message } : { code, severity, message, path };

/**
 * A problem with what the caller gave (a Bundle, a date, a file, an option): the one error type every door throws
 * for bad input (the library's createEngine, the CLI, the HTTP API). Its message is one line that names files,
 * fields and resource references only, never the content; `code` is the namespaced Issue code behind it.
 */
export class InputError extends Error {
  override readonly name = 'InputError';
  constructor(
    message: string,
    readonly code: string = 'input.invalid',
    /**
     * The input field the refusal is about, when the message names exactly one (`collectedOn`, `reason`): a form can
     * then mark that field as the one refused. Optional: a caller that names no field is as before.
     */
    readonly field?: string,
  ) {
    super(oneLine(message));
  }
}

/** Longest reason an InputError carries: a reason names things, it never carries the input itself. */
export const MAX_REASON_CHARS = 400;

/**
 * `text` as one printable line: line breaks become spaces, every other control or bidirectional-override character
 * (terminal escapes among them) becomes `?`, and a line longer than MAX_REASON_CHARS loses its middle. The end stays:
 * a long value (a path, an option's argument) comes before the reason and the help hint that follow it ("cannot
 * read PATH: name too long", "... (see trd assess --help)"), and cutting the end dropped them. Every InputError
 * message and every line the CLI prints on stderr goes through this, so no input can drive the user's terminal.
 */
export function oneLine(text: string): string {
  const flat = text
    .replace(/\s*[\r\n\u2028\u2029]+\s*/g, ' ')
    // eslint-disable-next-line no-control-regex -- the point is to find control characters
    .replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '?');
  if (flat.length <= MAX_REASON_CHARS) return flat;
  const tail = Math.floor(MAX_REASON_CHARS / 3);
  return `${flat.slice(0, MAX_REASON_CHARS - 3 - tail)}...${flat.slice(-tail)}`;
}

/**
 * The reason a JSON.parse failed, without the excerpt V8 quotes (`Unexpected token 'x', "{"name": "Jane ..." is not
 * valid JSON`): only the kind of error and its position, never a character of the text, which may be patient data.
 */
export function jsonSyntaxReason(message: string, text?: string): string {
  const firstLine = message.split('\n')[0] ?? message;
  const stated = /position (\d+)/.exec(firstLine)?.[1];
  // V8 (Node 20) states no position for an unexpected token (a trailing comma, an unquoted word): given the text, the
  // position is found by scanning it, and its line and column added (numbers only, never the text).
  const offset = stated !== undefined ? Number(stated) : text === undefined ? undefined : jsonErrorOffset(text);
  const position = offset === undefined || text === undefined ? stated : `${offset} (${lineAndColumn(text, offset)})`;
  const kind = /^Unexpected end of JSON input/.test(firstLine)
    ? 'unexpected end of input'
    : /^Unexpected non-whitespace/.test(firstLine)
      ? 'unexpected text after the JSON value'
      : /^Bad control character/.test(firstLine)
        ? 'control character in a string'
        : /^(Bad|Unterminated|Expected)/.test(firstLine)
          ? 'malformed string, number or separator'
          : 'unexpected character';
  return position === undefined ? kind : `${kind} at position ${position}`;
}

const FS_REASONS = lookupTable<string>({
  ENOENT: 'no such file or folder',
  ENOTDIR: 'a part of the path is not a folder',
  EISDIR: 'is a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  ENAMETOOLONG: 'name too long',
  ELOOP: 'too many symbolic links',
  // `trd serve`: the address it was asked to listen on.
  EADDRINUSE: 'the address is in use (another process listens on that port; choose another --port)',
  EADDRNOTAVAIL: 'no interface of this machine has that address (--host)',
});

/**
 * The reason a file-system (or listen) call failed, in words (the code alone when it is not a common one): for the
 * command line's files and the service's (a `--cds-client` JWKS file) alike.
 */
export function fsReason(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  return (
    FS_REASONS[typeof code === 'string' ? code : ''] ??
    (typeof code === 'string' && code !== '' ? code : 'input/output error')
  );
}

/** `line 3, column 12` (both from 1) of an offset in `text`. */
function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return `line ${line}, column ${offset - before.lastIndexOf('\n')}`;
}

const JSON_NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const JSON_ESCAPE = /\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})/y;

/** The offset of the first syntax error in `text` read as JSON (RFC 8259), or undefined when it is valid JSON. */
export function jsonErrorOffset(text: string): number | undefined {
  let i = 0;
  const fail = (): never => {
    throw new RangeError(String(i));
  };
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i] ?? '')) i++;
  };
  const expect = (char: string): void => {
    if (text[i] !== char) fail();
    i++;
  };
  const string = (): void => {
    expect('"');
    for (;;) {
      const c = text.charCodeAt(i);
      if (Number.isNaN(c) || c < 0x20) fail();
      if (c === 0x22) break;
      if (c === 0x5c) {
        JSON_ESCAPE.lastIndex = i;
        const escape = JSON_ESCAPE.exec(text);
        if (escape === null) fail();
        i += escape?.[0].length ?? 0;
      } else i++;
    }
    i++;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        string();
        ws();
        expect(':');
        value();
        ws();
        if (text[i] === ',') i++;
        else return expect('}');
      }
    } else if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value();
        ws();
        if (text[i] === ',') i++;
        else return expect(']');
      }
    } else if (c === '"') {
      string();
    } else {
      const word = ['true', 'false', 'null'].find((w) => text.startsWith(w, i));
      if (word !== undefined) {
        i += word.length;
        return;
      }
      JSON_NUMBER.lastIndex = i;
      const number = JSON_NUMBER.exec(text);
      if (number === null) fail();
      i += number?.[0].length ?? 0;
    }
  };
  try {
    value();
    ws();
    if (i < text.length) fail();
    return undefined;
  } catch (error) {
    // A RangeError without an offset is a nesting too deep to scan: no position then.
    if (error instanceof RangeError) return /^\d+$/.test(error.message) ? Number(error.message) : undefined;
    throw error;
  }
}
