/**
 * `trd match FILE [--as-of YYYY-MM-DD] [--trial ID ...] [--pathway FILE] [--json]`: match one patient's FHIR Bundle
 * against the bundled trial protocols (knowledge/trials/) through the engine door (src/engine). The criteria read the
 * care pathway's definitions, so `--pathway` gives the same file `trd assess --pathway` and `trd serve --pathway` use. Bad input throws InputError; the boundary
 * in src/cli/trd.ts prints its one line and exits 2 (a broken knowledge or protocol file exits 1).
 */
import type { Command } from 'commander';
import { createEngine } from '../../engine/index.ts';
import type { Assessment, TrialMatchResult } from '../../engine/index.ts';
import { safetyAlertLines } from '../report/assessment-text.ts';
import { renderMatchText } from '../../trials/report-text.ts';
import { maxBytesOption, readJsonFile, resolveAsOf } from '../input.ts';
import { cliIo, out } from '../io.ts';
import { futureAsOfMessage, withAsOfOptions, type AsOfFlags } from './as-of.ts';

interface MatchOptions extends AsOfFlags {
  trial?: string[];
  pathway?: string;
  json?: boolean;
  maxBytes?: string;
}

/**
 * Everything `trd match` does short of printing: the matches, and the care pathway's assessment of the same record
 * (its safety alerts lead the text report, as in every report); throws InputError on bad input.
 */
export function matchFile(
  file: string,
  options: MatchOptions,
  today: Date,
): { matches: TrialMatchResult[]; assessment: Assessment } {
  const asOf = resolveAsOf(options.asOf, today, options.allowFutureAsOf === true);
  const bundle = readJsonFile(file, maxBytesOption(options.maxBytes));
  const engine = createEngine(options.pathway === undefined ? {} : { pathway: options.pathway });
  const both = engine.assessAndMatchRecord(engine.read(bundle), {
    asOf,
    ...(options.trial === undefined ? {} : { trials: options.trial }),
  });
  return { matches: both.matches(), assessment: both.assessment };
}

export function registerMatch(program: Command): void {
  withAsOfOptions(
    program
      .command('match')
      .description('match one patient (a FHIR R4 Bundle) against the bundled trial protocols')
      .argument('<file>', 'FHIR R4 Bundle of one patient (JSON), or - for stdin'),
  )
    .option('--trial <id...>', 'only these trials (protocol id such as insight, or registry id such as NCT07052058)')
    .option('--pathway <file>', 'a care-pathway JSON file to use instead of the bundled one (as trd assess)')
    .option('--json', 'print the results as JSON (schema precision-trd/trial-match@1)')
    .option('--max-bytes <n>', 'refuse input larger than this many bytes (default 100000000)')
    .action((file: string, options: MatchOptions) => {
      const today = new Date();
      const { matches, assessment } = matchFile(file, options, today);
      out(
        options.json === true
          ? `${JSON.stringify(matches, null, 2)}\n`
          : renderMatchText(matches, safetyAlertLines(assessment)),
      );
      // The match result has no issues list: a future as-of date is said on stderr, after the result.
      const future = futureAsOfMessage(resolveAsOf(options.asOf, today, true), today);
      if (future !== undefined) cliIo().err(`trd: warning: ${future}\n`);
    });
}
