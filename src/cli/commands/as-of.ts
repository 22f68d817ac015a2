/**
 * The --as-of and --allow-future-as-of options, shared by every command that evaluates a record as of a date.
 */
import type { Command } from 'commander';

export interface AsOfFlags {
  readonly asOf?: string;
  readonly allowFutureAsOf?: boolean;
}

export function withAsOfOptions(command: Command): Command {
  return command
    .option('--as-of <date>', 'evaluate as of this date (YYYY-MM-DD; default today, UTC); nothing dated later is used')
    .option('--allow-future-as-of', 'accept an --as-of date after today (reported in the result)');
}

/** The issue text when `asOf` is after `today`, or undefined. */
export function futureAsOfMessage(asOf: string, today: Date): string | undefined {
  const todayIso = today.toISOString().slice(0, 10);
  return asOf > todayIso ? `evaluated as of ${asOf}, after today (${todayIso}): --allow-future-as-of` : undefined;
}
