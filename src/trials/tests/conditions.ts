/** Diagnosis tests: a current diagnosis (inclusion), no history of a condition, no recent infection (exclusions). */
import type { ConditionFact } from '../../record/index.ts';
import type { CriterionTest } from '../schema.ts';
import { unverifiedEntry } from '../../knowledge/index.ts';
import type { MatchContext, TestOutcome } from '../context.ts';
import { undecided, unverifiedNote } from '../context.ts';
import { conditionsInSets, isCurrentOn, presentWithin } from '../conditions.ts';
import type { ConditionHit } from '../conditions.ts';
import { inSentence } from '../sentence.ts';
import { conditionLabel } from '../../pathway/conditions.ts';

type DiagnosisIn = Extract<CriterionTest, { type: 'diagnosis-in' }>;
type NoConditionIn = Extract<CriterionTest, { type: 'no-condition-in' }>;
type NoInfectionWithin = Extract<CriterionTest, { type: 'no-infection-within' }>;

/** The [U] note when the decisive condition matched an unverified code. */
const notesOf = (ctx: MatchContext, hit: ConditionHit): { unverifiedNotes?: string[] } => {
  const u = unverifiedEntry(ctx.knowledge, hit.match);
  return u === undefined ? {} : { unverifiedNotes: [unverifiedNote(u)] };
};

/**
 * Why the care pathway does not count a condition of its depression code sets as current depression (definition 1:
 * an episode ended by a later remission code, src/pathway/depression.ts), or undefined. Only for a criterion on one of
 * those sets: the trial's "current depression" is then the pathway's, never a second reading.
 */
function notDepressionBecause(ctx: MatchContext, codeSet: string, condition: ConditionFact): string | undefined {
  if (!ctx.knowledge.pathway.definitions.depression.codeSets.includes(codeSet)) return undefined;
  return ctx.facts.depression.excluded.find((e) => e.source === condition.ref)?.reason;
}

export function diagnosisIn(ctx: MatchContext, test: DiagnosisIn): TestOutcome {
  const hits = conditionsInSets(ctx, [test.codeSet]);
  if (hits.length === 0) {
    // No Condition of the set at all: the record's silence (a diagnosis kept in letters, or coded elsewhere) is not a
    // finding that the patient has none, so the criterion asks for it, never "not met" (docs/trial-criteria.md).
    const title = ctx.knowledge.codeSets.get(test.codeSet)?.title ?? test.codeSet;
    return undecided(
      `No diagnosis in ${test.codeSet} recorded (${inSentence(title)})`,
      `a current, confirmed diagnosis (${test.codeSet}): none is coded in the record`,
    );
  }
  const ended: string[] = [];
  const current = hits.filter((h) => {
    if (!isCurrentOn(h, ctx.asOfDay)) return false;
    const why = notDepressionBecause(ctx, test.codeSet, h.condition);
    if (why !== undefined) ended.push(`${conditionLabel(h.condition)}: ${why}`);
    return why === undefined;
  });
  const confirmed = current.find((h) => h.confirmed);
  if (confirmed !== undefined) {
    return {
      holds: true,
      reason: `Current diagnosis ${conditionLabel(confirmed.condition)}`,
      evidence: [confirmed.condition.ref],
      ...notesOf(ctx, confirmed),
    };
  }
  const tentative = current[0];
  if (tentative !== undefined) {
    return {
      holds: undefined,
      reason: `Diagnosis ${conditionLabel(tentative.condition)} is ${tentative.condition.verificationStatus ?? 'unconfirmed'}`,
      evidence: [tentative.condition.ref],
      collect: `confirmed diagnosis (${test.codeSet})`,
    };
  }
  const past = hits.map((h) => h.condition);
  const notCurrent = hits
    .filter((h) => !isCurrentOn(h, ctx.asOfDay))
    .map((h) => `${conditionLabel(h.condition)} not current`);
  const notes = [...ended, ...notCurrent];
  const pastNote = notes.length > 0 ? ` (${notes.join('; ')})` : '';
  return {
    holds: false,
    reason: `No current diagnosis in ${test.codeSet}${pastNote}`,
    evidence: past.map((c) => c.ref),
  };
}

/** Shared by the history and infection tests: present in the window (or ever, when no window) fails the test. */
function noneWithin(
  ctx: MatchContext,
  codeSets: readonly string[],
  days: number | undefined,
  what: string,
): TestOutcome {
  const hits = conditionsInSets(ctx, codeSets);
  const when = days === undefined ? 'current or past' : `in the last ${days} days`;
  let undated: ConditionFact | undefined;
  let tentative: ConditionHit | undefined;
  /** Recorded, but over before the window (a self-harm 7 months ago against 6 months): named, never silence. */
  const before: ConditionFact[] = [];
  for (const h of hits) {
    const present = days === undefined ? true : presentWithin(h, ctx.asOfDay, days);
    if (present === undefined) {
      undated ??= h.condition;
    } else if (!present) {
      before.push(h.condition);
    } else {
      if (h.confirmed) {
        return {
          holds: false,
          reason: `${conditionLabel(h.condition)} (${when})`,
          evidence: [h.condition.ref],
          ...notesOf(ctx, h),
        };
      }
      tentative ??= h;
    }
  }
  if (tentative !== undefined) {
    return {
      holds: undefined,
      reason: `${conditionLabel(tentative.condition)} is ${tentative.condition.verificationStatus ?? 'unconfirmed'}`,
      evidence: [tentative.condition.ref],
      collect: `confirm or refute ${conditionLabel(tentative.condition)}`,
      ...notesOf(ctx, tentative),
    };
  }
  if (undated !== undefined) {
    return {
      holds: undefined,
      reason: `${conditionLabel(undated)} recorded without dates to place it in the last ${days ?? 0} days`,
      evidence: [undated.ref],
      collect: `dates of ${conditionLabel(undated)}`,
    };
  }
  // An old condition taken as over by the pathway's [U] days (recorded without a status or end) is said, as in assess.
  const statusless = hits.flatMap((h) =>
    h.statuslessDays === undefined || h.statuslessDays.verified ? [] : [h.statuslessDays.value],
  );
  // With its end when the record gives one (the evidence's date is the onset): what places it before the window.
  const ended = (c: ConditionFact): string =>
    c.abatement !== undefined && /^\d{4}-\d{2}-\d{2}/.test(c.abatement)
      ? `${conditionLabel(c)}, ended ${c.abatement.slice(0, 10)}`
      : conditionLabel(c);
  const beforeText = before.length === 0 ? '' : `; recorded before the window: ${before.map(ended).join(', ')}`;
  return {
    holds: true,
    bySilence: true,
    reason: `No ${what} recorded (${when})${beforeText}`,
    evidence: before.map((c) => c.ref),
    collect: `history of ${what} (${when})`,
    ...(statusless.length === 0
      ? {}
      : {
          unverifiedNotes: [
            `a condition recorded without a status or end is taken as over ${statusless[0]} days after its onset [U] (definitions.statuslessConditions)`,
          ],
        }),
  };
}

export function noConditionIn(ctx: MatchContext, test: NoConditionIn): TestOutcome {
  const title = ctx.knowledge.codeSets.get(test.codeSet)?.title ?? test.codeSet;
  return noneWithin(ctx, [test.codeSet], test.withinDays, inSentence(title));
}

/** The default infection set is the one behind the care pathway's `active-infection` contraindication. */
export function noInfectionWithin(ctx: MatchContext, test: NoInfectionWithin): TestOutcome {
  const rule = ctx.knowledge.pathway.contraindications.find((c) => c.code === 'active-infection');
  const pathwaySets = rule !== undefined && 'codeSets' in rule ? rule.codeSets : [];
  const codeSets = test.codeSet === undefined ? pathwaySets : [test.codeSet];
  if (codeSets.length === 0) {
    return { holds: undefined, reason: 'No infection code set to check', evidence: [], collect: 'infection history' };
  }
  return noneWithin(ctx, codeSets, test.days, 'infection');
}
