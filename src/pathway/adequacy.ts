/**
 * Definitions 2 (joining), 3 (adequate trial) and 4 (treatment resistance). Same-ingredient segments whose gap is at
 * most `maxGapDays` join into one exposure; within it, an adequate trial is a stretch of segments at or above the
 * ingredient's minimum daily dose lasting at least `minDurationDays` (inclusive day count) and ending within the
 * lookback. A stretch that would qualify if an unknown dose were adequate is `unverified`, never adequate.
 */
import type { EngineContext } from './context.ts';
import { byRef, dayOf, isoDate, sortInPlace, useThreshold } from './context.ts';
import type { DatedSegment } from './exposures.ts';
import type { AdequateTrial, Exposure, IgnoredMedication, TreatmentResistanceFacts, UnverifiedTrial } from './facts.ts';
import { minimumDailyDose } from './lookups.ts';

/** Dose comparisons allow for floating-point products such as 0.1 x 3 tablets. */
const DOSE_EPSILON_MG = 1e-9;

interface Dated extends DatedSegment {
  readonly startDay: number;
  readonly endDay: number;
}

interface Stretch {
  readonly startDay: number;
  readonly endDay: number;
  /** Days on the drug: the union of the segments' days (gap days between them do not count). */
  readonly daysOnDrug: number;
  readonly segments: readonly Dated[];
}

interface Rules {
  readonly maxGapDays: number;
  readonly gapInclusive: boolean;
  readonly minDays: number;
  readonly minInclusive: boolean;
  readonly lookbackStartDay: number;
  readonly lookbackInclusive: boolean;
}

const isDated = (s: DatedSegment): s is Dated =>
  s.startDay !== undefined && s.endDay !== undefined && s.endDay >= s.startDay;

/**
 * Joins sorted segments into stretches: a gap of `maxGapDays` days or fewer between them does not break a stretch
 * (the window's `inclusive` decides whether exactly `maxGapDays` joins). Overlapping days count once; gap days none.
 */
function join(sorted: readonly Dated[], maxGapDays: number, inclusive: boolean): Stretch[] {
  const out: Stretch[] = [];
  let current: { startDay: number; endDay: number; daysOnDrug: number; segments: Dated[] } | undefined;
  for (const s of sorted) {
    const gap = current === undefined ? 0 : s.startDay - current.endDay - 1;
    if (current !== undefined && (inclusive ? gap <= maxGapDays : gap < maxGapDays)) {
      const newFrom = Math.max(s.startDay, current.endDay + 1);
      if (s.endDay >= newFrom) current.daysOnDrug += s.endDay - newFrom + 1;
      current.endDay = Math.max(current.endDay, s.endDay);
      current.segments.push(s);
    } else {
      if (current !== undefined) out.push(current);
      current = { startDay: s.startDay, endDay: s.endDay, daysOnDrug: s.endDay - s.startDay + 1, segments: [s] };
    }
  }
  if (current !== undefined) out.push(current);
  return out;
}

const daysOf = (s: Stretch): number => s.daysOnDrug;

function lowestDose(segments: readonly DatedSegment[]): number | undefined {
  let low: number | undefined;
  for (const s of segments)
    if (s.dailyDoseMg !== undefined && (low === undefined || s.dailyDoseMg < low)) low = s.dailyDoseMg;
  return low;
}

function qualifies(s: Stretch, r: Rules): boolean {
  const longEnough = r.minInclusive ? daysOf(s) >= r.minDays : daysOf(s) > r.minDays;
  const recent = r.lookbackInclusive ? s.endDay >= r.lookbackStartDay : s.endDay > r.lookbackStartDay;
  return longEnough && recent;
}

/** The qualifying stretch that ends last (the most recent trial), if any. */
function bestStretch(stretches: readonly Stretch[], r: Rules): Stretch | undefined {
  let best: Stretch | undefined;
  for (const s of stretches) if (qualifies(s, r) && (best === undefined || s.endDay > best.endDay)) best = s;
  return best;
}

interface ExposureFields {
  readonly start: string | undefined;
  readonly end: string | undefined;
  readonly days: number | undefined;
  readonly dailyDoseMg: number | undefined;
  readonly sources: readonly string[];
}

/**
 * Exposures are built field by field, never by object spread: spreads of varying shapes are slow in V8 and this runs
 * for every exposure of every assessment (the engine must do >= 20,000 assessments/s).
 */
function exposureOf(
  ingredient: string,
  f: ExposureFields,
  minimumDailyDoseMg: number | undefined,
  adequacy: Exposure['adequacy'],
  reason: string,
  missing?: readonly string[],
): Exposure {
  return {
    ingredient,
    dailyDoseMg: f.dailyDoseMg,
    minimumDailyDoseMg,
    start: f.start,
    end: f.end,
    days: f.days,
    sources: f.sources,
    adequacy,
    reason,
    missing,
  };
}

const sourcesOf = (segments: readonly DatedSegment[]): string[] => segments.map((s) => s.source);

function atDose(s: DatedSegment, minMg: number): boolean {
  return s.dailyDoseMg !== undefined && s.dailyDoseMg >= minMg - DOSE_EPSILON_MG;
}

/**
 * The exposures of one run: one, or, when an adequate stretch is only part of the run (a dose reduced to 25 mg after
 * weeks at 100 mg), the adequate stretch and the run's other days judged on their own, in start order, so that what
 * the patient takes now stays visible (and `trd match` sees it as the current exposure).
 */
function judgeRunParts(run: Stretch, ingredient: string, ctx: EngineContext, r: Rules): Exposure[] {
  const { exposure, adequate } = judgeRun(run, ingredient, ctx, r);
  if (adequate === undefined || adequate.segments.length === run.segments.length) return [exposure];
  const inAdequate = new Set(adequate.segments);
  const rest = run.segments.filter((seg) => !inAdequate.has(seg));
  const parts: { startDay: number; exposures: Exposure[] }[] = [{ startDay: adequate.startDay, exposures: [exposure] }];
  for (const stretch of join(rest, r.maxGapDays, r.gapInclusive)) {
    parts.push({ startDay: stretch.startDay, exposures: judgeRunParts(stretch, ingredient, ctx, r) });
  }
  return sortInPlace(parts, (a, b) => a.startDay - b.startDay).flatMap((p) => p.exposures);
}

function judgeRun(
  run: Stretch,
  ingredient: string,
  ctx: EngineContext,
  r: Rules,
): { exposure: Exposure; adequate?: Stretch } {
  const low = lowestDose(run.segments);
  const whole: ExposureFields = {
    start: isoDate(run.startDay),
    end: isoDate(run.endDay),
    days: daysOf(run),
    dailyDoseMg: low,
    sources: sourcesOf(run.segments),
  };
  const min = minimumDailyDose(ctx, ingredient);
  if (min === undefined) {
    // Definition 3: an ingredient without a minimum dose in the table is unverified, never adequate nor inadequate.
    const reason = `no minimum adequate dose is known for ${ingredient} (${daysOf(run)} days on the drug)`;
    return { exposure: exposureOf(ingredient, whole, undefined, 'unverified', reason, ['minimum adequate dose']) };
  }
  const minMg = min.mg;
  const adequate = bestStretch(
    join(
      run.segments.filter((s) => atDose(s, minMg)),
      r.maxGapDays,
      r.gapInclusive,
    ),
    r,
  );
  if (adequate !== undefined) {
    const dose = lowestDose(adequate.segments) ?? minMg;
    const days = daysOf(adequate);
    const end = isoDate(adequate.endDay);
    const fields = {
      start: isoDate(adequate.startDay),
      end,
      days,
      dailyDoseMg: dose,
      sources: sourcesOf(adequate.segments),
    };
    const reason = `${fmt(dose)} mg/day for ${days} days, ending ${end} (minimum ${fmt(minMg)} mg/day for ${r.minDays} days)`;
    return { exposure: exposureOf(ingredient, fields, minMg, 'adequate', reason), adequate };
  }
  const possible = bestStretch(
    join(
      run.segments.filter((s) => atDose(s, minMg) || s.dailyDoseMg === undefined),
      r.maxGapDays,
      r.gapInclusive,
    ),
    r,
  );
  if (possible !== undefined) {
    const problems = possible.segments
      .filter((s) => s.dailyDoseMg === undefined)
      .map((s) => `${s.source}: ${s.doseProblem ?? 'dose unknown'}`);
    const reason = `${daysOf(possible)} days, but the daily dose is not established (${problems.join('; ')})`;
    return { exposure: exposureOf(ingredient, whole, minMg, 'unverified', reason, ['daily dose']) };
  }
  const imprecise = widenedStretch(run, minMg, r);
  if (imprecise !== undefined) {
    const sources = imprecise.segments.filter((s) => s.widest !== undefined).map((s) => s.source);
    const reason = `dates given only as a month or a year (${sources.join(', ')}) allow ${daysOf(imprecise)} days at or above ${fmt(minMg)} mg/day but establish only ${daysOf(run)}: confirm the dates`;
    return { exposure: exposureOf(ingredient, whole, minMg, 'unverified', reason, ['exact dates']) };
  }
  if (low !== undefined && run.segments.every((s) => s.dailyDoseMg !== undefined && !atDose(s, minMg))) {
    const reason = `${fmt(low)} mg/day is below the minimum adequate dose of ${fmt(minMg)} mg/day`;
    return { exposure: exposureOf(ingredient, whole, minMg, 'inadequate', reason) };
  }
  return { exposure: exposureOf(ingredient, whole, minMg, 'inadequate', durationReason(run, r, minMg)) };
}

/**
 * The qualifying stretch of the run's segments at an adequate (or unknown) dose when dates given only as a month or
 * year are read at their widest (definition 3: a duration the dates do not establish is unverified, not inadequate);
 * undefined when no segment is imprecise or even the widest reading falls short.
 */
function widenedStretch(run: Stretch, minMg: number, r: Rules): Stretch | undefined {
  if (!run.segments.some((s) => s.widest !== undefined)) return undefined;
  const widened = sortInPlace(
    run.segments
      .filter((s) => atDose(s, minMg) || s.dailyDoseMg === undefined)
      .map((s) => (s.widest === undefined ? s : { ...s, startDay: s.widest.startDay, endDay: s.widest.endDay })),
    (a, b) => a.startDay - b.startDay,
  );
  return bestStretch(join(widened, r.maxGapDays, r.gapInclusive), r);
}

function durationReason(run: Stretch, r: Rules, minMg?: number): string {
  const at = minMg === undefined ? '' : ` at or above ${fmt(minMg)} mg/day`;
  if (run.endDay < r.lookbackStartDay) {
    return `ended ${isoDate(run.endDay)}, before the lookback window (from ${isoDate(r.lookbackStartDay)})`;
  }
  return `fewer than ${r.minDays} days${at} (${daysOf(run)} days in all)`;
}

function judgeUndated(s: DatedSegment, ctx: EngineContext): Exposure {
  const min = minimumDailyDose(ctx, s.ingredient);
  const fields: ExposureFields = {
    start: s.start,
    end: s.end,
    days: undefined,
    dailyDoseMg: s.dailyDoseMg,
    sources: [s.source],
  };
  if (min !== undefined && s.dailyDoseMg !== undefined && s.dailyDoseMg < min.mg - DOSE_EPSILON_MG) {
    const reason = `${fmt(s.dailyDoseMg)} mg/day is below the minimum adequate dose of ${fmt(min.mg)} mg/day`;
    return exposureOf(s.ingredient, fields, min.mg, 'inadequate', reason);
  }
  if (s.unconfirmed === true) {
    const missing = ['whether it was taken'];
    if (s.dailyDoseMg === undefined) missing.push('daily dose');
    return exposureOf(
      s.ingredient,
      fields,
      min?.mg,
      'unverified',
      s.periodProblem ?? 'not confirmed as taken',
      missing,
    );
  }
  const missing = ['duration'];
  if (s.dailyDoseMg === undefined) missing.push('daily dose');
  if (min === undefined) missing.push('minimum adequate dose');
  const reason = s.periodProblem ?? 'duration not established (period unknown)';
  return exposureOf(s.ingredient, fields, min?.mg, 'unverified', reason, missing);
}

/**
 * Adequate trials taken together (definition 4): in start order, a trial counts as one of its own only when it has at
 * least `minAloneDays()` days (asked only when trials overlap) on which no trial counted before it ran; otherwise it
 * was a combination or augmentation (mirtazapine added to a running SSRI), and is returned with the reason it is to
 * confirm. A switch by cross-taper keeps both. Days are compared on the trials' adequate stretches (start to end).
 */
function takenTogether(
  trials: readonly AdequateTrial[],
  minAloneDays: () => number,
  inclusive: boolean,
): Map<AdequateTrial, string> {
  const ordered = sortInPlace(
    [...trials],
    (a, b) => a.start.localeCompare(b.start) || a.ingredient.localeCompare(b.ingredient),
  );
  const counted: { ingredient: string; from: number; to: number }[] = [];
  const out = new Map<AdequateTrial, string>();
  for (const t of ordered) {
    const from = dayOf(t.start) ?? 0;
    const to = dayOf(t.end) ?? from;
    // The counted trials' days inside this one, merged so that a day shared by two of them counts once.
    const overlaps = sortInPlace(
      counted
        .filter((c) => c.from <= to && c.to >= from)
        .map((c) => ({ ingredient: c.ingredient, from: Math.max(c.from, from), to: Math.min(c.to, to) })),
      (a, b) => a.from - b.from,
    );
    let shared = 0;
    let reach = from - 1;
    for (const o of overlaps) {
      if (o.to > reach) shared += o.to - Math.max(o.from, reach + 1) + 1;
      reach = Math.max(reach, o.to);
    }
    const alone = to - from + 1 - shared;
    const limit = overlaps.length === 0 ? 0 : minAloneDays();
    if (overlaps.length === 0 || (inclusive ? alone >= limit : alone > limit)) {
      counted.push({ ingredient: t.ingredient, from, to });
      continue;
    }
    const withWhat = [...new Set(overlaps.map((o) => o.ingredient))].join(' and ');
    out.set(
      t,
      `taken together with ${withWhat} (${alone} of its ${to - from + 1} days without it): a combination or augmentation, not a separate trial unless confirmed`,
    );
  }
  return out;
}

/**
 * What a trial taken together with another is missing to count as one of its own (`missing` of the exposure and the
 * unverified trial): the Maudsley staging reads it as a combination (maudsley.ts).
 */
export const TAKEN_TOGETHER = 'a separate trial';

function fmt(mg: number): string {
  return String(Math.round(mg * 1000) / 1000);
}

/** Definitions 3-4 over the segments of definition 2. */
export function deriveTreatmentResistance(
  ctx: EngineContext,
  segments: readonly DatedSegment[],
  ignored: readonly IgnoredMedication[],
): TreatmentResistanceFacts {
  const def = ctx.pathway.definitions;
  const r: Rules = {
    maxGapDays: useThreshold(ctx, 'exposure gap (days)', def.exposure.maxGapDays),
    gapInclusive: def.exposure.maxGapDays.inclusive,
    minDays: useThreshold(ctx, 'adequate trial duration (days)', def.adequacy.minDurationDays),
    minInclusive: def.adequacy.minDurationDays.inclusive,
    lookbackStartDay: ctx.asOfDay - useThreshold(ctx, 'adequacy lookback (days)', def.adequacy.lookbackDays),
    lookbackInclusive: def.adequacy.lookbackDays.inclusive,
  };
  const required = useThreshold(ctx, 'adequate trials required', def.adequacy.requiredTrials);
  const byIngredient = new Map<string, DatedSegment[]>();
  for (const s of segments) {
    const list = byIngredient.get(s.ingredient);
    if (list === undefined) byIngredient.set(s.ingredient, [s]);
    else list.push(s);
  }
  const exposures: Exposure[] = [];
  for (const ingredient of sortInPlace([...byIngredient.keys()], byRef)) {
    const list = byIngredient.get(ingredient) ?? [];
    const dated = sortInPlace(list.filter(isDated), (a, b) => a.startDay - b.startDay || byRef(a.source, b.source));
    for (const run of join(dated, r.maxGapDays, r.gapInclusive))
      exposures.push(...judgeRunParts(run, ingredient, ctx, r));
    for (const s of sortInPlace([...list], (a, b) => byRef(a.source, b.source))) {
      if (!isDated(s)) exposures.push(judgeUndated(s, ctx));
    }
  }
  let adequateTrials: AdequateTrial[] = [];
  const unverifiedTrials: UnverifiedTrial[] = [];
  // Each ingredient counts once: its most recent adequate exposure (exposures are in start order per ingredient).
  for (const e of exposures) {
    if (
      e.adequacy !== 'adequate' ||
      e.dailyDoseMg === undefined ||
      e.start === undefined ||
      e.end === undefined ||
      e.days === undefined
    )
      continue;
    const i = adequateTrials.findIndex((t) => t.ingredient === e.ingredient);
    const trial = {
      ingredient: e.ingredient,
      dailyDoseMg: e.dailyDoseMg,
      start: e.start,
      end: e.end,
      days: e.days,
      sources: e.sources,
    };
    if (i === -1) adequateTrials.push(trial);
    else adequateTrials[i] = trial;
  }
  // The [U] overlap rule is relied upon (and listed) only when two adequate trials overlap.
  const separate = def.adequacy.separateTrialDays;
  const together = takenTogether(
    adequateTrials,
    () => useThreshold(ctx, 'days of an added antidepressant alone (separate trial)', separate),
    separate.inclusive,
  );
  if (together.size > 0) {
    adequateTrials = adequateTrials.filter((t) => !together.has(t));
    for (const [trial, reason] of together) {
      const k = exposures.findIndex(
        (e) => e.adequacy === 'adequate' && e.ingredient === trial.ingredient && e.start === trial.start,
      );
      const e = exposures[k];
      if (e !== undefined) exposures[k] = { ...e, adequacy: 'unverified', reason, missing: [TAKEN_TOGETHER] };
    }
  }
  const adequateIngredients = new Set(adequateTrials.map((t) => t.ingredient));
  for (const e of exposures) {
    if (e.adequacy !== 'unverified' || adequateIngredients.has(e.ingredient)) continue;
    if (unverifiedTrials.some((t) => t.ingredient === e.ingredient)) continue;
    const t: UnverifiedTrial = {
      ingredient: e.ingredient,
      dailyDoseMg: e.dailyDoseMg,
      start: e.start,
      end: e.end,
      days: e.days,
      sources: e.sources,
      missing: e.missing ?? [],
      reason: e.reason,
    };
    unverifiedTrials.push(t);
  }
  return {
    count: adequateTrials.length,
    required,
    met: adequateTrials.length >= required,
    adequateTrials,
    unverifiedTrials,
    exposures,
    segments: sortInPlace([...segments], (a, b) => byRef(a.source, b.source)).map((g) => ({
      source: g.source,
      ingredient: g.ingredient,
      dailyDoseMg: g.dailyDoseMg,
      doseBasis: g.doseBasis,
      doseProblem: g.doseProblem,
      start: g.start,
      end: g.end,
      periodProblem: g.periodProblem,
    })),
    ignored: sortInPlace([...ignored], (a, b) => byRef(a.source, b.source)),
  };
}
