import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertGolden, readReference } from '../golden.test-support.ts';
import { normalQuantile } from './normal.ts';

test('AS 241 normal quantile = R qnorm(p): distributions_reference.json qnorm (including p = 1e-12)', () => {
  const rows = readReference<{ qnorm: { p: number; value: number }[] }>(
    'stats-reference/outputs/distributions_reference.json',
  ).qnorm;
  assert.ok(rows.length >= 14);
  for (const r of rows) assertGolden(normalQuantile(r.p), r.value, 'closedForm', `qnorm(${r.p})`);
});

test('AS 241 branches: symmetry, far tail beyond exp(-25), the ends and invalid p', () => {
  // p with 1 - p exact in binary, so the symmetry is exact too.
  for (const p of [0.25, 0.0625, 2 ** -20, 2 ** -40]) assert.equal(normalQuantile(p), -normalQuantile(1 - p));
  assertGolden(normalQuantile(1e-300), -37.047096299361201, 'closedForm', 'R 4.2.2 qnorm(1e-300)');
  assert.equal(normalQuantile(0), Number.NEGATIVE_INFINITY);
  assert.equal(normalQuantile(1), Number.POSITIVE_INFINITY);
  assert.ok(Number.isNaN(normalQuantile(1.1)));
  assert.ok(Number.isNaN(normalQuantile(Number.NaN)));
});
