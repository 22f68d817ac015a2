import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertGolden } from '../golden.test-support.ts';
import { continuityCorrectedN, proportionsPower, proportionsSampleSize } from './proportions.ts';

/*
 * Reference values: R is not installed here, so they were computed independently in Python (scipy.stats.norm for
 * pnorm/qnorm, scipy.optimize.brentq with xtol 1e-13 for n) from power.prop.test's formula; each row names the R
 * call it reproduces (with tol = 1e-12 for n, as the t-test goldens). The closed form of the one-tail n,
 * (z_alpha sqrt(2 pbar qbar) + z_beta sqrt(p1 q1 + p2 q2))^2 / d^2, agrees with the root to 1e-13. R's own help
 * page example is the first power row (R prints power = 0.7401659) and the 0.5/0.75/0.9 n row (n = 76.7).
 */
interface Row {
  p1: number;
  p2: number;
  power: number;
  alpha: number;
  sides: 1 | 2;
  /** power.prop.test(p1, p2, power, sig.level = alpha, alternative, tol = 1e-12)$n */
  n: number;
  /** the same with strict = TRUE */
  nStrict: number;
  /** Fleiss, Tytun and Ury (1980): n / 4 (1 + sqrt(1 + 4 / (n |p1 - p2|)))^2 of the n column */
  nCc: number;
  /** power.prop.test(n = 50, p1, p2, sig.level = alpha, alternative)$power */
  powerAt50: number;
  /** the same with strict = TRUE */
  powerAt50Strict: number;
}

const ROWS: readonly Row[] = [
  // INSIGHT day-28 remission, 31.3% placebo vs 53.9% tocilizumab:
  // power.prop.test(p1 = 0.313, p2 = 0.539, power = 0.8, tol = 1e-12)
  {
    p1: 0.313,
    p2: 0.539,
    power: 0.8,
    alpha: 0.05,
    sides: 2,
    n: 73.96230635733805,
    nStrict: 73.96220208068934,
    nCc: 82.57476156498618,
    powerAt50: 0.6308254719315336,
    powerAt50Strict: 0.6308319599542276,
  },
  // power.prop.test(p1 = 0.313, p2 = 0.539, power = 0.9, tol = 1e-12)
  {
    p1: 0.313,
    p2: 0.539,
    power: 0.9,
    alpha: 0.05,
    sides: 2,
    n: 98.5136859800897,
    nStrict: 98.5136670990706,
    nCc: 107.18057357957312,
    powerAt50: 0.6308254719315336,
    powerAt50Strict: 0.6308319599542276,
  },
  // power.prop.test(p1 = 0.313, p2 = 0.539, power = 0.8, alternative = "one.sided", tol = 1e-12)
  {
    p1: 0.313,
    p2: 0.539,
    power: 0.8,
    alpha: 0.05,
    sides: 1,
    n: 58.1418013568926,
    nStrict: 58.1418013568926,
    nCc: 66.69781602783567,
    powerAt50: 0.7446394256689808,
    powerAt50Strict: 0.7446394256689808,
  },
  // power.prop.test(p1 = 0.313, p2 = 0.539, power = 0.8, sig.level = 0.01, tol = 1e-12)
  {
    p1: 0.313,
    p2: 0.539,
    power: 0.8,
    alpha: 0.01,
    sides: 2,
    n: 110.37241336627191,
    nStrict: 110.37241326896707,
    nCc: 119.05752376682888,
    powerAt50: 0.3826365273145501,
    powerAt50Strict: 0.38263682438394164,
  },
  // R's help-page example: power.prop.test(p1 = 0.50, p2 = 0.75, power = 0.90, tol = 1e-12) (R prints n = 76.7)
  {
    p1: 0.5,
    p2: 0.75,
    power: 0.9,
    alpha: 0.05,
    sides: 2,
    n: 76.70692845177753,
    nStrict: 76.70691611581744,
    nCc: 84.51761881166976,
    powerAt50: 0.7401659013313878,
    powerAt50Strict: 0.740167193453611,
  },
  // power.prop.test(p1 = 0.1, p2 = 0.2, power = 0.8, tol = 1e-12)
  {
    p1: 0.1,
    p2: 0.2,
    power: 0.8,
    alpha: 0.05,
    sides: 2,
    n: 198.96341328433115,
    nStrict: 198.96301467858643,
    nCc: 218.50575944374327,
    powerAt50: 0.2859508352060722,
    powerAt50Strict: 0.2862956361200114,
  },
  // power.prop.test(p1 = 0.3, p2 = 0.4, power = 0.85, sig.level = 0.025, alternative = "one.sided", tol = 1e-12)
  {
    p1: 0.3,
    p2: 0.4,
    power: 0.85,
    alpha: 0.025,
    sides: 1,
    n: 406.96148472449704,
    nStrict: 406.96148472449704,
    nCc: 426.7271429403984,
    powerAt50: 0.17964206017401768,
    powerAt50Strict: 0.17964206017401768,
  },
  // p1 > p2 (a harm, e.g. an adverse event): power.prop.test(p1 = 0.05, p2 = 0.01, power = 0.8, tol = 1e-12)
  {
    p1: 0.05,
    p2: 0.01,
    power: 0.8,
    alpha: 0.05,
    sides: 2,
    n: 284.3212096110903,
    nStrict: 284.3206042509115,
    nCc: 332.4411777684788,
    powerAt50: 0.21388531753781193,
    powerAt50Strict: 0.21469018315246824,
  },
];

function value<T>(r: { ok: true; value: T } | { ok: false; issues: unknown[] }): T {
  if (!r.ok) assert.fail(`expected ok, got ${JSON.stringify(r.issues)}`);
  return r.value;
}

test('proportionsSampleSize = power.prop.test(tol = 1e-12)$n, one-tail and strict, with the n to recruit', () => {
  for (const r of ROWS) {
    const settings = { p1: r.p1, p2: r.p2, alpha: r.alpha, sides: r.sides, power: r.power };
    const label = `p1 ${r.p1}, p2 ${r.p2}, power ${r.power}, alpha ${r.alpha}, sides ${r.sides}`;
    const n = value(proportionsSampleSize(settings));
    assertGolden(n.nPerArmExact, r.n, 'rootFinding', label);
    assert.equal(n.nPerArm, Math.ceil(r.n), label);
    assert.equal(n.totalN, 2 * n.nPerArm);
    assert.ok(n.achievedPower >= r.power, `${label}: achieved ${n.achievedPower}`);
    const strict = value(proportionsSampleSize({ ...settings, strict: true }));
    assertGolden(strict.nPerArmExact, r.nStrict, 'rootFinding', `${label} strict`);
    // The direction does not matter: R's formula uses |p1 - p2|.
    const swapped = value(proportionsSampleSize({ ...settings, p1: r.p2, p2: r.p1 }));
    assertGolden(swapped.nPerArmExact, r.n, 'rootFinding', `${label} swapped`);
  }
});

test('proportionsPower = power.prop.test(n = 50, ...)$power, one-tail and strict', () => {
  for (const r of ROWS) {
    const settings = { p1: r.p1, p2: r.p2, alpha: r.alpha, sides: r.sides, n: 50 };
    const label = `power at 50 per arm, p1 ${r.p1}, p2 ${r.p2}, alpha ${r.alpha}, sides ${r.sides}`;
    assertGolden(value(proportionsPower(settings)).power, r.powerAt50, 'closedForm', label);
    const strict = value(proportionsPower({ ...settings, strict: true })).power;
    assertGolden(strict, r.powerAt50Strict, 'closedForm', `${label} strict`);
  }
  // power.prop.test(n = 1, p1 = 0.313, p2 = 0.539)$power: R's smallest n.
  assertGolden(value(proportionsPower({ n: 1, p1: 0.313, p2: 0.539 })).power, 0.0463543321156444, 'closedForm', 'n 1');
});

test('the continuity-corrected n (Fleiss, Tytun and Ury 1980) is given beside the uncorrected n, rounded up', () => {
  for (const r of ROWS) {
    const n = value(proportionsSampleSize({ p1: r.p1, p2: r.p2, alpha: r.alpha, sides: r.sides, power: r.power }));
    const label = `p1 ${r.p1}, p2 ${r.p2}, power ${r.power}`;
    assert.equal(n.continuityCorrected.method, 'fleiss-tytun-ury-1980');
    assertGolden(n.continuityCorrected.nPerArmExact, r.nCc, 'rootFinding', label);
    assert.equal(n.continuityCorrected.nPerArm, Math.ceil(r.nCc), label);
    assert.equal(n.continuityCorrected.totalN, 2 * Math.ceil(r.nCc), label);
    assert.ok(n.continuityCorrected.nPerArm > n.nPerArm, label);
  }
  // The correction inverts to Fleiss's (n_cc - 1/d)^2 / n_cc: applying it to that gives n_cc back.
  const d = 0.226;
  assertGolden(continuityCorrectedN((100 - 1 / d) ** 2 / 100, d), 100, 'closedForm', 'inverse');
});

test('the effect: absolute difference and the NNT it implies, 1/|p1 - p2| rounded up to a whole patient', () => {
  const n = value(proportionsSampleSize({ p1: 0.313, p2: 0.539, power: 0.8 }));
  assertGolden(n.absoluteDifference, 0.226, 'closedForm', 'difference');
  assertGolden(n.nnt.estimate, 1 / 0.226, 'closedForm', 'NNT');
  assert.equal(n.nnt.rounded, 5);
  const p = value(proportionsPower({ p1: 0.05, p2: 0.01, n: 100 }));
  assertGolden(p.absoluteDifference, 0.04, 'closedForm', 'difference, p1 > p2');
  assert.equal(p.nnt.rounded, 25);
});

test('invalid designs are returned as issues, all of them at once', () => {
  const r = proportionsSampleSize({ p1: 0, p2: 1.2, power: 1, alpha: 0, sides: 3 as 1 });
  assert.equal(r.ok, false);
  assert.deepEqual(r.issues.map((i) => i.code).sort(), [
    'design.alpha.invalid',
    'design.p1.invalid',
    'design.p2.invalid',
    'design.power.invalid',
    'design.sides.invalid',
  ]);
  const same = proportionsPower({ p1: 0.3, p2: 0.3, n: 50 });
  assert.equal(same.ok, false);
  assert.equal(same.issues[0]?.code, 'design.proportions.equal');
  assert.match(same.issues[0]?.message ?? '', /p1 and p2 must differ/);
  const n = proportionsPower({ p1: 0.3, p2: 0.5, n: 0.5 });
  assert.equal(n.ok, false);
  assert.equal(n.issues[0]?.code, 'design.n.invalid');
  assert.equal(proportionsPower({ p1: 0.3, p2: 0.5, n: Number.NaN }).ok, false);
  // A difference too small to power within R's bracket [2, 1e7] patients per arm.
  const tiny = proportionsSampleSize({ p1: 0.3, p2: 0.3000001, power: 0.9 });
  assert.equal(tiny.ok, false);
  assert.equal(tiny.issues[0]?.code, 'design.sample-size.no-solution');
  // A huge difference is powered by fewer than 2 per arm; the message names this design's settings.
  const huge = proportionsSampleSize({ p1: 0.01, p2: 0.99, power: 0.4 });
  assert.equal(huge.ok, false);
  assert.equal(huge.issues[0]?.code, 'design.sample-size.below-minimum');
  assert.match(huge.issues[0]?.message ?? '', /check p1, p2 and power/);
});
