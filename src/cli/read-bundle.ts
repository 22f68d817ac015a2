/**
 * Reads one patient's FHIR Bundle for `trd match`, with exactly `trd assess`'s input handling (its readJsonFile,
 * resolveAsOf and JSON error wording are reused, so both commands say the same thing about the same bad file), plus
 * `-` for stdin. Every input problem becomes one InputError with a one-line reason; the command prints
 * `trd: <reason>` on stderr and exits 2, with nothing on stdout.
 */
import { readFileSync } from 'node:fs';
import { AssessInputError, jsonErrorReason, readJsonFile, resolveAsOf } from './commands/assess.ts';
import { bundleToRecord } from '../fhir/index.ts';
import type { PatientRecord } from '../record/index.ts';

export class InputError extends Error {
  override readonly name = 'InputError';
}

/**
 * V8 quotes the text around a JSON syntax error, and for long input starts the quote with `...`
 * (`Unexpected token 'J', ..."rceType": Jane}" is not valid JSON`), a form jsonErrorReason leaves in: drop any quote.
 */
function withoutExcerpt(reason: string): string {
  return reason.replace(/,\s*(?:\.\.\.)?".*$/s, '');
}

function rethrow<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof AssessInputError) throw new InputError(withoutExcerpt(e.message));
    throw e;
  }
}

function readStdinJson(): unknown {
  let text: string;
  try {
    text = readFileSync(0, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read stdin: ${(e as NodeJS.ErrnoException).code ?? 'read error'}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new InputError(`stdin is not valid JSON: ${withoutExcerpt(jsonErrorReason((e as Error).message))}`);
  }
}

/** The Bundle in `file` (or stdin for `-`) as a normalized record. */
export function readBundleFile(file: string): PatientRecord {
  const json = file === '-' ? readStdinJson() : rethrow(() => readJsonFile(file));
  const record = bundleToRecord(json);
  if (!record.ok) {
    const first = record.issues.find((i) => i.severity === 'error') ?? record.issues[0];
    throw new InputError(`${file}: ${first?.message ?? 'not a usable FHIR Bundle'} (${first?.code ?? 'fhir'})`);
  }
  return record.value;
}

/** The --as-of value: a real calendar date YYYY-MM-DD, or today (UTC) when absent. */
export function asOfDate(value: string | undefined, today: Date): string {
  return rethrow(() => resolveAsOf(value, today));
}
