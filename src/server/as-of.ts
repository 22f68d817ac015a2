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
  if (/^\d{4}-\d{2}-\d{2}$/.test(asOf) && asOf > todayIso(today)) {
    throw new InputError('asOf is after today', 'input.as-of.future');
  }
  return asOf;
}
