/**
 * Definition 6 `tuberculosis` (docs/care-pathway.md): active TB, or untreated latent TB. Latent TB is a current latent-TB
 * Condition or a positive IGRA / tuberculin test (the latest screen); it is treated when a course of isoniazid,
 * rifampicin or rifapentine that counts as an exposure (definition 2, medication-use.ts) started on or after the first
 * positive result or diagnosis and on or before the as-of date, and either was completed by the as-of date or is
 * current and has run at least `minRunningDays`. Not-taken, cancelled, entered-in-error, future, unconfirmed and
 * stopped-early records never count. Tests stay positive after treatment: a later positive result does not undo it.
 */
import type { ContraindicationRule } from '../knowledge/schema-pathway.ts';
import { whyConditionNotCurrent } from './conditions.ts';
import { dayOf, isoDate, sortInPlace, useThreshold } from './context.ts';
import type { EngineContext } from './context.ts';
import type { Contraindication, ScreenResult } from './facts.ts';
import { screenOutcome } from './labs.ts';
import { inAnySet } from './lookups.ts';
import { inMedicationSets, medicationUses } from './medication-use.ts';
import type { MedicationUse } from './medication-use.ts';
import { findObservations } from './observations.ts';

type TbRule = Extract<ContraindicationRule, { predicate: 'tuberculosis' }>;
type Found = Omit<Contraindication, 'code' | 'title' | 'citation'>;

/** The first day latent TB was shown: the earliest positive screen or latent-TB Condition. */
function firstPositiveDay(ctx: EngineContext, latentConditions: readonly { onsetDay?: number }[]): number | undefined {
  let first: number | undefined;
  const s = ctx.pathway.definitions.screens;
  for (const { obs, day } of findObservations(ctx, s.latentTbCodeSets, ctx.pathway.definitions.labs.validStatuses)
    .usable) {
    if (screenOutcome(ctx, obs) === 'positive' && (first === undefined || day < first)) first = day;
  }
  for (const c of latentConditions) {
    if (c.onsetDay !== undefined && (first === undefined || c.onsetDay < first)) first = c.onsetDay;
  }
  return first;
}

interface Treatment {
  readonly treated: boolean;
  readonly note?: string;
  readonly evidence: readonly string[];
}

/** Documented latent-TB treatment started on or after `fromDay` (undefined: no dated positive, any start counts). */
function documentedTreatment(ctx: EngineContext, rule: TbRule, fromDay: number | undefined): Treatment {
  const courses: MedicationUse[] = [];
  for (const u of medicationUses(ctx)) {
    if (u.ignored !== undefined || u.unconfirmed || u.startDay === undefined) continue;
    if (fromDay !== undefined && u.startDay < fromDay) continue;
    if (!inMedicationSets(ctx, rule.treatmentCodeSets, u.fact)) continue;
    // A completed treatment is a statement or order marked completed that ended by the as-of date; a dispense's or
    // administration's `completed` only says one supply was handed over or one dose given, so those count as course
    // records (current and running long enough), not as a completed treatment.
    const treatmentRecord = u.fact.kind === 'statement' || u.fact.kind === 'request';
    const completed =
      treatmentRecord &&
      u.fact.status === 'completed' &&
      u.unverified === undefined &&
      u.knownEndDay !== undefined &&
      u.knownEndDay <= ctx.asOfDay;
    if (completed) return { treated: true, evidence: [u.fact.ref] };
    if (u.endDay !== undefined || u.current) courses.push(u);
  }
  if (courses.length === 0) return { treated: false, evidence: [] };
  // Records of one course (monthly dispenses, a renewed order) join like antidepressant exposures do.
  sortInPlace(courses, (a, b) => (a.startDay ?? 0) - (b.startDay ?? 0));
  const gap = ctx.pathway.definitions.exposure.maxGapDays;
  const minRun = useThreshold(ctx, 'latent-TB treatment: minimum days running', rule.minRunningDays);
  let best: Treatment = { treated: false, evidence: [] };
  let course: { start: number; end: number; current: boolean; refs: string[] } | undefined;
  const judgeCourse = (c: NonNullable<typeof course>): void => {
    if (!c.current || best.treated) return;
    // Days are counted inclusively: a course started today has run 1 day.
    const running = ctx.asOfDay - c.start + 1;
    const enough = rule.minRunningDays.inclusive ? running >= minRun : running > minRun;
    best = enough
      ? { treated: true, evidence: c.refs }
      : {
          treated: false,
          note: `treatment started ${isoDate(c.start)} has run ${running} days, fewer than ${minRun}`,
          evidence: c.refs,
        };
  };
  for (const u of courses) {
    const start = u.startDay ?? ctx.asOfDay;
    // A current record of unknown duration (an open order without a supply) runs to the as-of date.
    const end = u.endDay ?? ctx.asOfDay;
    const g = course === undefined ? 0 : start - course.end - 1;
    if (course !== undefined && (gap.inclusive ? g <= gap.value : g < gap.value)) {
      course.end = Math.max(course.end, end);
      course.current ||= u.current;
      course.refs.push(u.fact.ref);
    } else {
      if (course !== undefined) judgeCourse(course);
      course = { start, end, current: u.current, refs: [u.fact.ref] };
    }
  }
  if (course !== undefined) judgeCourse(course);
  return best;
}

export function findTuberculosis(
  ctx: EngineContext,
  rule: TbRule,
  latest: ScreenResult | undefined,
): Found | undefined {
  const active = ctx.record.conditions
    .filter((c) => inAnySet(ctx, rule.activeCodeSets, c.code) && whyConditionNotCurrent(ctx, c) === undefined)
    .map((c) => c.ref);
  if (active.length > 0) return { detail: 'active tuberculosis recorded', evidence: active };
  const latent = ctx.record.conditions
    .filter((c) => inAnySet(ctx, rule.latentCodeSets, c.code) && whyConditionNotCurrent(ctx, c) === undefined)
    .map((c) => ({ ref: c.ref, onsetDay: dayOf(c.onset ?? c.recordedDate, 'start') }));
  const positive = latest?.outcome === 'positive' ? latest : undefined;
  if (latent.length === 0 && positive === undefined) return undefined;
  const treatment = documentedTreatment(ctx, rule, firstPositiveDay(ctx, latent));
  if (treatment.treated) return undefined;
  const shown = [
    ...(positive === undefined ? [] : [`positive latent-TB screen on ${positive.date}`]),
    ...(latent.length === 0 ? [] : ['latent TB infection recorded']),
  ].join(' and ');
  return {
    detail: `${shown} with no documented treatment${treatment.note === undefined ? '' : ` (${treatment.note})`}`,
    evidence: [
      ...(positive === undefined ? [] : [positive.source]),
      ...latent.map((c) => c.ref),
      ...treatment.evidence,
    ],
  };
}
