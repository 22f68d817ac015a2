/**
 * What every criterion test receives and returns. Tests read the care pathway's derivations (ClinicalFacts from
 * src/pathway) wherever the pathway defines the concept (TRD, CRP, contraindications, labs), and the normalized
 * record only for concepts the pathway does not derive (arbitrary code sets, scale items).
 */
import type { Knowledge, UnverifiedEntry } from '../knowledge/index.ts';
import type { ClinicalFacts } from '../pathway/facts.ts';
import type { PatientRecord, ResourceRef } from '../record/index.ts';

export interface MatchContext {
  readonly record: PatientRecord;
  readonly knowledge: Knowledge;
  readonly facts: ClinicalFacts;
  readonly asOf: string;
  readonly asOfDay: number;
  /** Values several criteria read, computed once per patient and match call (see `once`). */
  readonly memo: Map<string, unknown>;
}

/** `compute()` the first time `key` is asked for in this match call, the same value afterwards. */
export function once<T>(ctx: MatchContext, key: string, compute: () => T): T {
  if (ctx.memo.has(key)) return ctx.memo.get(key) as T;
  const value = compute();
  ctx.memo.set(key, value);
  return value;
}

/** A test's finding about the proposition it states (what the patient must satisfy to pass the criterion). */
export interface TestOutcome {
  /** Whether the patient satisfies the test; undefined when the record cannot tell. */
  readonly holds: boolean | undefined;
  /** One line a clinician can check against the record. */
  readonly reason: string;
  readonly evidence: readonly ResourceRef[];
  /** What to collect when `holds` is undefined, or what would confirm an absence inferred from silence. */
  readonly collect?: string;
  /**
   * True when `holds` rests only on nothing being recorded (the EHR's silence); an exclusion then stays unknown unless
   * the protocol says silence counts.
   */
  readonly bySilence?: boolean;
  /** Unverified values ([U]) the finding relied on. */
  readonly unverifiedNotes?: readonly string[];
}

/**
 * A decided value's threshold after it, as the reason reads it: "(>= 3 mg/L)" when the value meets it, "(not < 1)"
 * when it does not, so a failed test never reads as a value beside the limit it broke ("PHQ-9 item 9 = 2 (< 1)").
 */
export const thresholdNote = (holds: boolean, wanted: string): string => (holds ? `(${wanted})` : `(not ${wanted})`);

/**
 * For a criterion whose window holds no result: the most recent one before it, named so that the reason never reads
 * as an empty record (" (the most recent, Observation/x on 2026-08-31, is older)"); '' when there is none. It is not
 * evidence: it decides nothing.
 */
export const olderThanWindow = (older: { readonly ref: ResourceRef; readonly date: string } | undefined): string =>
  older === undefined ? '' : ` (the most recent, ${older.ref} on ${older.date}, is older)`;

/** An unverified knowledge entry as one line for `unverifiedNotes`. */
export const unverifiedNote = (u: UnverifiedEntry): string => `${u.item}: ${u.note} [${u.citation}]`;

export const undecided = (reason: string, collect: string, evidence: readonly ResourceRef[] = []): TestOutcome => ({
  holds: undefined,
  reason,
  evidence,
  collect,
});

/**
 * The outcome of the most recent results when several on one day cannot be ordered by their times (docs/care-pathway.md
 * definition 5): they settle the test only when they all agree; otherwise it is undecided. Either way every one of them
 * is evidence and named in the reason. `what` names them ("2 body weight results on 2026-11-01").
 */
export function sameDayOutcome(outcomes: readonly TestOutcome[], what: string, collect: string): TestOutcome {
  const first = outcomes[0];
  if (first === undefined || outcomes.length === 1) return first ?? undecided(`no ${what}`, collect);
  const evidence = outcomes.flatMap((o) => o.evidence);
  const reasons = outcomes.map((o) => o.reason).join('; ');
  if (outcomes.every((o) => o.holds !== undefined && o.holds === first.holds)) {
    // Every one of them is named, as when they disagree: the first alone would hide the others the evidence cites.
    return {
      ...first,
      reason: `${what} that their times cannot order agree: ${reasons}`,
      evidence,
      unverifiedNotes: [...new Set(outcomes.flatMap((o) => o.unverifiedNotes ?? []))],
    };
  }
  return undecided(`${what} that their times cannot order disagree: ${reasons}`, collect, evidence);
}
