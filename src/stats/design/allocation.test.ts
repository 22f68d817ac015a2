import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertGolden } from '../golden.test-support.ts';
import { armSizes, checkAllocation, toRecruit } from './allocation.ts';
import { ancovaPower, ancovaSampleSize } from './ancova.ts';
import { proportionsPower, proportionsSampleSize } from './proportions.ts';
import { ttestPower, ttestSampleSize } from './ttest.ts';

/*
 * Reference values for unequal arms: R is not installed here, so they were computed independently in Python
 * (scipy.stats.nct / t / norm, scipy.optimize.brentq with xtol 1e-13 for n) from the formulas of the R calls named
 * beside each: pwr::pwr.t2n.test (noncentral t, df n1 + n2 - 2, ncp delta / (sd sqrt(1/n1 + 1/n2)), both tails),
 * the same with the residual SD and df n1 + n2 - 3 for the exact ANCOVA, and Hmisc::bpower / bsamsize (pooled p
 * under H0 weighted by the arms; bsamsize's closed form is the root of the one-tail power). n1 is the control arm,
 * n2 = ratio x n1.
 */

test('armSizes: treatment = ratio x control, each arm rounded up, recruit = randomise / (1 - dropout) rounded up', () => {
  const a = armSizes(84.36642295926526, { ratio: 2, dropout: 0.15 });
  assert.deepEqual(
    { c: a.control.randomise, t: a.treatment.randomise, n: a.randomiseTotal },
    { c: 85, t: 169, n: 254 }, // 168.73 rounds up to 169, not 2 x 85 = 170
  );
  assert.deepEqual({ c: a.control.recruit, t: a.treatment.recruit, n: a.recruitTotal }, { c: 100, t: 199, n: 299 });
  // 21 / 0.7 is 30.000000000000004 in floating point: 30 to recruit, not 31.
  assert.equal(toRecruit(21, 0.3), 30);
  assert.equal(toRecruit(90, 0.1), 100);
  assert.equal(toRecruit(113, 0), 113);
  assert.equal(toRecruit(113, 0.2), 142); // 141.25
});

test('checkAllocation refuses ratio 0, negative, huge or not a number, and dropout 1, above, 0.99 or negative', () => {
  for (const ratio of [0, -1, 1e6, 10.5, 0.05, Number.NaN, Number.POSITIVE_INFINITY]) {
    const issues = checkAllocation({ ratio });
    assert.equal(issues.length, 1, String(ratio));
    assert.equal(issues[0]?.code, 'design.ratio.invalid');
  }
  for (const dropout of [1, 1.5, 0.99, 0.51, -0.1, Number.NaN]) {
    const issues = checkAllocation({ dropout });
    assert.equal(issues.length, 1, String(dropout));
    assert.equal(issues[0]?.code, 'design.dropout.invalid');
  }
  assert.match(checkAllocation({ dropout: 15 })[0]?.message ?? '', /got 15: a proportion, 0\.15 for 15%/);
  assert.deepEqual(checkAllocation({ ratio: 0.1, dropout: 0.5 }), []);
  assert.deepEqual(checkAllocation({ ratio: 10, dropout: 0 }), []);
  assert.equal(ttestSampleSize({ delta: 3, sd: 8, power: 0.8, ratio: 0 }).ok, false);
  assert.equal(ancovaSampleSize({ delta: 3, sd: 8, rho: 0.5, power: 0.8, dropout: 1 }).ok, false);
  assert.equal(proportionsSampleSize({ p1: 0.3, p2: 0.5, power: 0.8, ratio: -2 }).ok, false);
  assert.equal(ttestPower({ delta: 3, sd: 8, n: 50, dropout: 0.99 }).ok, false);
});

test('t-test with a ratio = pwr.t2n.test: n1 root and power at (n1, n2)', () => {
  // uniroot(function(n) pwr.t2n.test(n1 = n, n2 = 2 * n, d = 3/8)$power - 0.8, c(2, 1e7), tol = 1e-12)$root
  const strict = ttestSampleSize({ delta: 3, sd: 8, power: 0.8, ratio: 2, strict: true });
  assert.ok(strict.ok);
  assertGolden(strict.value.nPerArmExact, 84.36621798089149, 'rootFinding', 'pwr.t2n.test n1, ratio 2');
  // The same with the far tail ignored (power.t.test's default), ratio 1/2: the control arm is the larger one.
  const half = ttestSampleSize({ delta: 3, sd: 8, power: 0.8, ratio: 0.5 });
  assert.ok(half.ok);
  assertGolden(half.value.nPerArmExact, 168.73284591853047, 'rootFinding', 'one-tail n1, ratio 0.5');
  assert.deepEqual(
    { n: half.value.nPerArm, c: half.value.arms?.control.randomise, t: half.value.arms?.treatment.randomise },
    { n: 169, c: 169, t: 85 },
  );
  // pwr.t2n.test(n1 = 60, n2 = 120, d = 3/8)$power
  const power = ttestPower({ delta: 3, sd: 8, n: 60, ratio: 2, strict: true });
  assert.ok(power.ok);
  assertGolden(power.value, 0.6550363582240748, 'closedForm', 'pwr.t2n.test(60, 120, 0.375)');
});

test('ANCOVA with a ratio: exact noncentral t df n1 + n2 - 3 with the residual SD; Borm on the pwr.t2n.test n', () => {
  // uniroot(function(n) pwr.t2n.test(n1 = n, n2 = 2 * n, d = 3 / (8 * sqrt(1 - 0.25)))$power - 0.8, ...) with df
  // n1 + n2 - 3 (the exact method): python nct with df n1 + n2 - 3.
  const exact = ancovaSampleSize({ delta: 3, sd: 8, rho: 0.5, power: 0.8, ratio: 2, method: 'exact' });
  assert.ok(exact.ok);
  assertGolden(exact.value.nPerArmExact, 63.44096746898905, 'rootFinding', 'exact ANCOVA n1, ratio 2');
  assert.deepEqual(
    { c: exact.value.arms?.control.randomise, t: exact.value.arms?.treatment.randomise, n: exact.value.totalN },
    { c: 64, t: 127, n: 191 },
  );
  // Borm: the one-tail t-test n1 at ratio 2 (84.36642295926526) x (1 - 0.5^2).
  const borm = ancovaSampleSize({ delta: 3, sd: 8, rho: 0.5, power: 0.8, ratio: 2, dropout: 0.15 });
  assert.ok(borm.ok);
  assertGolden(borm.value.nPerArmExact, 63.27481721944895, 'rootFinding', 'Borm n1, ratio 2');
  assert.deepEqual(
    { c: borm.value.arms?.control.recruit, t: borm.value.arms?.treatment.recruit, n: borm.value.arms?.recruitTotal },
    { c: 76, t: 150, n: 226 }, // 64 / 0.85 = 75.3, 127 / 0.85 = 149.4
  );
  // exact power at n1 = 60, n2 = 120, rho 0.6 (both tails)
  const power = ancovaPower({ delta: 3, sd: 8, rho: 0.6, n: 60, ratio: 2 });
  assert.ok(power.ok);
  assertGolden(power.value, 0.8385584102440875, 'closedForm', 'exact ANCOVA power (60, 120), rho 0.6');
});

test('two proportions with a ratio = Hmisc::bsamsize / bpower (pooled p weighted by the arms)', () => {
  // bsamsize(p1 = 0.313, p2 = 0.539, fraction = 1/3, power = 0.8): n1 = 55.738, n2 = 111.477
  const r = proportionsSampleSize({ p1: 0.313, p2: 0.539, power: 0.8, ratio: 2, dropout: 0.15 });
  assert.ok(r.ok);
  assertGolden(r.value.nPerArmExact, 55.73834126281608, 'rootFinding', 'bsamsize n1, fraction 1/3');
  assertGolden(r.value.arms?.treatment.exact ?? Number.NaN, 111.47668252563219, 'rootFinding', 'bsamsize n2');
  assert.deepEqual(
    { rand: r.value.totalN, recruit: r.value.arms?.recruitTotal },
    { rand: 168, recruit: 198 }, // 56 + 112; 66 + 132
  );
  // Fleiss, Levin and Paik (2003) 4.19: n1 / 4 (1 + sqrt(1 + 2 (K + 1) / (n1 K |d|)))^2
  assertGolden(r.value.continuityCorrected.nPerArmExact, 62.19844710224509, 'rootFinding', 'corrected n1, K 2');
  assert.equal(r.value.continuityCorrected.totalN, 63 + 125);
  // bsamsize(0.313, 0.539, fraction = 2/3, power = 0.8)["n1"]
  const half = proportionsSampleSize({ p1: 0.313, p2: 0.539, power: 0.8, ratio: 0.5 });
  assert.ok(half.ok);
  assertGolden(half.value.nPerArmExact, 109.47656569145497, 'rootFinding', 'bsamsize n1, fraction 2/3');
  // bpower(p1 = 0.313, p2 = 0.539, n1 = 50, n2 = 25) (both tails, as bpower)
  const power = proportionsPower({ p1: 0.313, p2: 0.539, n: 50, ratio: 0.5, strict: true });
  assert.ok(power.ok);
  assertGolden(power.value.power, 0.47339082844364355, 'closedForm', 'bpower(n1 = 50, n2 = 25)');
});

test('ratio 1 and dropout 0 given explicitly: the equal-allocation answer, bit for bit, with the arms beside it', () => {
  const plain = ttestSampleSize({ delta: 3, sd: 8, power: 0.8 });
  const dropout = ttestSampleSize({ delta: 3, sd: 8, power: 0.8, ratio: 1, dropout: 0.1 });
  assert.ok(plain.ok && dropout.ok);
  assert.equal(dropout.value.nPerArmExact, plain.value.nPerArmExact);
  assert.equal(dropout.value.achievedPower, plain.value.achievedPower);
  assert.equal(plain.value.arms, undefined);
  assert.deepEqual(
    {
      r: dropout.value.arms?.randomiseTotal,
      c: dropout.value.arms?.control.recruit,
      n: dropout.value.arms?.recruitTotal,
    },
    { r: 226, c: 126, n: 252 }, // 113 / 0.9 = 125.6
  );
  const p = proportionsSampleSize({ p1: 0.313, p2: 0.539, power: 0.8 });
  const p1 = proportionsSampleSize({ p1: 0.313, p2: 0.539, power: 0.8, ratio: 1 });
  assert.ok(p.ok && p1.ok);
  assert.deepEqual(p1.value, p.value);
});

test('with a ratio below 1 the treatment arm keeps the per-arm minimum: at a given n and in the sample-size search', () => {
  // Before, ancovaPower at n 2, ratio 0.5 had df 2 + 1 - 3 = 0 and no power; now both arms need the minimum.
  for (const r of [
    ttestPower({ delta: 3, sd: 8, n: 2, ratio: 0.5 }),
    ancovaPower({ delta: 3, sd: 8, rho: 0.5, n: 2, ratio: 0.5 }),
  ]) {
    assert.equal(r.ok, false);
    assert.equal(
      r.ok ? '' : r.issues[0]?.message,
      'the treatment arm (ratio x n = 0.5 x 2 = 1) must have at least 2 patients: n >= 4',
    );
  }
  const p = proportionsPower({ p1: 0.3, p2: 0.5, n: 1, ratio: 0.5 });
  assert.equal(
    p.ok ? '' : p.issues[0]?.message,
    'the treatment arm (ratio x n = 0.5 x 1 = 0.5) must have at least 1 patient: n >= 2',
  );
  assert.ok(ttestPower({ delta: 3, sd: 8, n: 4, ratio: 0.5 }).ok);
  // The search starts where both arms have 2 (t-test): 4 in the control arm at ratio 0.5.
  const big = ttestSampleSize({ delta: 20, sd: 1, power: 0.8, ratio: 0.5 });
  assert.equal(
    big.ok ? '' : big.issues[0]?.message,
    'the target power 0.8 is already reached with 4 patients in the control arm: check delta, sd and power',
  );
  // Borm at rho 0.9 and ratio 0.5: n1 4.73 is raised so that the treatment arm has 3 (residual df >= 1).
  const borm = ancovaSampleSize({ delta: 8, sd: 8, rho: 0.9, power: 0.8, ratio: 0.5 });
  assert.ok(borm.ok);
  assert.deepEqual({ c: borm.value.arms?.control.randomise, t: borm.value.arms?.treatment.randomise }, { c: 6, t: 3 });
});
