import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forEachReplicateStream, isValidSeed } from './streams.ts';
import { standardNormal, standardNormalAbove } from './normal.ts';

function firstUniforms(seed: number, start: number, end: number, count = 4): number[][] {
  const out: number[][] = [];
  forEachReplicateStream(seed, start, end, (_r, source) => {
    out.push(Array.from({ length: count }, () => source.uniform()));
  });
  return out;
}

test('replicate i draws the same numbers whatever range it is run in', () => {
  const whole = firstUniforms(42, 0, 6);
  assert.deepEqual([...firstUniforms(42, 0, 2), ...firstUniforms(42, 2, 5), ...firstUniforms(42, 5, 6)], whole);
  assert.notDeepEqual(firstUniforms(43, 0, 1), whole.slice(0, 1));
  assert.notDeepEqual(whole[0], whole[1]);
});

test('uniforms lie strictly inside (0, 1) and normals have mean 0 and variance 1 (seeded, so deterministic)', () => {
  let n = 0;
  let sum = 0;
  let sumSquares = 0;
  let min = 1;
  let max = 0;
  let aboveMin = Number.POSITIVE_INFINITY;
  forEachReplicateStream(2026, 0, 20, (_r, source) => {
    for (let i = 0; i < 5000; i++) {
      const u = source.uniform();
      min = Math.min(min, u);
      max = Math.max(max, u);
      const z = standardNormal(source);
      sum += z;
      sumSquares += z * z;
      n += 1;
      aboveMin = Math.min(aboveMin, standardNormalAbove(source, 0.27));
    }
  });
  assert.ok(min > 0 && max < 1);
  const mean = sum / n;
  const variance = sumSquares / n - mean * mean;
  // 4 standard errors: SE(mean) = 1/sqrt(n), SE(variance) ~ sqrt(2/n).
  assert.ok(Math.abs(mean) < 4 / Math.sqrt(n), `mean ${mean}`);
  assert.ok(Math.abs(variance - 1) < 4 * Math.sqrt(2 / n), `variance ${variance}`);
  // Truncated draws respect the truncation point Phi^-1(1 - 0.27) = 0.6128.
  assert.ok(aboveMin >= 0.6128);
});

test('seeds are integers in [0, 2^31 - 1]', () => {
  assert.equal(isValidSeed(0), true);
  assert.equal(isValidSeed(2147483647), true);
  assert.equal(isValidSeed(-1), false);
  assert.equal(isValidSeed(1.5), false);
  assert.equal(isValidSeed(2 ** 31), false);
});
