/**
 * The MMRM on the hard cases of an unstructured covariance: visits almost perfectly correlated (AR(1) rho 0.9999),
 * few subjects per visit, monotone dropout; and a covariance that is truly singular (fewer subjects than the
 * unstructured covariance needs), which must come back as not converged with the reason, never as an estimate.
 *
 * Independent checks, since R is not at hand for these simulated data (the R call they stand for is
 * mmrm::mmrm(change ~ arm * visit + baseline * visit + us(visit | subject), reml = TRUE,
 * control = mmrm_control(optimizer = "nlminb")), the setup of reference/stats-reference/scripts):
 * - complete data with every covariate interacted with visit is a multivariate regression, whose REML covariance has
 *   the closed form E'E / (N - 3) from the per-visit least-squares residuals E (lm per visit: src/stats/linear/ols.ts),
 *   and whose treatment difference at a visit is that visit's lm coefficient;
 * - with dropout, the fixed effects are the generalised least squares fit at the fitted covariance (each subject's
 *   rows whitened by the Cholesky factor of their Sigma, then lm), and -2 log L at the optimum is no higher than at
 *   perturbed covariances.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CholeskyDecomposition, Matrix } from 'ml-matrix';
import { fitOls } from '../linear/ols.ts';
import { covarianceFromTheta, thetaFromCovariance } from './covariance.ts';
import { prepareMmrmData, type MmrmData } from './data.ts';
import { buildDesign } from './design.ts';
import { fitMmrm } from './fit.ts';
import { bthebModel } from './datasets.test-support.ts';
import { phiChainRule, congruence, phiFromTheta, thetaFromPhi } from './log-cholesky.ts';
import { evaluateLikelihood } from './reml.ts';
import { simulateTrial, simulatedSpec, type SimulatedTrial } from './simulated.test-support.ts';
import { fitMmrmTrial, trialDesignSpec, type MmrmTrialRow, type MmrmTrialFit } from './trial.ts';

/** Per-visit lm residual covariance E'E / (N - 3) and the arm coefficient at each visit (complete data only). */
function multivariateRegression(rows: readonly MmrmTrialRow[], visits: number) {
  const residuals: number[][] = [];
  const armEffects: number[] = [];
  const armSes: number[] = [];
  for (let v = 0; v < visits; v++) {
    const at = rows.filter((r) => r.visit === String(v + 1));
    const lm = fitOls(
      at.map((r) => r.change as number),
      at.map((r) => [1, r.arm === 'drug' ? 1 : 0, r.baseline]),
      ['(Intercept)', 'armdrug', 'baseline'],
    );
    assert.ok(lm.ok);
    residuals.push(lm.value.residuals);
    armEffects.push(lm.value.beta[1]!);
    armSes.push(lm.value.coefficients[1]!.se);
  }
  const n = residuals[0]!.length;
  const covariance = residuals.map((a) => residuals.map((b) => a.reduce((s, e, i) => s + e * b[i]!, 0) / (n - 3)));
  return { covariance, armEffects, armSes, subjects: n };
}

/** Largest |a_ij - b_ij| / sqrt(b_ii b_jj): covariance differences on the correlation scale. */
function covarianceDistance(a: readonly (readonly number[])[], b: readonly (readonly number[])[]): number {
  let worst = 0;
  b.forEach((row, i) =>
    row.forEach((v, j) => {
      worst = Math.max(worst, Math.abs(a[i]![j]! - v) / Math.sqrt(b[i]![i]! * b[j]![j]!));
    }),
  );
  return worst;
}

function trialData(rows: readonly MmrmTrialRow[], visits: number): MmrmData {
  const analysed = rows.filter((r) => r.change !== null);
  const spec = simulatedSpec(visits);
  const built = buildDesign(trialDesignSpec(analysed, spec));
  assert.ok(built.ok && built.value.aliased.length === 0);
  const prepared = prepareMmrmData({
    subject: analysed.map((r) => r.subject),
    visitIndex: analysed.map((r) => spec.visits.indexOf(r.visit)),
    y: analysed.map((r) => r.change as number),
    X: built.value.X,
    columnNames: built.value.columnNames,
    visitCount: visits,
  });
  assert.ok(prepared.ok);
  return prepared.value;
}

/** GLS fixed effects at a given covariance, by whitening each subject's rows and fitting lm. */
function glsAt(data: MmrmData, covariance: readonly (readonly number[])[]): number[] {
  const p = data.columnCount;
  const y: number[] = [];
  const x: number[][] = [];
  for (const pattern of data.patterns) {
    const sigma = new Matrix(pattern.visits.map((a) => pattern.visits.map((b) => covariance[a]![b]!)));
    const lower = new CholeskyDecomposition(sigma).lowerTriangularMatrix;
    for (const rows of pattern.subjectRows) {
      const xi = new Matrix(rows.map((row) => Array.from(data.x.subarray(row * p, (row + 1) * p))));
      const yi = Matrix.columnVector(rows.map((row) => data.y[row]!));
      const whiteX = forwardSolve(lower, xi);
      const whiteY = forwardSolve(lower, yi);
      for (let r = 0; r < rows.length; r++) {
        x.push(whiteX.getRow(r));
        y.push(whiteY.get(r, 0));
      }
    }
  }
  const lm = fitOls(y, x, [...data.columnNames]);
  assert.ok(lm.ok);
  return lm.value.beta;
}

function forwardSolve(lower: Matrix, b: Matrix): Matrix {
  const out = Matrix.zeros(b.rows, b.columns);
  for (let c = 0; c < b.columns; c++) {
    for (let i = 0; i < b.rows; i++) {
      let sum = b.get(i, c);
      for (let k = 0; k < i; k++) sum -= lower.get(i, k) * out.get(k, c);
      out.set(i, c, sum / lower.get(i, i));
    }
  }
  return out;
}

function primaryDifference(result: MmrmTrialFit) {
  return result.primary.difference.kenwardRoger;
}

const COMPLETE: SimulatedTrial = { seed: 1, perArm: 40, visits: 4, rho: 0.9999, dropout: 0 };

test('near-singular: rho 0.9999 between visits, 80 subjects, complete data: converges to the closed-form REML fit', () => {
  const rows = simulateTrial(COMPLETE);
  const result = fitMmrmTrial(rows, simulatedSpec(COMPLETE.visits));
  assert.ok(result.converged, result.issues.map((i) => i.message).join('; '));
  assert.deepEqual(result.issues, []);
  const exact = multivariateRegression(rows, COMPLETE.visits);
  // The smallest eigenvalue of Sigma is ~1e-6 of the largest, so rounding alone moves -2 log L by ~1e-8 and the
  // covariance by ~1e-6 of its scale (see docs/statistics.md); the estimates agree far inside their SEs.
  assert.ok(covarianceDistance(result.covariance, exact.covariance) < 1e-5);
  const difference = primaryDifference(result);
  assert.ok(Math.abs(difference.estimate - exact.armEffects.at(-1)!) < 1e-6 * exact.armSes.at(-1)!);
  // Complete multivariate regression: the model-based SE is lm's and the df N - 3.
  const satterthwaite = result.primary.difference.satterthwaite;
  assert.ok(Math.abs(satterthwaite.se / exact.armSes.at(-1)! - 1) < 1e-8);
  assert.ok(Math.abs(satterthwaite.df / (exact.subjects - 3) - 1) < 1e-6);
  // The closed form is the optimum: our -2 log L is no higher than at it (beyond rounding).
  const data = trialData(rows, COMPLETE.visits);
  const atExact = evaluateLikelihood(data, thetaFromCovariance(exact.covariance), 'REML', 0)!;
  assert.ok(result.minus2LogLik <= atExact.minus2LogLik + 1e-7);
});

test('near-singular: rho 0.99 and 0.999 complete data agree with the closed form to the golden tolerance', () => {
  for (const rho of [0.99, 0.999]) {
    const trial = { ...COMPLETE, rho };
    const rows = simulateTrial(trial);
    const result = fitMmrmTrial(rows, simulatedSpec(trial.visits));
    assert.ok(result.converged);
    const exact = multivariateRegression(rows, trial.visits);
    assert.ok(covarianceDistance(result.covariance, exact.covariance) < 1e-8, `rho ${rho}`);
    assert.ok(Math.abs(primaryDifference(result).estimate - exact.armEffects.at(-1)!) < 1e-8, `rho ${rho}`);
  }
});

test('near-singular: 8 subjects for 4 visits, rho 0.999 (correlation condition 5e4): converges to the closed form', () => {
  const trial: SimulatedTrial = { seed: 4, perArm: 4, visits: 4, rho: 0.999, dropout: 0 };
  const rows = simulateTrial(trial);
  const result = fitMmrmTrial(rows, simulatedSpec(trial.visits));
  assert.ok(result.converged, result.issues.map((i) => i.message).join('; '));
  const exact = multivariateRegression(rows, trial.visits);
  assert.ok(covarianceDistance(result.covariance, exact.covariance) < 1e-5);
  assert.ok(Math.abs(primaryDifference(result).estimate - exact.armEffects.at(-1)!) < 1e-5 * exact.armSes.at(-1)!);
});

test('near-singular: rho 0.9999 with monotone dropout: GLS at the fitted covariance and a local optimum', () => {
  const trial: SimulatedTrial = { seed: 2, perArm: 40, visits: 4, rho: 0.9999, dropout: 0.15 };
  const rows = simulateTrial(trial);
  assert.ok(rows.some((r) => r.change === null));
  const result = fitMmrmTrial(rows, simulatedSpec(trial.visits));
  assert.ok(result.converged, result.issues.map((i) => i.message).join('; '));
  const data = trialData(rows, trial.visits);
  const gls = glsAt(data, result.covariance);
  data.columnNames.forEach((name, j) => {
    const mine = result.coefficients.find((c) => c.name === name)!;
    assert.ok(
      Math.abs(mine.estimate - gls[j]!) < 1e-6 * Math.max(1, mine.se),
      `${name}: ${mine.estimate} vs ${gls[j]}`,
    );
  });
  // -2 log L is no lower at covariances perturbed along each log-Cholesky parameter (1e-3 of a step either way).
  const phi = phiFromTheta(thetaFromCovariance(result.covariance), trial.visits)!;
  const at = (point: number[]) => evaluateLikelihood(data, thetaFromPhi(point, trial.visits), 'REML', 0)!.minus2LogLik;
  const optimum = at(phi);
  phi.forEach((_, k) => {
    for (const h of [-1e-3, 1e-3]) {
      const perturbed = phi.map((v, i) => (i === k ? v + h : v));
      assert.ok(at(perturbed) >= optimum - 1e-9, `phi[${k}] ${h}`);
    }
  });
});

test('near-singular beyond double precision (8 subjects, rho 0.999, condition 5e5): not available, the reason named', () => {
  const trial: SimulatedTrial = { seed: 3, perArm: 4, visits: 4, rho: 0.999, dropout: 0 };
  const rows = simulateTrial(trial);
  const result = fitMmrmTrial(rows, simulatedSpec(trial.visits));
  // The REML optimum itself is found (the closed form), but its Kenward-Roger SE would be 13% off the exact value
  // (lm's SE, the adjustment being 0 here): refused, and no estimate is returned, not even the covariance.
  assert.equal(result.converged, false);
  assert.ok(!('covariance' in result) && !('primary' in result));
  const reason = result.issues.find((i) => i.code === 'stats.mmrm.ill-conditioned');
  assert.ok(reason, result.issues.map((i) => i.code).join(', '));
  assert.match(reason.message, /condition number 5\.\de\+5/);
});

test('singular: 6 subjects for 5 visits (REML needs N - 3 >= 5): not converged, the reason named, no estimate', () => {
  const trial: SimulatedTrial = { seed: 20, perArm: 3, visits: 5, rho: 0.99, dropout: 0 };
  const result = fitMmrmTrial(simulateTrial(trial), simulatedSpec(trial.visits));
  assert.equal(result.converged, false);
  const reason = result.issues.find((i) => i.code === 'stats.mmrm.singular-covariance');
  assert.ok(reason, result.issues.map((i) => i.code).join(', '));
  assert.match(reason.message, /singular .*visit \d of 5 \(6 subjects\)/);
});

test('log-Cholesky: round trip and chain-rule gradient and Hessian against finite differences (BtheB, REML)', () => {
  const model = bthebModel();
  const prepared = prepareMmrmData(model.input);
  assert.ok(prepared.ok);
  const data = prepared.value;
  const K = data.visitCount;
  const fit = fitMmrm(model.input, { method: 'REML' });
  assert.ok(fit.ok && fit.value.converged);
  // Away from the optimum, as reml.test.ts: variances up 20%, covariances down 10%.
  const theta = fit.value.covariance.flatMap((row, i) => row.slice(0, i + 1).map((v, j) => (i === j ? 1.2 : 0.9) * v));
  const phi = phiFromTheta(theta, K)!;
  thetaFromPhi(phi, K).forEach((v, k) => assert.ok(Math.abs(v - theta[k]!) <= 1e-12 * Math.abs(theta[k]!) + 1e-12));
  assert.deepEqual(covarianceFromTheta(thetaFromPhi(phi, K), K).length, K);
  assert.equal(phiFromTheta([1, 2, 1], 2), null); // not positive definite
  const evaluation = evaluateLikelihood(data, theta, 'REML', 2)!;
  const chain = phiChainRule(phi, K, evaluation.gradient!);
  const hessian = congruence(chain.jacobian, evaluation.hessian!, chain.curvature);
  const objective = (point: number[]) => evaluateLikelihood(data, thetaFromPhi(point, K), 'REML', 0)!.minus2LogLik;
  const gradientAt = (point: number[]) =>
    phiChainRule(point, K, evaluateLikelihood(data, thetaFromPhi(point, K), 'REML', 1)!.gradient!).gradient;
  const scale = Math.max(...hessian.map((row) => Math.max(...row.map(Math.abs))));
  phi.forEach((_, k) => {
    const h = 1e-5;
    const plus = phi.map((v, i) => (i === k ? v + h : v));
    const minus = phi.map((v, i) => (i === k ? v - h : v));
    const numeric = (objective(plus) - objective(minus)) / (2 * h);
    assert.ok(Math.abs(chain.gradient[k]! - numeric) <= 1e-5 * Math.max(1, Math.abs(numeric)), `gradient[${k}]`);
    const gPlus = gradientAt(plus);
    const gMinus = gradientAt(minus);
    hessian.forEach((row, l) => {
      const numericSecond = (gPlus[l]! - gMinus[l]!) / (2 * h);
      assert.ok(Math.abs(row[k]! - numericSecond) <= 1e-5 * scale, `hessian[${l}][${k}]`);
    });
  });
});

test('a refused fit names the visit by its label when the label is not its position', () => {
  // Visits 1, 2, 4 and 6: the third is labelled 4, so "visit 3 of 4" alone would name another visit's label.
  const labels = ['1', '2', '4', '6'];
  const base = simulateTrial({ seed: 7, perArm: 20, visits: 4, rho: 0.7, dropout: 0 }).map((r) => ({
    ...r,
    visit: labels[Number(r.visit) - 1]!,
  }));
  const spec = { ...simulatedSpec(4), visits: labels, primaryVisit: '6' };
  const flat = fitMmrmTrial(
    base.map((r) => (r.visit === '4' ? { ...r, change: -5 } : r)),
    spec,
  );
  assert.equal(flat.converged, false);
  assert.match(flat.reason, /no residual variation at visit 4 \(3 of 4\):/);
});

test('unhappy inputs: each refused fit names its own cause, with no estimate', () => {
  const base = simulateTrial({ seed: 7, perArm: 20, visits: 4, rho: 0.7, dropout: 0 });
  const spec = simulatedSpec(4);
  assert.equal(fitMmrmTrial(base, spec).converged, true);
  const keep = (visit: string, subjects: string[]) => (r: MmrmTrialRow) =>
    r.visit === visit && !subjects.includes(r.subject) ? { ...r, change: null } : r;
  const cases: [string, MmrmTrialRow[], string, RegExp][] = [
    [
      'baseline constant within each arm',
      base.map((r) => ({ ...r, baseline: r.arm === 'drug' ? 22 : 18 })),
      'stats.mmrm.rank-deficient',
      /baseline does not vary apart from arm/,
    ],
    [
      'visit 2 seen in 5 subjects (its variance given the 3 other visits and 3 fixed effects needs 7)',
      base.map(keep('2', ['drug-0', 'drug-1', 'drug-2', 'placebo-0', 'placebo-1'])),
      'stats.mmrm.singular-covariance',
      /visit 2 of 4 \(5 subjects\)/,
    ],
    ['visit 4 seen in one subject', base.map(keep('4', ['drug-0'])), 'stats.mmrm.rank-deficient', /armdrug:visit4/],
    [
      'a constant change at visit 3',
      base.map((r) => (r.visit === '3' ? { ...r, change: -5 } : r)),
      'stats.mmrm.no-residual-variation',
      /no residual variation at visit 3 of 4/,
    ],
    [
      // Every subject unchanged (a score equal to baseline): the outcome's own RMS is 0, so only the scale of the
      // whole outcome tells the fit's rounding residuals (~1e-15) from variation.
      'no change at all at visit 4',
      base.map((r) => (r.visit === '4' ? { ...r, change: 0 } : r)),
      'stats.mmrm.no-residual-variation',
      /no residual variation at visit 4 of 4/,
    ],
  ];
  for (const [label, rows, code, message] of cases) {
    const result = fitMmrmTrial(rows, spec);
    assert.equal(result.converged, false, label);
    const reason = result.issues.find((i) => i.code === code);
    assert.ok(reason, `${label}: ${result.issues.map((i) => i.message).join('; ')}`);
    assert.match(reason.message, message, label);
  }
});
