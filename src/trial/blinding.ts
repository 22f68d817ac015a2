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

/** An arm as the protocol names it (id and label): the words that would disclose an allocation. */
export interface ArmLabel {
  readonly id: string;
  readonly label: string;
}

/** The words that disclose an allocation: each arm's id and label. */
export function armTerms(arms: readonly ArmLabel[]): string[] {
  const terms = new Set<string>();
  for (const arm of arms) for (const t of [arm.id, arm.label]) if (t.trim().length > 0) terms.add(t.toLowerCase());
  return [...terms];
}

export function containsArmTerm(text: string, terms: readonly string[]): boolean {
  const lower = text.toLowerCase();
  return terms.some((t) => lower.includes(t));
}

/** One pass over the text, longest term first, so that a label containing an id is replaced whole. */
function armPattern(terms: readonly string[]): RegExp | null {
  if (terms.length === 0) return null;
  const escaped = [...terms].sort((a, b) => b.length - a.length).map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(escaped.join('|'), 'gi');
}

/** The text with each arm id and label (any case) replaced by `replacement`. */
export function maskArms(text: string, terms: readonly string[], replacement: string): string {
  const pattern = armPattern(terms);
  return pattern === null ? text : text.replace(pattern, replacement);
}

/** `value` with maskArms applied to every string in it (values, not keys), through arrays and plain objects. */
export function maskStrings<T>(value: T, terms: readonly string[], replacement: string): T {
  const pattern = armPattern(terms);
  if (pattern === null) return value;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return v.replace(pattern, replacement);
    if (Array.isArray(v)) return v.map(walk);
    if (v === null || typeof v !== 'object') return v;
    const proto: unknown = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) return v; // not JSON data: left to the guard
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
  };
  return walk(value) as T;
}

/**
 * A snapshot without allocations (exports and the CONSORT flow then pool the arms). Given the protocol's `arms`,
 * text people typed that names one (an adverse event term, a participant or screening code) is also written
 * `[concealed]`, as the server shows it to blinded viewers, so that a blinded export cannot carry an arm in a
 * free-text field. Ids the protocol defines (visits, instruments, analytes) are left alone: an arm id that is a
 * common word must not rewrite them.
 */
export function blindSnapshot(s: TrialSnapshot, arms: readonly ArmLabel[] = []): TrialSnapshot {
  const terms = armTerms(arms);
  const mask = (text: string): string => maskArms(text, terms, REDACTED);
  return {
    ...s,
    allocations: [],
    adverseEvents: s.adverseEvents.map((e) => ({ ...e, term: mask(e.term) })),
    participants: s.participants.map((p) => ({ ...p, participantCode: mask(p.participantCode) })),
    screening: s.screening.map((e) => ({ ...e, screeningCode: mask(e.screeningCode) })),
  };
}
