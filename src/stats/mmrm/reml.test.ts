/**
 * The analytic REML/ML gradient and observed Hessian against central finite differences of the objective and the
 * gradient, at a point away from the optimum, on data with complete (Orthodont) and missing-visit patterns (BtheB);
 * and input validation of fitMmrm.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bthebModel, orthodontModel, type ReferenceModel } from './datasets.test-support.ts';
import { prepareMmrmData } from './data.ts';
import { contrast } from './contrast.ts';
import { fitMmrm } from './fit.ts';
import { evaluateLikelihood, type LikelihoodMethod } from './reml.ts';

// Central differences with step 1e-4 relative are accurate to ~1e-8 relative here; 1e-5 leaves a wide margin while
// still catching any wrong term (a missing trace or sign error changes entries by O(1) relative).
const FINITE_DIFFERENCE_TOLERANCE = 1e-5;

function checkDerivatives(model: ReferenceModel, method: LikelihoodMethod, label: string) {
  const prepared = prepareMmrmData(model.input);
  assert.ok(prepared.ok);
  const data = prepared.value;
  const fit = fitMmrm(model.input, { method });
  assert.ok(fit.ok && fit.value.converged);
  // Away from the optimum: inflate variances by 20%, shrink covariances by 10%.
  const elementsPerRow = fit.value.covariance.map((row, i) => row.slice(0, i + 1));
  const theta = elementsPerRow.flatMap((row, i) => row.map((v, j) => (i === j ? v * 1.2 : v * 0.9)));
  const at = evaluateLikelihood(data, theta, method, 2);
  assert.ok(at?.gradient && at.hessian);
  const objective = (t: number[]) => evaluateLikelihood(data, t, method, 0)!.minus2LogLik;
  const gradient = (t: number[]) => evaluateLikelihood(data, t, method, 1)!.gradient!;
  const scale = Math.max(...at.hessian.map((row) => Math.max(...row.map(Math.abs))));
  theta.forEach((value, k) => {
    const h = 1e-4 * Math.max(1, Math.abs(value));
    const plus = theta.map((v, i) => (i === k ? v + h : v));
    const minus = theta.map((v, i) => (i === k ? v - h : v));
    const numericGradient = (objective(plus) - objective(minus)) / (2 * h);
    const gradientScale = Math.max(1, Math.abs(numericGradient));
    assert.ok(
      Math.abs(at.gradient![k]! - numericGradient) <= FINITE_DIFFERENCE_TOLERANCE * gradientScale,
      `${label} gradient[${k}]: analytic ${at.gradient![k]}, numeric ${numericGradient}`,
    );
    const gPlus = gradient(plus);
    const gMinus = gradient(minus);
    at.hessian!.forEach((row, l) => {
      const numeric = (gPlus[l]! - gMinus[l]!) / (2 * h);
      assert.ok(
        Math.abs(row[k]! - numeric) <= FINITE_DIFFERENCE_TOLERANCE * scale,
        `${label} hessian[${l}][${k}]: analytic ${row[k]}, numeric ${numeric}`,
      );
    });
  });
}

test('reml: analytic gradient and Hessian match finite differences (Orthodont, complete data, REML and ML)', () => {
  checkDerivatives(orthodontModel(), 'REML', 'orthodont REML');
  checkDerivatives(orthodontModel(), 'ML', 'orthodont ML');
});

test('reml: analytic gradient and Hessian match finite differences (BtheB, missing-visit patterns, REML and ML)', () => {
  checkDerivatives(bthebModel(), 'REML', 'btheb REML');
  checkDerivatives(bthebModel(), 'ML', 'btheb ML');
});

test('reml: an infeasible covariance (not positive definite) evaluates to null, not NaN', () => {
  const prepared = prepareMmrmData(orthodontModel().input);
  assert.ok(prepared.ok);
  // UN(2,1) larger than sqrt(UN(1,1) UN(2,2)).
  assert.equal(evaluateLikelihood(prepared.value, [1, 5, 1, 0, 0, 1, 0, 0, 0, 1], 'REML', 2), null);
});

test('fitMmrm: invalid input is returned as issues', () => {
  const base = orthodontModel().input;
  const duplicate = fitMmrm(
    {
      ...base,
      subject: base.subject.map((s, i) => (i === 1 ? base.subject[0]! : s)),
      visitIndex: base.visitIndex.map((v, i) => (i === 1 ? base.visitIndex[0]! : v)),
    },
    { method: 'REML' },
  );
  assert.ok(!duplicate.ok && duplicate.issues.some((i) => i.code === 'stats.mmrm.duplicate-visit'));
  const outOfRange = fitMmrm(
    { ...base, visitIndex: base.visitIndex.map((v, i) => (i === 0 ? 7 : v)) },
    { method: 'REML' },
  );
  assert.ok(!outOfRange.ok && outOfRange.issues.some((i) => i.code === 'stats.mmrm.visit-index'));
  const nanY = fitMmrm({ ...base, y: base.y.map((v, i) => (i === 3 ? Number.NaN : v)) }, { method: 'REML' });
  assert.ok(!nanY.ok && nanY.issues.some((i) => i.code === 'stats.mmrm.y-not-finite'));
  const lengths = fitMmrm({ ...base, y: base.y.slice(1) }, { method: 'REML' });
  assert.ok(!lengths.ok && lengths.issues.some((i) => i.code === 'stats.mmrm.length-mismatch'));
  // Rank-deficient X (a column repeated): no finite likelihood, reported rather than thrown.
  const repeated = fitMmrm(
    { ...base, X: base.X.map((row) => [...row, row[1]!]), columnNames: [...base.columnNames, 'copy'] },
    { method: 'REML' },
  );
  assert.ok(!repeated.ok && repeated.issues.some((i) => i.code === 'stats.mmrm.start'));
});

test('fitMmrm: non-convergence is data (converged false, a reason, no estimate), and Kenward-Roger on an ML fit is NaN', () => {
  const short = fitMmrm(orthodontModel().input, { method: 'REML', maxIterations: 1 });
  assert.ok(short.ok);
  assert.equal(short.value.converged, false);
  assert.ok(short.value.issues.some((i) => i.code === 'stats.mmrm.max-iterations'));
  // Where the optimiser stopped is not an estimate: the failure carries none, and TypeScript refuses the read.
  assert.deepEqual(Object.keys(short.value).sort(), ['converged', 'issues', 'iterations', 'method', 'reason']);
  // @ts-expect-error: `beta` exists only on a converged MmrmFit.
  assert.equal(short.value.beta, undefined);
  assert.match(short.value.converged ? '' : short.value.reason, /no convergence within 1 iterations/);
  const ml = fitMmrm(orthodontModel().input, { method: 'ML' });
  assert.ok(ml.ok && ml.value.converged);
  const kr = contrast(ml.value, [0, 1, 0, 0], 'kenward-roger');
  assert.ok(Number.isNaN(kr.se) && Number.isNaN(kr.df) && Number.isNaN(kr.p));
  assert.ok(Number.isFinite(contrast(ml.value, [0, 1, 0, 0], 'satterthwaite').p));
});
