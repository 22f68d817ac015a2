/**
 * Reading one patient's FHIR Bundle from the command line, shared by `trd assess` and `trd match` so both say the
 * same thing about the same bad input. Every problem becomes one InputError whose message is the line printed after
 * `trd: ` (exit code 2, nothing on stdout). Reasons name files, element paths and resource references only: a JSON
 * syntax error reports its kind and position, never the text around it, which may be patient data.
 */
import { readFileSync } from 'node:fs';
import { bundleToRecord } from '../fhir/index.ts';
import { InputError, isIsoDate, type PatientRecord } from '../record/index.ts';

export const EXIT_BAD_INPUT = 2;

/** A problem with what the user gave us; its message is the one line printed after `trd: `. */
export { InputError };

const READ_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EISDIR: 'is a directory',
  EACCES: 'permission denied',
};

/**
 * V8's JSON.parse messages quote the text around the error (`Unexpected token 'x', "{"name": "Jane ..." is not valid
 * JSON`). Only the kind of error and its position are kept.
 */
export function jsonErrorReason(message: string): string {
  const firstLine = message.split('\n')[0] ?? message;
  // The excerpt starts with `"` or, for long input, with `..."`.
  const withoutExcerpt = firstLine.replace(/,\s*(?:\.\.\.)?".*$/s, '');
  return withoutExcerpt.length > 120 ? `${withoutExcerpt.slice(0, 117)}...` : withoutExcerpt;
}

/** Reads and parses `file`, or standard input when `file` is `-`. */
export function readJsonFile(file: string): unknown {
  const name = file === '-' ? 'stdin' : file;
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    throw new InputError(`cannot read ${name}: ${READ_ERRORS[code] ?? (code || 'read error')}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new InputError(`${name} is not valid JSON: ${jsonErrorReason((error as Error).message)}`);
  }
}

/** The --as-of value: a real calendar date YYYY-MM-DD, or today (UTC) when absent. The CLI is the only clock reader. */
export function resolveAsOf(value: string | undefined, today: Date): string {
  if (value === undefined) return today.toISOString().slice(0, 10);
  if (!isIsoDate(value)) throw new InputError(`--as-of must be a calendar date YYYY-MM-DD, got "${value}"`);
  return value;
}

/** The Bundle in `file` (or stdin for `-`) as a normalized record. */
export function readBundleFile(file: string): PatientRecord {
  const record = bundleToRecord(readJsonFile(file));
  if (!record.ok) {
    const first = record.issues.find((i) => i.severity === 'error') ?? record.issues[0];
    throw new InputError(`${file}: ${first?.message ?? 'not a usable FHIR Bundle'} (${first?.code ?? 'fhir'})`);
  }
  return record.value;
}
