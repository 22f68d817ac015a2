/**
 * The period a medication record states, and where it came from (`periodSource`). No supply arithmetic here: how long
 * one supply lasts, whether refills were taken and whether an open-ended record is still current are the engine's
 * definitions (src/pathway/medication-use.ts, docs/care-pathway.md, definitions 2 and 3a), so the reader stays knowledge-free.
 * @see https://hl7.org/fhir/R4/medicationrequest.html#MedicationRequest.dispenseRequest
 */
import type { Duration, MedicationRequestDispenseRequest } from '@medplum/fhirtypes';
import { lookupTable, toDayNumber } from '../record/index.ts';
import type { MedicationFact, Period } from '../record/index.ts';
import { readPeriod, readQuantity } from './datatypes.ts';
import { DAYS_PER_UNIT_OF_TIME } from './dosage.ts';
import { readNumber, readObject, readString, warn } from './read.ts';
import type { ReadContext, Untrusted, Writable } from './read.ts';

type Dispense = NonNullable<MedicationFact['dispense']>;

const MAX_SUPPLY_DAYS = 36_525;

/** Plain-word units seen in `Duration.unit` when `code` is absent. */
const UNIT_WORDS = lookupTable<string>({
  day: 'd',
  days: 'd',
  week: 'wk',
  weeks: 'wk',
  month: 'mo',
  months: 'mo',
});

function unitWordDays(word: string): number | undefined {
  const unitOfTime = UNIT_WORDS[word.toLowerCase()];
  return unitOfTime === undefined ? undefined : DAYS_PER_UNIT_OF_TIME[unitOfTime];
}

export function durationInDays(ctx: ReadContext, value: unknown, path: string): number | undefined {
  const d = readObject<Duration>(ctx, value, path);
  if (d === undefined) return undefined;
  const amount = readNumber(ctx, d.value, `${path}.value`);
  const code = readString(ctx, d.code, `${path}.code`);
  const unit = readString(ctx, d.unit, `${path}.unit`);
  // The UCUM code first (d, wk, mo); failing that, a plain word in `code` or `unit` ("days", "weeks").
  const daysPerUnit =
    (code === undefined ? undefined : (DAYS_PER_UNIT_OF_TIME[code] ?? unitWordDays(code))) ??
    (unit === undefined ? undefined : unitWordDays(unit));
  if (amount === undefined || daysPerUnit === undefined || daysPerUnit < 1 || amount <= 0) {
    warn(ctx, path, `${path} is not a positive number of days, weeks or months; ignored`);
    return undefined;
  }
  // A supply longer than a century is not a supply: day arithmetic on it would leave the calendar.
  if (amount * daysPerUnit > MAX_SUPPLY_DAYS) {
    warn(ctx, path, `${path} is longer than ${MAX_SUPPLY_DAYS} days; ignored`);
    return undefined;
  }
  // Whole days: a "3 month" supply of 91.3 days is 91 days of tablets.
  return Math.round(amount * daysPerUnit);
}

export function readDispense(ctx: ReadContext, value: unknown): Dispense | undefined {
  const dr = readObject<MedicationRequestDispenseRequest>(ctx, value, 'dispenseRequest');
  if (dr === undefined) return undefined;
  const validityPeriod = readPeriod(ctx, dr.validityPeriod, 'dispenseRequest.validityPeriod');
  const expectedSupplyDays = durationInDays(ctx, dr.expectedSupplyDuration, 'dispenseRequest.expectedSupplyDuration');
  let numberOfRepeatsAllowed = readNumber(ctx, dr.numberOfRepeatsAllowed, 'dispenseRequest.numberOfRepeatsAllowed');
  if (
    numberOfRepeatsAllowed !== undefined &&
    (numberOfRepeatsAllowed < 0 || !Number.isInteger(numberOfRepeatsAllowed))
  ) {
    warn(ctx, 'dispenseRequest.numberOfRepeatsAllowed', 'numberOfRepeatsAllowed is not a whole number; ignored');
    numberOfRepeatsAllowed = undefined;
  }
  const quantity = readQuantity(ctx, dr.quantity, 'dispenseRequest.quantity');
  const dispense: Writable<Dispense> = {};
  if (validityPeriod !== undefined) dispense.validityPeriod = validityPeriod;
  if (expectedSupplyDays !== undefined) dispense.expectedSupplyDays = expectedSupplyDays;
  if (numberOfRepeatsAllowed !== undefined) dispense.numberOfRepeatsAllowed = numberOfRepeatsAllowed;
  if (quantity !== undefined) dispense.quantity = quantity;
  return dispense;
}

export interface PeriodReading {
  readonly period: Period;
  readonly periodSource?: MedicationFact['periodSource'];
}

/**
 * A request's stated period: its dosage bounds; else authoredOn (or validityPeriod.start) to validityPeriod.end. The
 * expected supply is not turned into an end here (one supply, refills only when dispensed: the engine's rule).
 */
export function requestPeriod(
  authoredOn: string | undefined,
  dispense: Dispense | undefined,
  dosageBounds: Period | undefined,
): PeriodReading {
  if (dosageBounds !== undefined) return { period: dosageBounds, periodSource: 'dosageBounds' };
  const validity = dispense?.validityPeriod;
  const start = authoredOn ?? validity?.start;
  const end = validity?.end;
  if (start === undefined && end === undefined) return { period: {} };
  const period: Period = start === undefined ? { end: end as string } : end === undefined ? { start } : { start, end };
  return { period, periodSource: authoredOn !== undefined ? 'authoredOn' : 'dispenseRequest' };
}

/**
 * effective[x] of a statement or an administration. A statement's single effectiveDateTime is only a start (its
 * duration is unknown, docs/care-pathway.md, definition 2); an administration's is one dose on that day (`pointIsOneDay`).
 */
export function statementPeriod(
  ctx: ReadContext,
  resource: Untrusted<{ effectivePeriod: unknown; effectiveDateTime: unknown }>,
  dosageBounds: Period | undefined,
  pointIsOneDay = false,
): PeriodReading {
  const effectivePeriod = readPeriod(ctx, resource.effectivePeriod, 'effectivePeriod');
  if (effectivePeriod !== undefined) return { period: effectivePeriod, periodSource: 'effectivePeriod' };
  const at = readString(ctx, resource.effectiveDateTime, 'effectiveDateTime');
  if (at !== undefined) {
    if (toDayNumber(at) !== undefined) {
      return { period: pointIsOneDay ? { start: at, end: at } : { start: at }, periodSource: 'effectiveDateTime' };
    }
    warn(ctx, 'effectiveDateTime', 'effectiveDateTime is not a FHIR date; ignored');
  }
  if (dosageBounds !== undefined) return { period: dosageBounds, periodSource: 'dosageBounds' };
  return { period: {} };
}
