/**
 * Runs the enrichment simulation across worker threads. Replicates [0, trials) are cut into one contiguous range
 * per worker; each replicate has its own random stream (src/stats/random/streams.ts), so the summed counts, and the
 * result, are identical to the single-thread run for the same seed whatever the number of workers.
 */
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { fail, ok, type Result } from '../../record/index.ts';
import {
  addCounts,
  emptyCounts,
  runEnrichmentReplicates,
  type EnrichmentSimulationConfig,
  type RejectionCounts,
} from '../../stats/design/enrichment-simulation.ts';
import {
  checkSimulationConfig,
  summariseEnrichmentSimulation,
  type EnrichmentSimulationSummary,
} from '../../stats/design/simulation-summary.ts';
import type { EnrichmentWorkerData } from './enrichment-worker.ts';

const WORKER_ENTRY = fileURLToPath(new URL('./enrichment-worker.ts', import.meta.url));

/**
 * The worker is TypeScript. On Node 20, `execArgv: ['--import', 'tsx']` does not reach a worker's module loader
 * (ERR_UNKNOWN_FILE_EXTENSION), and registering tsx inside each worker costs ~3 s of start-up (its own transform
 * service, then hundreds of small @stdlib files). So the worker entry is bundled once per process with esbuild
 * (already tsx's compiler) into one CommonJS string, ~0.3 s, and each worker evaluates it in ~0.1 s.
 */
let workerSource: Promise<string> | undefined;

function bundledWorkerSource(): Promise<string> {
  // esbuild is imported on first use: only multi-worker simulations need it, and every `trd` command would pay its load.
  workerSource ??= import('esbuild')
    .then(({ build }) =>
      build({
        entryPoints: [WORKER_ENTRY],
        bundle: true,
        write: false,
        format: 'cjs',
        platform: 'node',
        target: 'node20',
        logLevel: 'silent',
      }),
    )
    .then((result) => {
      const output = result.outputFiles[0];
      if (output === undefined) throw new Error('esbuild produced no worker bundle');
      return output.text;
    });
  return workerSource;
}

export interface ParallelSimulationOptions {
  readonly seed: number;
  readonly trials: number;
  /** Worker threads; 1 runs in the calling thread (no worker start-up cost). */
  readonly workers: number;
}

/** Splits [0, trials) into `parts` contiguous ranges whose sizes differ by at most one. */
export function splitRange(trials: number, parts: number): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  let start = 0;
  for (let k = 0; k < parts; k++) {
    const size = Math.floor(trials / parts) + (k < trials % parts ? 1 : 0);
    if (size > 0) ranges.push([start, start + size]);
    start += size;
  }
  return ranges;
}

function runInWorker(source: string, data: EnrichmentWorkerData): Promise<RejectionCounts> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(source, { eval: true, workerData: data });
    let settled = false;
    worker.once('message', (counts: RejectionCounts) => {
      settled = true;
      resolve(counts);
    });
    worker.once('error', (error) => {
      settled = true;
      reject(error);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`simulation worker exited with code ${code} before reporting`));
    });
  });
}

export async function runEnrichmentSimulation(
  config: EnrichmentSimulationConfig,
  { seed, trials, workers }: ParallelSimulationOptions,
): Promise<Result<EnrichmentSimulationSummary>> {
  const issues = checkSimulationConfig(config, seed, trials);
  if (!(Number.isInteger(workers) && workers >= 1 && workers <= 64)) {
    issues.push({
      code: 'design.workers.invalid',
      severity: 'error',
      message: `workers must be an integer from 1 to 64 (got ${workers})`,
      path: 'design.workers',
    });
  }
  if (issues.length > 0) return fail(issues);
  let counts: RejectionCounts;
  if (workers === 1) {
    counts = runEnrichmentReplicates(config, { seed, replicateRange: [0, trials] });
  } else {
    const source = await bundledWorkerSource();
    const parts = await Promise.all(
      splitRange(trials, workers).map((replicateRange) =>
        runInWorker(source, { config, range: { seed, replicateRange } }),
      ),
    );
    counts = parts.reduce(addCounts, emptyCounts());
  }
  return ok(summariseEnrichmentSimulation(config, counts, seed));
}
