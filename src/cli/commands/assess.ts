/**
 * `trd assess FILE|- [--as-of YYYY-MM-DD] [--pathway FILE] [--json]`: one patient's FHIR R4 Bundle -> the care-pathway
 * assessment, as a readable report or as JSON (schema precision-trd/assessment@1).
 *
 * Bad input (unreadable file, not JSON, not a Bundle, no or several Patients, a bad date, an invalid pathway file)
 * exits 2 with ONE line `trd: <reason>` on stderr and nothing on stdout. Reasons name files, element paths and
 * resource references only: a JSON syntax error reports its position, never the text around it, which may be
 * patient data. This is the only place that reads the clock (the default as-of date is today, UTC).
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { bundleToRecord } from '../../fhir/index.ts';
import { KnowledgeError, loadKnowledge } from '../../knowledge/load.ts';
import { assess } from '../../pathway/index.ts';
import type { Assessment } from '../../pathway/index.ts';
import { isIsoDate } from '../../record/index.ts';
import { formatAssessmentText } from '../report/assessment-text.ts';

export const EXIT_BAD_INPUT = 2;

export interface AssessCliOptions {
  readonly asOf?: string;
  readonly pathway?: string;
  readonly json?: boolean;
}

/** A problem with what the user gave us; its message is the one line printed after `trd: `. */
export class AssessInputError extends Error {
  override readonly name = 'AssessInputError';
}

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
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    const name = file === '-' ? 'stdin' : file;
    throw new AssessInputError(`cannot read ${name}: ${READ_ERRORS[code] ?? (code || 'read error')}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const name = file === '-' ? 'stdin' : file;
    throw new AssessInputError(`${name} is not valid JSON: ${jsonErrorReason((error as Error).message)}`);
  }
}

export function resolveAsOf(value: string | undefined, today: Date): string {
  if (value === undefined) return today.toISOString().slice(0, 10);
  if (!isIsoDate(value)) throw new AssessInputError(`--as-of must be a calendar date YYYY-MM-DD, got "${value}"`);
  return value;
}

/** Everything `trd assess` does short of printing; throws AssessInputError on bad input. */
export function assessFile(file: string, options: AssessCliOptions, today: Date): Assessment {
  const asOf = resolveAsOf(options.asOf, today);
  const json = readJsonFile(file);
  const record = bundleToRecord(json);
  if (!record.ok) {
    const first = record.issues[0];
    throw new AssessInputError(`${file}: ${first?.message ?? 'not a usable FHIR Bundle'} (${first?.code ?? 'fhir'})`);
  }
  let knowledge;
  try {
    knowledge = loadKnowledge(options.pathway === undefined ? {} : { pathwayFile: options.pathway });
  } catch (error) {
    if (error instanceof KnowledgeError) throw new AssessInputError(`invalid pathway or knowledge: ${error.message}`);
    throw error;
  }
  return assess(record.value, knowledge, { asOf });
}

export function runAssess(file: string, options: AssessCliOptions, today: Date): void {
  let assessment: Assessment;
  try {
    assessment = assessFile(file, options, today);
  } catch (error) {
    if (!(error instanceof AssessInputError)) throw error;
    process.stderr.write(`trd: ${error.message.replace(/\s*\n\s*/g, ' ')}\n`);
    process.exitCode = EXIT_BAD_INPUT;
    return;
  }
  process.stdout.write(
    options.json === true ? `${JSON.stringify(assessment, null, 2)}\n` : formatAssessmentText(assessment),
  );
}

export function registerAssess(program: Command): void {
  program
    .command('assess')
    .description('assess one patient (a FHIR R4 Bundle) against the TRD IL-6 immunotherapy care pathway')
    .argument('<file>', 'FHIR R4 Bundle of one patient (JSON), or - for stdin')
    .option('--as-of <date>', 'assess as of this date (YYYY-MM-DD; default today, UTC); nothing dated later is used')
    .option('--pathway <file>', 'a care-pathway JSON file to use instead of the bundled one')
    .option('--json', 'print the assessment as JSON (schema precision-trd/assessment@1)')
    .action((file: string, options: AssessCliOptions) => runAssess(file, options, new Date()));
}
