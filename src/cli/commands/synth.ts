/**
 * `trd synth --patients N --seed S --out DIR [--format ndjson|omop-duckdb|omop-csv] [--gzip] [--as-of YYYY-MM-DD]`:
 * a seeded synthetic population for trying and testing the population screen (docs/screening.md), with its ground
 * truth written beside (ground-truth.ndjson). The CRP distribution comes from knowledge/design/crp-distribution.json.
 */
import type { Command } from 'commander';
import { calibrateCrpLogNormal } from '../../stats/design/crp-lognormal.ts';
import { isValidSeed } from '../../stats/random/streams.ts';
import { createEngine, type Engine } from '../../engine/index.ts';
import { clearForPopulation } from '../../synth/write-folder.ts';
import { generatePopulation, type PopulationOptions } from '../../synth/population.ts';
import { thresholdsFrom } from '../../synth/truth.ts';
import { writeNdjson } from '../../synth/write-ndjson.ts';
import { writeOmop } from '../../synth/write-omop.ts';
import { InputError, makeOutputFolder, resolveAsOf } from '../input.ts';
import { cliIo } from '../io.ts';
import { loadCrpKnowledge } from './design.ts';

export const SYNTH_FORMATS = ['ndjson', 'omop-duckdb', 'omop-csv'] as const;
export type SynthFormat = (typeof SYNTH_FORMATS)[number];

export interface SynthOptions {
  readonly patients: number;
  readonly seed: number;
  readonly out: string;
  readonly format: SynthFormat;
  readonly asOf: string;
  readonly gzip?: boolean;
  readonly pathway?: string;
}

export function populationOptions(seed: number, asOf: string): PopulationOptions {
  const fit = calibrateCrpLogNormal(loadCrpKnowledge());
  if (!fit.ok) throw new Error('knowledge/design/crp-distribution.json does not calibrate a log-normal');
  return { seed, asOf, crpMeanLog: fit.value.meanLog, crpSdLog: fit.value.sdLog };
}

/**
 * Writes the population; returns the number of resources (NDJSON) or rows (OMOP) per type. `engine` is the one built
 * from `o.pathway` when the caller has it (the command builds it before clearing the folder).
 */
export async function synthesize(
  o: SynthOptions,
  engine: Engine = createEngine(o.pathway === undefined ? {} : { pathway: o.pathway }),
): Promise<Record<string, number>> {
  const thresholds = thresholdsFrom(engine.knowledge);
  const patients = generatePopulation(populationOptions(o.seed, o.asOf), 0, o.patients);
  if (o.format === 'ndjson') {
    return writeNdjson(patients, { dir: o.out, asOf: o.asOf, thresholds, gzip: o.gzip === true });
  }
  return writeOmop(patients, {
    dir: o.out,
    asOf: o.asOf,
    thresholds,
    knowledge: engine.knowledge,
    duckdb: o.format === 'omop-duckdb',
  });
}

function parseOptions(raw: Record<string, string | boolean | undefined>, today: Date): SynthOptions {
  const patients = Number(raw.patients);
  if (!Number.isInteger(patients) || patients < 1 || patients > 10_000_000) {
    throw new InputError('--patients must be a whole number from 1 to 10000000');
  }
  const seed = Number(raw.seed ?? '1');
  if (!isValidSeed(seed)) throw new InputError('--seed must be a whole number from 0 to 2147483647');
  const format = String(raw.format ?? 'ndjson');
  if (!(SYNTH_FORMATS as readonly string[]).includes(format)) {
    throw new InputError(`--format must be one of ${SYNTH_FORMATS.join(', ')}`);
  }
  if (typeof raw.out !== 'string' || raw.out === '') throw new InputError('--out DIR is required');
  // Refused rather than ignored: the OMOP formats write no .ndjson.gz files.
  if (raw.gzip === true && format !== 'ndjson') throw new InputError('--gzip goes with --format ndjson only');
  return {
    patients,
    seed,
    out: raw.out,
    format: format as SynthFormat,
    asOf: resolveAsOf(typeof raw.asOf === 'string' ? raw.asOf : undefined, today, raw.allowFutureAsOf === true),
    gzip: raw.gzip === true,
    ...(typeof raw.pathway === 'string' ? { pathway: raw.pathway } : {}),
  };
}

export function registerSynth(program: Command): void {
  program
    .command('synth')
    .description('write a seeded synthetic population (FHIR Bulk Data NDJSON or OMOP CDM 5.4) with its ground truth')
    .requiredOption('--patients <n>', 'number of patients')
    .option('--seed <n>', 'random seed (0 to 2147483647)', '1')
    .requiredOption('--out <dir>', 'output folder (NDJSON, OMOP CSV) or DuckDB file folder')
    .option('--format <format>', `ndjson | omop-duckdb | omop-csv`, 'ndjson')
    .option('--gzip', 'NDJSON: write .ndjson.gz files')
    .option('--as-of <date>', 'the date the population is screened on (YYYY-MM-DD; default today, UTC)')
    .option('--allow-future-as-of', 'accept an --as-of date after today')
    .option('--pathway <file>', 'the care-pathway file whose thresholds the ground truth uses')
    .action(async (raw: Record<string, string | boolean | undefined>) => {
      // Bad options throw InputError: the CLI's one boundary (src/cli/trd.ts) prints it as one line, exit 2.
      const o = parseOptions(raw, new Date());
      // The pathway is read before the folder is touched: a bad --pathway leaves an earlier population as it was.
      const engine = createEngine(o.pathway === undefined ? {} : { pathway: o.pathway });
      makeOutputFolder('--out', o.out);
      clearForPopulation('--out', o.out);
      const counts = await synthesize(o, engine);
      cliIo().err(
        `trd synth: ${o.patients} patients -> ${o.out} (${Object.entries(counts)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')})\n`,
      );
    });
}
