/**
 * Condition queries over arbitrary code sets (psychiatric history, infections) that the care pathway does not derive.
 * "Current" and "recorded history" are the pathway's own predicates (src/pathway/conditions.ts); this adds the
 * trial-specific ones: tentative diagnoses kept apart, and presence within a look-back window.
 */
import type { CodeMatch } from '../knowledge/index.ts';
import type { Days } from '../knowledge/schema-pathway.ts';
import { statuslessEntryOf, whyNotCurrent } from '../pathway/conditions.ts';
import { toDayNumber } from '../record/index.ts';
import type { ConditionFact } from '../record/index.ts';
import { conditionsCodedIn, matchInSets } from './classified.ts';
import type { MatchContext } from './context.ts';

const TENTATIVE_VERIFICATION = new Set(['unconfirmed', 'provisional', 'differential']);

export interface ConditionHit {
  readonly condition: ConditionFact;
  /**
   * For a condition that does not last recorded with neither a status nor an end, the pathway's days it stays current
   * (definitions.statuslessConditions, docs/care-pathway.md definition 1); undefined otherwise.
   */
  readonly statuslessDays?: Days;
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
    const statusless = statuslessEntryOf(
      ctx.knowledge.pathway,
      condition,
      (sets) => matchInSets(item, sets) !== undefined,
    );
    hits.push(
      statusless === undefined
        ? { condition, confirmed, match }
        : { condition, confirmed, match, statuslessDays: statusless.currentDays },
    );
  }
  return hits;
}

/** Current on the as-of day, as the pathway reads a condition (src/pathway/conditions.ts whyNotCurrent). */
export function isCurrentOn(hit: ConditionHit, asOfDay: number): boolean {
  return whyNotCurrent(hit.condition, asOfDay, hit.statuslessDays) === undefined;
}

/**
 * Whether the condition was present at some time in [asOfDay - days, asOfDay]: current, or with onset or abatement
 * in the window. Undefined when a past condition carries no dates to place it.
 */
export function presentWithin(hit: ConditionHit, asOfDay: number, days: number): boolean | undefined {
  if (isCurrentOn(hit, asOfDay)) return true;
  const { condition, statuslessDays } = hit;
  const from = asOfDay - days;
  // Taken as over (definitions.statuslessConditions): it ran to the last day it is taken as current.
  const onsetDay = toDayNumber(condition.onset ?? condition.recordedDate);
  const lastDay = statuslessDays === undefined || onsetDay === undefined ? undefined : onsetDay + statuslessDays.value;
  const abated = toDayNumber(condition.abatement, 'end') ?? lastDay;
  if (abated !== undefined) return abated >= from;
  const onset = toDayNumber(condition.onset ?? condition.recordedDate);
  if (onset !== undefined && onset >= from) return true;
  return undefined;
}
