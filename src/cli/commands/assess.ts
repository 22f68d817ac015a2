/**
 * `trd assess FILE|- [--as-of YYYY-MM-DD] [--pathway FILE] [--json]`: one patient's FHIR R4 Bundle -> the care-pathway
 * assessment, as a readable report or as JSON (schema precision-trd/assessment@1).
 *
 * Bad input (unreadable file, not JSON, not a Bundle, no or several Patients, a bad date, an invalid pathway file)
 * exits 2 with ONE line `trd: <reason>` on stderr and nothing on stdout. Reasons name files, element paths and
 * resource references only: a JSON syntax error reports its position, never the text around it, which may be
 * patient data. This is the only place that reads the clock (the default as-of date is today, UTC).
 */
import type { Command } from 'commander';
import { KnowledgeError, loadKnowledge } from '../../knowledge/load.ts';
import { assess } from '../../pathway/index.ts';
import type { Assessment } from '../../pathway/index.ts';
import { EXIT_BAD_INPUT, InputError, readBundleFile, resolveAsOf } from '../input.ts';
import { formatAssessmentText } from '../report/assessment-text.ts';

export interface AssessCliOptions {
  readonly asOf?: string;
  readonly pathway?: string;
  readonly json?: boolean;
}

/** Everything `trd assess` does short of printing; throws InputError on bad input. */
export function assessFile(file: string, options: AssessCliOptions, today: Date): Assessment {
  const asOf = resolveAsOf(options.asOf, today);
  const record = readBundleFile(file);
  let knowledge;
  try {
    knowledge = loadKnowledge(options.pathway === undefined ? {} : { pathwayFile: options.pathway });
  } catch (error) {
    if (error instanceof KnowledgeError) throw new InputError(`invalid pathway or knowledge: ${error.message}`);
    throw error;
  }
  return assess(record, knowledge, { asOf });
}

export function runAssess(file: string, options: AssessCliOptions, today: Date): void {
  let assessment: Assessment;
  try {
    assessment = assessFile(file, options, today);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
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
