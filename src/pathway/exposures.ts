/**
 * Definition 2: antidepressant exposures. Each medication record (statement, request, dispense, administration) whose
 * medication maps to an antidepressant ingredient becomes one segment with a daily dose in mg (when it can be
 * established) and the inclusive day range of its use (medication-use.ts: one definition of period and status);
 * records that document no exposure are ignored and listed with the reason. A record no code places that names an
 * antidepressant is a segment never adequate, to confirm (docs/care-pathway.md, "Medications named without a listed
 * code").
 */
import { antidepressantNamedIn, unverifiedName } from '../knowledge/index.ts';
import type { MedicationName } from '../knowledge/index.ts';
import { convertQuantity } from '../units/index.ts';
import { implausible } from './plausibility.ts';
import type { MedicationFact, Quantity } from '../record/index.ts';
import { isoDate, noteIssue, noteUnverified } from './context.ts';
import type { EngineContext } from './context.ts';
import type { ExposureSegment, IgnoredMedication } from './facts.ts';
import { antidepressantOf } from './lookups.ts';
import { isCountUnit, medicationUses } from './medication-use.ts';
import { convert, convertByLabel } from './observations.ts';

/** A segment with its day numbers kept for joining (day numbers are not part of the reported facts). */
export interface DatedSegment extends ExposureSegment {
  readonly startDay?: number;
  readonly endDay?: number;
  /** Not confirmed as taken (statement intended or unknown): never adequate, whatever its dates. */
  readonly unconfirmed?: boolean;
  /** The widest reading of dates given only as a month or year (MedicationUse.widest), when dated. */
  readonly widest?: { readonly startDay: number; readonly endDay: number };
}

export function deriveSegments(ctx: EngineContext): { segments: DatedSegment[]; ignored: IgnoredMedication[] } {
  const segments: DatedSegment[] = [];
  const ignored: IgnoredMedication[] = [];
  for (const use of medicationUses(ctx)) {
    const m = use.fact;
    const coded = resolveIngredient(ctx, m);
    const named = coded === undefined ? namedIngredient(ctx, m) : undefined;
    const drug = coded ?? (named === undefined ? undefined : { ingredient: named.ingredient });
    if (drug === undefined) continue;
    if (use.ignored !== undefined) {
      ignored.push({ source: m.ref, reason: use.ignored });
      continue;
    }
    // Named without a code the pathway lists: a possible trial to confirm, never an adequate one (unconfirmed).
    const namedOnly = named === undefined ? undefined : namedOnlyReason(ctx, m, named);
    // Built field by field (no object spread): this runs for every medication of every assessment.
    const dose = doseOf(ctx, m, drug);
    const unconfirmed = use.unconfirmed || namedOnly !== undefined;
    const dated = !unconfirmed && use.startDay !== undefined && use.endDay !== undefined;
    segments.push({
      source: m.ref,
      ingredient: drug.ingredient,
      dailyDoseMg: dose.dailyDoseMg,
      doseBasis: dose.doseBasis,
      doseProblem: dose.doseProblem,
      start: use.startDay === undefined ? undefined : isoDate(use.startDay),
      end: use.endDay === undefined ? undefined : isoDate(use.endDay),
      startDay: dated ? use.startDay : undefined,
      endDay: dated ? use.endDay : undefined,
      periodProblem: namedOnly ?? use.unverified,
      unconfirmed,
      widest: dated ? use.widest : undefined,
    });
  }
  return { segments, ignored };
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

/**
 * The antidepressant a record names when no code places it (its ingredient or a brand name: "Zoloft"): its product's
 * text or displays, else an ingredient's.
 */
function namedIngredient(ctx: EngineContext, m: MedicationFact): MedicationName | undefined {
  const k = ctx.knowledge;
  return antidepressantNamedIn(k, m.medication) ?? firstOf(m.ingredients, (i) => antidepressantNamedIn(k, i.code));
}

function firstOf<T, R>(items: readonly T[], f: (item: T) => R | undefined): R | undefined {
  for (const item of items) {
    const r = f(item);
    if (r !== undefined) return r;
  }
  return undefined;
}

/**
 * The reason a named-only record is a trial to confirm, noted as an issue (the IL-6 blockers' rule, definition 2); a
 * [U] brand name it rests on is listed as relied upon.
 */
function namedOnlyReason(ctx: EngineContext, m: MedicationFact, named: MedicationName): string {
  const which = named.brand === undefined ? `"${named.name}"` : `"${named.name}" (${named.ingredient})`;
  const reason = `named ${which} without a code the pathway lists: confirm the medicine, its dose and dates`;
  noteIssue(ctx, 'medication.named-only', `${m.ref} ${reason}`, m.ref);
  const unverified = unverifiedName(named, 'antidepressant');
  if (unverified !== undefined) noteUnverified(ctx, unverified.item, unverified.note, unverified.citation);
  return reason;
}

/**
 * A dose quantity in mg. A unit given only as text ("mg" without a system, as hand-entered and some EHR doses come) is
 * read as the pathway reads a lab's (observations.ts `convert`: a valid UCUM expression, never guessed) and reported;
 * a UCUM code is converted as before; a unit neither converts is read by the pathway's unit labels ("MG", capitals
 * that are megagauss to UCUM: convertByLabel).
 */
function toMg(ctx: EngineContext, m: MedicationFact, q: Quantity): number | undefined {
  const r = q.ucum !== undefined ? convertQuantity(q, 'mg') : convert(q, 'mg');
  if (!r.ok) return convertByLabel(ctx, m, q, 'mg')?.value;
  if (q.ucum === undefined) {
    noteIssue(
      ctx,
      'pathway.unit.text-only',
      'the dose unit is given only as text (no UCUM code); it is a valid UCUM expression and was used',
      m.ref,
    );
  }
  return r.value;
}

function unitLabel(q: Quantity): string {
  return q.ucum ?? q.unitText ?? 'no unit';
}

type DosePart = Pick<ExposureSegment, 'dailyDoseMg' | 'doseBasis' | 'doseProblem'>;

/** The dose as found, or a dose problem when it is outside the pathway's plausible range (a data error). */
function doseOf(ctx: EngineContext, m: MedicationFact, drug: { ingredient: string; strengthMg?: number }): DosePart {
  const dose = statedDoseOf(ctx, m, drug);
  if (dose.dailyDoseMg === undefined) return dose;
  const range = ctx.pathway.definitions.plausibility.antidepressantDailyDoseMg;
  const problem = implausible(ctx, `${drug.ingredient} daily dose`, range, dose.dailyDoseMg, m.ref);
  return problem === undefined ? dose : { doseProblem: problem };
}

function statedDoseOf(
  ctx: EngineContext,
  m: MedicationFact,
  drug: { ingredient: string; strengthMg?: number },
): DosePart {
  const daily = m.dailyDose;
  if (daily !== undefined && !isCountUnit(daily)) {
    const mg = toMg(ctx, m, daily);
    if (mg !== undefined) return { dailyDoseMg: mg, doseBasis: 'daily-dose' };
    return { doseProblem: `daily dose unit "${unitLabel(daily)}" cannot be converted to mg` };
  }
  let countPerDay: number | undefined;
  if (daily !== undefined) countPerDay = daily.value;
  else if (
    m.dosePerAdministration !== undefined &&
    isCountUnit(m.dosePerAdministration) &&
    m.administrationsPerDay !== undefined
  ) {
    countPerDay = m.dosePerAdministration.value * m.administrationsPerDay;
  }
  if (countPerDay === undefined) {
    if (m.dosePerAdministration !== undefined && m.administrationsPerDay === undefined) {
      return { doseProblem: 'dose frequency not stated' };
    }
    if (m.dosePerAdministration !== undefined) {
      // A dose in mg with a frequency but no daily dose: taken as needed, or dosages that follow one another (the
      // record's fhir.dosage issues say which); not a unit problem.
      if (toMg(ctx, m, m.dosePerAdministration) !== undefined) {
        return { doseProblem: 'no single daily dose (taken as needed, or doses that change over time)' };
      }
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
  const mg = toMg(ctx, m, s.numerator);
  if (mg === undefined) return undefined;
  if (s.denominator === undefined) return mg;
  if (!isCountUnit(s.denominator) || s.denominator.value <= 0) return undefined;
  return mg / s.denominator.value;
}
