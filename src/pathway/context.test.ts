import assert from 'node:assert/strict';
import { test } from 'node:test';
import { byRef, sortInPlace } from './context.ts';

/** A deterministic pseudo-random sequence (no Math.random: a failure must be reproducible). */
function* numbers(seed: number): Generator<number> {
  let x = seed;
  for (;;) {
    x = (x * 1_103_515_245 + 12_345) % 2_147_483_648;
    yield x;
  }
}

test('sortInPlace orders as Array.prototype.sort does, ties kept in place, short lists and long ones', () => {
  const next = numbers(7);
  const draw = (n: number): number => (next.next().value as number) % n;
  // Few distinct keys, so that most lists hold ties: a sort that is not stable would reorder them.
  const compare = (a: { day: number; ref: string }, b: { day: number; ref: string }): number =>
    a.day - b.day || byRef(a.ref, b.ref);
  for (let length = 0; length <= 40; length++) {
    for (let trial = 0; trial < 20; trial++) {
      const list = Array.from({ length }, (_, i) => ({ day: draw(4), ref: `Observation/${draw(3)}`, at: i }));
      const expected = [...list].sort(compare);
      const sorted = [...list];
      assert.equal(sortInPlace(sorted, compare), sorted);
      assert.deepEqual(
        sorted.map((x) => x.at),
        expected.map((x) => x.at),
        `length ${length}`,
      );
    }
  }
});

test('sortInPlace with byRef orders strings as the default sort does', () => {
  const names = ['sertraline', 'st-johns-wort', 'Sertraline', 'a.b', 'a-b', '10', '9', 'é', 'z'];
  assert.deepEqual(sortInPlace([...names], byRef), [...names].sort());
});
