/**
 * `trd assess FILE|- [--as-of YYYY-MM-DD] [--pathway FILE] [--json]`: one patient's FHIR R4 Bundle -> the care-pathway
 * assessment, as a readable report or as JSON (schema precision-trd/assessment@1), through the engine door
 * (src/engine). Bad input throws InputError; the boundary in src/cli/trd.ts prints its one line and exits 2. This is
 * the only place that reads the clock (the default as-of date is today, UTC).
 */
import type { Command } from 'commander';
import { createEngine } from '../../engine/index.ts';
import type { Assessment } from '../../engine/index.ts';
import { issue } from '../../record/index.ts';
import { maxBytesOption, readJsonFile, resolveAsOf } from '../input.ts';
import { out } from '../io.ts';
import { formatAssessmentText } from '../report/assessment-text.ts';
import { futureAsOfMessage, withAsOfOptions, type AsOfFlags } from './as-of.ts';

export interface AssessCliOptions extends AsOfFlags {
  readonly pathway?: string;
  readonly json?: boolean;
  readonly maxBytes?: string;
}

/** Everything `trd assess` does short of printing; throws InputError on bad input. */
export function assessFile(file: string, options: AssessCliOptions, today: Date): Assessment {
  const asOf = resolveAsOf(options.asOf, today, options.allowFutureAsOf === true);
  const bundle = readJsonFile(file, maxBytesOption(options.maxBytes));
  const engine = createEngine(options.pathway === undefined ? {} : { pathway: options.pathway });
  const assessment = engine.assess(bundle, { asOf });
  const future = futureAsOfMessage(asOf, today);
  if (future === undefined) return assessment;
  return { ...assessment, issues: [...assessment.issues, issue('input.as-of.future', future, '--as-of', 'warning')] };
}

export function registerAssess(program: Command): void {
  withAsOfOptions(
    program
      .command('assess')
      .description('assess one patient (a FHIR R4 Bundle) against the TRD IL-6 immunotherapy care pathway')
      .argument('<file>', 'FHIR R4 Bundle of one patient (JSON), or - for stdin'),
  )
    .option('--pathway <file>', 'a care-pathway JSON file to use instead of the bundled one')
    .option('--json', 'print the assessment as JSON (schema precision-trd/assessment@1)')
    .option('--max-bytes <n>', 'refuse input larger than this many bytes (default 100000000)')
    .action((file: string, options: AssessCliOptions) => {
      const assessment = assessFile(file, options, new Date());
      out(options.json === true ? `${JSON.stringify(assessment, null, 2)}\n` : formatAssessmentText(assessment));
    });
}
