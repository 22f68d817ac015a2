/**
 * The safety dashboard's data: open alerts, labs that reached CTCAE grade 3 or met a hold or stop rule, fatal adverse
 * events whose participant has no death recorded as an exit, and counts of adverse events by seriousness. It only selects and counts what the store graded (src/safety via the store);
 * nothing is graded here.
 */
import { checkDose, type DoseCheck } from '../../trial/dose-check.ts';
import type { AdverseEventRecord, AlertRecord, DoseRecord, LabRecord } from '../../trial/model.ts';
import type { SiteFilter, TrialStore } from '../../trial/store/port.ts';
import type { TrialProtocol } from '../../trials/schema.ts';

export interface SafetyDashboard {
  readonly openAlerts: readonly AlertRecord[];
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
   * The record, as it now reads, of each open alert (by alert id) whose source was corrected since to a verdict the
   * alert no longer states: the lab of a hold or stop alert (an ANC of 0.8 typed for 1.8), the infusion of a
   * dose-above-maximum alert (5600 mg typed for 560). The alert stays open until acknowledged, and the dashboard says
   * it no longer matches the record rather than leaving the old alert unexplained.
   */
  readonly correctedSince: Readonly<Record<string, CorrectedRecord>>;
}

/**
 * The record an alert was raised from, as it now reads after a correction (alertsCorrectedSince): a lab with its
 * assessment, or an infusion with its dose check.
 */
export type CorrectedRecord = LabRecord | (DoseRecord & { readonly check: DoseCheck });

export async function safetyDashboard(
  store: TrialStore,
  filter: SiteFilter,
  protocol: TrialProtocol,
): Promise<SafetyDashboard> {
  const [alerts, labs, events, exits, participants, { doses }] = await Promise.all([
    store.listAlerts({ ...filter, openOnly: true }),
    store.listLabs(filter),
    store.listAdverseEvents(filter),
    store.listDispositions(filter),
    store.listParticipants(filter),
    store.snapshot(filter),
  ]);
  const died = new Set(exits.filter((d) => d.event === 'death').map((d) => d.participantId));
  const deathsWithoutExit = events.filter((e) => e.outcome === 'fatal' && !died.has(e.participantId));
  const flaggedLabs = labs.filter(
    (l) =>
      (l.assessment.grade !== null && l.assessment.grade >= 3) ||
      l.assessment.action === 'hold' ||
      l.assessment.action === 'discontinue' ||
      l.assessment.action === 'unknown',
  );
  const shown = new Set([...alerts, ...flaggedLabs, ...deathsWithoutExit].map((r) => r.participantId));
  const participantCodes = Object.fromEntries(
    participants.filter((p) => shown.has(p.id)).map((p) => [p.id, p.participantCode]),
  );
  const correctedSince = alertsCorrectedSince(alerts, labs, doses, protocol);
  return {
    participantCodes,
    correctedSince,
    openAlerts: alerts,
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
