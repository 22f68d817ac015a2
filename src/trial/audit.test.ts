import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { canonicalText, chainEntry, GENESIS_HASH, verifyChain, type AuditEntry } from './audit.ts';

const sha256 = (t: string): string => createHash('sha256').update(t).digest('hex');

function chain(n: number): AuditEntry[] {
  const out: AuditEntry[] = [];
  for (let i = 0; i < n; i++) {
    const prev = out.at(-1);
    out.push(
      chainEntry(
        prev === undefined ? null : { seq: prev.seq, hash: prev.hash },
        {
          at: `2026-11-29T10:00:0${i}.000Z`,
          userId: 'u1',
          role: 'coordinator',
          action: 'create',
          entity: 'form',
          entityId: `f${i}`,
          reason: 'visit entry',
          before: i === 0 ? null : { item: i - 1 },
          after: { item: i, nested: { b: 2, a: [1, 'x'] } },
        },
        sha256,
      ),
    );
  }
  return out;
}
const head = (e: AuditEntry[]) => ({ seq: e.at(-1)?.seq ?? 0, hash: e.at(-1)?.hash ?? GENESIS_HASH });

test('canonical text does not depend on key order', () => {
  const d = {
    at: 't',
    userId: 'u',
    role: 'r',
    action: 'a',
    entity: 'e',
    entityId: null,
    reason: 'why',
    before: { b: 1, a: 2 },
    after: null,
  };
  assert.equal(canonicalText(1, GENESIS_HASH, d), canonicalText(1, GENESIS_HASH, { ...d, before: { a: 2, b: 1 } }));
  assert.notEqual(canonicalText(1, GENESIS_HASH, d), canonicalText(1, GENESIS_HASH, { ...d, reason: 'other' }));
});

test('an intact chain verifies', () => {
  const entries = chain(5);
  const v = verifyChain(entries, head(entries), sha256);
  assert.equal(v.ok, true);
  assert.equal(v.entries, 5);
  assert.deepEqual(v.head, head(entries));
});

test('an edited entry, a deleted entry, a reorder, an insertion and a truncation are each detected', () => {
  const entries = chain(6);
  const h = head(entries);
  const kinds = (list: AuditEntry[], stored = h) =>
    verifyChain(list, stored, sha256).problems.map((p) => `${p.kind}@${p.seq}`);

  const edited = entries.map((e) => (e.seq === 3 ? { ...e, after: { item: 99 } } : e));
  assert.deepEqual(kinds(edited), ['hash-mismatch@3']);

  const reasonEdited = entries.map((e) => (e.seq === 2 ? { ...e, reason: 'changed later' } : e));
  assert.deepEqual(kinds(reasonEdited), ['hash-mismatch@2']);

  const deleted = entries.filter((e) => e.seq !== 4);
  assert.deepEqual(kinds(deleted), ['sequence-gap@5', 'broken-link@5']);

  const swapped = [...entries];
  [swapped[1], swapped[2]] = [swapped[2] as AuditEntry, swapped[1] as AuditEntry];
  assert.ok(kinds(swapped).length > 0);

  // Swapping the contents of two rows while keeping their seq numbers breaks their hashes.
  const contentSwapped = entries.map((e) =>
    e.seq === 2
      ? { ...(entries[2] as AuditEntry), seq: 2 }
      : e.seq === 3
        ? { ...(entries[1] as AuditEntry), seq: 3 }
        : e,
  );
  assert.ok(kinds(contentSwapped).some((k) => k.startsWith('hash-mismatch')));

  const forged = chainEntry(
    { seq: 2, hash: (entries[1] as AuditEntry).hash },
    { ...(entries[2] as AuditEntry), reason: 'forged' },
    sha256,
  );
  const inserted = [...entries.slice(0, 2), forged, ...entries.slice(2).map((e) => e)];
  assert.ok(kinds(inserted).length > 0);

  const truncated = entries.slice(0, 4);
  assert.deepEqual(kinds(truncated), ['head-mismatch@4']);
  // Rewriting from an entry on, with a recomputed chain, is caught by the head kept elsewhere.
  const rewritten = [...entries.slice(0, 3)];
  for (const e of entries.slice(3)) {
    const prev = rewritten.at(-1) as AuditEntry;
    rewritten.push(chainEntry({ seq: prev.seq, hash: prev.hash }, { ...e, reason: 'rewritten' }, sha256));
  }
  assert.deepEqual(kinds(rewritten), ['head-mismatch@6']);
});
