import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertGolden, readReference } from '../golden.test-support.ts';
import { enrichmentAnalytic } from './enrichment.ts';

interface SharedRow {
  pi: number;
  delta_pos: number;
  delta_neg: number;
  sigma: number;
  power: number;
  delta_all: number;
  sd_all_pooled: number;
  n_enriched_per_arm: number;
  n_allcomers_per_arm: number;
  screened_enriched: number;
  randomised_allcomers: number;
}

function value<T>(r: { ok: true; value: T } | { ok: false; issues: unknown[] }): T {
  if (!r.ok) assert.fail(`expected ok, got ${JSON.stringify(r.issues)}`);
  return r.value;
}

/** The comparison with both designs powered (every reference row has an all-comers effect > 0). */
function run(r: Pick<SharedRow, 'pi' | 'delta_pos' | 'delta_neg' | 'sigma' | 'power'>) {
  const e = value(
    enrichmentAnalytic({
      prevalence: r.pi,
      deltaPlus: r.delta_pos,
      deltaMinus: r.delta_neg,
      sd: r.sigma,
      power: r.power,
    }),
  );
  const allComers = e.allComers;
  if ('available' in allComers) assert.fail(allComers.reason);
  return { ...e, allComers };
}

test('enrichment vs all-comers: design_reference.json enrichment_analytic.grid', () => {
  const grid = readReference<{ enrichment_analytic: { grid: SharedRow[] } }>(
    'stats-reference/outputs/design_reference.json',
  ).enrichment_analytic.grid;
  assert.equal(grid.length, 9);
  for (const r of grid) {
    const e = run(r);
    const label = `pi ${r.pi}, delta- ${r.delta_neg}`;
    assertGolden(e.allComers.delta, r.delta_all, 'closedForm', `${label}: delta_all`);
    assertGolden(e.allComers.sd, r.sd_all_pooled, 'closedForm', `${label}: sd_all_pooled`);
    // screened_enriched = 2 ceiling(n) / pi is closed form once the integer n agrees.
    assertGolden(e.enriched.screenedExpected, r.screened_enriched, 'closedForm', `${label}: screened_enriched`);
    // The n columns come from power.t.test's default uniroot tol (~1.2e-4): compared as integers here and at
    // 1e-12 against reference/r/design_tight.json below.
    assert.equal(e.enriched.nPerArm, Math.ceil(r.n_enriched_per_arm));
    assert.equal(e.allComers.randomised, r.randomised_allcomers);
  }
});

test('all-comers n solved to 1e-12: reference/r/design_tight.json block enrichment (includes pi = 0.27)', () => {
  const rows = readReference<{ enrichment: SharedRow[] }>('r/design_tight.json').enrichment;
  assert.equal(rows.length, 12);
  for (const r of rows) {
    const e = run(r);
    const label = `pi ${r.pi}, delta- ${r.delta_neg}`;
    assertGolden(e.enriched.nPerArmExact, r.n_enriched_per_arm, 'rootFinding', `${label}: enriched n`);
    assertGolden(e.allComers.nPerArmExact, r.n_allcomers_per_arm, 'rootFinding', `${label}: all-comers n`);
    assertGolden(e.enriched.screenedExpected, r.screened_enriched, 'closedForm', `${label}: screened`);
  }
});

test('the worked example: pi 0.45, delta+ 4, delta- 1, sd 8 -> 64 per arm enriched, 284 screened, 186 all-comers', () => {
  const e = run({ pi: 0.45, delta_pos: 4, delta_neg: 1, sigma: 8, power: 0.8 });
  assert.equal(e.enriched.nPerArm, 64);
  assert.equal(Math.round(e.enriched.screenedExpected), 284);
  assert.equal(Math.floor(e.allComers.nPerArmExact), 186);
  assert.equal(e.allComers.nPerArm, 187);
  assert.ok(Math.abs(e.enriched.screenedPerRandomised - 1 / 0.45) < 1e-15);
  // Treated-arm SD: sigma^2 + pi (1 - pi) (delta+ - delta-)^2.
  assert.ok(Math.abs(e.allComers.treatedArmSd - Math.sqrt(64 + 0.45 * 0.55 * 9)) < 1e-14);
});

test('screening for Osimo prevalence 0.27 is 1 / 0.27 = 3.7 per randomised patient', () => {
  const e = run({ pi: 0.27, delta_pos: 4, delta_neg: 1, sigma: 8, power: 0.8 });
  assert.equal(e.enriched.screenedPerRandomised.toFixed(1), '3.7');
});

test('an invalid delta+ is named as delta-plus, not as the t-test delta', () => {
  const r = enrichmentAnalytic({ prevalence: 0.27, deltaPlus: 0, deltaMinus: 4, sd: 8, power: 0.8 });
  assert.equal(r.ok, false);
  assert.equal(r.issues[0]?.code, 'design.delta-plus.invalid');
  assert.match(r.issues[0]?.message ?? '', /^delta-plus must be a finite number > 0, the effect the enriched trial/);
});

test('invalid prevalence is an issue', () => {
  const bad = enrichmentAnalytic({ prevalence: 1, deltaPlus: 4, deltaMinus: 0, sd: 8, power: 0.8 });
  assert.equal(bad.ok, false);
  assert.equal(bad.issues[0]?.code, 'design.prevalence.invalid');
});

test('an all-comers effect <= 0 (CRP-low patients harmed): the enriched trial is sized, the all-comers one is not', () => {
  // The case for enrichment: it used to refuse the whole comparison, enriched answer included.
  const harm = value(enrichmentAnalytic({ prevalence: 0.2, deltaPlus: 4, deltaMinus: -2, sd: 8, power: 0.8 }));
  assert.equal(harm.enriched.nPerArm, 64);
  assertGolden(harm.enriched.screenedExpected, 128 / 0.2, 'closedForm', 'screened 2n / pi');
  assert.deepEqual(harm.allComers, {
    available: false,
    delta: 0.2 * 4 + 0.8 * -2,
    reason:
      'the all-comers effect pi delta+ + (1 - pi) delta- = -0.8 is not > 0: no all-comers trial can be powered to show it',
  });
});
