/**
 * Definition 6, `pregnancy`: a current pregnancy or breastfeeding Condition; a positive pregnancy test (qualitative
 * hCG, or a pregnancy-status observation answered "pregnant") within the test window (280 days [U]) that no later
 * negative test and no recorded outcome (delivery, miscarriage, termination, on or after the test's day) follows; or
 * a breastfeeding-status observation answered yes as the most recent one in its window (90 days): a yes or no code
 * (breastfeedingYesCodeSets, the screens' negativeCodeSets), a boolean, or text read as the screens read it
 * (textOutcome: "Yes", "yes - exclusively", "No"), as a valueString or a concept's text. An answer that reads as neither
 * is not "not breastfeeding": it decides nothing, never undoes an older yes, and the issue
 * `pathway.breastfeeding.unreadable` names it when it is the newest. A same-day negative
 * without a time that orders it is not "later", so it never cancels a positive. A quantitative hCG without an
 * interpretation is not read either way (hCG cut-offs depend on the assay and gestation), and a positive test older
 * than the window is not taken as a current pregnancy: both are reported as issues.
 */
import type { ContraindicationRule } from '../knowledge/schema-pathway.ts';
import type { ObservationFact } from '../record/index.ts';
import { conditionsFound, isRecordedHistory, whyConditionNotCurrent } from './conditions.ts';
import { dayOf, noteIssue, useThreshold, windowStart } from './context.ts';
import type { EngineContext } from './context.ts';
import type { Contraindication, ScreenOutcome, ScreenResult } from './facts.ts';
import { screenOutcome, textOutcome } from './labs.ts';
import { inAnySet } from './lookups.ts';
import { carriesValue, findObservations, isoDay, latestTies, observationsInSets } from './observations.ts';
import type { DatedObservation } from './observations.ts';

type PregnancyRule = Extract<ContraindicationRule, { predicate: 'pregnancy' }>;
type Found = Omit<Contraindication, 'code' | 'title' | 'citation'>;

function testOutcome(ctx: EngineContext, rule: PregnancyRule, obs: ObservationFact): ScreenOutcome {
  const v = obs.value;
  if (v?.kind === 'concept' && inAnySet(ctx, rule.pregnantAnswerCodeSets, v.concept)) return 'positive';
  return screenOutcome(ctx, obs);
}

function isLater(a: DatedObservation, b: DatedObservation): boolean {
  return (
    a.day > b.day || (a.day === b.day && a.instant !== undefined && b.instant !== undefined && a.instant > b.instant)
  );
}

/** The first recorded pregnancy outcome on or after `day` (and on or before the as-of date), if any. */
function outcomeFrom(ctx: EngineContext, rule: PregnancyRule, day: number): { ref: string; date: string } | undefined {
  for (const c of ctx.record.conditions) {
    const date = c.onset ?? c.recordedDate;
    const d = dayOf(date, 'start');
    if (d === undefined || d < day || !isRecordedHistory(c, ctx.asOfDay)) continue;
    if (inAnySet(ctx, rule.outcomeCodeSets, c.code)) return { ref: c.ref, date: (date ?? '').slice(0, 10) };
  }
  for (const p of ctx.record.procedures) {
    const d = dayOf(p.performed, 'start');
    if (d === undefined || d < day || d > ctx.asOfDay) continue;
    if (p.status === 'entered-in-error' || p.status === 'not-done') continue;
    if (inAnySet(ctx, rule.outcomeCodeSets, p.code)) return { ref: p.ref, date: (p.performed ?? '').slice(0, 10) };
  }
  return undefined;
}

/**
 * Whether a test that reads as neither way on `day` is settled by a decided test (positive or negative) on the same day
 * or later: the one rule for its issue (positiveTest) and its work-up item (undecidedPregnancyTest).
 */
function settledLater(read: readonly { t: DatedObservation; outcome: ScreenOutcome }[], day: number): boolean {
  return read.some((r) => r.outcome !== 'indeterminate' && r.t.day >= day);
}

function positiveTest(ctx: EngineContext, rule: PregnancyRule): Found | undefined {
  // Most records carry no pregnancy test: the per-set list answers that without building the sorted selection.
  if (observationsInSets(ctx, rule.testCodeSets).length === 0) return undefined;
  const tests = findObservations(ctx, rule.testCodeSets, ctx.pathway.definitions.labs.validStatuses).usable;
  if (tests.length === 0) return undefined;
  const windowDays = useThreshold(ctx, 'pregnancy-test window (days)', rule.testWindowDays);
  const from = windowStart(ctx.asOfDay, rule.testWindowDays);
  const read = tests.map((t) => ({ t, outcome: testOutcome(ctx, rule, t.obs) }));
  for (const { t, outcome } of read) {
    if (outcome === 'indeterminate' && t.day >= from && !settledLater(read, t.day)) {
      noteIssue(
        ctx,
        'pathway.pregnancy-test.undecided',
        `pregnancy test on ${isoDay(t.obs)} is neither positive nor negative (a quantitative hCG needs an interpretation): not used`,
        t.obs.ref,
      );
    }
  }
  const positive = read.find((r) => r.outcome === 'positive')?.t;
  if (positive === undefined) return undefined;
  if (read.some((r) => r.outcome === 'negative' && isLater(r.t, positive))) return undefined;
  if (outcomeFrom(ctx, rule, positive.day) !== undefined) return undefined;
  if (positive.day >= from)
    return { detail: `positive pregnancy test on ${isoDay(positive.obs)}`, evidence: [positive.obs.ref] };
  noteIssue(
    ctx,
    'pathway.pregnancy-test.stale',
    `positive pregnancy test on ${isoDay(positive.obs)} is older than the ${windowDays}-day window and no outcome is recorded: not taken as a current pregnancy (confirm the pregnancy status)`,
    positive.obs.ref,
  );
  return undefined;
}

/**
 * The newest pregnancy test in the window that reads as neither positive nor negative (a quantitative hCG without an
 * interpretation), when no decided test on the same day or later settles the question: the work-up item
 * `pregnancy-test` asks for its result (definition 8). A test with no value and no interpretation is not a result.
 */
export function undecidedPregnancyTest(ctx: EngineContext, rule: PregnancyRule): string | undefined {
  if (observationsInSets(ctx, rule.testCodeSets).length === 0) return undefined;
  const from = windowStart(ctx.asOfDay, rule.testWindowDays);
  const read = findObservations(ctx, rule.testCodeSets, ctx.pathway.definitions.labs.validStatuses, from)
    .usable.filter(({ obs }) => carriesValue(obs) || obs.interpretation.length > 0)
    .map((t) => ({ t, outcome: testOutcome(ctx, rule, t.obs) }));
  const undecided = read.find((r) => r.outcome === 'indeterminate');
  if (undecided === undefined) return undefined;
  return settledLater(read, undecided.t.day) ? undefined : undecided.t.obs.ref;
}

/**
 * The newest pregnancy test in the window (`testWindowDays`) when it reads as negative and no test of the same day
 * that times cannot order reads as positive (ClinicalFacts.negativePregnancyTest): a trial's pregnancy exclusion
 * names it rather than asking for a test. A test that reads as neither is passed over (the issue
 * `pathway.pregnancy-test.undecided` names it). Read only when the pregnancy contraindication is not found (derive.ts),
 * so after positiveTest has read every test and noted what it relied on.
 */
export function negativePregnancyTest(
  ctx: EngineContext,
  rule: PregnancyRule,
): Pick<ScreenResult, 'date' | 'source'> | undefined {
  if (observationsInSets(ctx, rule.testCodeSets).length === 0) return undefined;
  const from = windowStart(ctx.asOfDay, rule.testWindowDays);
  const decided = findObservations(ctx, rule.testCodeSets, ctx.pathway.definitions.labs.validStatuses, from)
    .usable.map((t) => ({ ...t, outcome: testOutcome(ctx, rule, t.obs) }))
    .filter((t) => t.outcome !== 'indeterminate');
  const newest = latestTies(decided);
  const negative = newest[0];
  if (negative === undefined || newest.some((t) => t.outcome !== 'negative')) return undefined;
  return { date: isoDay(negative.obs), source: negative.obs.ref };
}

type BreastfeedingAnswer = 'yes' | 'no' | 'unreadable';

/** A breastfeeding-status answer: a yes or no code, a boolean, or text (a valueString, or a concept's text). */
function breastfeedingAnswer(ctx: EngineContext, rule: PregnancyRule, obs: ObservationFact): BreastfeedingAnswer {
  const v = obs.value;
  if (v?.kind === 'boolean') return v.value ? 'yes' : 'no';
  let text: string | undefined;
  if (v?.kind === 'concept') {
    if (inAnySet(ctx, rule.breastfeedingYesCodeSets, v.concept)) return 'yes';
    if (inAnySet(ctx, ctx.pathway.definitions.screens.negativeCodeSets, v.concept)) return 'no';
    text = v.concept.text;
  } else if (v?.kind === 'string') text = v.text;
  const outcome = text === undefined ? 'indeterminate' : textOutcome(text);
  return outcome === 'positive' ? 'yes' : outcome === 'negative' ? 'no' : 'unreadable';
}

/** The breastfeeding-status answers in the window, newest first, and the newest decided ones (same-day ties). */
function breastfeedingAnswers(ctx: EngineContext, rule: PregnancyRule, from: number) {
  const answers = findObservations(
    ctx,
    rule.breastfeedingObservationCodeSets,
    ctx.pathway.definitions.labs.validStatuses,
    from,
  ).usable.map((a) => ({ ...a, answer: breastfeedingAnswer(ctx, rule, a.obs) }));
  // The most recent decided answer decides; among same-day answers times cannot order, a "yes" wins (the safe reading).
  return { answers, decided: latestTies(answers.filter((a) => a.answer !== 'unreadable')) };
}

/**
 * The newest decided breastfeeding-status answer in its window (`breastfeedingWindowDays`) when it is "no", with no
 * same-day "yes" that times cannot order (ClinicalFacts.notBreastfeeding): a trial's pregnancy exclusion names it
 * rather than asking. Read, as negativePregnancyTest, only when the pregnancy contraindication is not found.
 */
export function notBreastfeedingAnswer(
  ctx: EngineContext,
  rule: PregnancyRule,
): Pick<ScreenResult, 'date' | 'source'> | undefined {
  if (observationsInSets(ctx, rule.breastfeedingObservationCodeSets).length === 0) return undefined;
  const { decided } = breastfeedingAnswers(ctx, rule, windowStart(ctx.asOfDay, rule.breastfeedingWindowDays));
  const no = decided[0];
  if (no === undefined || decided.some((a) => a.answer !== 'no')) return undefined;
  return { date: isoDay(no.obs), source: no.obs.ref };
}

function breastfeedingObservation(ctx: EngineContext, rule: PregnancyRule): Found | undefined {
  if (observationsInSets(ctx, rule.breastfeedingObservationCodeSets).length === 0) return undefined;
  useThreshold(ctx, 'breastfeeding observation window (days)', rule.breastfeedingWindowDays);
  const from = windowStart(ctx.asOfDay, rule.breastfeedingWindowDays);
  const { answers, decided } = breastfeedingAnswers(ctx, rule, from);
  const newest = decided[0];
  const unreadable = answers.filter((a) => a.answer === 'unreadable' && (newest === undefined || !isLater(newest, a)));
  const first = unreadable[0];
  if (first !== undefined) {
    noteIssue(
      ctx,
      'pathway.breastfeeding.unreadable',
      `breastfeeding status on ${isoDay(first.obs)} reads as neither yes nor no (no code, boolean or text the pathway knows)` +
        `${newest === undefined ? '' : `, after the answer of ${isoDay(newest.obs)}`}: not taken as "not breastfeeding"; ask again`,
      first.obs.ref,
    );
  }
  const yes = decided.find((a) => a.answer === 'yes');
  return yes === undefined
    ? undefined
    : { detail: `breastfeeding recorded on ${isoDay(yes.obs)}`, evidence: [yes.obs.ref] };
}

export function findPregnancy(ctx: EngineContext, rule: PregnancyRule): Found | undefined {
  const conditions = ctx.record.conditions.filter(
    (c) => inAnySet(ctx, rule.codeSets, c.code) && whyConditionNotCurrent(ctx, c) === undefined,
  );
  if (conditions.length > 0) return conditionsFound('active pregnancy or breastfeeding condition recorded', conditions);
  return positiveTest(ctx, rule) ?? breastfeedingObservation(ctx, rule);
}
