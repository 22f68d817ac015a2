import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AS_OF, knowledge, record } from './builders.test-support.ts';
import { byRef, createContext, noteUnverified, sortInPlace } from './context.ts';
import type { UnverifiedItem } from './facts.ts';

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

test('noteUnverified adds a value once to every open collector, even one the assessment noted before it opened', () => {
  const ctx = createContext(record(), knowledge, AS_OF);
  noteUnverified(ctx, 'threshold A', 'not verified', 'cite-a');
  const outer: UnverifiedItem[] = [];
  const inner: UnverifiedItem[] = [];
  ctx.collectors.push(outer);
  noteUnverified(ctx, 'threshold B', 'not verified', 'cite-b');
  ctx.collectors.push(inner);
  noteUnverified(ctx, 'threshold A', 'not verified', 'cite-a');
  noteUnverified(ctx, 'threshold B', 'not verified', 'cite-b');
  noteUnverified(ctx, 'threshold A', 'not verified', 'cite-a');
  assert.deepEqual(
    outer.map((u) => u.item),
    ['threshold B', 'threshold A'],
  );
  assert.deepEqual(
    inner.map((u) => u.item),
    ['threshold A', 'threshold B'],
  );
  // One object per value in the assessment: the collectors hold the assessment's own.
  assert.equal(inner[0], ctx.unverified.get('threshold A'));
  assert.equal(ctx.unverified.size, 2);
});
