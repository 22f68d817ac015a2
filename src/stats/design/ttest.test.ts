import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertGolden, readReference } from '../golden.test-support.ts';
import { notAProportion, ttestPower, ttestSampleSize } from './ttest.ts';

const SHARED = 'stats-reference/outputs/design_reference.json';

interface GridRow {
  delta: number;
  sd: number;
  power: number;
  n_per_arm: number;
  n_per_arm_tol1e12: number;
  n_per_arm_strict: number;
  n_per_arm_pwr: number;
}
interface PowerRow {
  n: number;
  delta: number;
  sd: number;
  power: number;
  power_strict: number;
  power_pwr: number;
}
interface TightRow {
  delta: number;
  sd: number;
  power: number;
  alpha: number;
  sides: 1 | 2;
  n: number;
  n_strict: number;
  power_at_60: number;
}

function value<T>(r: { ok: true; value: T } | { ok: false; issues: unknown[] }): T {
  if (!r.ok) assert.fail(`expected ok, got ${JSON.stringify(r.issues)}`);
  return r.value;
}

test('ttestSampleSize = power.t.test(tol = 1e-12)$n: design_reference.json ttest_sample_size.grid n_per_arm_tol1e12', () => {
  const grid = readReference<{ ttest_sample_size: { grid: GridRow[] } }>(SHARED).ttest_sample_size.grid;
  assert.equal(grid.length, 24);
  for (const r of grid) {
    const n = value(ttestSampleSize({ delta: r.delta, sd: r.sd, power: r.power }));
    assertGolden(
      n.nPerArmExact,
      r.n_per_arm_tol1e12,
      'rootFinding',
      `n(delta ${r.delta}, sd ${r.sd}, power ${r.power})`,
    );
    assert.equal(n.nPerArm, Math.ceil(r.n_per_arm_tol1e12));
    assert.equal(n.totalN, 2 * n.nPerArm);
    assert.ok(n.achievedPower >= r.power);
  }
});

test('the n to recruit equals ceiling of R at default uniroot tol (n_per_arm, n_per_arm_strict, n_per_arm_pwr)', () => {
  // These three columns are only accurate to uniroot's default tol (~1.2e-4), so they are compared as the integer
  // sample size a statistician would recruit, not digit for digit (the tight values are tested above and below).
  const grid = readReference<{ ttest_sample_size: { grid: GridRow[] } }>(SHARED).ttest_sample_size.grid;
  for (const r of grid) {
    const oneTail = value(ttestSampleSize({ delta: r.delta, sd: r.sd, power: r.power }));
    const strict = value(ttestSampleSize({ delta: r.delta, sd: r.sd, power: r.power, strict: true }));
    assert.equal(oneTail.nPerArm, Math.ceil(r.n_per_arm), `power.t.test n ${r.n_per_arm}`);
    assert.equal(strict.nPerArm, Math.ceil(r.n_per_arm_strict), `strict n ${r.n_per_arm_strict}`);
    assert.equal(strict.nPerArm, Math.ceil(r.n_per_arm_pwr), `pwr n ${r.n_per_arm_pwr}`);
  }
});

test('ttestPower = power.t.test(n, ...)$power, strict and pwr: design_reference.json ttest_power', () => {
  const rows = readReference<{ ttest_power: PowerRow[] }>(SHARED).ttest_power;
  assert.equal(rows.length, 8);
  for (const r of rows) {
    const label = `power(n ${r.n}, delta ${r.delta}, sd ${r.sd})`;
    assertGolden(value(ttestPower({ n: r.n, delta: r.delta, sd: r.sd })), r.power, 'closedForm', label);
    const strict = value(ttestPower({ n: r.n, delta: r.delta, sd: r.sd, strict: true }));
    assertGolden(strict, r.power_strict, 'closedForm', `${label} strict`);
    assertGolden(strict, r.power_pwr, 'closedForm', `${label} pwr`);
  }
});

test('one-sided, alpha 0.01 and strict sample sizes and power: reference/r/design_tight.json block ttest', () => {
  const rows = readReference<{ ttest: TightRow[] }>('r/design_tight.json').ttest;
  assert.equal(rows.length, 24);
  for (const r of rows) {
    const settings = { delta: r.delta, sd: r.sd, alpha: r.alpha, sides: r.sides };
    const label = `delta ${r.delta}, power ${r.power}, alpha ${r.alpha}, sides ${r.sides}`;
    assertGolden(value(ttestSampleSize({ ...settings, power: r.power })).nPerArmExact, r.n, 'rootFinding', label);
    const strict = value(ttestSampleSize({ ...settings, power: r.power, strict: true })).nPerArmExact;
    assertGolden(strict, r.n_strict, 'rootFinding', `${label} strict`);
    assertGolden(value(ttestPower({ ...settings, n: 60 })), r.power_at_60, 'closedForm', `${label} power at n 60`);
  }
});

test('invalid designs are returned as issues, all of them at once', () => {
  const r = ttestSampleSize({ delta: -1, sd: 0, power: 1.2, alpha: 0 });
  assert.equal(r.ok, false);
  assert.deepEqual(r.issues.map((i) => i.code).sort(), [
    'design.alpha.invalid',
    'design.delta.invalid',
    'design.power.invalid',
    'design.sd.invalid',
  ]);
  const p = ttestPower({ n: 1, delta: 3, sd: 8 });
  assert.equal(p.ok, false);
  assert.equal(p.issues[0]?.code, 'design.n.invalid');
  // An effect too small to power within R's bracket [2, 1e7] patients per arm.
  const tiny = ttestSampleSize({ delta: 1e-6, sd: 8, power: 0.9 });
  assert.equal(tiny.ok, false);
  assert.equal(tiny.issues[0]?.code, 'design.sample-size.no-solution');
  // A huge effect is powered by fewer than R's minimum of 2 patients per arm.
  const huge = ttestSampleSize({ delta: 100, sd: 1, power: 0.8 });
  assert.equal(huge.ok, false);
  assert.equal(huge.issues[0]?.code, 'design.sample-size.below-minimum');
});

test('a power, alpha or prevalence given as a percentage is refused with how to write it', () => {
  const power = ttestSampleSize({ delta: 3, sd: 8, power: 80 });
  assert.equal(power.ok, false);
  assert.equal(power.issues[0]?.message, 'power must be in (0, 1) (got 80: a proportion, 0.8 for 80%)');
  const alpha = ttestPower({ delta: 3, sd: 8, n: 50, alpha: 5 });
  assert.equal(alpha.ok, false);
  assert.equal(alpha.issues[0]?.message, 'alpha must be in (0, 1) (got 5: a proportion, 0.05 for 5%)');
  // Not a percentage (1.5 is more likely a slip than 1.5%): no hint.
  assert.equal(notAProportion('power', 1.5), 'power must be in (0, 1) (got 1.5)');
  assert.equal(notAProportion('power', 1), 'power must be in (0, 1) (got 1)');
  assert.equal(notAProportion('power', -0.2), 'power must be in (0, 1) (got -0.2)');
});
