/**
 * Golden tests of the ANCOVA against reference/stats-reference/outputs/antidepressant_hamd17_reference.json,
 * block `ancova_week6` (R: lm(chg ~ arm + baseline, data = visit7_observed); emmeans; contrast "revpairwise")
 * and block `hedges_g_week6_change` for the Student and Welch t-tests.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ancova, type AncovaRow } from './ancova.ts';
import { loadAntidepressant } from './ancova-data.test-support.ts';
import { assertGolden, readReference } from './golden.test-support.ts';

const SOURCE = 'stats-reference/outputs/antidepressant_hamd17_reference.json';
interface CoefRef {
  term: string;
  estimate: number;
  se: number;
  statistic: number;
  df: number;
  p_value: number;
  ci_lower: number;
  ci_upper: number;
}
interface EmmRef {
  arm: string;
  emmean: number;
  se: number;
  df: number;
  ci_lower: number;
  ci_upper: number;
}
interface Ref {
  ancova_week6: {
    model: { n: number; df_residual: number; sigma: number; r_squared: number; coefficients: CoefRef[] };
    lsmeans_equal_weights: EmmRef[];
    difference: {
      estimate: number;
      se: number;
      df: number;
      ci_lower: number;
      ci_upper: number;
      statistic: number;
      p_value: number;
    }[];
    covariate_means_used: { baseline: number };
    endpoint_difference: { estimate: number; se: number }[];
    endpoint_lsmeans: EmmRef[];
  };
  hedges_g_week6_change: {
    student_t: number;
    student_t_p: number;
    welch_t: number;
    welch_p: number;
    welch_df: number;
    n1: number;
    n2: number;
  };
}
const ref = readReference<Ref>(SOURCE);

const week6: AncovaRow[] = loadAntidepressant()
  .filter((r) => r.visit === 7)
  .map((r) => ({ subject: r.subject, arm: r.arm, change: r.change, baseline: r.baseline }));

describe(`ANCOVA vs R (${SOURCE}, block ancova_week6)`, () => {
  const fit = ancova(week6, { treatment: 'DRUG', control: 'PLACEBO' });
  assert.ok(fit.ok);
  const a = fit.value;
  const block = ref.ancova_week6;

  it('n, sigma, R^2 and all coefficients (model.coefficients)', () => {
    assert.equal(a.n.total, block.model.n);
    assertGolden(a.sigma, block.model.sigma, 'closedForm', 'sigma');
    assertGolden(a.rSquared, block.model.r_squared, 'closedForm', 'r_squared');
    for (const c of block.model.coefficients) {
      const mine = a.coefficients.find((x) => x.term === c.term);
      assert.ok(mine, `term ${c.term}`);
      assertGolden(mine.estimate, c.estimate, 'closedForm', `${c.term} estimate`);
      assertGolden(mine.se, c.se, 'closedForm', `${c.term} se`);
      assertGolden(mine.t, c.statistic, 'closedForm', `${c.term} t`);
      assert.equal(mine.df, c.df);
      assertGolden(mine.p, c.p_value, 'closedForm', `${c.term} p`);
      assertGolden(mine.ci[0], c.ci_lower, 'closedForm', `${c.term} ci lower`);
      assertGolden(mine.ci[1], c.ci_upper, 'closedForm', `${c.term} ci upper`);
    }
  });

  it('DRUG - PLACEBO difference (difference[0])', () => {
    const d = block.difference[0]!;
    assertGolden(a.difference.estimate, d.estimate, 'closedForm', 'difference estimate');
    assertGolden(a.difference.se, d.se, 'closedForm', 'difference se');
    assert.equal(a.difference.df, d.df);
    assertGolden(a.difference.t, d.statistic, 'closedForm', 'difference t');
    assertGolden(a.difference.p, d.p_value, 'closedForm', 'difference p');
    assertGolden(a.difference.ci[0], d.ci_lower, 'closedForm', 'difference ci lower');
    assertGolden(a.difference.ci[1], d.ci_upper, 'closedForm', 'difference ci upper');
  });

  it('LS means with baseline at its mean (lsmeans_equal_weights, covariate_means_used)', () => {
    assertGolden(a.covariateMeans.baseline, block.covariate_means_used.baseline, 'closedForm', 'baseline mean');
    for (const e of block.lsmeans_equal_weights) {
      const mine = e.arm === 'DRUG' ? a.lsMeans.treatment : a.lsMeans.control;
      assertGolden(mine.estimate, e.emmean, 'closedForm', `${e.arm} emmean`);
      assertGolden(mine.se, e.se, 'closedForm', `${e.arm} se`);
      assertGolden(mine.ci[0], e.ci_lower, 'closedForm', `${e.arm} ci lower`);
      assertGolden(mine.ci[1], e.ci_upper, 'closedForm', `${e.arm} ci upper`);
    }
  });

  it('Student and Welch t-tests (hedges_g_week6_change: student_t, welch_t, welch_df)', () => {
    const h = ref.hedges_g_week6_change;
    assert.equal(a.tTests.treatment.n, h.n1);
    assertGolden(a.tTests.student.t, h.student_t, 'closedForm', 'student t');
    assertGolden(a.tTests.student.p, h.student_t_p, 'closedForm', 'student p');
    assertGolden(a.tTests.welch.t, h.welch_t, 'closedForm', 'welch t');
    assertGolden(a.tTests.welch.p, h.welch_p, 'closedForm', 'welch p');
    assertGolden(a.tTests.welch.df, h.welch_df, 'closedForm', 'welch df');
  });
});

describe(`endpoint ANCOVA vs R (${SOURCE}, ancova_week6.endpoint_difference, endpoint_lsmeans)`, () => {
  it('adjusting for baseline, the endpoint gives the same difference and SE as change; LS means shift by baseline', () => {
    const rows = loadAntidepressant()
      .filter((r) => r.visit === 7)
      .map((r) => ({ subject: r.subject, arm: r.arm, change: r.hamd, baseline: r.baseline }));
    const fit = ancova(rows, { treatment: 'DRUG', control: 'PLACEBO' });
    assert.ok(fit.ok);
    const d = ref.ancova_week6.endpoint_difference[0]!;
    assertGolden(fit.value.difference.estimate, d.estimate, 'closedForm', 'endpoint difference');
    assertGolden(fit.value.difference.se, d.se, 'closedForm', 'endpoint difference se');
    for (const e of ref.ancova_week6.endpoint_lsmeans) {
      const mine = e.arm === 'DRUG' ? fit.value.lsMeans.treatment : fit.value.lsMeans.control;
      assertGolden(mine.estimate, e.emmean, 'closedForm', `${e.arm} endpoint emmean`);
      assertGolden(mine.se, e.se, 'closedForm', `${e.arm} endpoint se`);
    }
  });
});

describe('ANCOVA edge cases', () => {
  it('a baseline identical in every row is left out, as R lm aliases a constant term (the MMRM does the same)', () => {
    const rows: AncovaRow[] = week6.map((r) => ({ ...r, baseline: 20 }));
    const fit = ancova(rows, { treatment: 'DRUG', control: 'PLACEBO' });
    assert.ok(fit.ok);
    assert.equal(fit.value.formula, 'change ~ arm');
    assert.deepEqual(
      fit.issues.map((i) => [i.code, i.severity]),
      [['stats.ancova.constant-baseline', 'warning']],
    );
    // change ~ arm: the difference is the difference of the arms' mean changes.
    const mean = (arm: string): number => {
      const xs = week6.filter((r) => r.arm === arm && r.change !== null).map((r) => r.change as number);
      return xs.reduce((a, b) => a + b, 0) / xs.length;
    };
    assert.ok(Math.abs(fit.value.difference.estimate - (mean('DRUG') - mean('PLACEBO'))) < 1e-9);
    assert.ok(Math.abs(fit.value.lsMeans.control.estimate - mean('PLACEBO')) < 1e-9);
  });
  it('a baseline constant within each arm but not overall is still rank deficient (aliased with the arm)', () => {
    const rows: AncovaRow[] = week6.map((r) => ({ ...r, baseline: r.arm === 'DRUG' ? 20 : 25 }));
    const fit = ancova(rows, { treatment: 'DRUG', control: 'PLACEBO' });
    assert.equal(fit.ok, false);
    assert.ok(fit.issues.some((i) => i.code === 'stats.ols.rank-deficient'));
  });
  it('an absent arm label fails with a clear issue', () => {
    const fit = ancova(week6, { treatment: 'TOCILIZUMAB', control: 'PLACEBO' });
    assert.equal(fit.ok, false);
    assert.match(fit.issues[0]!.message, /per arm/);
  });
  it('missing changes are dropped (observed cases)', () => {
    const rows: AncovaRow[] = week6.map((r, i) => (i < 5 ? { ...r, change: null } : r));
    const fit = ancova(rows, { treatment: 'DRUG', control: 'PLACEBO' });
    assert.ok(fit.ok);
    assert.equal(fit.value.n.total, week6.length - 5);
  });
  it('a stratum at an extreme cut (everyone high) is left out, as R lm aliases a constant term', () => {
    const rows: AncovaRow[] = week6.map((r) => ({ ...r, biomarker: 5 }));
    const fit = ancova(rows, { treatment: 'DRUG', control: 'PLACEBO', biomarkerCut: 3 });
    const plain = ancova(week6, { treatment: 'DRUG', control: 'PLACEBO' });
    assert.ok(fit.ok && plain.ok);
    assert.equal(fit.value.formula, 'change ~ arm + baseline');
    assert.equal(fit.value.difference.estimate, plain.value.difference.estimate);
    assert.equal(fit.value.difference.se, plain.value.difference.se);
    assert.deepEqual(
      fit.issues.map((i) => [i.code, i.severity]),
      [['stats.ancova.one-stratum', 'warning']],
    );
  });
  it('a stratum that is the arm (treated all high, controls all low) is rank deficient', () => {
    const rows: AncovaRow[] = week6.map((r) => ({ ...r, biomarker: r.arm === 'DRUG' ? 5 : 1 }));
    const fit = ancova(rows, { treatment: 'DRUG', control: 'PLACEBO', biomarkerCut: 3 });
    assert.equal(fit.ok, false);
    assert.match(fit.issues.map((i) => i.message).join(), /rank deficient: stratumHigh/);
  });
});
