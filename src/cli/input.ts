/**
 * Reading what the user gives `trd` and writing where the user asks, shared by every command so that all of them
 * say the same thing about the same bad input. Every problem becomes one InputError whose message is the line printed
 * after `trd: ` (exit code 2, nothing on stdout). Reasons name files, element paths and resource references only: a
 * JSON syntax error reports its kind and position, never the text around it, which may be patient data.
 */
import { closeSync, fstatSync, mkdirSync, openSync, readSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fsReason, InputError, isIsoDate, jsonSyntaxReason, utf8Text } from '../record/index.ts';
import { cliIo } from './io.ts';

export const EXIT_BAD_INPUT = 2;

/** A problem with what the user gave us; its message is the one line printed after `trd: `. */
export { InputError };

/** Default upper bound on one input file or standard input (--max-bytes): far above a lifetime Synthea record. */
export const DEFAULT_MAX_INPUT_BYTES = 100_000_000;

/** Parses --max-bytes: a whole number of bytes from 1. */
export function maxBytesOption(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_MAX_INPUT_BYTES;
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < 1) {
    throw new InputError('--max-bytes must be a whole number of bytes from 1', 'input.max-bytes.invalid');
  }
  return n;
}

const CHUNK = 1 << 20;

/**
 * The bytes of `file` (standard input for `-`), read in chunks and refused as soon as they pass `maxBytes`: reading
 * /dev/zero or an endless pipe stops at the limit instead of filling memory.
 */
export function readInputBytes(file: string, maxBytes: number = DEFAULT_MAX_INPUT_BYTES): Buffer {
  const name = file === '-' ? 'stdin' : file;
  const chunks: Buffer[] = [];
  let total = 0;
  let fd: number | undefined;
  try {
    let read: (buffer: Buffer, offset: number, length: number) => number;
    if (file === '-') {
      read = (buffer, offset, length) => cliIo().readStdin(buffer, offset, length);
    } else {
      fd = openSync(file, 'r');
      if (fstatSync(fd).isDirectory()) throw Object.assign(new Error('directory'), { code: 'EISDIR' });
      const descriptor = fd;
      read = (buffer, offset, length) => readSync(descriptor, buffer, offset, length, null);
    }
    for (;;) {
      const chunk = Buffer.allocUnsafe(CHUNK);
      const n = read(chunk, 0, CHUNK);
      if (n === 0) break;
      total += n;
      if (total > maxBytes) {
        throw new InputError(
          `${name} is larger than ${maxBytes} bytes (the limit; --max-bytes raises it)`,
          'input.too-large',
        );
      }
      chunks.push(n === CHUNK ? chunk : chunk.subarray(0, n));
    }
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`cannot read ${name}: ${fsReason(error)}`, 'input.unreadable');
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  return Buffer.concat(chunks, total);
}

/**
 * The text of `file` (or stdin for `-`) within `maxBytes`: UTF-8 and nothing else, a byte order mark at its start
 * dropped, as the service reads a body (utf8Text). Bytes that are not UTF-8 (a Latin-1 export) are refused, where
 * decoding them would read other text than the file holds (U+FFFD in place of each bad byte, an arm label that
 * matches nothing). An empty input is refused.
 */
export function readInputText(file: string, maxBytes?: number): string {
  const text = utf8Text(readInputBytes(file, maxBytes));
  const name = file === '-' ? 'stdin' : file;
  if (text === undefined) throw new InputError(`${name} is not UTF-8 text (save it as UTF-8)`, 'input.encoding');
  // An empty file (a step before it in a pipeline that wrote nothing) is said as such, not as a JSON syntax error at
  // its end or a CSV whose header has 0 columns.
  if (text === '') throw new InputError(`${name} is empty`, 'input.empty');
  return text;
}

/** The kind and position of a JSON syntax error, never the text around it (src/record/issues.ts). */
export const jsonErrorReason = jsonSyntaxReason;

/** Reads and parses `file`, or standard input when `file` is `-`. */
export function readJsonFile(file: string, maxBytes?: number): unknown {
  const name = file === '-' ? 'stdin' : file;
  const text = readInputText(file, maxBytes);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new InputError(`${name} is not valid JSON: ${jsonErrorReason((error as Error).message)}`, 'input.json');
  }
}

/**
 * The --as-of value: a real calendar date YYYY-MM-DD, or today (UTC) when absent. A date after today is refused
 * unless `allowFuture` (then the caller reports it in the result). The CLI is the only clock reader.
 */
export function resolveAsOf(value: string | undefined, today: Date, allowFuture = false): string {
  const todayIso = today.toISOString().slice(0, 10);
  if (value === undefined) return todayIso;
  if (!isIsoDate(value)) throw new InputError('--as-of must be a calendar date YYYY-MM-DD', 'input.as-of.invalid');
  if (value > todayIso && !allowFuture) {
    throw new InputError(
      `--as-of ${value} is after today (${todayIso}); give --allow-future-as-of to evaluate as of a future date`,
      'input.as-of.future',
    );
  }
  return value;
}

/** Same file on disk (device and inode), so a hard link or a symbolic link is caught too. */
function sameFile(a: string, b: string): boolean {
  try {
    const x = statSync(a);
    const y = statSync(b);
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false;
  }
}

/**
 * `-` names standard input as an input FILE, but an option that names an output file or folder writes a file: taken
 * as a name, `--out -` wrote a file called "-" (and "-.meta.json") in the working folder while a pipeline reading
 * standard output got nothing. Refused, before any work.
 */
function refuseStandardOutput(what: string, path: string): void {
  if (path === '-') {
    throw new InputError(`${what} names a file, not standard output: give a file name, not -`, 'output.unwritable');
  }
}

/**
 * Checks, before any work, that `path` can be written as an output file: its folder exists, it is not a directory and
 * not one of `inputs`. writeOutputFile checks again when writing.
 */
export function checkOutputFile(what: string, path: string, inputs: readonly string[] = []): void {
  refuseStandardOutput(what, path);
  if (inputs.some((input) => input !== '-' && sameFile(input, path))) {
    throw new InputError(`${what} ${path} is an input of this command; choose another file`, 'output.is-input');
  }
  let folder;
  try {
    folder = statSync(dirname(resolve(path)));
  } catch (error) {
    throw new InputError(`${what}: cannot write ${path}: ${fsReason(error)}`, 'output.unwritable');
  }
  if (!folder.isDirectory()) {
    throw new InputError(`${what}: cannot write ${path}: a part of the path is not a folder`, 'output.unwritable');
  }
  let exists = true;
  try {
    if (statSync(path).isDirectory()) {
      throw new InputError(`${what}: cannot write ${path}: is a directory`, 'output.unwritable');
    }
  } catch (error) {
    if (error instanceof InputError) throw error;
    exists = false;
  }
  // A folder can exist and still refuse files (/proc, a read-only mount): open the file as the write will, without
  // changing it (an existing file is opened for appending, a new one is created and removed again).
  try {
    closeSync(openSync(path, exists ? 'a' : 'wx'));
    if (!exists) unlinkSync(path);
  } catch (error) {
    throw new InputError(`${what}: cannot write ${path}: ${fsReason(error)}`, 'output.unwritable');
  }
}

/** Whether two paths name the same file, existing or not (by device and inode, or else by resolved path). */
export function samePath(a: string, b: string): boolean {
  return resolve(a) === resolve(b) || sameFile(a, b);
}

/**
 * Writes an output file the user named (`what`, e.g. "--report"), refusing to overwrite any of `inputs` (`-` is
 * skipped) and turning file-system failures into one-line InputErrors.
 */
export function writeOutputFile(what: string, path: string, content: string, inputs: readonly string[] = []): void {
  if (inputs.some((input) => input !== '-' && sameFile(input, path))) {
    throw new InputError(`${what} ${path} is an input of this command; choose another file`, 'output.is-input');
  }
  try {
    writeFileSync(path, content);
  } catch (error) {
    throw new InputError(`${what}: cannot write ${path}: ${fsReason(error)}`, 'output.unwritable');
  }
}

/**
 * Makes the output folder `dir` (and its missing parents) one level at a time, then checks that a file can be made in
 * it. Node's own recursive mkdir never returns for a path under /proc (it retries ENOENT for ever), so the folders
 * are made here before any writer asks for them.
 */
export function makeOutputFolder(what: string, dir: string): void {
  refuseStandardOutput(what, dir);
  const cannot = (reason: string): InputError =>
    new InputError(`${what}: cannot write ${dir}: ${reason}`, 'output.unwritable');
  const missing: string[] = [];
  for (let at = resolve(dir); ;) {
    let isFolder: boolean;
    try {
      isFolder = statSync(at).isDirectory();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw cannot(fsReason(error));
      missing.push(at);
      const parent = dirname(at);
      if (parent === at) break;
      at = parent;
      continue;
    }
    if (!isFolder) throw cannot(missing.length === 0 ? 'not a folder' : 'a part of the path is not a folder');
    break;
  }
  try {
    for (const folder of missing.reverse()) mkdirSync(folder);
    const probe = join(resolve(dir), `.trd-write-check-${process.pid}`);
    closeSync(openSync(probe, 'wx'));
    unlinkSync(probe);
  } catch (error) {
    throw cannot(fsReason(error));
  }
}

const SQLITE_HEADER = 'SQLite format 3\u0000';

/**
 * A trial store that must already exist (every `trd trial` and `trd trial-user` command but `init`): a SQLite file
 * that is there and starts with SQLite's header. Opening a missing or empty file would make a new, empty trial
 * database, and a file of another kind fails deep inside the driver.
 */
export function checkExistingSqliteStore(option: string, path: string): void {
  const header = Buffer.alloc(SQLITE_HEADER.length);
  let n = 0;
  try {
    const fd = openSync(path, 'r');
    try {
      if (fstatSync(fd).isDirectory()) throw Object.assign(new Error('directory'), { code: 'EISDIR' });
      n = readSync(fd, header, 0, header.length, 0);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(
      code === 'ENOENT'
        ? `${option}: no trial database at ${path}`
        : `${option}: cannot read ${path}: ${fsReason(error)}`,
      'input.trial-db',
    );
  }
  if (n < header.length || header.toString('latin1') !== SQLITE_HEADER) {
    throw new InputError(`${option}: ${path} is not a SQLite database`, 'input.trial-db');
  }
}
