/**
 * Shared reading of Observations: which are usable (status, date on or before the as-of date), newest first, and
 * quantity conversion to a pathway unit through src/units (UCUM; never guessed).
 */
import { convertQuantity } from '../units/index.ts';
import type { ObservationFact, Quantity } from '../record/index.ts';
import { dayOf, noteIssue } from './context.ts';
import type { EngineContext } from './context.ts';
import { inAnySet } from './lookups.ts';

export interface DatedObservation {
  readonly obs: ObservationFact;
  readonly day: number;
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
  for (const obs of ctx.record.observations) {
    if (!inAnySet(ctx, codeSets, obs.code)) continue;
    const day = dayOf(obs.effective, 'start');
    if (day === undefined) {
      noteIssue(ctx, 'pathway.observation.undated', 'an Observation has no usable date and was not used', obs.ref);
      continue;
    }
    if (day > ctx.asOfDay || day < from) continue;
    if (!validStatuses.includes(obs.status)) {
      rejected.push({ source: obs.ref, reason: `status is ${obs.status}` });
      continue;
    }
    usable.push({ obs, day });
  }
  usable.sort((a, b) => b.day - a.day);
  return { usable, rejected };
}

/** Twelve significant digits: 0.3 mg/dL x 10 is 3 mg/L exactly, so boundary comparisons behave as written. */
function clean(x: number): number {
  return Number(x.toPrecision(12));
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
