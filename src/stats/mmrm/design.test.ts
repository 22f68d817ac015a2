/**
 * The model-matrix builder: R's column names and order (checked against model.matrix conventions), treatment
 * contrasts, alias detection, input errors; and the LS-means reference grid.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildDesign, type DesignSpec } from './design.ts';
import { referenceGridRow } from './lsmeans.ts';

// Two replicates of the 3 x 3 grid of a and b, x varying freely: no column is aliased.
const aValues = ['a1', 'a2', 'a3', 'a1', 'a2', 'a3', 'a1', 'a2', 'a3'];
const bValues = ['b1', 'b1', 'b1', 'b2', 'b2', 'b2', 'b3', 'b3', 'b3'];
const xValues = [1, 2, 3, 4, 5, 6, 7, 8, 10, 3, 1, 4, 1, 5, 9, 2, 6, 5];
const spec: DesignSpec = {
  variables: {
    a: { kind: 'factor', values: [...aValues, ...aValues], levels: ['a1', 'a2', 'a3'] },
    b: { kind: 'factor', values: [...bValues, ...bValues], levels: ['b1', 'b2', 'b3'] },
    x: { kind: 'numeric', values: xValues },
  },
  terms: [['a'], ['b'], ['x'], ['a', 'b'], ['b', 'x']],
};

test('buildDesign: R model.matrix(~ a * b + x * b) names; the first variable of an interaction varies fastest', () => {
  const built = buildDesign(spec);
  assert.ok(built.ok);
  assert.deepEqual(built.value.columnNames, [
    '(Intercept)',
    'aa2',
    'aa3',
    'bb2',
    'bb3',
    'x',
    'aa2:bb2',
    'aa3:bb2',
    'aa2:bb3',
    'aa3:bb3',
    'bb2:x',
    'bb3:x',
  ]);
  assert.deepEqual(built.value.aliased, []);
  assert.equal(built.value.X.length, 18);
  // Row 5 (a2, b2, x = 5): intercept, aa2, bb2, x, the aa2:bb2 cell and bb2:x = 5.
  assert.deepEqual(built.value.X[4], [1, 1, 0, 1, 0, 5, 1, 0, 0, 0, 5, 0]);
});

test('buildDesign: a column that is a linear combination of earlier ones is dropped and reported', () => {
  const n = 8;
  const built = buildDesign({
    variables: {
      arm: { kind: 'factor', values: Array.from({ length: n }, (_, i) => (i % 2 ? 'T' : 'C')), levels: ['C', 'T'] },
      dose: { kind: 'numeric', values: Array.from({ length: n }, (_, i) => (i % 2 ? 2 : 0)) },
      age: { kind: 'numeric', values: [30, 41, 52, 38, 45, 60, 29, 33] },
    },
    terms: [['arm'], ['dose'], ['age']],
  });
  assert.ok(built.ok);
  assert.deepEqual(built.value.aliased, ['dose']);
  assert.deepEqual(built.value.columnNames, ['(Intercept)', 'armT', 'age']);
  assert.equal(built.value.X[1]!.length, 3);
});

test('buildDesign: unknown factor levels, missing numbers and unknown variables are errors', () => {
  const bad = (variables: DesignSpec['variables'], terms: string[][] = [['v']]) => buildDesign({ variables, terms });
  const level = bad({ v: { kind: 'factor', values: ['x', 'q'], levels: ['x', 'y'] } });
  assert.ok(!level.ok && level.issues[0]!.code === 'stats.design.unknown-level');
  const missing = bad({ v: { kind: 'numeric', values: [1, Number.NaN] } });
  assert.ok(!missing.ok && missing.issues[0]!.code === 'stats.design.not-finite');
  const unknown = bad({ v: { kind: 'numeric', values: [1, 2] } }, [['w']]);
  assert.ok(!unknown.ok && unknown.issues[0]!.code === 'stats.design.unknown-variable');
  const lengths = bad({ v: { kind: 'numeric', values: [1, 2] }, w: { kind: 'numeric', values: [1] } });
  assert.ok(!lengths.ok && lengths.issues[0]!.code === 'stats.design.length-mismatch');
});

test('referenceGridRow: fixed factors as indicators, other factors at equal weights, numerics at their mean', () => {
  const built = buildDesign(spec);
  assert.ok(built.ok);
  const row = referenceGridRow(spec, built.value.columns, { b: 'b2' });
  const names = built.value.columnNames;
  const meanX = xValues.reduce((sum, v) => sum + v, 0) / xValues.length;
  assert.equal(row[names.indexOf('(Intercept)')], 1);
  assert.equal(row[names.indexOf('aa2')], 1 / 3);
  assert.equal(row[names.indexOf('aa3')], 1 / 3);
  assert.equal(row[names.indexOf('bb2')], 1);
  assert.equal(row[names.indexOf('bb3')], 0);
  assert.ok(Math.abs(row[names.indexOf('x')]! - meanX) < 1e-15);
  assert.ok(Math.abs(row[names.indexOf('bb2:x')]! - meanX) < 1e-15);
  assert.equal(row[names.indexOf('bb3:x')], 0);
  // An explicit covariate value overrides the mean.
  const at = referenceGridRow(spec, built.value.columns, { b: 'b3' }, { x: 2 });
  assert.equal(at[names.indexOf('bb3:x')], 2);
});
