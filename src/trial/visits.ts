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

/** Whether `timeZone` is an IANA time zone name the runtime knows (Europe/London, Australia/Sydney, UTC). */
export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/**
 * The calendar date (YYYY-MM-DD) at `instant` (ISO timestamp) in `timeZone`: the day a site in that zone lives it,
 * which near midnight differs from the UTC date by one.
 */
export function dateInTimeZone(instant: string, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(new Date(instant));
  const part = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
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

/** When a visit's form or lab was done, against the visit's window anchored on the dose. */
export type VisitTiming = 'in-window' | 'early' | 'late' | 'unknown';

/**
 * The timing of a record of `visitId` dated `date`, with the window anchored on the study-drug date `dosedOn`:
 * `unknown` before the dose is recorded (the window has no dates yet) or for a visit the protocol does not list.
 * An out-of-window record is kept as entered; its timing is shown and exported (a protocol deviation to review).
 */
export function visitTiming(
  protocol: TrialProtocol,
  dosedOn: string | null,
  visitId: string,
  date: string,
): { readonly timing: VisitTiming; readonly daysOutside: number } {
  const visit = dosedOn === null ? undefined : visitSchedule(protocol, dosedOn).find((v) => v.id === visitId);
  if (visit === undefined) return { timing: 'unknown', daysOutside: 0 };
  const timing = windowStatus(visit, date.slice(0, 10));
  const daysOutside =
    timing === 'early'
      ? daysBetween(date.slice(0, 10), visit.earliest)
      : timing === 'late'
        ? daysBetween(visit.latest, date.slice(0, 10))
        : 0;
  return { timing, daysOutside };
}

/** "in window", "3 days early", "1 day late", "unknown (no dose recorded)". */
export function visitTimingText(t: { readonly timing: VisitTiming; readonly daysOutside: number }): string {
  const days = `${t.daysOutside} day${t.daysOutside === 1 ? '' : 's'}`;
  switch (t.timing) {
    case 'in-window':
      return 'in window';
    case 'early':
      return `${days} early`;
    case 'late':
      return `${days} late`;
    case 'unknown':
      return 'unknown (no dose recorded)';
  }
}
