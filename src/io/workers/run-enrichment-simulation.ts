/**
 * Runs the enrichment simulation across worker threads. Replicates [0, trials) are cut into one contiguous range
 * per worker; each replicate has its own random stream (src/stats/random/streams.ts), so the summed counts, and the
 * result, are identical to the single-thread run for the same seed whatever the number of workers.
 */
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

/**
 * The worker entry sits beside this module: enrichment-worker.js in the build (dist/, what `trd` runs), or
 * enrichment-worker.ts when this module itself runs from source under tsx (the tests). A worker does not inherit
 * tsx's loader on Node 20, so from source the worker registers it first; the build needs no compiler at all.
 */
const FROM_SOURCE = import.meta.url.endsWith('.ts');
const WORKER_ENTRY = new URL(`./enrichment-worker.${FROM_SOURCE ? 'ts' : 'js'}`, import.meta.url);

function startWorker(data: EnrichmentWorkerData): Worker {
  if (!FROM_SOURCE) return new Worker(WORKER_ENTRY, { workerData: data });
  const boot = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(WORKER_ENTRY.href)}); })`;
  return new Worker(boot, { eval: true, workerData: data });
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

function runInWorker(data: EnrichmentWorkerData): Promise<RejectionCounts> {
  return new Promise((resolve, reject) => {
    const worker = startWorker(data);
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
    const parts = await Promise.all(
      splitRange(trials, workers).map((replicateRange) => runInWorker({ config, range: { seed, replicateRange } })),
    );
    counts = parts.reduce(addCounts, emptyCounts());
  }
  return ok(summariseEnrichmentSimulation(config, counts, seed));
}
