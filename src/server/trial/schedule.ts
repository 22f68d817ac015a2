/**
 * A participant's visit schedule as the pages show it: the protocol's visits with their windows as dates
 * (visitSchedule, src/trial/visits.ts), anchored on the day the study drug was given or, until it is recorded,
 * provisionally on the randomization date; before randomization, the days and windows without dates.
 */
import type { DoseRecord, Participant } from '../../trial/model.ts';
import type { TrialStore } from '../../trial/store/port.ts';
import { visitSchedule } from '../../trial/visits.ts';
import type { TrialProtocol } from '../../trials/schema.ts';

export interface ScheduleRow {
  readonly id: string;
  readonly label: string;
  readonly day: number;
  /** YYYY-MM-DD once anchored. */
  readonly targetOn: string | null;
  /** "2026-12-12 to 2026-12-16 (day 14, -2/+2 days)" or "day 14, -2/+2 days" before anchoring. */
  readonly windowText: string;
  readonly provisional: boolean;
  readonly instruments: readonly string[];
  readonly labs: readonly string[];
  readonly verified: boolean;
}

/** The participant's dose at the protocol's dosing visit, if recorded (read from the site's snapshot). */
export async function dosingRecord(
  store: TrialStore,
  protocol: TrialProtocol,
  participant: Participant,
): Promise<DoseRecord | null> {
  const dosingVisit = protocol.visits?.find((v) => v.dosing)?.id;
  if (dosingVisit === undefined || participant.kitCode === null) return null;
  const { doses } = await store.snapshot({ site: participant.site });
  return doses.find((d) => d.participantId === participant.id && d.visit === dosingVisit) ?? null;
}

export function participantSchedule(
  protocol: TrialProtocol,
  _participant: Participant,
  /** The site's date of the randomization (Allocation.randomizedOn): the provisional anchor until the infusion. */
  randomizedOn: string | null,
  dosedOn: string | null = null,
): ScheduleRow[] {
  const anchor = dosedOn ?? randomizedOn;
  const provisional = dosedOn === null;
  const dated = anchor === null ? null : visitSchedule(protocol, anchor);
  return (protocol.visits ?? []).map((v, i) => {
    const span = `day ${v.day}, -${v.windowBefore}/+${v.windowAfter} days`;
    const d = dated?.[i];
    return {
      id: v.id,
      label: v.label,
      day: v.day,
      targetOn: d?.targetDate ?? null,
      windowText:
        d === undefined ? span : `${d.earliest} to ${d.latest} (${span}${provisional ? ', provisional' : ''})`,
      provisional,
      instruments: v.instruments,
      labs: v.safetyLabs,
      verified: v.verified,
    };
  });
}
