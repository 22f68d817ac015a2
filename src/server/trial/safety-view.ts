/**
 * The safety dashboard's data: open alerts, labs that reached CTCAE grade 3 or met a hold or stop rule, and counts
 * of adverse events by seriousness. It only selects and counts what the store graded (src/safety via the store);
 * nothing is graded here.
 */
import type { AlertRecord, LabRecord } from '../../trial/model.ts';
import type { SiteFilter, TrialStore } from '../../trial/store/port.ts';

export interface SafetyDashboard {
  readonly openAlerts: readonly AlertRecord[];
  readonly flaggedLabs: readonly LabRecord[];
  readonly counts: readonly { readonly label: string; readonly n: number }[];
}

export async function safetyDashboard(store: TrialStore, filter: SiteFilter): Promise<SafetyDashboard> {
  const [alerts, labs, events] = await Promise.all([
    store.listAlerts({ ...filter, openOnly: true }),
    store.listLabs(filter),
    store.listAdverseEvents(filter),
  ]);
  const flaggedLabs = labs.filter(
    (l) =>
      (l.assessment.grade !== null && l.assessment.grade >= 3) ||
      l.assessment.action === 'hold' ||
      l.assessment.action === 'discontinue' ||
      l.assessment.action === 'unknown',
  );
  return {
    openAlerts: alerts,
    flaggedLabs,
    counts: [
      { label: 'Open alerts', n: alerts.length },
      { label: 'Lab results', n: labs.length },
      { label: 'Labs needing action or undecided', n: flaggedLabs.length },
      { label: 'Adverse events', n: events.length },
      { label: 'Serious adverse events', n: events.filter((e) => e.serious).length },
    ],
  };
}
