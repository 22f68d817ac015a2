/**
 * Responder and remitter status at the primary visit, under non-responder imputation (NRI: a subject without an
 * observed primary-visit outcome counts as a non-event, denominator = all subjects in the arm) and for observed cases
 * (denominator = subjects observed at the primary visit), as reference/stats-reference/scripts/02_antidepressant.R.
 * response: change <= -reduction x baseline (>= 50 % reduction by default); remission: post score <= remissionMax.
 */
import { compareBinary, type ArmCounts, type BinaryComparison } from '../stats/binary.ts';
import type { Unavailable } from './analyze.ts';
import type { LongRow, TrialDataset } from './dataset.ts';

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

/**
 * Whether the subject's primary-visit row is an event, or null when it is not evaluable. Response is a percentage
 * reduction from baseline, which a baseline of 0 (or below) does not have: 0 to 0 is no reduction of 50%, yet
 * change <= -0.5 x 0 would call it one; nor does a missing baseline. Remission is the post-baseline score, whatever
 * the baseline. A subject not evaluable is a non-responder under NRI (as a missing outcome) and left out of the
 * observed cases.
 */
function eventAt(row: LongRow | undefined, def: ResponderDefinition): boolean | null {
  if (row === undefined) return null;
  if (def.kind === 'response') {
    if (row.change === null || row.baseline === null || !(row.baseline > 0)) return null;
    return row.change <= -(def.reduction ?? 0.5) * row.baseline;
  }
  const score =
    row.baseline === null || row.change === null ? (row.scoreWithoutBaseline ?? null) : row.baseline + row.change;
  return score === null ? null : score <= (def.maxScore ?? Number.NEGATIVE_INFINITY);
}

/** Subjects with a primary-visit change whose baseline is 0 or less: not evaluable for response (warned). */
export function responseNotEvaluable(ds: TrialDataset): number {
  return ds.rows.filter(
    (r) => r.visit === ds.primaryVisit && r.change !== null && r.baseline !== null && !(r.baseline > 0),
  ).length;
}

export function describeDefinition(def: ResponderDefinition): string {
  return def.kind === 'response'
    ? `change <= -${def.reduction ?? 0.5} x baseline (>= ${Math.round((def.reduction ?? 0.5) * 100)}% reduction) at the primary visit`
    : `score <= ${def.maxScore} at the primary visit`;
}

/** Counts per arm under NRI and observed cases, then compares treatment with control. */
export function responderAnalysis(ds: TrialDataset, def: ResponderDefinition, level = 0.95): ResponderAnalysis {
  const primary = new Map<string, LongRow>();
  for (const r of ds.rows) if (r.visit === ds.primaryVisit) primary.set(r.subject, r);
  const count = (arm: string, observedOnly: boolean): ArmCounts => {
    let events = 0;
    let n = 0;
    for (const s of ds.subjects) {
      if (s.arm !== arm) continue;
      const event = eventAt(primary.get(s.subject), def);
      if (event === null && observedOnly) continue;
      n++;
      if (event === true) events++;
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
