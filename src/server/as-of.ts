/**
 * The as-of date of a request: the one given, or today (UTC) from the server's clock. The engine checks the format
 * (InputError); a date after today is refused here, as `trd assess` refuses it without --allow-future-as-of.
 */
import { InputError } from '../engine/index.ts';

export function todayIso(today: Date): string {
  return today.toISOString().slice(0, 10);
}

export function resolveAsOf(asOf: string | undefined, today: Date): string {
  if (asOf === undefined || asOf === '') return todayIso(today);
  // Only a real calendar date is after today; "2026-13-45" is left to the engine, which calls it not a date.
  const date = new Date(`${asOf}T00:00:00Z`);
  const isDate = /^\d{4}-\d{2}-\d{2}$/.test(asOf) && !Number.isNaN(date.getTime()) && todayIso(date) === asOf;
  if (isDate && asOf > todayIso(today)) {
    throw new InputError('asOf is after today', 'input.as-of.future');
  }
  return asOf;
}
