/**
 * When a medication was taken, and how firmly we know it (`periodSource`). Statements carry their own effective[x];
 * a request (a prescription) implies a period only through its dispense: authoredOn + expected supply x (1 + refills),
 * else the dispense validity period; then the dosage's timing bounds; else just its authoredOn as a start.
 * @see https://hl7.org/fhir/R4/medicationrequest.html#MedicationRequest.dispenseRequest
 */
import type { Duration, MedicationRequestDispenseRequest } from '@medplum/fhirtypes';
import { fromDayNumber, toDayNumber } from '../record/index.ts';
import type { MedicationFact, Period } from '../record/index.ts';
import { readPeriod, readQuantity } from './datatypes.ts';
import { DAYS_PER_UNIT_OF_TIME } from './dosage.ts';
import { readNumber, readObject, readString, warn } from './read.ts';
import type { ReadContext, Untrusted } from './read.ts';

type Dispense = NonNullable<MedicationFact['dispense']>;

/** Plain-word units seen in `Duration.unit` when `code` is absent. */
const UNIT_WORDS: Readonly<Record<string, string>> = {
  day: 'd',
  days: 'd',
  week: 'wk',
  weeks: 'wk',
  month: 'mo',
  months: 'mo',
};

function unitWordDays(word: string): number | undefined {
  const unitOfTime = UNIT_WORDS[word.toLowerCase()];
  return unitOfTime === undefined ? undefined : DAYS_PER_UNIT_OF_TIME[unitOfTime];
}

function durationInDays(ctx: ReadContext, value: unknown, path: string): number | undefined {
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
  return {
    ...(validityPeriod !== undefined && { validityPeriod }),
    ...(expectedSupplyDays !== undefined && { expectedSupplyDays }),
    ...(numberOfRepeatsAllowed !== undefined && { numberOfRepeatsAllowed }),
    ...(quantity !== undefined && { quantity }),
  };
}

export interface PeriodReading {
  readonly period: Period;
  readonly periodSource?: MedicationFact['periodSource'];
}

export function requestPeriod(
  authoredOn: string | undefined,
  dispense: Dispense | undefined,
  dosageBounds: Period | undefined,
): PeriodReading {
  const start = toDayNumber(authoredOn);
  if (start !== undefined && authoredOn !== undefined && dispense?.expectedSupplyDays !== undefined) {
    // Inclusive count: a 30-day supply authored on Jan 1 lasts to Jan 30.
    const days = dispense.expectedSupplyDays * (1 + (dispense.numberOfRepeatsAllowed ?? 0));
    return { period: { start: authoredOn, end: fromDayNumber(start + days - 1) }, periodSource: 'dispenseRequest' };
  }
  if (dispense?.validityPeriod !== undefined)
    return { period: dispense.validityPeriod, periodSource: 'dispenseRequest' };
  if (dosageBounds !== undefined) return { period: dosageBounds, periodSource: 'dosageBounds' };
  if (authoredOn !== undefined) return { period: { start: authoredOn }, periodSource: 'authoredOn' };
  return { period: {} };
}

export function statementPeriod(
  ctx: ReadContext,
  resource: Untrusted<{ effectivePeriod: unknown; effectiveDateTime: unknown }>,
  dosageBounds: Period | undefined,
): PeriodReading {
  const effectivePeriod = readPeriod(ctx, resource.effectivePeriod, 'effectivePeriod');
  if (effectivePeriod !== undefined) return { period: effectivePeriod, periodSource: 'effectivePeriod' };
  const at = readString(ctx, resource.effectiveDateTime, 'effectiveDateTime');
  if (at !== undefined) {
    if (toDayNumber(at) !== undefined) return { period: { start: at, end: at }, periodSource: 'effectiveDateTime' };
    warn(ctx, 'effectiveDateTime', 'effectiveDateTime is not a FHIR date; ignored');
  }
  if (dosageBounds !== undefined) return { period: dosageBounds, periodSource: 'dosageBounds' };
  return { period: {} };
}
