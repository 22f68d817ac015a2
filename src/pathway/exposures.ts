/**
 * Definition 2: antidepressant exposures. Each MedicationStatement / MedicationRequest whose medication maps to an
 * antidepressant ingredient becomes one segment with a daily dose in mg (when it can be established) and an inclusive
 * day range; statuses that do not document an exposure are ignored and listed with the reason.
 */
import { convertQuantity } from '../units/index.ts';
import type { MedicationFact, Quantity } from '../record/index.ts';
import { dayOf, isFullDate, isoDate } from './context.ts';
import type { EngineContext } from './context.ts';
import type { ExposureSegment, IgnoredMedication } from './facts.ts';
import { antidepressantOf } from './lookups.ts';

const IGNORED_STATEMENT = new Set(['entered-in-error', 'not-taken']);
const USED_REQUEST = new Set(['active', 'completed']);
/** Unit texts that name a count of dose units when the sender gave no UCUM code. */
const COUNT_UNIT_TEXT = new Set(['tablet', 'tablets', 'tab', 'tabs', 'capsule', 'capsules', 'cap', 'caps', 'each']);

/** A segment with its day numbers kept for joining (day numbers are not part of the reported facts). */
export interface DatedSegment extends ExposureSegment {
  readonly startDay?: number;
  readonly endDay?: number;
}

export function deriveSegments(ctx: EngineContext): { segments: DatedSegment[]; ignored: IgnoredMedication[] } {
  const segments: DatedSegment[] = [];
  const ignored: IgnoredMedication[] = [];
  for (const m of ctx.record.medications) {
    const drug = resolveIngredient(ctx, m);
    if (drug === undefined) continue;
    const why = whyIgnored(m);
    if (why !== undefined) {
      ignored.push({ source: m.ref, reason: why });
      continue;
    }
    const startDay =
      m.period.start === undefined ? undefined : dayOf(m.period.start, isFullDate(m.period.start) ? 'start' : 'end');
    if (startDay !== undefined && startDay > ctx.asOfDay) {
      ignored.push({ source: m.ref, reason: `starts ${m.period.start}, after the as-of date` });
      continue;
    }
    // Built field by field (no object spread): this runs for every medication of every assessment.
    const dose = doseOf(ctx, m, drug);
    const period = periodOf(ctx, m, startDay);
    segments.push({
      source: m.ref,
      ingredient: drug.ingredient,
      dailyDoseMg: dose.dailyDoseMg,
      doseBasis: dose.doseBasis,
      doseProblem: dose.doseProblem,
      start: period.start,
      end: period.end,
      startDay: period.startDay,
      endDay: period.endDay,
      periodProblem: period.periodProblem,
    });
  }
  return { segments, ignored };
}

function whyIgnored(m: MedicationFact): string | undefined {
  if (m.kind === 'statement') {
    return IGNORED_STATEMENT.has(m.status) ? `MedicationStatement status is ${m.status}` : undefined;
  }
  return USED_REQUEST.has(m.status)
    ? undefined
    : `MedicationRequest status is ${m.status} (only active or completed count)`;
}

function resolveIngredient(
  ctx: EngineContext,
  m: MedicationFact,
): { ingredient: string; strengthMg?: number } | undefined {
  const direct = antidepressantOf(ctx, m.medication);
  if (direct !== undefined) return direct;
  for (const ing of m.ingredients) {
    const found = antidepressantOf(ctx, ing.code);
    if (found !== undefined) return found;
  }
  return undefined;
}

function isCount(q: Quantity): boolean {
  if (q.ucum !== undefined) return q.ucum === '1' || (q.ucum.startsWith('{') && q.ucum.endsWith('}'));
  return q.unitText !== undefined && COUNT_UNIT_TEXT.has(q.unitText.trim().toLowerCase());
}

function toMg(q: Quantity): number | undefined {
  if (q.ucum === undefined) return undefined;
  const r = convertQuantity(q, 'mg');
  return r.ok ? r.value : undefined;
}

function unitLabel(q: Quantity): string {
  return q.ucum ?? q.unitText ?? 'no unit';
}

type DosePart = Pick<ExposureSegment, 'dailyDoseMg' | 'doseBasis' | 'doseProblem'>;

function doseOf(ctx: EngineContext, m: MedicationFact, drug: { ingredient: string; strengthMg?: number }): DosePart {
  const daily = m.dailyDose;
  if (daily !== undefined && !isCount(daily)) {
    const mg = toMg(daily);
    if (mg !== undefined) return { dailyDoseMg: mg, doseBasis: 'daily-dose' };
    return { doseProblem: `daily dose unit "${unitLabel(daily)}" cannot be converted to mg` };
  }
  let countPerDay: number | undefined;
  if (daily !== undefined) countPerDay = daily.value;
  else if (
    m.dosePerAdministration !== undefined &&
    isCount(m.dosePerAdministration) &&
    m.administrationsPerDay !== undefined
  ) {
    countPerDay = m.dosePerAdministration.value * m.administrationsPerDay;
  }
  if (countPerDay === undefined) {
    if (m.dosePerAdministration !== undefined && m.administrationsPerDay === undefined) {
      return { doseProblem: 'dose frequency not stated' };
    }
    if (m.dosePerAdministration !== undefined) {
      return { doseProblem: `dose unit "${unitLabel(m.dosePerAdministration)}" cannot be converted to mg` };
    }
    return { doseProblem: 'no structured dose' };
  }
  const strength = strengthMg(ctx, m) ?? drug.strengthMg;
  if (strength === undefined) return { doseProblem: 'product strength unknown' };
  return { dailyDoseMg: strength * countPerDay, doseBasis: 'strength-x-count' };
}

/** mg per dose unit from the record's own ingredient strength (e.g. 50 mg / 1 tablet), when it is unambiguous. */
function strengthMg(ctx: EngineContext, m: MedicationFact): number | undefined {
  const withStrength = m.ingredients.filter((i) => i.strength !== undefined && i.isActive !== false);
  const match =
    withStrength.find((i) => antidepressantOf(ctx, i.code) !== undefined) ??
    (withStrength.length === 1 ? withStrength[0] : undefined);
  const s = match?.strength;
  if (s === undefined) return undefined;
  const mg = toMg(s.numerator);
  if (mg === undefined) return undefined;
  if (s.denominator === undefined) return mg;
  if (!isCount(s.denominator) || s.denominator.value <= 0) return undefined;
  return mg / s.denominator.value;
}

type PeriodPart = Pick<DatedSegment, 'start' | 'end' | 'startDay' | 'endDay' | 'periodProblem'>;

function periodOf(ctx: EngineContext, m: MedicationFact, startDay: number | undefined): PeriodPart {
  const active = m.status === 'active';
  // A partial date is read the way that shortens the exposure, so imprecision never makes a trial adequate.
  let endDay = m.period.end === undefined ? undefined : dayOf(m.period.end, 'start');
  if (endDay === undefined && active) endDay = ctx.asOfDay;
  if (endDay !== undefined && endDay > ctx.asOfDay) endDay = ctx.asOfDay;
  const problems: string[] = [];
  if (startDay === undefined) problems.push('start date unknown');
  if (endDay === undefined) problems.push('end date unknown');
  if (startDay !== undefined && endDay !== undefined && endDay < startDay) problems.push('ends before it starts');
  return {
    startDay,
    start: startDay === undefined ? undefined : isoDate(startDay),
    endDay,
    end: endDay === undefined ? undefined : isoDate(endDay),
    periodProblem: problems.length > 0 ? problems.join('; ') : undefined,
  };
}
