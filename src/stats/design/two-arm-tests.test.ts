import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Matrix, QrDecomposition, inverse } from 'ml-matrix';
import { TOLERANCE, withinTolerance } from '../tolerances.ts';
import { forEachReplicateStream } from '../random/streams.ts';
import { standardNormal } from '../random/normal.ts';
import { ancovaOneCovariate, pooledTTest, type ArmSample } from './two-arm-tests.ts';

/** Least squares of y on the columns of X by Householder QR (ml-matrix): the lm() reference for the closed forms. */
function lmArmCoefficient(rows: number[][], y: number[]): { estimate: number; se: number; df: number } {
  const X = new Matrix(rows);
  const Y = Matrix.columnVector(y);
  const beta = new QrDecomposition(X).solve(Y);
  const residuals = Y.clone().sub(X.mmul(beta));
  const df = rows.length - X.columns;
  const s2 = residuals.transpose().mmul(residuals).get(0, 0) / df;
  const xtxInv = inverse(X.transpose().mmul(X));
  return { estimate: beta.get(1, 0), se: Math.sqrt(s2 * xtxInv.get(1, 1)), df };
}

function sample(seed: number, n1: number, n0: number, covariate: (z: number) => number) {
  const arms: { y: number[]; x: number[] }[] = [
    { y: [], x: [] },
    { y: [], x: [] },
  ];
  forEachReplicateStream(seed, 0, 1, (_r, source) => {
    [n1, n0].forEach((n, k) => {
      for (let i = 0; i < n; i++) {
        const x = covariate(standardNormal(source));
        arms[k]!.x.push(x);
        arms[k]!.y.push(2 * (1 - k) + 1.5 * x + 3 * standardNormal(source));
      }
    });
  });
  const asArm = (a: { y: number[]; x: number[] }): ArmSample => ({
    y: Float64Array.from(a.y),
    x: Float64Array.from(a.x),
    n: a.y.length,
  });
  return { arms, arm1: asArm(arms[0]!), arm0: asArm(arms[1]!) };
}

function check(actual: { estimate: number; se: number; df: number }, expected: typeof actual, label: string) {
  for (const key of ['estimate', 'se', 'df'] as const) {
    assert.ok(
      withinTolerance(actual[key], expected[key], TOLERANCE.closedForm),
      `${label} ${key}: ${actual[key]} vs ${expected[key]}`,
    );
  }
}

test('ANCOVA y ~ arm + x in closed form equals the least-squares fit (continuous and binary covariate)', () => {
  for (const [label, covariate] of [
    ['log CRP', (z: number) => 0.3 + 1.35 * z],
    ['CRP stratum', (z: number) => (z > 0.6 ? 1 : 0)],
  ] as const) {
    const { arms, arm1, arm0 } = sample(7, 23, 31, covariate);
    const rows = [...arms[0]!.x.map((x) => [1, 1, x]), ...arms[1]!.x.map((x) => [1, 0, x])];
    check(ancovaOneCovariate(arm1, arm0), lmArmCoefficient(rows, [...arms[0]!.y, ...arms[1]!.y]), label);
  }
});

test('pooled t-test equals least squares on the arm indicator; a covariate constant within arms falls back to it', () => {
  const { arms, arm1, arm0 } = sample(11, 17, 12, () => 1);
  const rows = [...arms[0]!.x.map(() => [1, 1]), ...arms[1]!.x.map(() => [1, 0])];
  const expected = lmArmCoefficient(rows, [...arms[0]!.y, ...arms[1]!.y]);
  check(pooledTTest(arm1, arm0), expected, 't-test');
  assert.deepEqual(ancovaOneCovariate(arm1, arm0), pooledTTest(arm1, arm0));
});
