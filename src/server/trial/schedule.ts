/**
 * A participant's visit schedule with each visit's window as dates: the protocol's visits (src/trials/
 * schema-conduct.ts: day from the dosing visit, days allowed before and after) anchored on the day the study drug
 * was given, or provisionally on the randomization date until it is. Visits before day 0 (screening, baseline) are
 * anchored the same way. Dates are calendar dates (UTC), so no clock is read here.
 */
import type { Participant } from '../../trial/model.ts';
import type { TrialProtocol } from '../../trials/schema.ts';
import type { Visit } from '../../trials/schema-conduct.ts';

export interface ScheduledVisit {
  readonly id: string;
  readonly label: string;
  readonly day: number;
  /** YYYY-MM-DD when the schedule is anchored, otherwise null. */
  readonly targetOn: string | null;
  readonly earliestOn: string | null;
  readonly latestOn: string | null;
  /** "2026-12-12 to 2026-12-16 (day 14, -2/+2)" or "day 14, -2/+2 days" before anchoring. */
  readonly windowText: string;
  readonly provisional: boolean;
  readonly instruments: readonly string[];
  readonly labs: readonly string[];
  readonly verified: boolean;
}

export function addDays(isoDate: string, days: number): string {
  const d = new Date(`${isoDate.slice(0, 10)}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export function protocolVisits(protocol: TrialProtocol): readonly Visit[] {
  return protocol.visits ?? [];
}

/**
 * `dosedOn`: the date of the dosing visit (day 0) when recorded; `randomizedAt` the fallback anchor (provisional).
 */
export function participantSchedule(
  protocol: TrialProtocol,
  _participant: Participant,
  randomizedAt: string | null,
  dosedOn: string | null = null,
): ScheduledVisit[] {
  const anchor = dosedOn ?? (randomizedAt === null ? null : randomizedAt.slice(0, 10));
  const provisional = dosedOn === null;
  return protocolVisits(protocol).map((v) => {
    const span = `day ${v.day}, -${v.windowBefore}/+${v.windowAfter} days`;
    const targetOn = anchor === null ? null : addDays(anchor, v.day);
    const earliestOn = anchor === null ? null : addDays(anchor, v.day - v.windowBefore);
    const latestOn = anchor === null ? null : addDays(anchor, v.day + v.windowAfter);
    return {
      id: v.id,
      label: v.label,
      day: v.day,
      targetOn,
      earliestOn,
      latestOn,
      windowText:
        earliestOn === null ? span : `${earliestOn} to ${latestOn} (${span}${provisional ? ', provisional' : ''})`,
      provisional,
      instruments: v.instruments,
      labs: v.safetyLabs,
      verified: v.verified,
    };
  });
}
