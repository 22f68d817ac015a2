/**
 * Concurrent randomization against the running server: 200 enrolled participants randomized by 200 requests sent at
 * once (HTTP, through the guard and CSRF check, into the SQLite store) get 200 distinct, consecutive randomization
 * numbers 1..200, 200 distinct kits, and nothing else (no extra allocation, no error); the audit chain verifies.
 * Run: node --import tsx --test src/server/trial/concurrency.test.ts
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { enrolThroughApi, insightProtocol, startTestTrial } from './harness.test-support.ts';
import type { TestTrial } from './harness.test-support.ts';

let t: TestTrial;
before(async () => {
  t = await startTestTrial();
});
after(async () => {
  await t.close();
});

test('200 parallel randomizations give 200 distinct, consecutive slots and nothing else', async () => {
  const protocol = insightProtocol(t.engine);
  const coordA = await t.signIn('coordinator', 'site-a');
  const coordB = await t.signIn('coordinator', 'site-b');
  const ids: string[] = [];
  for (let i = 0; i < 200; i += 1) {
    const site = i % 2 === 0 ? 'site-a' : 'site-b';
    ids.push(await enrolThroughApi(site === 'site-a' ? coordA : coordB, protocol, site, i % 3 === 0 ? 'low' : 'high'));
  }
  const replies = await Promise.all(
    ids.map((id, i) => (i % 2 === 0 ? coordA : coordB).post(`/trial/api/participants/${id}/randomize`)),
  );
  for (const r of replies) assert.equal(r.status, 201, r.text);
  const numbers = replies.map((r) => (r.json as { randomizationNumber: number }).randomizationNumber);
  assert.deepEqual(
    [...numbers].sort((a, b) => a - b),
    Array.from({ length: 200 }, (_, i) => i + 1),
  );
  const kits = new Set(replies.map((r) => (r.json as { kitCode: string }).kitCode));
  assert.equal(kits.size, 200);

  const allocations = await t.store.listAllocations();
  assert.equal(allocations.length, 200, 'no allocation beyond the 200 acknowledged');
  assert.deepEqual(new Set(allocations.map((a) => a.participantId)), new Set(ids));
  // Within each stratum, the stratum sequence is 1..n without gaps or repeats.
  const byStratum = new Map<string, number[]>();
  for (const a of allocations) byStratum.set(a.stratum, [...(byStratum.get(a.stratum) ?? []), a.stratumSequence]);
  for (const [stratum, seqs] of byStratum) {
    assert.deepEqual(
      [...seqs].sort((a, b) => a - b),
      Array.from({ length: seqs.length }, (_, i) => i + 1),
      stratum,
    );
  }
  // A second request for an already randomized participant is refused, not given a new slot.
  const again = await coordA.post(`/trial/api/participants/${ids[0]}/randomize`);
  assert.equal(again.status, 409);
  assert.equal((await t.store.listAllocations()).length, 200);
  const verification = await t.store.verifyAudit();
  assert.equal(verification.ok, true, JSON.stringify(verification.problems.slice(0, 3)));
});
