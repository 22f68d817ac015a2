/**
 * Shared reading of Observations: which are usable (status, date on or before the as-of date), newest first, and
 * quantity conversion to a pathway unit through src/units (UCUM; never guessed).
 */
import { convertQuantity } from '../units/index.ts';
import type { ObservationFact, Quantity } from '../record/index.ts';
import { byRef, dayOf, noteIssue } from './context.ts';
import type { EngineContext } from './context.ts';
import { conceptSetHits, useHit } from './lookups.ts';

export interface DatedObservation {
  readonly obs: ObservationFact;
  readonly day: number;
}

export interface ClassifiedObservation extends DatedObservation {
  readonly hits: ReturnType<typeof conceptSetHits>;
  /** Position among the classified observations (record order), to merge per-set lists back into that order. */
  readonly order: number;
}

const NONE: readonly ClassifiedObservation[] = [];

// Each observation's code is resolved against every pathway set and its date parsed once per assessment (the CRP,
// four labs and two screens would otherwise each rescan and re-resolve every observation), and the observations are
// listed per set so that each of those reads visits only its own candidates.
export function classifiedObservations(ctx: EngineContext): readonly ClassifiedObservation[] {
  let list = ctx.scratch.classifiedObservations as readonly ClassifiedObservation[] | undefined;
  if (list === undefined) {
    const out: ClassifiedObservation[] = [];
    const bySet = new Map<string, ClassifiedObservation[]>();
    for (const obs of ctx.record.observations) {
      const hits = conceptSetHits(ctx, obs.code);
      if (hits.size === 0) continue;
      const day = dayOf(obs.effective, 'start');
      if (day === undefined) {
        noteIssue(ctx, 'pathway.observation.undated', 'an Observation has no usable date and was not used', obs.ref);
        continue;
      }
      const c: ClassifiedObservation = { obs, day, hits, order: out.length };
      out.push(c);
      for (const setId of hits.keys()) {
        const inSet = bySet.get(setId);
        if (inSet === undefined) bySet.set(setId, [c]);
        else inSet.push(c);
      }
    }
    list = out;
    ctx.scratch.classifiedObservations = list;
    ctx.scratch.observationsBySet = bySet;
  }
  return list;
}

/** The classified observations coded in any of `codeSets` (in record order): a superset of what useHit accepts. */
export function observationsInSets(ctx: EngineContext, codeSets: readonly string[]): readonly ClassifiedObservation[] {
  classifiedObservations(ctx);
  const bySet = ctx.scratch.observationsBySet as ReadonlyMap<string, readonly ClassifiedObservation[]>;
  if (codeSets.length === 1) return bySet.get(codeSets[0] ?? '') ?? NONE;
  const merged: ClassifiedObservation[] = [];
  const seen = new Set<number>();
  for (const setId of codeSets) {
    for (const c of bySet.get(setId) ?? NONE) {
      if (!seen.has(c.order)) {
        seen.add(c.order);
        merged.push(c);
      }
    }
  }
  return merged.sort((a, b) => a.order - b.order);
}

/**
 * Observations coded in any of `codeSets` dated within [asOf - windowDays, asOf] (no window: any date up to asOf),
 * newest first. Those with an unusable status are returned separately; undated ones are noted as issues.
 */
export function findObservations(
  ctx: EngineContext,
  codeSets: readonly string[],
  validStatuses: readonly string[],
  windowDays?: number,
): { usable: DatedObservation[]; rejected: { source: string; reason: string }[] } {
  const usable: DatedObservation[] = [];
  const rejected: { source: string; reason: string }[] = [];
  const from = windowDays === undefined ? Number.NEGATIVE_INFINITY : ctx.asOfDay - windowDays;
  for (const c of observationsInSets(ctx, codeSets)) {
    if (c.day > ctx.asOfDay || c.day < from || useHit(ctx, c.hits, codeSets) === undefined) continue;
    if (!validStatuses.includes(c.obs.status)) {
      rejected.push({ source: c.obs.ref, reason: `status is ${c.obs.status}` });
      continue;
    }
    usable.push({ obs: c.obs, day: c.day });
  }
  usable.sort((a, b) => b.day - a.day || byRef(a.obs.ref, b.obs.ref));
  rejected.sort((a, b) => byRef(a.source, b.source));
  return { usable, rejected };
}

/**
 * Rounds away binary noise (0.3 mg/dL x 10 = 3.0000000000000004) so that boundary comparisons behave as written:
 * twelve significant digits, by arithmetic rather than toPrecision (this runs for every converted value).
 */
function clean(x: number): number {
  // Zero, non-finite values and integers of at most 12 digits are already clean (most lab values in the same unit).
  if (x === 0 || !Number.isFinite(x) || (Number.isInteger(x) && Math.abs(x) < 1e12)) return x;
  const scale = 10 ** (11 - Math.floor(Math.log10(Math.abs(x))));
  return Math.round(x * scale) / scale;
}

/** Converts to `toUcum`; undefined (with the reason) when the unit is missing, not UCUM, or incompatible. */
export function convert(
  q: Quantity,
  toUcum: string,
  molarMassFactor?: number,
): { ok: true; value: number } | { ok: false; reason: string } {
  if (q.ucum === undefined) return { ok: false, reason: `unit "${q.unitText ?? ''}" is not a UCUM unit` };
  const r =
    molarMassFactor === undefined ? convertQuantity(q, toUcum) : convertQuantity(q, toUcum, { molarMassFactor });
  return r.ok ? { ok: true, value: clean(r.value) } : { ok: false, reason: r.reason };
}

export function describeQuantity(q: Quantity): string {
  return `${q.comparator ?? ''}${q.value} ${q.unitText ?? q.ucum ?? ''}`.trim();
}

export function isoDay(obs: ObservationFact): string {
  return (obs.effective ?? '').slice(0, 10);
}

/** An observation by its reference (panel members), indexed once per assessment and only when asked for. */
export function observationByRef(ctx: EngineContext, ref: string): ObservationFact | undefined {
  let index = ctx.scratch.observationsByRef as ReadonlyMap<string, ObservationFact> | undefined;
  if (index === undefined) {
    index = new Map(ctx.record.observations.map((o) => [o.ref, o]));
    ctx.scratch.observationsByRef = index;
  }
  return index.get(ref);
}
