/**
 * Reads one patient's FHIR Bundle from a file (or `-` for stdin) into the normalized record, turning every input
 * problem into one InputError with a one-line reason (file unreadable, not JSON, not a Bundle, no or several
 * Patients). Commands print `trd: <reason>` on stderr and exit 2, with nothing on stdout.
 */
import { readFileSync } from 'node:fs';
import { bundleToRecord } from '../fhir/index.ts';
import { isIsoDate } from '../record/index.ts';
import type { PatientRecord } from '../record/index.ts';

export class InputError extends Error {
  override readonly name = 'InputError';
}

/**
 * V8's JSON.parse messages can quote the text around the error (`Unexpected token 'x', "{"name": "Jane ..." is not
 * valid JSON`), which may be patient data: keep only the kind of error and its position.
 */
export function jsonSyntaxReason(message: string): string {
  const first = message.split('\n')[0] ?? '';
  return first.replace(/,\s*".*$/s, '').replace(/\s*\(line \d+ column \d+\)$/, '');
}

export function readBundleFile(file: string): PatientRecord {
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(`cannot read ${file}${code === undefined ? '' : ` (${code})`}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new InputError(`${file} is not valid JSON (${jsonSyntaxReason((e as Error).message)})`);
  }
  const record = bundleToRecord(json);
  if (!record.ok) {
    const first = record.issues.find((i) => i.severity === 'error') ?? record.issues[0];
    throw new InputError(`${file}: ${first?.message ?? 'not a usable FHIR Bundle'}`);
  }
  return record.value;
}

/** The --as-of value: a real calendar date YYYY-MM-DD, or today (UTC) when absent. */
export function asOfDate(value: string | undefined, today: Date): string {
  if (value === undefined) return today.toISOString().slice(0, 10);
  if (!isIsoDate(value)) throw new InputError(`--as-of must be a date YYYY-MM-DD, got "${value}"`);
  return value;
}
