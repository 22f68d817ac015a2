/**
 * Visit dates from the protocol's schedule: each visit's target day relative to the dosing visit (day 0), and the
 * window around it. Dates are ISO calendar dates; arithmetic is in whole UTC days. Pure.
 */
import type { TrialProtocol } from '../trials/schema.ts';

export interface ScheduledVisit {
  readonly id: string;
  readonly label: string;
  readonly day: number;
  readonly targetDate: string;
  readonly earliest: string;
  readonly latest: string;
  readonly instruments: readonly string[];
  readonly safetyLabs: readonly string[];
  /** False when the visit's timing or window is a project default rather than the protocol's ([U]). */
  readonly verified: boolean;
  readonly note?: string;
}

const DAY_MS = 86_400_000;

export function addDays(isoDate: string, days: number): string {
  return new Date(Date.parse(`${isoDate}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

export function daysBetween(fromIso: string, toIso: string): number {
  return Math.round((Date.parse(`${toIso}T00:00:00Z`) - Date.parse(`${fromIso}T00:00:00Z`)) / DAY_MS);
}

/** The schedule anchored on the dosing date (planned or actual). */
export function visitSchedule(protocol: TrialProtocol, dosingDate: string): ScheduledVisit[] {
  return (protocol.visits ?? []).map((v) => ({
    id: v.id,
    label: v.label,
    day: v.day,
    targetDate: addDays(dosingDate, v.day),
    earliest: addDays(dosingDate, v.day - v.windowBefore),
    latest: addDays(dosingDate, v.day + v.windowAfter),
    instruments: v.instruments,
    safetyLabs: v.safetyLabs,
    verified: v.verified,
    ...(v.note !== undefined && { note: v.note }),
  }));
}

/** Whether `date` lies in the visit's window: `early`, `in-window` or `late`. */
export function windowStatus(visit: ScheduledVisit, date: string): 'early' | 'in-window' | 'late' {
  if (date < visit.earliest) return 'early';
  if (date > visit.latest) return 'late';
  return 'in-window';
}
