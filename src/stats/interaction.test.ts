/**
 * Golden tests against our own R fixture reference/r/interaction.json (made by reference/r/interaction.R on
 * reference/r/trd_madrs_crp.csv; the shared reference has no interaction_logcrp_week8 block):
 * - block `interaction_logcrp_week8`: lm(chg ~ arm * log_crp_c + baseline_madrs), anova F test, emmeans effects at
 *   CRP 1, 3, 10 and the subgroup model lm(chg ~ arm * crp_high + baseline_madrs);
 * - block `ancova_stratified_week8`: lm(chg ~ arm + baseline_madrs + crp_high) with emmeans LS means (equal weights).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ancova } from './ancova.ts';
import { assertGolden, readReference } from './golden.test-support.ts';
import { loadMadrsCrp } from './interaction-data.test-support.ts';
import { biomarkerInteraction } from './interaction.ts';

interface Coef {
  term: string;
  estimate: number;
  se: number;
  t: number;
  p: number;
  ci_lower: number;
  ci_upper: number;
}
interface Emm {
  estimate?: number;
  emmean?: number;
  SE: number;
  df: number;
  'lower.CL': number;
  'upper.CL': number;
  'p.value'?: number;
  arm?: string;
}
interface Ref {
  interaction_logcrp_week8: {
    n: number;
    df: number;
    coefficients: Coef[];
    f_test: { F: number; df1: number; df2: number; p: number };
    effects_at_crp: (Emm & { crp: number })[];
    subgroup_effects: (Emm & { crp_high: number })[];
  };
  ancova_stratified_week8: {
    n: number;
    df: number;
    coefficients: Coef[];
    lsmeans: Emm[];
    difference: Emm[];
    baseline_mean: number;
  };
}
const ref = readReference<Ref>('r/interaction.json');
const week8 = loadMadrsCrp()
  .filter((r) => r.week === 8)
  .map((r) => ({
    subject: r.subject,
    arm: r.arm,
    change: r.madrs === null ? null : r.madrs - r.baseline,
    baseline: r.baseline,
    biomarker: r.crp,
  }));
const spec = { treatment: 'TOCILIZUMAB', control: 'PLACEBO', biomarkerCut: 3 };

describe('treatment x log(CRP) interaction vs R (reference/r/interaction.json, block interaction_logcrp_week8)', () => {
  const res = biomarkerInteraction(week8, spec);
  assert.ok(res.ok);
  const r = res.value;
  const block = ref.interaction_logcrp_week8;
  it('interaction coefficient and F test (coefficients["armTOCILIZUMAB:log_crp_c"], f_test)', () => {
    assert.equal(r.n, block.n);
    const c = block.coefficients.find((x) => x.term === 'armTOCILIZUMAB:log_crp_c')!;
    assertGolden(r.interaction.estimate, c.estimate, 'closedForm', 'interaction estimate');
    assertGolden(r.interaction.se, c.se, 'closedForm', 'interaction se');
    assertGolden(r.interaction.t, c.t, 'closedForm', 'interaction t');
    assertGolden(r.interaction.p, c.p, 'closedForm', 'interaction p');
    assertGolden(r.fTest.f, block.f_test.F, 'closedForm', 'F');
    assert.equal(r.fTest.df2, block.f_test.df2);
    assertGolden(r.fTest.p, block.f_test.p, 'closedForm', 'F p');
  });
  it('treatment effect at CRP 1, 3, 10 mg/L (effects_at_crp)', () => {
    for (const e of block.effects_at_crp) {
      const mine = r.effects.find((x) => x.biomarker === e.crp)!;
      assertGolden(mine.estimate, e.estimate!, 'closedForm', `effect at ${e.crp}`);
      assertGolden(mine.se, e.SE, 'closedForm', `se at ${e.crp}`);
      assertGolden(mine.ci[0], e['lower.CL'], 'closedForm', `ci lower at ${e.crp}`);
      assertGolden(mine.ci[1], e['upper.CL'], 'closedForm', `ci upper at ${e.crp}`);
      assertGolden(mine.p, e['p.value']!, 'closedForm', `p at ${e.crp}`);
    }
  });
  it('subgroup effects by stratum (subgroup_effects)', () => {
    const strata = r.strata;
    assert.ok(!('available' in strata));
    for (const e of block.subgroup_effects) {
      const mine = e.crp_high === 1 ? strata.high : strata.low;
      assertGolden(mine.estimate, e.estimate!, 'closedForm', `stratum ${e.crp_high}`);
      assertGolden(mine.se, e.SE, 'closedForm', `stratum ${e.crp_high} se`);
      assertGolden(mine.ci[0], e['lower.CL'], 'closedForm', `stratum ${e.crp_high} ci lower`);
    }
  });
  it('a non-positive cut is refused', () => {
    assert.equal(biomarkerInteraction(week8, { ...spec, biomarkerCut: 0 }).ok, false);
  });
});

describe('stratified ANCOVA vs R (reference/r/interaction.json, block ancova_stratified_week8)', () => {
  const res = ancova(week8, spec);
  assert.ok(res.ok);
  const a = res.value;
  const block = ref.ancova_stratified_week8;
  it('coefficients, difference and LS means with equal weights over the stratum', () => {
    assert.equal(a.n.total, block.n);
    for (const c of block.coefficients) {
      const name = c.term.replace('baseline_madrs', 'baseline').replace('crp_high', 'stratumHigh');
      const mine = a.coefficients.find((x) => x.term === name)!;
      assertGolden(mine.estimate, c.estimate, 'closedForm', `${c.term}`);
      assertGolden(mine.se, c.se, 'closedForm', `${c.term} se`);
    }
    const d = block.difference[0]!;
    assertGolden(a.difference.estimate, d.estimate!, 'closedForm', 'difference');
    assertGolden(a.difference.se, d.SE, 'closedForm', 'difference se');
    assertGolden(a.difference.p, d['p.value']!, 'closedForm', 'difference p');
    assertGolden(a.covariateMeans.baseline, block.baseline_mean, 'closedForm', 'baseline mean');
    for (const e of block.lsmeans) {
      const mine = e.arm === 'TOCILIZUMAB' ? a.lsMeans.treatment : a.lsMeans.control;
      assertGolden(mine.estimate, e.emmean!, 'closedForm', `${e.arm} lsmean`);
      assertGolden(mine.se, e.SE, 'closedForm', `${e.arm} lsmean se`);
      assertGolden(mine.ci[1], e['upper.CL'], 'closedForm', `${e.arm} lsmean ci upper`);
    }
  });
});

describe('effects outside the observed biomarker range', () => {
  it('are still given, with a warning naming them and the range', () => {
    const inside = biomarkerInteraction(week8, { ...spec, effectsAt: [1, 3, 10] });
    assert.ok(inside.ok);
    assert.deepEqual(inside.issues, []);
    const far = biomarkerInteraction(week8, { ...spec, effectsAt: [3, 1e300] });
    assert.ok(far.ok);
    assert.equal(far.value.effects.length, 2);
    assert.deepEqual(
      far.issues.map((i) => [i.code, i.severity]),
      [['stats.interaction.extrapolated', 'warning']],
    );
    assert.match(far.issues[0]?.message ?? '', /^effects at biomarker 1e\+300 lie outside the observed range \(/);
  });
});

describe('a biomarker beyond the assay limit', () => {
  it('is in the stratum its limit places it in for the by-stratum effects, and out of the ln(biomarker) model', () => {
    // Every CRP below 1 mg/L reported as the lab's "<1": no logarithm, but below the cut of 3 all the same.
    const censored = week8.map((r) =>
      r.biomarker < 1
        ? { ...r, biomarker: null, biomarkerLimit: { side: 'below', limit: 1, inclusive: false } as const }
        : r,
    );
    const below1 = week8.filter((r) => r.change !== null && r.biomarker < 1).length;
    assert.ok(below1 > 5, 'the fixture has CRP values below 1');
    const full = biomarkerInteraction(week8, spec);
    const res = biomarkerInteraction(censored, spec);
    assert.ok(full.ok && res.ok, JSON.stringify(res.issues));
    assert.equal(res.value.n, full.value.n - below1);
    // The subgroup model depends on the stratum alone: the same fit as with the values known.
    assert.deepEqual(res.value.strata, full.value.strata);
    assert.ok('n' in res.value.strata && res.value.strata.n.low + res.value.strata.n.high === full.value.n);
  });
});

describe('a stratum without subjects of an arm', () => {
  it('leaves the by-stratum effects unavailable, naming the empty cell, and the log-scale model as fitted', () => {
    // Every control below the cut moved above it: the high stratum keeps both arms, the low one only treated.
    const shifted = week8.map((r) =>
      r.arm === 'PLACEBO' && r.biomarker !== null && r.biomarker < 3 ? { ...r, biomarker: r.biomarker + 3 } : r,
    );
    const res = biomarkerInteraction(shifted, spec);
    assert.ok(res.ok, JSON.stringify(res.issues));
    assert.deepEqual(res.value.strata, {
      available: false,
      reason: 'no PLACEBO subject in the stratum biomarker < 3',
    });
    assert.ok(Number.isFinite(res.value.interaction.estimate) && res.value.interaction.se > 0);
  });
});

describe('a baseline equal in every subject', () => {
  it('is left out, as R lm aliases a constant term; the by-stratum effects are the cell mean differences', () => {
    const constant = week8.map((r) => ({ ...r, baseline: 30 }));
    const res = biomarkerInteraction(constant, spec);
    assert.ok(res.ok, JSON.stringify(res.issues));
    assert.equal(res.value.formula, 'change ~ arm * log(biomarker / cut)');
    assert.deepEqual(
      res.issues.map((i) => [i.code, i.severity]),
      [['stats.interaction.constant-baseline', 'warning']],
    );
    // change ~ arm * stratum is saturated: each stratum's effect is the difference of its arms' mean changes.
    const used = constant.filter((r) => r.change !== null && r.biomarker !== null && r.biomarker > 0);
    const meanChange = (arm: string, high: boolean): number => {
      const xs = used
        .filter((r) => r.arm === arm && (r.biomarker as number) >= 3 === high)
        .map((r) => r.change as number);
      return xs.reduce((a, b) => a + b, 0) / xs.length;
    };
    const strata = res.value.strata;
    assert.ok('low' in strata, 'the by-stratum effects are estimated');
    assert.ok(Math.abs(strata.low.estimate - (meanChange('TOCILIZUMAB', false) - meanChange('PLACEBO', false))) < 1e-9);
    assert.ok(Math.abs(strata.high.estimate - (meanChange('TOCILIZUMAB', true) - meanChange('PLACEBO', true))) < 1e-9);
    assert.ok(Number.isFinite(res.value.interaction.estimate) && res.value.interaction.se > 0);
  });
});
