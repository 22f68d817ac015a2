import assert from 'node:assert/strict';
import { test } from 'node:test';
import { brentRoot } from './brent.ts';

test('brentRoot finds sqrt(2) to the requested absolute tolerance', () => {
  const r = brentRoot((x) => x * x - 2, 0, 2, { tolerance: 1e-14 });
  assert.equal(r.converged, true);
  assert.ok(Math.abs(r.root - Math.SQRT2) < 1e-14);
});

test('brentRoot handles a root at a bracket end and a steep, nearly flat function', () => {
  assert.equal(brentRoot((x) => x - 3, 3, 10).root, 3);
  const r = brentRoot((x) => Math.exp(x) - 1e6, 0, 50);
  assert.ok(Math.abs(r.root - Math.log(1e6)) < 1e-11);
  const flat = brentRoot((x) => (x - 1) ** 3, -4, 7, { tolerance: 1e-12 });
  assert.ok(Math.abs(flat.root - 1) < 1e-4); // a triple root is only determined to ~cbrt(machine precision)
});

test('brentRoot reports no sign change and non-finite values as data, not exceptions', () => {
  assert.deepEqual(brentRoot((x) => x * x + 1, -1, 1).reason, 'no-sign-change');
  assert.equal(brentRoot(() => Number.NaN, 0, 1).reason, 'non-finite');
  assert.equal(brentRoot((x) => x - 0.3, 0, 1, { maxIterations: 1, tolerance: 0 }).converged, false);
});
