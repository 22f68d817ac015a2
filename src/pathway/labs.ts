/**
 * Safety labs (definitions 6 and 8): the most recent result per analyte in the lab window, converted to the pathway
 * unit; and the qualitative screens (latent TB, hepatitis B surface antigen and core antibody), which do not expire.
 * The most recent result decides: if its unit cannot be converted the analyte counts as not measured (and is listed
 * in the missing work-up) rather than falling back to an older value.
 */
import { systemRule } from '../knowledge/index.ts';
import type { ObservationFact, Quantity, ReferenceRange, Writable } from '../record/index.ts';
import { ageOn, byRef, noteIssue, sortInPlace, useThreshold, windowStart } from './context.ts';
import type { EngineContext } from './context.ts';
import type {
  LabAnalyte,
  LabResult,
  ScreenOutcome,
  ScreenResult,
  UnverifiedItem,
  UpperLimitOfNormalUsed,
} from './facts.ts';
import { inAnySet, matchIn, useHit } from './lookups.ts';
import { implausible } from './plausibility.ts';
import {
  carriesValue,
  convert,
  convertNoting,
  describeQuantity,
  findObservations,
  isoDay,
  latestWithValue,
  newestFirst,
  observationsInSets,
  statusSet,
} from './observations.ts';
import type { DatedObservation } from './observations.ts';

/** A safety lab as sentences name it ("platelets 85 x10^9/L on ...", "ANC 1.6 x10^9/L"): acronyms upper case. */
export const LAB_LABEL: Readonly<Record<LabAnalyte, string>> = {
  anc: 'ANC',
  platelets: 'platelets',
  alt: 'ALT',
  ast: 'AST',
};

export const LAB_ANALYTES: readonly LabAnalyte[] = ['anc', 'platelets', 'alt', 'ast'];

/**
 * Which way a value is worse, from the contraindication that reads the analyte: lower for a `lab-below` rule
 * (ANC, platelets), higher for `lab-above-uln` (ALT, AST). Same-day results that times cannot order are resolved to
 * the worse one, so a conflict never hides a contraindication (docs/care-pathway.md definition 6; docs/care-pathway.md).
 */
function worseIsLower(ctx: EngineContext, analyte: LabAnalyte): boolean {
  return ctx.pathway.contraindications.some((c) => c.predicate === 'lab-below' && c.analyte === analyte);
}

export function deriveLabs(ctx: EngineContext): {
  labs: Partial<Record<LabAnalyte, LabResult>>;
  unverified: Partial<Record<LabAnalyte, readonly UnverifiedItem[]>>;
} {
  const labs: Partial<Record<LabAnalyte, LabResult>> = {};
  // Per analyte, the unverified values reading its result relied on (an unverified code, the unit labels, a plausible
  // range), so that a rule deciding on the result rests on them too (deriveContraindications).
  const unverified: Partial<Record<LabAnalyte, readonly UnverifiedItem[]>> = {};
  const def = ctx.pathway.definitions.labs;
  useThreshold(ctx, 'safety-lab window (days)', def.windowDays);
  for (const analyte of LAB_ANALYTES) {
    const collector: UnverifiedItem[] = [];
    ctx.collectors.push(collector);
    let result: LabResult | undefined;
    try {
      result = deriveLab(ctx, analyte);
    } finally {
      ctx.collectors.pop();
    }
    if (result === undefined) continue;
    labs[analyte] = result;
    if (collector.length > 0) unverified[analyte] = collector;
  }
  return { labs, unverified };
}

/** The result of one analyte that decides (definition 6), else undefined; issues and unverified values noted. */
function deriveLab(ctx: EngineContext, analyte: LabAnalyte): LabResult | undefined {
  const def = ctx.pathway.definitions.labs;
  const from = windowStart(ctx.asOfDay, def.windowDays);
  const a = def.analytes[analyte];
  // A result with no value at all (dataAbsentReason) says nothing about the patient and is passed over; one with a
  // value that is not a number (text such as "0.8 x10^9/L", a concept) is a newer result the pathway cannot read.
  const found = findObservations(ctx, a.codeSets, def.validStatuses, from);
  const ties = latestWithValue(found.usable);
  noteNewerNotValid(ctx, analyte, found.notValid, ties[0], def.validStatuses);
  let chosen: LabResult | undefined;
  let unconvertible = false;
  for (const { obs, day } of ties) {
    if (obs.value?.kind !== 'quantity') {
      noteIssue(
        ctx,
        'pathway.lab.unreadable',
        `the most recent ${analyte} result (${isoDay(obs)}) has no numeric value: counted as not measured (an older result is not used); repeat it`,
        obs.ref,
      );
      unconvertible = true;
      continue;
    }
    const q = obs.value.quantity;
    const converted = convertNoting(ctx, obs, q, a.unit);
    if (!converted.ok) {
      noteIssue(
        ctx,
        'pathway.lab.unit',
        `${analyte} result cannot be converted to ${a.unit}: ${converted.reason}`,
        obs.ref,
      );
      unconvertible = true;
      continue;
    }
    // A value no patient has (ANC 1500 x10^9/L: a count per microlitre under the wrong unit) is a data error, never a
    // normal result: counted as not measured, and the issue names it (definitions.plausibility.safetyLabs).
    const range = ctx.pathway.definitions.plausibility.safetyLabs[analyte];
    if (implausible(ctx, analyte.toUpperCase(), range, converted.value, obs.ref) !== undefined) {
      unconvertible = true;
      continue;
    }
    const reading = patientUpperLimit(ctx, obs, day, a.unit);
    const uln = reading.kind === 'uln' ? reading.value : undefined;
    if (reading.kind === 'ambiguous' && readsUln(ctx, analyte)) {
      // Several ranges that may each be the patient's (for everyone, or for populations the pathway cannot read)
      // disagree: the first one listed could hide a raised value as well as the default could (definition 6).
      noteIssue(
        ctx,
        'pathway.lab.reference-range',
        `${analyte} result's reference ranges give different upper limits (${reading.highs}) and which is this patient's cannot be told: it is not judged; counted as not measured (repeat it, or record the patient's range)`,
        obs.ref,
      );
      unconvertible = true;
      continue;
    }
    const unreadableHigh = reading.kind === 'unreadable' && readsUln(ctx, analyte) ? reading.high : undefined;
    if (unreadableHigh !== undefined) {
      // Its own range says where normal ends, in a unit the pathway cannot read: the default ULN in its place could
      // hide a raised value (ALT 55 against 1.5 x 33), so the result is not judged (definition 6).
      noteIssue(
        ctx,
        'pathway.lab.reference-range',
        `${analyte} result's reference range (upper limit ${unreadableHigh}) cannot be read in ${a.unit}: it is not judged against a default limit; counted as not measured (repeat it, or record the range in ${a.unit})`,
        obs.ref,
      );
      unconvertible = true;
      continue;
    }
    const r: LabResult = {
      analyte,
      value: converted.value,
      unit: a.unit,
      comparator: q.comparator,
      date: isoDay(obs),
      source: obs.ref,
      upperLimitOfNormal: uln,
    };
    if (chosen === undefined) chosen = r;
    else if (worseIsLower(ctx, analyte) ? r.value < chosen.value : r.value > chosen.value) chosen = r;
  }
  if (ties.length > 1) {
    noteIssue(
      ctx,
      'pathway.lab.same-day',
      `${ties.length} ${analyte} results on ${isoDay(ties[0]!.obs)} without times that order them: the worse value is used`,
      ties[0]!.obs.ref,
    );
  }
  // The most recent result decides: an unreadable or unconvertible one leaves the analyte unmeasured, never an older
  // value.
  return chosen !== undefined && !unconvertible ? chosen : undefined;
}

/** FHIR R4 ObservationStatus codes under which no result exists (cancelled: not obtained; entered-in-error: void). */
const NO_RESULT_STATUSES: ReadonlySet<string> = new Set(['cancelled', 'entered-in-error']);

/**
 * A result in a status the pathway does not use (a preliminary ANC) newer than the result that decides: not used,
 * as definition 6 says, but never in silence, since the final result may be worse (docs/care-pathway.md definition 6).
 */
function noteNewerNotValid(
  ctx: EngineContext,
  analyte: LabAnalyte,
  notValid: readonly DatedObservation[],
  deciding: DatedObservation | undefined,
  validStatuses: readonly string[],
): void {
  for (const { obs, day } of notValid) {
    if (NO_RESULT_STATUSES.has(obs.status) || !carriesValue(obs)) continue;
    if (deciding !== undefined && newestFirst({ obs, day }, deciding) >= 0) continue;
    const value = obs.value?.kind === 'quantity' ? ` ${describeQuantity(obs.value.quantity)}` : '';
    const decides =
      deciding === undefined ? 'no usable result in the window' : `the result of ${isoDay(deciding.obs)} decides`;
    noteIssue(
      ctx,
      'pathway.lab.not-final',
      `a newer ${analyte} result (${isoDay(obs)}, status ${obs.status}${value}) is not used: only ${validStatuses.join(', ')} results count and ${decides}; obtain the final result`,
      obs.ref,
    );
  }
}

/** The ULN a result's ranges give for this patient on the day of the result (definition 6): the one reading. */
function patientUpperLimit(ctx: EngineContext, obs: ObservationFact, day: number, unit: string): UlnReading {
  return readUpperLimitOfNormal(obs, unit, rangeApplies(ctx, day));
}

/**
 * The ULN the `hepatic` contraindication reads for every ALT and AST result of a valid status with a value in U/L
 * dated on or before the as-of date, in the window or not (UpperLimitOfNormalUsed): what the timeline draws, so that
 * a sex- or age-specific range is drawn as the engine read it. Issues are noted only by deriveLabs, for the results it
 * judges.
 */
export function deriveUpperLimitsOfNormal(ctx: EngineContext): UpperLimitOfNormalUsed[] {
  const def = ctx.pathway.definitions.labs;
  const hepatic = ctx.pathway.contraindications.find((c) => c.predicate === 'lab-above-uln');
  if (hepatic?.predicate !== 'lab-above-uln') return [];
  const out: UpperLimitOfNormalUsed[] = [];
  for (const analyte of ['alt', 'ast'] as const) {
    if (!hepatic.analytes.includes(analyte)) continue;
    const a = def.analytes[analyte];
    // The results findObservations would give, without its newest-first sort (this list is sorted by date below).
    const valid = statusSet(def.validStatuses);
    for (const { obs, day, hits } of observationsInSets(ctx, a.codeSets)) {
      if (day > ctx.asOfDay || !valid.has(obs.status) || useHit(ctx, hits, a.codeSets) === undefined) continue;
      if (obs.value?.kind !== 'quantity' || !convert(obs.value.quantity, a.unit).ok) continue;
      const reading = obs.referenceRange.length === 0 ? NO_ULN : patientUpperLimit(ctx, obs, day, a.unit);
      const source = obs.ref;
      const date = isoDay(obs);
      // Object literals, not a spread base: a Synthea-size record has a hundred such results, and spread objects
      // cost several times more to make and to read.
      if (reading.kind === 'uln') {
        out.push({
          analyte,
          source,
          date,
          basis: 'reference-range',
          upperLimitOfNormalUPerL: reading.value,
          verified: true,
        });
      } else if (reading.kind === 'none') {
        const fallback = hepatic.defaultUln[analyte];
        out.push({
          analyte,
          source,
          date,
          basis: 'default',
          upperLimitOfNormalUPerL: fallback.value,
          verified: fallback.verified,
        });
      } else {
        const notJudged =
          reading.kind === 'ambiguous'
            ? `its reference ranges give different upper limits (${reading.highs}) and which is this patient's cannot be told`
            : `its reference range's upper limit (${reading.high}) cannot be read in ${a.unit}`;
        out.push({ analyte, source, date, basis: 'not-judged', verified: true, notJudged });
      }
    }
  }
  return sortInPlace(out, (x, y) => byRef(x.date, y.date) || byRef(x.source, y.source));
}

/**
 * A range's high in the result's unit when it gives none of its own (`{ high: { value: 33 } }` beside a value in U/L):
 * a reference range is stated for its result.
 */
function rangeHigh(obs: ObservationFact, high: Quantity): Quantity {
  if (high.ucum !== undefined || high.unitText !== undefined || obs.value?.kind !== 'quantity') return high;
  const { ucum, unitText } = obs.value.quantity;
  const inResultUnit: Writable<Quantity> = { value: high.value };
  if (ucum !== undefined) inResultUnit.ucum = ucum;
  if (unitText !== undefined) inResultUnit.unitText = unitText;
  return inResultUnit;
}

/** What a result's own reference ranges say its upper limit of normal is, in the pathway's unit (definition 6). */
export type UlnReading =
  | { readonly kind: 'none' }
  | { readonly kind: 'uln'; readonly value: number }
  /** A high the pathway cannot read in its unit ("33 IU/L" as text), as given. */
  | { readonly kind: 'unreadable'; readonly high: string }
  /** Ranges that may each be the patient's give different highs, as given. */
  | { readonly kind: 'ambiguous'; readonly highs: string };

/** Is a range this patient's? True, false (another type, sex or age), or undefined when that cannot be told. */
export type RangeApplies = (range: ReferenceRange) => boolean | undefined;

const NO_ULN: UlnReading = { kind: 'none' };

/**
 * The upper limit of normal a result's reference ranges give in `unit`. Ranges that are not the patient's (another
 * type, sex or age) are passed over; of the others, those stated for the patient's sex or age come before those for
 * everyone, and those for everyone before those whose population cannot be read. When the ranges in that first
 * group give different highs, which is the patient's cannot be told: `ambiguous`, never the first one listed.
 */
export function readUpperLimitOfNormal(obs: ObservationFact, unit: string, applies: RangeApplies): UlnReading {
  const ranges = obs.referenceRange;
  if (ranges.length === 0) return NO_ULN;
  const specific: Quantity[] = [];
  const general: Quantity[] = [];
  const uncertain: Quantity[] = [];
  for (const range of ranges) {
    if (range.high === undefined) continue;
    const verdict = applies(range);
    if (verdict === false) continue;
    const high = rangeHigh(obs, range.high);
    if (verdict === undefined) uncertain.push(high);
    else if (range.appliesTo !== undefined || range.age !== undefined) specific.push(high);
    else general.push(high);
  }
  const highs = specific.length > 0 ? specific : general.length > 0 ? general : uncertain;
  if (highs.length === 0) return NO_ULN;
  let value: number | undefined;
  for (const high of highs) {
    const r = convert(high, unit);
    if (!r.ok || !(r.value > 0)) return { kind: 'unreadable', high: describeQuantity(high) };
    if (value === undefined) value = r.value;
    else if (r.value !== value) return { kind: 'ambiguous', highs: highs.map(describeQuantity).join(', ') };
  }
  return value === undefined ? NO_ULN : { kind: 'uln', value };
}

/**
 * Whether a range is the patient's, on the day of the result (definition 6): its type is normal (no type, or one of
 * `normalTypeCodeSets`; a type coded in a known system but not there is another kind of range), it is for the
 * patient's sex (`maleCodeSets`, `femaleCodeSets`) and age (`age`, inclusive bounds in a UCUM time unit, against
 * the completed years). Undefined when a population it names cannot be read, or the patient's sex or age is unknown.
 */
function rangeApplies(ctx: EngineContext, resultDay: number): RangeApplies {
  const def = ctx.pathway.definitions.labs.referenceRanges;
  const patient = ctx.record.patient;
  return (range) => {
    let known = true;
    if (range.type !== undefined && !inAnySet(ctx, def.normalTypeCodeSets, range.type)) {
      if (range.type.codings.some((c) => systemRule(ctx.knowledge, c.system) !== undefined)) return false;
      known = false;
    }
    for (const population of range.appliesTo ?? []) {
      const forSex = inAnySet(ctx, def.maleCodeSets, population)
        ? 'male'
        : inAnySet(ctx, def.femaleCodeSets, population)
          ? 'female'
          : undefined;
      if (forSex === undefined || (patient.sex !== 'male' && patient.sex !== 'female')) known = false;
      else if (forSex !== patient.sex) return false;
    }
    if (range.age !== undefined) {
      const age = ageOn(patient.birthDate, resultDay);
      const low = range.age.low === undefined ? undefined : convert(range.age.low, 'a');
      const high = range.age.high === undefined ? undefined : convert(range.age.high, 'a');
      if (age === undefined || low?.ok === false || high?.ok === false) known = false;
      else if ((low?.ok === true && age < low.value) || (high?.ok === true && age > high.value)) return false;
    }
    return known ? true : undefined;
  };
}

/** Whether a contraindication reads the analyte against its upper limit of normal (ALT, AST). */
function readsUln(ctx: EngineContext, analyte: LabAnalyte): boolean {
  return ctx.pathway.contraindications.some((c) => c.predicate === 'lab-above-uln' && c.analytes.includes(analyte));
}

// "No" only as the whole answer: "No result", "No sample received" are not negative results.
const NEGATIVE_TEXT = /^\s*(?:(neg|negative|not detected|non-?reactive|absent)\b|no\s*[.!]?\s*$)/i;
const POSITIVE_TEXT = /^\s*(pos|positive|detected|reactive|present|yes)\b/i;

/**
 * The one reading of a qualitative answer given as text (a valueString, or the text of a concept for the answers that
 * read it): "negative", "not detected", "non-reactive", "absent", and "no" as the whole answer are negative; "positive", "detected",
 * "reactive", "present", "yes" are positive (by the first word: "Yes - exclusively" is positive); anything else is
 * indeterminate.
 */
export function textOutcome(text: string): ScreenOutcome {
  if (NEGATIVE_TEXT.test(text)) return 'negative';
  if (POSITIVE_TEXT.test(text)) return 'positive';
  return 'indeterminate';
}

/** Positive, negative or indeterminate, from a coded or text value, a boolean, or an interpretation code. */
export function screenOutcome(ctx: EngineContext, obs: ObservationFact): ScreenOutcome {
  const s = ctx.pathway.definitions.screens;
  const v = obs.value;
  if (v?.kind === 'concept') {
    if (inAnySet(ctx, s.positiveCodeSets, v.concept)) return 'positive';
    if (inAnySet(ctx, s.negativeCodeSets, v.concept)) return 'negative';
  } else if (v?.kind === 'string') {
    const outcome = textOutcome(v.text);
    if (outcome !== 'indeterminate') return outcome;
  } else if (v?.kind === 'boolean') {
    return v.value ? 'positive' : 'negative';
  }
  for (const c of obs.interpretation) {
    if (inAnySet(ctx, s.positiveCodeSets, c)) return 'positive';
    if (inAnySet(ctx, s.negativeCodeSets, c)) return 'negative';
  }
  return 'indeterminate';
}

/**
 * Serology and IGRA results do not expire (docs/care-pathway.md definition 6): a positive result counts at any time before
 * the as-of date unless a later result of the same test is negative. Same-day results without ordering times are not
 * "later", so a same-day negative never cancels a positive. Otherwise the most recent decided result is reported
 * (negative). A result that reads as neither (text-only concept, unknown code) decides nothing, but when it is the
 * newest it may hide a change since the last negative: the test is then indeterminate (not done, so the work-up asks
 * for it again), and every such result is named in the issue `pathway.screen.unreadable`.
 */
function screenResult(ctx: EngineContext, test: string, codeSets: readonly string[]): ScreenResult | undefined {
  const results = findObservations(ctx, codeSets, ctx.pathway.definitions.labs.validStatuses).usable;
  if (results.length === 0) return undefined;
  const outcomes = results.map((r) => ({ r, outcome: screenOutcome(ctx, r.obs) }));
  const isLater = (a: (typeof results)[number], b: (typeof results)[number]): boolean =>
    a.day > b.day || (a.day === b.day && a.instant !== undefined && b.instant !== undefined && a.instant > b.instant);
  // Newest first: the first positive with no negative after it stands.
  const positives = outcomes.filter((o) => o.outcome === 'positive');
  const standing = positives.find((p) => !outcomes.some((o) => o.outcome === 'negative' && isLater(o.r, p.r)));
  const firstPositive = positives[positives.length - 1];
  const screen = (o: (typeof outcomes)[number]): ScreenResult => ({
    outcome: o.outcome,
    date: isoDay(o.r.obs),
    source: o.r.obs.ref,
    ...(firstPositive !== undefined && {
      firstPositive: { date: isoDay(firstPositive.r.obs), source: firstPositive.r.obs.ref },
    }),
  });
  if (standing !== undefined) return screen(standing);
  const decided = outcomes.find((o) => o.outcome !== 'indeterminate');
  const unreadable = outcomes.filter(
    (o) => o.outcome === 'indeterminate' && (decided === undefined || isLater(o.r, decided.r)),
  );
  if (unreadable.length === 0) return screen(decided as (typeof outcomes)[number]);
  const after = decided === undefined ? '' : `, after the negative of ${isoDay(decided.r.obs)}`;
  // The laboratory's own "indeterminate" (an IGRA that cannot be read) is named as its answer; a result the pathway
  // cannot read is named as such. Either is counted as not done.
  const answered = unreadable.map((o) => ({ o, answer: reportedIndeterminate(ctx, o.r.obs) }));
  const reported = answered.filter((a) => a.answer !== undefined);
  const unknown = answered.filter((a) => a.answer === undefined);
  const which = (group: typeof answered, one: string, several: string): string =>
    group.length === 1
      ? `result of ${isoDay((group[0] as (typeof answered)[number]).o.r.obs)} ${one}`
      : `results of ${group.map((a) => `${isoDay(a.o.r.obs)} (${a.o.r.obs.ref})`).join(', ')} ${several}`;
  if (reported.length > 0) {
    const answers = [...new Set(reported.map((a) => a.answer))].join(', ');
    noteIssue(
      ctx,
      'pathway.screen.indeterminate',
      `${test} ${which(reported, 'is', 'are')} reported indeterminate by the laboratory (${answers})${after}: counted as not done; repeat the test`,
      (reported[0] as (typeof answered)[number]).o.r.obs.ref,
    );
  }
  if (unknown.length > 0) {
    noteIssue(
      ctx,
      'pathway.screen.unreadable',
      `${test} ${which(unknown, 'reads', 'read')} as neither positive nor negative (no coded value, text or interpretation the pathway knows)${after}: counted as not done; repeat the test`,
      (unknown[0] as (typeof answered)[number]).o.r.obs.ref,
    );
  }
  return screen(unreadable[0] as (typeof outcomes)[number]);
}

/**
 * The laboratory's answer when it reports the result as indeterminate (a coded value or interpretation in
 * `definitions.screens.indeterminateCodeSets`), as the code set's display and the code; undefined otherwise.
 */
function reportedIndeterminate(ctx: EngineContext, obs: ObservationFact): string | undefined {
  const sets = ctx.pathway.definitions.screens.indeterminateCodeSets;
  const concepts = obs.value?.kind === 'concept' ? [obs.value.concept, ...obs.interpretation] : obs.interpretation;
  for (const concept of concepts) {
    const match = matchIn(ctx, sets, concept);
    if (match !== undefined) return `${match.entry.display}, ${match.coding.code ?? ''}`;
  }
  return undefined;
}

export function deriveScreens(ctx: EngineContext): {
  latentTb?: ScreenResult;
  hepatitisBSurfaceAntigen?: ScreenResult;
  hepatitisBCoreAntibody?: ScreenResult;
} {
  const s = ctx.pathway.definitions.screens;
  return {
    latentTb: screenResult(ctx, 'latent TB screen (IGRA or tuberculin test)', s.latentTbCodeSets),
    hepatitisBSurfaceAntigen: screenResult(ctx, 'HBsAg', s.hepatitisBSurfaceAntigenCodeSets),
    hepatitisBCoreAntibody: screenResult(ctx, 'anti-HBc', s.hepatitisBCoreAntibodyCodeSets),
  };
}
