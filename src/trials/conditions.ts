/**
 * Condition queries over arbitrary code sets (psychiatric history, infections) that the care pathway does not derive.
 * "Current" and "recorded history" are the pathway's own predicates (src/pathway/conditions.ts); this adds the
 * trial-specific ones: tentative diagnoses kept apart, and presence within a look-back window.
 */
import type { CodeMatch } from '../knowledge/index.ts';
import { whyNotCurrent } from '../pathway/conditions.ts';
import { toDayNumber } from '../record/index.ts';
import type { ConditionFact } from '../record/index.ts';
import { conditionsCodedIn, matchInSets } from './classified.ts';
import type { MatchContext } from './context.ts';

const TENTATIVE_VERIFICATION = new Set(['unconfirmed', 'provisional', 'differential']);

export interface ConditionHit {
  readonly condition: ConditionFact;
  /** False for unconfirmed, provisional or differential diagnoses: a criterion asks to confirm them. */
  readonly confirmed: boolean;
  /** The code-set entry it matched (carries the `verified` flag). */
  readonly match: CodeMatch;
}

/** Conditions coded in any of the sets and recorded on or before the as-of day (refuted / in error dropped). */
export function conditionsInSets(ctx: MatchContext, codeSets: readonly string[]): ConditionHit[] {
  const hits: ConditionHit[] = [];
  for (const item of conditionsCodedIn(ctx, codeSets)) {
    const match = matchInSets(item, codeSets);
    if (match === undefined) continue;
    const condition = item.fact;
    const confirmed =
      condition.verificationStatus === undefined || !TENTATIVE_VERIFICATION.has(condition.verificationStatus);
    hits.push({ condition, confirmed, match });
  }
  return hits;
}

export function isCurrentOn(condition: ConditionFact, asOfDay: number): boolean {
  return whyNotCurrent(condition, asOfDay) === undefined;
}

/**
 * Whether the condition was present at some time in [asOfDay - days, asOfDay]: current, or with onset or abatement
 * in the window. Undefined when a past condition carries no dates to place it.
 */
export function presentWithin(condition: ConditionFact, asOfDay: number, days: number): boolean | undefined {
  if (isCurrentOn(condition, asOfDay)) return true;
  const from = asOfDay - days;
  const abated = toDayNumber(condition.abatement, 'end');
  if (abated !== undefined) return abated >= from;
  const onset = toDayNumber(condition.onset ?? condition.recordedDate);
  if (onset !== undefined && onset >= from) return true;
  return undefined;
}
