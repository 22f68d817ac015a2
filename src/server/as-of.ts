/**
 * The as-of date of a request: the one given, or today (UTC) from the server's clock when none is. Its form is checked
 * by the engine's own check (`checkAsOf`: one message and issue code, `input.as-of.invalid`, for every malformed
 * date); a date after today is refused here, as `trd assess` refuses it without --allow-future-as-of.
 */
import { checkAsOf } from '../engine/engine.ts';
import { InputError } from '../engine/index.ts';

export function todayIso(today: Date): string {
  return today.toISOString().slice(0, 10);
}

export function resolveAsOf(asOf: string | undefined, today: Date): string {
  if (asOf === undefined) return todayIso(today);
  // Not a date first ("2026-13-45" sorts after today but is called not a date), then after today.
  if (checkAsOf(asOf) > todayIso(today)) {
    throw new InputError('asOf is after today', 'input.as-of.future');
  }
  return asOf;
}
