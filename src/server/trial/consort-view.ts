/**
 * The CONSORT flow (consortFlow, src/trial/consort.ts) as this viewer may see it, and as boxes for the page. Blinded
 * viewers get it from a snapshot without allocations (blindSnapshot), so the allocation and later stages are pooled
 * over arms: per-arm counts would let them infer allocations in a small trial.
 */
import { blindSnapshot } from '../../trial/blinding.ts';
import { consortFlow } from '../../trial/consort.ts';
import type { ConsortFlow } from '../../trial/consort.ts';
import type { TrialSnapshot } from '../../trial/model.ts';
import type { TrialProtocol } from '../../trials/schema.ts';

export function consortView(snapshot: TrialSnapshot, protocol: TrialProtocol, seesArms: boolean): ConsortFlow {
  return consortFlow(seesArms ? snapshot : blindSnapshot(snapshot), protocol, !seesArms);
}

export interface ConsortBox {
  readonly label: string;
  readonly n: number;
  readonly detail: readonly { readonly label: string; readonly n: number }[];
}

export function consortBoxes(flow: ConsortFlow, armLabel: (id: string) => string): ConsortBox[] {
  const x = flow.excluded;
  return [
    { label: 'Assessed for eligibility', n: flow.assessedForEligibility, detail: [] },
    {
      label: 'Excluded',
      n: x.total,
      detail: [
        { label: 'Not meeting inclusion criteria', n: x.notMeetingCriteria },
        { label: 'Eligibility undecided (data needed)', n: x.undecided },
        { label: 'Declined or not yet consented', n: x.declinedOrNotConsented },
        { label: 'Other reasons', n: x.otherReasons },
      ],
    },
    { label: 'Enrolled', n: flow.enrolled, detail: [] },
    {
      label: 'Randomized',
      n: flow.randomized,
      detail: [{ label: 'Awaiting randomization', n: flow.awaitingRandomization }],
    },
    ...flow.arms.map((a) => ({
      label: a.arm === 'all' ? 'Allocated (all arms pooled)' : `Allocated to ${armLabel(a.arm)}`,
      n: a.allocated,
      detail: [
        { label: 'Received the intervention', n: a.receivedIntervention },
        { label: 'Did not receive it', n: a.didNotReceiveIntervention },
        { label: 'Lost to follow-up', n: a.lostToFollowUp },
        { label: 'Discontinued', n: a.discontinued },
        { label: 'Analysed (primary outcome complete)', n: a.analysed },
        { label: 'Not analysed', n: a.notAnalysed },
      ],
    })),
  ];
}
