/**
 * Maudsley Staging Method (reference section 4.3; Fekadu et al. 2009/2018): five dimensions, total 3-15. Each
 * dimension the data allow is scored; the others carry the range of points still possible, so the total is exact only
 * when every dimension is scored and is otherwise reported as a range. Augmentation and ECT are scored 0 when none is
 * recorded (the record is the only history the engine has; the basis says so).
 */
import type { Knowledge } from '../knowledge/index.ts';
import { TAKEN_TOGETHER } from './adequacy.ts';
import { byRef, dayOf, isoDate, sortInPlace } from './context.ts';
import type { EngineContext } from './context.ts';
import type { DepressionFacts, MaudsleyDimensionScore, MaudsleyStaging, TreatmentResistanceFacts } from './facts.ts';
import { inAnySet } from './lookups.ts';
import { inMedicationSets, medicationUses } from './medication-use.ts';

interface Precomputed {
  readonly durationPoints: { readonly min: number; readonly max: number };
  readonly antidepressantPoints: { readonly min: number; readonly max: number };
  /** One single-set list per severity band, for the lookups (built once, not per assessment). */
  readonly severitySets: readonly (readonly string[])[];
}

// Per-knowledge constants of the staging tables, computed once: this runs for every assessment.
const precomputed = new WeakMap<Knowledge, Precomputed>();

function pointRange(bands: readonly { points: number }[]): { min: number; max: number } {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const b of bands) {
    if (b.points < min) min = b.points;
    if (b.points > max) max = b.points;
  }
  return { min, max };
}

function tables(k: Knowledge): Precomputed {
  let p = precomputed.get(k);
  if (p === undefined) {
    const def = k.pathway.definitions.maudsley;
    p = {
      durationPoints: pointRange(def.durationMonthsBands),
      antidepressantPoints: pointRange(def.antidepressantBands),
      severitySets: def.severityByCode.map((b) => [b.codeSet]),
    };
    precomputed.set(k, p);
  }
  return p;
}

/**
 * The first item in reference order that passes `test`, tested in that order (the tests note the unverified codes they
 * rely on, so the order is part of the result). The list is copied and sorted only when not already in order.
 */
function firstByRef<T extends { readonly ref: string }>(
  items: readonly T[],
  test: (item: T) => boolean,
): T | undefined {
  let ordered = true;
  for (let i = 1; i < items.length && ordered; i++) ordered = byRef((items[i - 1] as T).ref, (items[i] as T).ref) <= 0;
  const list = ordered ? items : sortInPlace([...items], (a, b) => byRef(a.ref, b.ref));
  for (const item of list) if (test(item)) return item;
  return undefined;
}

/** Whole calendar months from one day number to another (from the memoised ISO dates: no Date objects). */
function monthsBetween(fromDay: number, toDay: number): number {
  const a = isoDate(fromDay);
  const b = isoDate(toDay);
  const months = (Number(b.slice(0, 4)) - Number(a.slice(0, 4))) * 12 + (Number(b.slice(5, 7)) - Number(a.slice(5, 7)));
  return Number(b.slice(8, 10)) < Number(a.slice(8, 10)) ? months - 1 : months;
}

const scored = (
  dimension: MaudsleyDimensionScore['dimension'],
  points: number,
  basis: string,
): MaudsleyDimensionScore => ({
  dimension,
  minPoints: points,
  maxPoints: points,
  scored: true,
  basis,
});

function duration(ctx: EngineContext, depression: DepressionFacts): MaudsleyDimensionScore {
  const bands = ctx.pathway.definitions.maudsley.durationMonthsBands;
  const onsetDay = dayOf(depression.onset, 'end');
  const all = tables(ctx.knowledge).durationPoints;
  if (onsetDay === undefined || onsetDay > ctx.asOfDay) {
    return {
      dimension: 'duration',
      minPoints: all.min,
      maxPoints: all.max,
      scored: false,
      basis: 'onset of the current episode not recorded',
    };
  }
  const months = monthsBetween(onsetDay, ctx.asOfDay);
  const band = bands.find((b) => b.maxMonths === null || months <= b.maxMonths);
  return band === undefined
    ? {
        dimension: 'duration',
        minPoints: all.min,
        maxPoints: all.max,
        scored: false,
        basis: `${months} months fits no band`,
      }
    : scored('duration', band.points, `current episode since ${depression.onset} (${months} months)`);
}

function severity(ctx: EngineContext, depression: DepressionFacts): MaudsleyDimensionScore {
  const bands = ctx.pathway.definitions.maudsley.severityByCode;
  const sets = tables(ctx.knowledge).severitySets;
  const conditions = ctx.record.conditions;
  // depression.conditions is most recent first: the current episode's coded severity wins.
  for (const ref of depression.conditions) {
    // The last condition with the ref, as a Map built from the list would keep.
    let c: (typeof conditions)[number] | undefined;
    for (let i = conditions.length - 1; i >= 0 && c === undefined; i--)
      if (conditions[i]?.ref === ref) c = conditions[i];
    if (c === undefined) continue;
    for (let b = 0; b < bands.length; b++) {
      const band = bands[b];
      const set = sets[b];
      if (band !== undefined && set !== undefined && inAnySet(ctx, set, c.code)) {
        return scored('severity', band.points, `episode severity coded on ${c.ref}`);
      }
    }
  }
  return {
    dimension: 'severity',
    minPoints: ctx.pathway.definitions.maudsley.severityRange.minPoints,
    maxPoints: ctx.pathway.definitions.maudsley.severityRange.maxPoints,
    scored: false,
    basis: 'episode severity not coded (rate clinically)',
  };
}

function pointsFor(
  bands: readonly { min: number; max: number | null; points: number }[],
  n: number,
): number | undefined {
  return bands.find((b) => n >= b.min && (b.max === null || n <= b.max))?.points;
}

function antidepressants(ctx: EngineContext, tr: TreatmentResistanceFacts): MaudsleyDimensionScore {
  const bands = ctx.pathway.definitions.maudsley.antidepressantBands;
  const all = tables(ctx.knowledge).antidepressantPoints;
  const low = pointsFor(bands, tr.count);
  const high = pointsFor(bands, tr.count + tr.unverifiedTrials.length);
  if (low !== undefined && high !== undefined && tr.unverifiedTrials.length === 0) {
    return scored('antidepressants', low, `${tr.count} adequate antidepressant trial(s) in the record`);
  }
  if (high !== undefined) {
    return {
      dimension: 'antidepressants',
      minPoints: low ?? all.min,
      maxPoints: high,
      scored: false,
      basis: `${tr.count} adequate and ${tr.unverifiedTrials.length} unverified trial(s)`,
    };
  }
  return {
    dimension: 'antidepressants',
    minPoints: all.min,
    maxPoints: all.max,
    scored: false,
    basis: 'no adequate antidepressant trial in the record',
  };
}

function augmentation(ctx: EngineContext, tr: TreatmentResistanceFacts): MaudsleyDimensionScore {
  const sets = ctx.pathway.definitions.maudsley.augmentationCodeSets;
  // Any record that documents an exposure (definition 2, medication-use.ts: not ignored, not after the as-of date);
  // the first by reference, so that entry order never changes the basis.
  let used: { readonly ref: string } | undefined;
  for (const u of medicationUses(ctx)) {
    if (u.ignored !== undefined || (used !== undefined && byRef(u.fact.ref, used.ref) >= 0)) continue;
    if (inMedicationSets(ctx, sets, u.fact)) used = u.fact;
  }
  const points = ctx.pathway.definitions.maudsley.augmentationPoints;
  if (used !== undefined) return scored('augmentation', points.used, `augmentation: ${used.ref}`);
  // An antidepressant taken together with another (adequacy.ts) is a combination or an augmentation, to confirm:
  // "no augmentation" would contradict it, and whether the staging counts it is not established, so not scored.
  const combined = tr.unverifiedTrials.filter((t) => t.missing.includes(TAKEN_TOGETHER));
  if (combined.length > 0) {
    return {
      dimension: 'augmentation',
      minPoints: Math.min(points.notUsed, points.used),
      maxPoints: Math.max(points.notUsed, points.used),
      scored: false,
      basis: `${combined.map((t) => t.ingredient).join(', ')} taken with another antidepressant (combination: confirm)`,
    };
  }
  return scored('augmentation', points.notUsed, 'no augmentation recorded');
}

function ect(ctx: EngineContext): MaudsleyDimensionScore {
  const sets = ctx.pathway.definitions.maudsley.ectCodeSets;
  const done = firstByRef(ctx.record.procedures, (p) => {
    if (p.status !== 'completed' && p.status !== 'in-progress') return false;
    const day = dayOf(p.performed, 'start');
    return (day === undefined || day <= ctx.asOfDay) && inAnySet(ctx, sets, p.code);
  });
  const points = ctx.pathway.definitions.maudsley.ectPoints;
  return done === undefined
    ? scored('ect', points.notUsed, 'no ECT recorded')
    : scored('ect', points.used, `ECT: ${done.ref}`);
}

export function deriveMaudsley(
  ctx: EngineContext,
  depression: DepressionFacts,
  tr: TreatmentResistanceFacts,
): MaudsleyStaging {
  const def = ctx.pathway.definitions.maudsley;
  const dimensions = [
    duration(ctx, depression),
    severity(ctx, depression),
    antidepressants(ctx, tr),
    augmentation(ctx, tr),
    ect(ctx),
  ];
  const min = dimensions.reduce((s, d) => s + d.minPoints, 0);
  const max = dimensions.reduce((s, d) => s + d.maxPoints, 0);
  const unscored = dimensions.filter((d) => !d.scored).map((d) => d.dimension);
  // The total (and its category) exist only when every dimension is scored; otherwise the range says what is possible.
  const complete = unscored.length === 0;
  const category = complete ? def.categories.find((c) => min >= c.min && min <= c.max)?.category : undefined;
  return {
    dimensions,
    total: complete ? min : undefined,
    range: { min, max },
    category,
    unscored,
    citation: def.citation,
  };
}
