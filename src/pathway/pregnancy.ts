/**
 * Definition 6, `pregnancy`: a current pregnancy or breastfeeding Condition, or a positive pregnancy test (qualitative
 * hCG, or a pregnancy-status observation answered "pregnant") within the test window. Like the other lab-based
 * contraindications, the most recent decided result in the window counts, so a later negative test overrides an
 * earlier positive one. A quantitative hCG without an interpretation is not read either way (hCG cut-offs depend on
 * the assay and gestation), and a positive test older than the window is not taken as a current pregnancy: both are
 * reported as issues so the clinician can confirm the pregnancy status.
 */
import type { ContraindicationRule } from '../knowledge/schema-pathway.ts';
import type { ObservationFact } from '../record/index.ts';
import { whyNotCurrent } from './conditions.ts';
import { noteIssue, useThreshold } from './context.ts';
import type { EngineContext } from './context.ts';
import type { Contraindication, ScreenOutcome } from './facts.ts';
import { screenOutcome } from './labs.ts';
import { inAnySet } from './lookups.ts';
import { findObservations, isoDay, observationsInSets } from './observations.ts';

type PregnancyRule = Extract<ContraindicationRule, { predicate: 'pregnancy' }>;
type Found = Omit<Contraindication, 'code' | 'title' | 'citation'>;

function testOutcome(ctx: EngineContext, rule: PregnancyRule, obs: ObservationFact): ScreenOutcome {
  const v = obs.value;
  if (v?.kind === 'concept' && inAnySet(ctx, rule.pregnantAnswerCodeSets, v.concept)) return 'positive';
  return screenOutcome(ctx, obs);
}

export function findPregnancy(ctx: EngineContext, rule: PregnancyRule): Found | undefined {
  const conditions = ctx.record.conditions
    .filter((c) => inAnySet(ctx, rule.codeSets, c.code) && whyNotCurrent(c, ctx.asOfDay) === undefined)
    .map((c) => c.ref);
  if (conditions.length > 0) return { detail: 'active condition recorded', evidence: conditions };
  // Most records carry no pregnancy test: the per-set list answers that without building the sorted selection.
  if (observationsInSets(ctx, rule.testCodeSets).length === 0) return undefined;
  const tests = findObservations(ctx, rule.testCodeSets, ctx.pathway.definitions.labs.validStatuses).usable;
  if (tests.length === 0) return undefined;
  const windowDays = useThreshold(ctx, 'pregnancy-test window (days)', rule.testWindowDays);
  const from = ctx.asOfDay - windowDays;
  for (const { obs, day } of tests) {
    const outcome = testOutcome(ctx, rule, obs);
    if (outcome === 'indeterminate') {
      if (day < from) continue;
      noteIssue(
        ctx,
        'pathway.pregnancy-test.undecided',
        `pregnancy test on ${isoDay(obs)} is neither positive nor negative (a quantitative hCG needs an interpretation): not used`,
        obs.ref,
      );
      continue;
    }
    if (outcome === 'negative') return undefined;
    if (day >= from) return { detail: `positive pregnancy test on ${isoDay(obs)}`, evidence: [obs.ref] };
    noteIssue(
      ctx,
      'pathway.pregnancy-test.stale',
      `positive pregnancy test on ${isoDay(obs)} is older than the ${windowDays}-day window: not taken as a current pregnancy (confirm the pregnancy status)`,
      obs.ref,
    );
    return undefined;
  }
  return undefined;
}
