/**
 * Safety labs (definitions 6 and 8): the most recent result per analyte in the lab window, converted to the pathway
 * unit; and the qualitative screens (latent TB, hepatitis B surface antigen), most recent on or before the as-of date.
 * The most recent result decides: if its unit cannot be converted the analyte counts as not measured (and is listed
 * in the missing work-up) rather than falling back to an older value.
 */
import type { ObservationFact } from '../record/index.ts';
import { noteIssue, useThreshold } from './context.ts';
import type { EngineContext } from './context.ts';
import type { LabAnalyte, LabResult, ScreenOutcome, ScreenResult } from './facts.ts';
import { inAnySet } from './lookups.ts';
import { convert, describeQuantity, findObservations, isoDay } from './observations.ts';

export const LAB_ANALYTES: readonly LabAnalyte[] = ['anc', 'platelets', 'alt', 'ast'];

export function deriveLabs(ctx: EngineContext): Partial<Record<LabAnalyte, LabResult>> {
  const def = ctx.pathway.definitions.labs;
  const windowDays = useThreshold(ctx, 'safety-lab window (days)', def.windowDays);
  const labs: Partial<Record<LabAnalyte, LabResult>> = {};
  for (const analyte of LAB_ANALYTES) {
    const a = def.analytes[analyte];
    const latest = findObservations(ctx, a.codeSets, def.validStatuses, windowDays).usable.find(
      ({ obs }) => obs.value?.kind === 'quantity',
    );
    if (latest === undefined || latest.obs.value?.kind !== 'quantity') continue;
    const q = latest.obs.value.quantity;
    const converted = convert(q, a.unit);
    if (!converted.ok) {
      noteIssue(
        ctx,
        'pathway.lab.unit',
        `${analyte} ${describeQuantity(q)} cannot be converted to ${a.unit}: ${converted.reason}`,
        latest.obs.ref,
      );
      continue;
    }
    const uln = upperLimit(latest.obs, a.unit);
    labs[analyte] = {
      analyte,
      value: converted.value,
      unit: a.unit,
      comparator: q.comparator,
      date: isoDay(latest.obs),
      source: latest.obs.ref,
      upperLimitOfNormal: uln,
    };
  }
  return labs;
}

function upperLimit(obs: ObservationFact, unit: string): number | undefined {
  for (const range of obs.referenceRange) {
    if (range.high === undefined) continue;
    const r = convert(range.high, unit);
    if (r.ok && r.value > 0) return r.value;
  }
  return undefined;
}

const NEGATIVE_TEXT = /^\s*(neg|negative|not detected|non-?reactive|absent)\b/i;
const POSITIVE_TEXT = /^\s*(pos|positive|detected|reactive|present)\b/i;

/** Positive, negative or indeterminate, from a coded or text value, a boolean, or an interpretation code. */
export function screenOutcome(ctx: EngineContext, obs: ObservationFact): ScreenOutcome {
  const s = ctx.pathway.definitions.screens;
  const v = obs.value;
  if (v?.kind === 'concept') {
    if (inAnySet(ctx, s.positiveCodeSets, v.concept)) return 'positive';
    if (inAnySet(ctx, s.negativeCodeSets, v.concept)) return 'negative';
  } else if (v?.kind === 'string') {
    if (NEGATIVE_TEXT.test(v.text)) return 'negative';
    if (POSITIVE_TEXT.test(v.text)) return 'positive';
  } else if (v?.kind === 'boolean') {
    return v.value ? 'positive' : 'negative';
  }
  for (const c of obs.interpretation) {
    if (inAnySet(ctx, s.positiveCodeSets, c)) return 'positive';
    if (inAnySet(ctx, s.negativeCodeSets, c)) return 'negative';
  }
  return 'indeterminate';
}

function latestScreen(ctx: EngineContext, codeSets: readonly string[]): ScreenResult | undefined {
  const latest = findObservations(ctx, codeSets, ctx.pathway.definitions.labs.validStatuses).usable[0];
  if (latest === undefined) return undefined;
  return { outcome: screenOutcome(ctx, latest.obs), date: isoDay(latest.obs), source: latest.obs.ref };
}

export function deriveScreens(ctx: EngineContext): {
  latentTb?: ScreenResult;
  hepatitisBSurfaceAntigen?: ScreenResult;
} {
  const s = ctx.pathway.definitions.screens;
  const latentTb = latestScreen(ctx, s.latentTbCodeSets);
  const hbsag = latestScreen(ctx, s.hepatitisBSurfaceAntigenCodeSets);
  return { latentTb, hepatitisBSurfaceAntigen: hbsag };
}
