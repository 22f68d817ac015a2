/**
 * What a blinded role receives instead of an allocation or an audit entry that holds one. Pure.
 */
import type { AuditEntry, AuditVerification } from './audit.ts';
import type { Allocation, BlindedAllocation, TrialSnapshot } from './model.ts';

export function blindAllocation(a: Allocation): BlindedAllocation {
  return {
    participantId: a.participantId,
    randomizationNumber: a.randomizationNumber,
    stratum: a.stratum,
    stratumSequence: a.stratumSequence,
    kitCode: a.kitCode,
    randomizedAt: a.randomizedAt,
    randomizedOn: a.randomizedOn,
  };
}

/** Audit entities whose images may contain an arm (allocations, kits, the concealed list, unblinding, the plan). */
export const ALLOCATION_ENTITIES: readonly string[] = ['allocation', 'kit', 'allocation-list', 'trial', 'unblinding'];

export const REDACTED = '[concealed]';

/** The entry with before/after replaced when they could reveal an arm; the hash fields stay as stored. */
export function redactAuditEntry(e: AuditEntry): AuditEntry {
  if (!ALLOCATION_ENTITIES.includes(e.entity)) return e;
  return { ...e, before: e.before === null ? null : REDACTED, after: e.after === null ? null : REDACTED };
}

/**
 * An audit entry as a blinded role receives it: redacted, and without `hash` and `prevHash`. A hash covers the
 * concealed image, so with the visible fields a reader could hash each candidate arm and see which matches; and
 * every later hash commits to the earlier images through `prevHash`, so no hash of the chain may be shown.
 */
export type BlindedAuditEntry = Omit<AuditEntry, 'hash' | 'prevHash'>;

export function blindAuditEntry(e: AuditEntry): BlindedAuditEntry {
  const { hash: _hash, prevHash: _prevHash, ...rest } = redactAuditEntry(e);
  return rest;
}

/** A chain verification as a blinded role receives it: the head's sequence without its hash (see BlindedAuditEntry). */
export type BlindedAuditVerification = Omit<AuditVerification, 'head'> & { readonly head: { readonly seq: number } };

export function blindAuditVerification(v: AuditVerification): BlindedAuditVerification {
  return { ok: v.ok, entries: v.entries, head: { seq: v.head.seq }, problems: v.problems };
}

/** A snapshot without allocations (exports and the CONSORT flow then pool the arms). */
export function blindSnapshot(s: TrialSnapshot): TrialSnapshot {
  return { ...s, allocations: [] };
}
