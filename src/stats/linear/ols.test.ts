/**
 * OLS against R's lm: reference/stats-reference/outputs/antidepressant_hamd17_reference.json, block
 * ancova_week6.model (lm(chg ~ arm + baseline) at VISIT 7: vcov, sigma, R^2, adjusted R^2, F statistic, RSS).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadAntidepressant } from '../ancova-data.test-support.ts';
import { assertGolden, readReference } from '../golden.test-support.ts';
import { designMatrix, interactionColumn, treatmentIndicator } from './model-matrix.ts';
import { fitOls, linearContrast } from './ols.ts';

interface ModelRef {
  sigma: number;
  r_squared: number;
  adj_r_squared: number;
  rss: number;
  fstatistic: { value: number; numdf: number; dendf: number };
  vcov: { values: number[][] };
}
const ref = readReference<{ ancova_week6: { model: ModelRef } }>(
  'stats-reference/outputs/antidepressant_hamd17_reference.json',
).ancova_week6.model;

describe('fitOls vs R lm (antidepressant_hamd17_reference.json, ancova_week6.model)', () => {
  const week6 = loadAntidepressant().filter((r) => r.visit === 7);
  const design = designMatrix([
    {
      name: 'armDRUG',
      values: treatmentIndicator(
        week6.map((r) => r.arm),
        'DRUG',
      ),
    },
    { name: 'baseline', values: week6.map((r) => r.baseline) },
  ]);
  const fit = fitOls(
    week6.map((r) => r.change),
    design.x,
    design.terms,
  );
  assert.ok(fit.ok);
  const f = fit.value;
  it('vcov, sigma, RSS, R^2, adjusted R^2 and the overall F test', () => {
    assert.deepEqual(f.terms, ['(Intercept)', 'armDRUG', 'baseline']);
    ref.vcov.values.forEach((row, i) =>
      row.forEach((v, j) => assertGolden(f.vcov[i]![j]!, v, 'closedForm', `vcov[${i}][${j}]`)),
    );
    assertGolden(f.sigma, ref.sigma, 'closedForm', 'sigma');
    assertGolden(f.rss, ref.rss, 'closedForm', 'rss');
    assertGolden(f.rSquared, ref.r_squared, 'closedForm', 'r2');
    assertGolden(f.adjRSquared, ref.adj_r_squared, 'closedForm', 'adj r2');
    assert.ok(f.fStatistic);
    assertGolden(f.fStatistic.value, ref.fstatistic.value, 'closedForm', 'F');
    assert.equal(f.fStatistic.numDf, ref.fstatistic.numdf);
    assert.equal(f.fStatistic.denDf, ref.fstatistic.dendf);
  });
  it('a contrast on one coefficient equals that coefficient row', () => {
    const c = linearContrast(f, [0, 1, 0]);
    const { term: _term, ...coefficient } = f.coefficients[1]!;
    assert.deepEqual(c, coefficient);
    assertGolden(c.se, f.coefficients[1]!.se, 'closedForm', 'contrast se');
  });
});

describe('fitOls failures are issues', () => {
  it('collinear columns are named', () => {
    const x = [1, 2, 3, 4, 5];
    const d = designMatrix([
      { name: 'a', values: x },
      { name: 'b', values: x.map((v) => 2 * v) },
    ]);
    const r = fitOls([1, 3, 2, 5, 4], d.x, d.terms);
    assert.equal(r.ok, false);
    assert.match(r.issues[0]!.message, /rank deficient: b/);
  });
  it('missing values and too few rows', () => {
    const d = designMatrix([{ name: 'a', values: [1, 2, Number.NaN] }]);
    assert.equal(fitOls([1, 2, 3], d.x, d.terms).issues[0]!.code, 'stats.ols.non-finite');
    const e = designMatrix([{ name: 'a', values: [1, 2] }]);
    assert.equal(fitOls([1, 2], e.x, e.terms).issues[0]!.code, 'stats.ols.too-few-rows');
  });
  it('an exact fit (constant or perfectly explained outcome) has no test: rounding noise is not a p-value', () => {
    const arm = [0, 0, 0, 0, 1, 1, 1, 1];
    const baseline = [20, 25, 31, 22, 27, 24, 29, 33];
    const d = designMatrix([
      { name: 'arm', values: arm },
      { name: 'baseline', values: baseline },
    ]);
    for (const y of [arm.map(() => -5), arm.map((a) => -8 - 3 * a), baseline.map((b) => 0.1 * b - 7)]) {
      const r = fitOls(y, d.x, d.terms);
      assert.equal(r.ok, false);
      assert.equal(r.issues[0]!.code, 'stats.ols.no-residual-variation');
    }
    // A residual SD far below the outcome's scale but above rounding (1e-6 relative) is still a fit.
    const tiny = arm.map((a, i) => -8 - 3 * a + 1e-5 * ((i % 3) - 1));
    assert.equal(fitOls(tiny, d.x, d.terms).ok, true);
  });
  it('interaction columns multiply elementwise and are named a:b', () => {
    const c = interactionColumn({ name: 'a', values: [1, 0, 1] }, { name: 'b', values: [2, 3, 4] });
    assert.deepEqual(c, { name: 'a:b', values: [2, 0, 4] });
  });
});
