/**
 * The safety dashboard's data: open alerts, labs that reached CTCAE grade 3 or met a hold or stop rule, fatal adverse
 * events whose participant has no death recorded as an exit, and counts of adverse events by seriousness. It only selects and counts what the store graded (src/safety via the store);
 * nothing is graded here.
 */
import { checkDose, type DoseCheck } from '../../trial/dose-check.ts';
import type { AdverseEventRecord, AlertRecord, DoseRecord, LabRecord } from '../../trial/model.ts';
import { preDoseClearance, preDoseResults } from '../../trial/pre-dose.ts';
import type { SiteFilter, TrialStore } from '../../trial/store/port.ts';
import type { TrialProtocol } from '../../trials/schema.ts';

export interface SafetyDashboard {
  readonly openAlerts: readonly AlertRecord[];
  /** The alerts acknowledged, the latest acknowledgement first, each with what was done about it (`actionTaken`). */
  readonly acknowledgedAlerts: readonly AlertRecord[];
  readonly flaggedLabs: readonly LabRecord[];
  /**
   * Fatal adverse events of participants without a `death` disposition: until it is recorded the participant stays
   * enrolled or randomized, data entry goes on, and SDTM DM has no DTHFL/DTHDTC.
   */
  readonly deathsWithoutExit: readonly AdverseEventRecord[];
  readonly counts: readonly { readonly label: string; readonly n: number }[];
  /**
   * The participant code of each participant the alerts, labs and events above belong to (by participant id): a
   * dashboard across participants is read by who needs acting on, and an id is not what the site files under.
   */
  readonly participantCodes: Readonly<Record<string, string>>;
  /**
   * The site of each of those participants (by participant id): each site numbers its own participants, so across
   * sites a code may name one at each.
   */
  readonly participantSites: Readonly<Record<string, string>>;
  /**
   * The record, as it now reads, of each open alert (by alert id) whose source was corrected since to a verdict the
   * alert no longer states: the lab of a hold or stop alert (an ANC of 0.8 typed for 1.8), the infusion of a
   * dose-above-maximum alert (5600 mg typed for 560). The alert stays open until acknowledged, and the dashboard says
   * it no longer matches the record rather than leaving the old alert unexplained.
   */
  readonly correctedSince: Readonly<Record<string, CorrectedRecord>>;
  /**
   * The infusion, as it now reads, of each open `dose-not-cleared` alert (by alert id) whose pre-dose labs, as now
   * recorded, clear it on its date (a result drawn on or before it entered late or corrected, or a date corrected),
   * with the results that clear it: the alert stays open until acknowledged, and the dashboard says what is now
   * recorded as of the infusion's date, never that the infusion was cleared when it was given.
   */
  readonly clearedSince: Readonly<Record<string, ClearedDose>>;
}

/** An infusion whose pre-dose labs now clear it, with the results judged (`preDoseResults`, one per analyte). */
export type ClearedDose = DoseRecord & { readonly clearedBy: readonly string[] };

/**
 * The record an alert was raised from, as it now reads after a correction (alertsCorrectedSince): a lab with its
 * assessment, or an infusion with its dose check.
 */
export type CorrectedRecord = LabRecord | (DoseRecord & { readonly check: DoseCheck });

/** The acknowledged ones of `alerts`, the latest acknowledgement first (the dashboard's, a participant's page's). */
export const acknowledgedLatestFirst = (alerts: readonly AlertRecord[]): AlertRecord[] =>
  alerts
    .filter((a) => a.acknowledgedAt !== null)
    .sort((a, b) => (b.acknowledgedAt ?? '').localeCompare(a.acknowledgedAt ?? ''));

export async function safetyDashboard(
  store: TrialStore,
  filter: SiteFilter,
  protocol: TrialProtocol,
): Promise<SafetyDashboard> {
  const [allAlerts, labs, events, exits, participants, { doses }] = await Promise.all([
    store.listAlerts(filter),
    store.listLabs(filter),
    store.listAdverseEvents(filter),
    store.listDispositions(filter),
    store.listParticipants(filter),
    store.snapshot(filter),
  ]);
  const alerts = allAlerts.filter((a) => a.acknowledgedAt === null);
  const acknowledgedAlerts = acknowledgedLatestFirst(allAlerts);
  const died = new Set(exits.filter((d) => d.event === 'death').map((d) => d.participantId));
  const deathsWithoutExit = events.filter((e) => e.outcome === 'fatal' && !died.has(e.participantId));
  const flaggedLabs = labs.filter(
    (l) =>
      (l.assessment.grade !== null && l.assessment.grade >= 3) ||
      l.assessment.action === 'hold' ||
      l.assessment.action === 'discontinue' ||
      l.assessment.action === 'unknown',
  );
  const shown = new Set(
    [...alerts, ...acknowledgedAlerts, ...flaggedLabs, ...deathsWithoutExit].map((r) => r.participantId),
  );
  const listed = participants.filter((p) => shown.has(p.id));
  const participantCodes = Object.fromEntries(listed.map((p) => [p.id, p.participantCode]));
  const participantSites = Object.fromEntries(listed.map((p) => [p.id, p.site]));
  const correctedSince = alertsCorrectedSince(alerts, labs, doses, protocol);
  return {
    participantCodes,
    participantSites,
    correctedSince,
    clearedSince: alertsClearedSince(alerts, doses, labs, protocol),
    openAlerts: alerts,
    acknowledgedAlerts,
    flaggedLabs,
    deathsWithoutExit,
    counts: [
      { label: 'Open alerts', n: alerts.length },
      { label: 'Lab results', n: labs.length },
      { label: 'Labs needing action or undecided', n: flaggedLabs.length },
      { label: 'Adverse events', n: events.length },
      { label: 'Serious adverse events', n: events.filter((e) => e.serious).length },
      { label: 'Fatal adverse events without a death recorded as the exit', n: deathsWithoutExit.length },
    ],
  };
}

/**
 * The open alerts (by alert id) whose record was corrected since to a verdict the alert no longer states, with the
 * record as it now reads: a hold or stop alert's lab, and a dose-above-maximum alert's infusion no longer above the
 * protocol's dose (checkDose, src/trial/dose-check.ts).
 */
export function alertsCorrectedSince(
  alerts: readonly AlertRecord[],
  labs: readonly LabRecord[],
  doses: readonly DoseRecord[],
  protocol: TrialProtocol,
): Record<string, CorrectedRecord> {
  const labById = new Map(labs.map((l) => [l.id, l]));
  const doseById = new Map(doses.map((d) => [d.id, d]));
  const stated = { 'hold-rule': 'hold', 'stop-rule': 'discontinue' } as const;
  return Object.fromEntries(
    alerts.flatMap((a): [string, CorrectedRecord][] => {
      if (a.kind === 'dose-above-maximum') {
        const dose = a.sourceType === 'dose' ? doseById.get(a.sourceId) : undefined;
        const check = dose === undefined ? null : checkDose(protocol, dose);
        return dose !== undefined && check !== null && check.status !== 'above' ? [[a.id, { ...dose, check }]] : [];
      }
      const lab = a.sourceType === 'lab' ? labById.get(a.sourceId) : undefined;
      const said = a.kind === 'hold-rule' || a.kind === 'stop-rule' ? stated[a.kind] : undefined;
      return lab !== undefined && said !== undefined && lab.assessment.action !== said ? [[a.id, lab]] : [];
    }),
  );
}

/**
 * The open `dose-not-cleared` alerts (by alert id) whose infusion the participant's pre-dose labs now clear, with the
 * infusion as it now reads and the results that clear it (src/trial/pre-dose.ts judges it, as for the alert).
 */
export function alertsClearedSince(
  alerts: readonly AlertRecord[],
  doses: readonly DoseRecord[],
  labs: readonly LabRecord[],
  protocol: TrialProtocol,
): Record<string, ClearedDose> {
  const doseById = new Map(doses.map((d) => [d.id, d]));
  return Object.fromEntries(
    alerts.flatMap((a): [string, ClearedDose][] => {
      const dose = a.kind === 'dose-not-cleared' && a.sourceType === 'dose' ? doseById.get(a.sourceId) : undefined;
      if (dose === undefined) return [];
      const mine = labs.filter((l) => l.participantId === dose.participantId);
      const clearance = preDoseClearance(protocol, mine, dose.administeredOn);
      return clearance.cleared ? [[a.id, { ...dose, clearedBy: preDoseResults(clearance) }]] : [];
    }),
  );
}
