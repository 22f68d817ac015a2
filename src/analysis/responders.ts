/**
 * Responder and remitter status at the primary visit, under non-responder imputation (NRI: a subject without an
 * observed primary-visit outcome counts as a non-event, denominator = all subjects in the arm) and for observed cases
 * (denominator = subjects observed at the primary visit), as reference/stats-reference/scripts/02_antidepressant.R.
 * response: change <= -reduction x baseline (>= 50 % reduction by default); remission: post score <= remissionMax.
 */
import { compareBinary, type ArmCounts, type BinaryComparison } from '../stats/binary.ts';
import type { Unavailable } from './analyze.ts';
import type { TrialDataset } from './dataset.ts';

export interface ResponderDefinition {
  readonly kind: 'response' | 'remission';
  /** For response: the fractional reduction from baseline (0.5 = 50 %). */
  readonly reduction?: number;
  /** For remission: the largest post-baseline score that counts as remission. */
  readonly maxScore?: number;
}

/**
 * The NRI comparison, or not estimable when an arm has no observed primary-visit outcome: NRI would then count the
 * whole arm as non-responders, a comparison of imputed values only (a confident "harm" made of missing data).
 */
export type ResponderAnalysis = (BinaryComparison | Unavailable) & {
  readonly definition: string;
  readonly imputation: 'non-responder';
  /** Not estimable when an arm has no observed primary-visit outcome (a rate of 0/0 is no rate at all). */
  readonly observed: (BinaryComparison | Unavailable) & { readonly imputation: 'observed-cases' };
};

/** Whether a primary-visit change is an event under the definition (for an evaluable subject). */
function isEvent(change: number, baseline: number, def: ResponderDefinition): boolean {
  if (def.kind === 'response') return change <= -(def.reduction ?? 0.5) * baseline;
  return baseline + change <= (def.maxScore ?? Number.NEGATIVE_INFINITY);
}

/**
 * Response is a percentage reduction from baseline, which a baseline of 0 (or below) does not have: 0 to 0 is no
 * reduction of 50%, yet change <= -0.5 x 0 would call it one. Such a subject is not evaluable for response: a
 * non-responder under NRI (as a missing outcome), left out of the observed cases. Remission needs no baseline.
 */
function isEvaluable(baseline: number, def: ResponderDefinition): boolean {
  return def.kind !== 'response' || baseline > 0;
}

/** Subjects with a primary-visit outcome whose baseline is not above 0: not evaluable for response (warned). */
export function responseNotEvaluable(ds: TrialDataset): number {
  const observed = new Set(
    ds.rows.filter((r) => r.visit === ds.primaryVisit && r.change !== null).map((r) => r.subject),
  );
  return ds.subjects.filter((s) => observed.has(s.subject) && !(s.baseline > 0)).length;
}

export function describeDefinition(def: ResponderDefinition): string {
  return def.kind === 'response'
    ? `change <= -${def.reduction ?? 0.5} x baseline (>= ${Math.round((def.reduction ?? 0.5) * 100)}% reduction) at the primary visit`
    : `score <= ${def.maxScore} at the primary visit`;
}

/** Counts per arm under NRI and observed cases, then compares treatment with control. */
export function responderAnalysis(ds: TrialDataset, def: ResponderDefinition, level = 0.95): ResponderAnalysis {
  const primary = new Map<string, number>();
  for (const r of ds.rows) if (r.visit === ds.primaryVisit && r.change !== null) primary.set(r.subject, r.change);
  const count = (arm: string, observedOnly: boolean): ArmCounts => {
    let events = 0;
    let n = 0;
    for (const s of ds.subjects) {
      if (s.arm !== arm) continue;
      const change = primary.get(s.subject);
      const evaluable = change !== undefined && isEvaluable(s.baseline, def);
      if (!evaluable && observedOnly) continue;
      n++;
      if (evaluable && isEvent(change, s.baseline, def)) events++;
    }
    return { events, n };
  };
  const observedCounts = [ds.treatment, ds.control].map((arm) => ({ arm, counts: count(arm, true) }));
  const empty = observedCounts.find((a) => a.counts.n === 0);
  const nri: BinaryComparison | Unavailable = empty
    ? {
        available: false,
        reason: `not estimable (no observed outcome in arm ${empty.arm}: non-responder imputation would count the whole arm as non-responders)`,
      }
    : compareBinary(count(ds.treatment, false), count(ds.control, false), level);
  const observed: BinaryComparison | Unavailable = empty
    ? { available: false, reason: `not estimable (no observed outcome in arm ${empty.arm})` }
    : compareBinary(observedCounts[0]!.counts, observedCounts[1]!.counts, level);
  return {
    ...nri,
    definition: describeDefinition(def),
    imputation: 'non-responder',
    observed: { ...observed, imputation: 'observed-cases' },
  };
}
