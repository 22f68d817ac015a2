/**
 * Dosage -> one administration, administrations per day and the daily dose, as the pathway needs them to judge an
 * adequate antidepressant dose. A dose taken "as needed" has no regular daily dose: its product is a ceiling, so the
 * daily dose is left undefined (the exposure stays unverified) and a note says why.
 * @see https://hl7.org/fhir/R4/dosage.html and https://hl7.org/fhir/R4/datatypes.html#Timing
 */
import type { Dosage, DosageDoseAndRate, Timing, TimingRepeat } from '@medplum/fhirtypes';
import { lookupTable, type Concept, type Period, type Quantity, type Writable } from '../record/index.ts';
import { readConcept, readPeriod, readQuantity } from './datatypes.ts';
import { note, readArray, readBoolean, readNumber, readObject, readString, warn } from './read.ts';
import type { ReadContext, Untrusted } from './read.ts';

/** UCUM's `mo` and `a` are the mean Julian month and year (30.4375 d, 365.25 d); FHIR's UnitsOfTime uses them. */
export const DAYS_PER_UNIT_OF_TIME = lookupTable<number>({
  s: 1 / 86_400,
  min: 1 / 1_440,
  h: 1 / 24,
  d: 1,
  wk: 7,
  mo: 30.4375,
  a: 365.25,
});

/** HL7 v3 GTSAbbreviation timing codes -> administrations per day. */
export const ADMINISTRATIONS_PER_DAY_BY_TIMING_CODE = lookupTable<number>({
  QD: 1,
  BID: 2,
  TID: 3,
  QID: 4,
  QOD: 0.5,
  Q4H: 6,
  Q6H: 4,
  Q8H: 3,
  Q12H: 2,
  QAM: 1,
  QPM: 1,
  HS: 1,
  AM: 1,
  PM: 1,
  WAKE: 1,
});

export interface DosageFacts {
  readonly dosePerAdministration?: Quantity;
  readonly administrationsPerDay?: number;
  readonly dailyDose?: Quantity;
  readonly dosageText?: string;
  /** route of the first dosage that has one. */
  readonly route?: Concept;
  /** timing.repeat.boundsPeriod of the first dosage that has one. */
  readonly bounds?: Period;
}

/** Absent values are undefined (one shape for every dosage). */
interface OneDosage {
  readonly sequence: number | undefined;
  readonly dose: Quantity | undefined;
  readonly perDay: number | undefined;
  readonly asNeeded: boolean;
}

// The readers below take the path of the Dosage itself and name their elements by literal suffixes, joined only for a
// warning (read.ts): every medication resource of a bundle passes here.

function readDose(ctx: ReadContext, value: unknown, path: string): Quantity | undefined {
  const list = readArray(ctx, value, path, '.doseAndRate');
  for (let i = 0; i < list.length; i++) {
    const p = `${path}.doseAndRate[${i}]`;
    const dr = readObject<DosageDoseAndRate>(ctx, list[i], p);
    if (dr === undefined) continue;
    const dose = readQuantity(ctx, dr.doseQuantity, p, '.doseQuantity') ?? rangeDose(ctx, dr.doseRange, p);
    if (dose !== undefined) return dose;
  }
  return undefined;
}

/**
 * A dose range is one dose only when its ends agree ("25-50 mg" may be either): otherwise the dose is not established
 * and the exposure stays unverified (docs/care-pathway.md definition 3).
 */
function rangeDose(ctx: ReadContext, value: unknown, path: string): Quantity | undefined {
  const range = readObject<{ low: unknown; high: unknown }>(ctx, value, path, '.doseRange');
  if (range === undefined) return undefined;
  const low = readQuantity(ctx, range.low, path, '.doseRange.low');
  const high = readQuantity(ctx, range.high, path, '.doseRange.high');
  if (low !== undefined && high !== undefined && low.value === high.value && unitKey(low) === unitKey(high)) return low;
  note(ctx, `${path}.doseRange`, 'dose given as a range: no single dose is established', 'fhir.dosage.range');
  return undefined;
}

const DAYS_OF_WEEK: ReadonlySet<string> = new Set(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);

function perDayFromRepeat(ctx: ReadContext, repeat: Untrusted<TimingRepeat>, path: string): number | undefined {
  const period = readNumber(ctx, repeat.period, path, '.timing.repeat.period');
  const periodUnit = readString(ctx, repeat.periodUnit, path, '.timing.repeat.periodUnit');
  const perDay = everyDayRate(ctx, repeat, path, period, periodUnit);
  // dayOfWeek limits a daily schedule to some days of the week: 50 mg once a day on Mon, Wed and Fri is 3/7 of a dose.
  const listed = readArray(ctx, repeat.dayOfWeek, path, '.timing.repeat.dayOfWeek');
  if (perDay === undefined || listed.length === 0) return perDay;
  const days = new Set(listed.filter((d) => typeof d === 'string' && DAYS_OF_WEEK.has(d)));
  if (days.size === 0 || days.size === 7) return perDay;
  if (period === undefined || (period === 1 && periodUnit === 'd')) return (perDay * days.size) / 7;
  note(
    ctx,
    `${path}.timing.repeat`,
    'days of the week with a period other than a day: frequency not established',
    'fhir.dosage.timing',
  );
  return undefined;
}

/** Administrations per day on the days it is taken, from frequency per period (read by the caller). */
function everyDayRate(
  ctx: ReadContext,
  repeat: Untrusted<TimingRepeat>,
  path: string,
  period: number | undefined,
  periodUnit: string | undefined,
): number | undefined {
  const frequency = readNumber(ctx, repeat.frequency, path, '.timing.repeat.frequency');
  const frequencyMax = readNumber(ctx, repeat.frequencyMax, path, '.timing.repeat.frequencyMax');
  // frequency is the least number of doses; frequencyMax alone ("up to twice a day") gives no regular number.
  if (frequency === undefined && frequencyMax !== undefined) {
    note(
      ctx,
      `${path}.timing.repeat`,
      'only a maximum frequency is given: frequency not established',
      'fhir.dosage.timing',
    );
    return undefined;
  }
  const count = frequency;
  if (period !== undefined || periodUnit !== undefined) {
    if (period === undefined || periodUnit === undefined || period <= 0) {
      const at = `${path}.timing.repeat`;
      warn(ctx, at, `${at} needs both a positive period and a periodUnit; frequency not established`);
      return undefined;
    }
    const daysPerUnit = DAYS_PER_UNIT_OF_TIME[periodUnit];
    if (daysPerUnit === undefined) {
      const at = `${path}.timing.repeat.periodUnit`;
      warn(ctx, at, `${at} '${periodUnit}' is not a FHIR unit of time; ignored`);
      return undefined;
    }
    return (count ?? 1) / (period * daysPerUnit);
  }
  // Without a period, named times of day ("08:00", "20:00") or events (MORN, EVE) each mean one dose a day.
  const timesOfDay = readArray(ctx, repeat.timeOfDay, path, '.timing.repeat.timeOfDay').length;
  if (timesOfDay > 0) return timesOfDay;
  const events = readArray(ctx, repeat.when, path, '.timing.repeat.when').length;
  if (events > 0) return events;
  return undefined;
}

function perDayFromTiming(ctx: ReadContext, value: unknown, path: string): number | undefined {
  const timing = readObject<Timing>(ctx, value, path, '.timing');
  if (timing === undefined) return undefined;
  const repeat = readObject<TimingRepeat>(ctx, timing.repeat, path, '.timing.repeat');
  const fromRepeat = repeat === undefined ? undefined : perDayFromRepeat(ctx, repeat, path);
  if (fromRepeat !== undefined) return fromRepeat;
  const code = readConcept(ctx, timing.code, path, '.timing.code');
  for (const coding of code?.codings ?? []) {
    const perDay = coding.code === undefined ? undefined : ADMINISTRATIONS_PER_DAY_BY_TIMING_CODE[coding.code];
    if (perDay !== undefined) return perDay;
  }
  return undefined;
}

function readBounds(ctx: ReadContext, value: unknown, path: string): Period | undefined {
  const timing = readObject<Timing>(ctx, value, path, '.timing');
  const repeat = readObject<TimingRepeat>(ctx, timing?.repeat, path, '.timing.repeat');
  if (repeat === undefined || repeat.boundsPeriod === undefined) return undefined;
  return readPeriod(ctx, repeat.boundsPeriod, `${path}.timing.repeat.boundsPeriod`);
}

const unitKey = (q: Quantity): string => `${q.ucum ?? ''}|${q.unitText ?? ''}`;

/**
 * Reads MedicationRequest.dosageInstruction or MedicationStatement.dosage. Several dosages that share a sequence run
 * together (50 mg in the morning + 100 mg at night = 150 mg/day) and are summed when their units agree; dosages with
 * different sequences follow one another (a titration), so no single daily dose is claimed.
 */
export function readDosages(ctx: ReadContext, value: unknown, element: string): DosageFacts {
  const list = readArray(ctx, value, element);
  const dosages: OneDosage[] = [];
  let dosageText: string | undefined;
  let bounds: Period | undefined;
  let route: Concept | undefined;
  for (let i = 0; i < list.length; i++) {
    const path = `${element}[${i}]`;
    const d = readObject<Dosage>(ctx, list[i], path);
    if (d === undefined) continue;
    dosageText ??= readString(ctx, d.text, path, '.text');
    route ??= readConcept(ctx, d.route, path, '.route');
    bounds ??= readBounds(ctx, d.timing, path);
    const asNeeded =
      readBoolean(ctx, d.asNeededBoolean, path, '.asNeededBoolean') === true ||
      readConcept(ctx, d.asNeededCodeableConcept, path, '.asNeededCodeableConcept') !== undefined;
    if (asNeeded) {
      note(ctx, path, 'dose taken as needed: no regular daily dose is established', 'fhir.dosage.as-needed');
    }
    const sequence = readNumber(ctx, d.sequence, path, '.sequence');
    const dose = readDose(ctx, d.doseAndRate, path);
    const perDay = perDayFromTiming(ctx, d.timing, path);
    // One object filled in, not spreads: every medication resource of a bundle passes here.
    dosages.push({ asNeeded, sequence, dose, perDay });
  }
  const shown: Writable<DosageFacts> = {};
  if (dosageText !== undefined) shown.dosageText = dosageText;
  if (bounds !== undefined) shown.bounds = bounds;
  if (route !== undefined) shown.route = route;
  const first = dosages.find((d) => d.dose !== undefined) ?? dosages[0];
  if (first === undefined) return shown;
  if (first.dose !== undefined) shown.dosePerAdministration = first.dose;
  if (first.perDay !== undefined) shown.administrationsPerDay = first.perDay;
  if (dosages.length === 1) {
    if (first.asNeeded || first.dose === undefined || first.perDay === undefined) return shown;
    shown.dailyDose = { ...first.dose, value: first.dose.value * first.perDay };
    return shown;
  }
  const concurrent = dosages.every((d) => d.sequence === first.sequence);
  if (!concurrent) {
    note(ctx, element, 'dosages follow one another (titration): no single daily dose', 'fhir.dosage.sequential');
    return shown;
  }
  const firstDose = first.dose;
  if (firstDose === undefined) return shown;
  let dailyValue = 0;
  let perDayTotal = 0;
  for (const d of dosages) {
    if (d.asNeeded || d.dose === undefined || d.perDay === undefined || unitKey(d.dose) !== unitKey(firstDose)) {
      return shown;
    }
    dailyValue += d.dose.value * d.perDay;
    perDayTotal += d.perDay;
  }
  shown.administrationsPerDay = perDayTotal;
  shown.dailyDose = { ...firstDose, value: dailyValue };
  return shown;
}
