/**
 * What a blinded role receives instead of an allocation or an audit entry that holds one. Pure.
 */
import type { AuditEntry } from './audit.ts';
import type { Allocation, BlindedAllocation, TrialSnapshot } from './model.ts';

export function blindAllocation(a: Allocation): BlindedAllocation {
  return {
    participantId: a.participantId,
    randomizationNumber: a.randomizationNumber,
    stratum: a.stratum,
    stratumSequence: a.stratumSequence,
    kitCode: a.kitCode,
    randomizedAt: a.randomizedAt,
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

/** A snapshot without allocations (exports and the CONSORT flow then pool the arms). */
export function blindSnapshot(s: TrialSnapshot): TrialSnapshot {
  return { ...s, allocations: [] };
}
