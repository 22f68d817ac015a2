/**
 * `trd match FILE [--as-of YYYY-MM-DD] [--trial ID ...] [--json]`: match one patient's FHIR Bundle against the bundled
 * trial protocols (knowledge/trials/). Bad input exits 2 with one line `trd: <reason>` on stderr and nothing on stdout;
 * a broken knowledge or protocol file exits 1 the same way.
 */
import type { Command } from 'commander';
import { KnowledgeError, loadKnowledge } from '../../knowledge/load.ts';
import { matchTrials } from '../../trials/index.ts';
import type { TrialProtocol } from '../../trials/index.ts';
import { loadTrials, TrialsError } from '../../trials/load.ts';
import { renderMatchText } from '../../trials/report-text.ts';
import { EXIT_BAD_INPUT, InputError, readBundleFile, resolveAsOf } from '../input.ts';

interface MatchOptions {
  asOf?: string;
  trial?: string[];
  json?: boolean;
}

/** Protocols chosen by protocol id or registry id (case-insensitive), in the order asked. */
function select(protocols: readonly TrialProtocol[], wanted: readonly string[] | undefined): TrialProtocol[] {
  if (wanted === undefined || wanted.length === 0) return [...protocols];
  return wanted.map((w) => {
    const key = w.trim().toLowerCase();
    const found = protocols.find((p) => p.id === key || p.registry.some((r) => r.id.toLowerCase() === key));
    if (found === undefined) {
      throw new InputError(`unknown trial "${w}" (known: ${protocols.map((p) => p.id).join(', ')})`);
    }
    return found;
  });
}

function fail(message: string, exitCode: number): void {
  process.stderr.write(`trd: ${message.split('\n')[0] ?? message}\n`);
  process.exitCode = exitCode;
}

export function runMatch(file: string, options: MatchOptions, today: Date): void {
  try {
    const asOf = resolveAsOf(options.asOf, today);
    const record = readBundleFile(file);
    const { knowledge, protocols } = loadTrials(loadKnowledge());
    const chosen = select(protocols, options.trial);
    const results = matchTrials(record, knowledge, chosen, { asOf });
    process.stdout.write(options.json === true ? `${JSON.stringify(results, null, 2)}\n` : renderMatchText(results));
  } catch (e) {
    if (e instanceof InputError) return fail(e.message, EXIT_BAD_INPUT);
    if (e instanceof KnowledgeError || e instanceof TrialsError) return fail(e.message, 1);
    throw e;
  }
}

export function registerMatch(program: Command): void {
  program
    .command('match')
    .description('match one patient (a FHIR R4 Bundle) against the bundled trial protocols')
    .argument('<file>', 'FHIR R4 Bundle of one patient (JSON), or - for stdin')
    .option('--as-of <date>', 'evaluate as of this date (YYYY-MM-DD; default today, UTC); nothing later is used')
    .option('--trial <id...>', 'only these trials (protocol id such as insight, or registry id such as NCT07052058)')
    .option('--json', 'print the results as JSON (schema precision-trd/trial-match@1)')
    .action((file: string, options: MatchOptions) => runMatch(file, options, new Date()));
}
