/**
 * Golden test of Hedges' g: reference/stats-reference/outputs/antidepressant_hamd17_reference.json, block
 * `hedges_g_week6_change` (change at VISIT 7, DRUG vs PLACEBO; metafor::escalc and effectsize::hedges_g).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadAntidepressant } from './ancova-data.test-support.ts';
import { hedgesG } from './effect-size.ts';
import { assertGolden, readReference } from './golden.test-support.ts';

interface HedgesRef {
  n1: number;
  n2: number;
  df: number;
  sd_pooled: number;
  cohens_d: number;
  J_exact: number;
  hedges_g: number;
  se_hedges_olkin: number;
  ci_normal: [number, number];
  ci_g_noncentral_t: [number, number];
  effectsize_hedges_g: { ci_low: number; ci_high: number };
}
const ref = readReference<{ hedges_g_week6_change: HedgesRef }>(
  'stats-reference/outputs/antidepressant_hamd17_reference.json',
).hedges_g_week6_change;

describe('Hedges g vs R (antidepressant_hamd17_reference.json, block hedges_g_week6_change)', () => {
  const week6 = loadAntidepressant().filter((r) => r.visit === 7);
  const fit = hedgesG(
    week6.filter((r) => r.arm === 'DRUG').map((r) => r.change),
    week6.filter((r) => r.arm === 'PLACEBO').map((r) => r.change),
  );
  assert.ok(fit.ok);
  const g = fit.value;
  it('d, exact J, g, Hedges-Olkin SE and normal CI (closed form)', () => {
    assert.equal(g.n.treatment, ref.n1);
    assert.equal(g.df, ref.df);
    assertGolden(g.sdPooled, ref.sd_pooled, 'closedForm', 'sd_pooled');
    assertGolden(g.cohensD, ref.cohens_d, 'closedForm', 'cohens_d');
    assertGolden(g.j, ref.J_exact, 'closedForm', 'J_exact');
    assertGolden(g.estimate, ref.hedges_g, 'closedForm', 'hedges_g');
    assertGolden(g.se, ref.se_hedges_olkin, 'closedForm', 'se_hedges_olkin');
    assertGolden(g.ciNormal[0], ref.ci_normal[0], 'closedForm', 'ci_normal lower');
    assertGolden(g.ciNormal[1], ref.ci_normal[1], 'closedForm', 'ci_normal upper');
  });
  it('noncentral-t pivot CI (ci_g_noncentral_t, R uniroot tol 1e-13: root-finding tolerance)', () => {
    assert.ok(g.ciNoncentralT);
    assertGolden(g.ciNoncentralT[0], ref.ci_g_noncentral_t[0], 'rootFinding', 'ci_g_noncentral_t lower');
    assertGolden(g.ciNoncentralT[1], ref.ci_g_noncentral_t[1], 'rootFinding', 'ci_g_noncentral_t upper');
  });
  it('agrees with effectsize::hedges_g to its own root-finding precision (~1e-7: effectsize uses a looser tol)', () => {
    assert.ok(g.ciNoncentralT);
    assert.ok(Math.abs(g.ciNoncentralT[0] - ref.effectsize_hedges_g.ci_low) < 1e-6);
    assert.ok(Math.abs(g.ciNoncentralT[1] - ref.effectsize_hedges_g.ci_high) < 1e-6);
  });
  it('g is antisymmetric in the arms', () => {
    const swapped = hedgesG([1, 2, 3, 4], [2, 4, 6, 9]);
    const back = hedgesG([2, 4, 6, 9], [1, 2, 3, 4]);
    assert.ok(swapped.ok && back.ok);
    assertGolden(swapped.value.estimate, -back.value.estimate, 'closedForm', 'antisymmetry');
  });
  it('is not estimable when the pooled SD is 0 (constant change in each arm), never +-infinity', () => {
    for (const [t, c] of [
      [
        [-8, -8, -8],
        [-5, -5, -5],
      ],
      [
        [-5, -5, -5],
        [-5, -5, -5],
      ],
    ] as const) {
      const r = hedgesG(t, c);
      assert.equal(r.ok, false);
      assert.equal(r.issues[0]!.code, 'stats.hedges.no-variation');
    }
  });
});

describe('a large standardised difference (the pivot farther than 10 from the observed t)', () => {
  it('has its noncentral-t CI, as scipy.stats.nct solves it, rather than none', () => {
    // Three per arm, SD 1 in each, t = 20 on 4 df: the 95% limits of the noncentrality are 6.78 and 33.50, more than
    // 10 from t. Expected values: scipy.optimize.brentq on scipy.stats.nct.cdf(20, 4, ncp) = 0.975 and 0.025 (the
    // series' range, ncp^2 < 2 ln 2 * 1021, so R's pt computes them the same way).
    const d = 20 * Math.sqrt(2 / 3);
    const r = hedgesG([d - 1, d, d + 1], [-1, 0, 1]);
    assert.ok(r.ok);
    const ci = r.value.ciNoncentralT;
    assert.ok(ci !== null, 'the CI is found');
    const toNcp = Math.sqrt(2 / 3) * r.value.j;
    assert.ok(Math.abs(ci[0] / toNcp - 6.780369488437848) < 1e-7 * 6.78, `lower ${ci[0] / toNcp}`);
    assert.ok(Math.abs(ci[1] / toNcp - 33.50312994084499) < 1e-7 * 33.5, `upper ${ci[1] / toNcp}`);
  });
});
