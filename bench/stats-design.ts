/**
 * Enrichment simulation speed: 10,000 simulated trials per design (enriched 64 per arm, all-comers 187 per arm, the
 * analytic sample sizes of the worked example; log-CRP effect model) on 1 thread and on 2 worker threads, with a
 * baseline measured in the same run: generating the same number of normal variates alone (the simulation's floor).
 * Everything is warmed up before timing: the first (cold) call of each path is timed and printed apart, as is the
 * one-off cost of starting the worker threads. Prints the 1 : 2 ratio and the load average, since other processes
 * share the 2 cores. Checks the two runs agree exactly.
 * Goal: under 30 s for 10,000 simulated trials on 2 cores.
 * Run alone: npx tsx bench/stats-design.ts
 */
import { loadavg } from 'node:os';
import { isDeepStrictEqual } from 'node:util';
import { pathToFileURL } from 'node:url';
import type * as Runner from '../src/io/workers/run-enrichment-simulation.ts';
import type * as Design from '../src/stats/design/index.ts';
import type { EnrichmentSimulationConfig } from '../src/stats/design/index.ts';
import type * as Normal from '../src/stats/random/normal.ts';
import type * as Streams from '../src/stats/random/streams.ts';
import { ensureBuild, importBuilt } from './compiled.ts';

// The compiled build (dist/), what `trd design` runs (its workers start from JavaScript), for the simulation and for
// the baseline alike; rebuilt first if older than the sources.
ensureBuild('bench:stats');
const { runEnrichmentSimulation } = await importBuilt<typeof Runner>('io/workers/run-enrichment-simulation.js');
const { calibrateCrpLogNormal } = await importBuilt<typeof Design>('stats/design/index.js');
const { forEachReplicateStream } = await importBuilt<typeof Streams>('stats/random/streams.js');
const { standardNormal } = await importBuilt<typeof Normal>('stats/random/normal.js');

const TRIALS = 10_000;
const SEED = 42;

function config(): EnrichmentSimulationConfig {
  const crp = calibrateCrpLogNormal({
    thresholdMgPerL: 3,
    prevalenceAboveThreshold: 0.27,
    secondThresholdMgPerL: 1,
    prevalenceAboveSecondThreshold: 0.58,
  });
  if (!crp.ok) throw new Error('CRP calibration failed');
  return {
    crp: crp.value,
    effect: { model: 'logCrp', beta0: 3, beta1: 1.5 },
    sd: 8,
    nPerArm: { enriched: 64, allComers: 187 },
    alpha: 0.05,
    sides: 2,
  };
}

async function timed<T>(run: () => Promise<T> | T): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await run();
  return { ms: performance.now() - start, value };
}

export async function benchDesign(): Promise<void> {
  const c = config();
  // Two normals per patient (CRP and outcome), two arms, two designs.
  const variatesPerTrial = 2 * 2 * (c.nPerArm.enriched + c.nPerArm.allComers);
  const variates = (trials: number) => () => {
    let sum = 0;
    forEachReplicateStream(SEED, 0, trials, (_r, source) => {
      for (let i = 0; i < variatesPerTrial; i++) sum += standardNormal(source);
    });
    return sum;
  };
  // Warm-up: the first calls (cold: module initialisation, JIT) are timed and reported apart from the timed runs.
  const firstBaseline = await timed(variates(100));
  const firstOne = await timed(() => runEnrichmentSimulation(c, { seed: SEED, trials: 100, workers: 1 }));
  await timed(variates(1000));
  await timed(() => runEnrichmentSimulation(c, { seed: SEED, trials: 1000, workers: 1 }));
  const baseline = await timed(variates(TRIALS));
  const startup = await timed(() => runEnrichmentSimulation(c, { seed: SEED, trials: 2, workers: 2 }));
  const one = await timed(() => runEnrichmentSimulation(c, { seed: SEED, trials: TRIALS, workers: 1 }));
  const two = await timed(() => runEnrichmentSimulation(c, { seed: SEED, trials: TRIALS, workers: 2 }));
  if (!one.value.ok || !two.value.ok) throw new Error('simulation failed');
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const load = loadavg().map((l) => l.toFixed(2));
  console.log(`design simulation bench: ${TRIALS} trials per design, ${variatesPerTrial} normal variates per trial`);
  console.log(`  load average (1, 5, 15 min): ${load.join(', ')} on 2 cores`);
  console.log(`  baseline, normal variates alone (${(TRIALS * variatesPerTrial) / 1e6}M): ${s(baseline.ms)}`);
  console.log(
    `  first (cold) calls, 100 trials: variates ${s(firstBaseline.ms)}, 1-thread simulation ${s(firstOne.ms)} (not in the figures below)`,
  );
  console.log(`  worker start-up (2 threads, 2 trials): ${s(startup.ms)}`);
  console.log(`  1 thread:  ${s(one.ms)} (${(one.ms / baseline.ms).toFixed(2)} x baseline)`);
  console.log(`  2 workers: ${s(two.ms)} (speed-up ${(one.ms / two.ms).toFixed(2)} x; goal < 30 s)`);
  console.log(`  identical results 1 vs 2 workers: ${isDeepStrictEqual(one.value, two.value)}`);
  const p = one.value.value.designs;
  console.log(
    `  power (t-test): enriched ${p.enriched.power.ttest.power.toFixed(3)}, all-comers ${p.allComers.power.ttest.power.toFixed(3)}`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await benchDesign();
}
