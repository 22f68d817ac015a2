/**
 * The audit trail as a hash chain: entry n's hash is sha256 over the canonical JSON (RFC 8785, `canonicalize`) of the
 * entry's fields together with entry n-1's hash. Editing, deleting, inserting or reordering any entry breaks the
 * chain from that entry on; deleting the newest entries is caught by comparing with the head (sequence and hash)
 * that the store keeps beside the chain and that `trd trial verify-audit` prints for safekeeping elsewhere.
 *
 * Pure: the sha256 function is passed in (node:crypto in the stores; Web Crypto's digest would do in a browser).
 */
import canonicalizeModule from 'canonicalize';

// The package's .d.ts declares an ES default export but the file is CommonJS (`module.exports = fn`), so under
// NodeNext TypeScript sees the module object; at run time the default import is the function itself.
const canonicalize = canonicalizeModule as unknown as (input: unknown) => string | undefined;

export type Sha256Hex = (text: string) => string;

export const GENESIS_HASH = '0'.repeat(64);

/** What a write records: who, when, why, what, and the row before and after (null for a creation/deletion). */
export interface AuditDraft {
  readonly at: string;
  readonly userId: string;
  readonly role: string;
  readonly action: string;
  readonly entity: string;
  readonly entityId: string | null;
  readonly reason: string;
  readonly before: unknown;
  readonly after: unknown;
}

export interface AuditEntry extends AuditDraft {
  /** 1, 2, 3, ... */
  readonly seq: number;
  readonly prevHash: string;
  readonly hash: string;
}

export interface AuditHead {
  readonly seq: number;
  readonly hash: string;
}

export type AuditProblemKind = 'hash-mismatch' | 'broken-link' | 'sequence-gap' | 'head-mismatch';

export interface AuditVerification {
  readonly ok: boolean;
  readonly entries: number;
  /** The last entry's sequence and hash as stored (keep it elsewhere to detect truncation later). */
  readonly head: AuditHead;
  readonly problems: readonly { readonly seq: number; readonly kind: AuditProblemKind; readonly message: string }[];
}

/** The canonical text hashed for one entry. JSON values only: undefined becomes absent, as in the stored JSON. */
export function canonicalText(seq: number, prevHash: string, draft: AuditDraft): string {
  const text = canonicalize(
    JSON.parse(
      JSON.stringify({
        seq,
        prevHash,
        at: draft.at,
        userId: draft.userId,
        role: draft.role,
        action: draft.action,
        entity: draft.entity,
        entityId: draft.entityId,
        reason: draft.reason,
        before: draft.before ?? null,
        after: draft.after ?? null,
      }),
    ),
  );
  if (text === undefined) throw new Error('audit entry is not JSON-serialisable');
  return text;
}

/** The next entry after `head` (null for the first). */
export function chainEntry(head: AuditHead | null, draft: AuditDraft, sha256: Sha256Hex): AuditEntry {
  const seq = (head?.seq ?? 0) + 1;
  const prevHash = head?.hash ?? GENESIS_HASH;
  return {
    ...draft,
    before: draft.before ?? null,
    after: draft.after ?? null,
    seq,
    prevHash,
    hash: sha256(canonicalText(seq, prevHash, draft)),
  };
}

/**
 * Checks entries as read back in storage order against each other and against the stored head. `storedHead` null
 * means the store has no head (an empty trail).
 */
export function verifyChain(
  entries: readonly AuditEntry[],
  storedHead: AuditHead | null,
  sha256: Sha256Hex,
): AuditVerification {
  const problems: { seq: number; kind: AuditProblemKind; message: string }[] = [];
  let expectedPrev = GENESIS_HASH;
  let expectedSeq = 1;
  for (const e of entries) {
    if (e.seq !== expectedSeq) {
      problems.push({ seq: e.seq, kind: 'sequence-gap', message: `entry ${e.seq}: expected sequence ${expectedSeq}` });
    }
    if (e.prevHash !== expectedPrev) {
      problems.push({ seq: e.seq, kind: 'broken-link', message: `entry ${e.seq}: does not link to the entry before` });
    }
    if (sha256(canonicalText(e.seq, e.prevHash, e)) !== e.hash) {
      problems.push({ seq: e.seq, kind: 'hash-mismatch', message: `entry ${e.seq}: content does not match its hash` });
    }
    expectedPrev = e.hash;
    expectedSeq = e.seq + 1;
  }
  const last = entries.at(-1);
  const head: AuditHead = last === undefined ? { seq: 0, hash: GENESIS_HASH } : { seq: last.seq, hash: last.hash };
  const stored = storedHead ?? { seq: 0, hash: GENESIS_HASH };
  if (stored.seq !== head.seq || stored.hash !== head.hash) {
    problems.push({
      seq: head.seq,
      kind: 'head-mismatch',
      message: `the trail ends at entry ${head.seq} but the recorded head is entry ${stored.seq}`,
    });
  }
  return { ok: problems.length === 0, entries: entries.length, head, problems };
}
