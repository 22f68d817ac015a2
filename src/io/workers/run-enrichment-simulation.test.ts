import assert from 'node:assert/strict';
import { test } from 'node:test';
import { calibrateCrpLogNormal } from '../../stats/design/crp-lognormal.ts';
import type { EnrichmentSimulationConfig } from '../../stats/design/enrichment-simulation.ts';
import { runEnrichmentSimulation, splitRange } from './run-enrichment-simulation.ts';

function config(): EnrichmentSimulationConfig {
  const crp = calibrateCrpLogNormal({
    thresholdMgPerL: 3,
    prevalenceAboveThreshold: 0.27,
    secondThresholdMgPerL: 1,
    prevalenceAboveSecondThreshold: 0.58,
  });
  if (!crp.ok) assert.fail(JSON.stringify(crp.issues));
  return {
    crp: crp.value,
    effect: { model: 'logCrp', beta0: 3, beta1: 1.5 },
    sd: 8,
    nPerArm: { enriched: 40, allComers: 90 },
    alpha: 0.05,
    sides: 2,
  };
}

test('splitRange covers [0, trials) with contiguous ranges differing in size by at most one', () => {
  assert.deepEqual(splitRange(10, 3), [
    [0, 4],
    [4, 7],
    [7, 10],
  ]);
  assert.deepEqual(splitRange(2, 4), [
    [0, 1],
    [1, 2],
  ]);
});

test('2 and 3 worker threads give exactly the single-thread result for the same seed', async () => {
  const single = await runEnrichmentSimulation(config(), { seed: 42, trials: 601, workers: 1 });
  assert.ok(single.ok);
  for (const workers of [2, 3]) {
    const parallel = await runEnrichmentSimulation(config(), { seed: 42, trials: 601, workers });
    assert.deepEqual(parallel, single, `${workers} workers`);
  }
  const otherSeed = await runEnrichmentSimulation(config(), { seed: 43, trials: 601, workers: 2 });
  assert.notDeepEqual(otherSeed, single);
});

test('invalid worker counts and settings are reported before any thread starts', async () => {
  const r = await runEnrichmentSimulation(config(), { seed: 1, trials: 0, workers: 0 });
  assert.equal(r.ok, false);
  assert.deepEqual(r.issues.map((i) => i.code).sort(), ['design.trials.invalid', 'design.workers.invalid']);
});
