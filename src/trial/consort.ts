/**
 * The CONSORT 2010 flow (enrolment, allocation, follow-up, analysis) computed from a snapshot. For a reader who sees
 * the arms the allocation and later stages are per arm (with zero counts before anyone is randomized); from a blinded
 * snapshot they are pooled. Pure.
 */
import type { TrialProtocol } from '../trials/schema.ts';
import type { TrialSnapshot } from './model.ts';

export interface ConsortArm {
  /** The arm id, or `all` when pooled (blinded). */
  readonly arm: string;
  readonly allocated: number;
  readonly receivedIntervention: number;
  readonly didNotReceiveIntervention: number;
  readonly lostToFollowUp: number;
  readonly discontinued: number;
  /** With a complete primary-outcome form at the primary visit. */
  readonly analysed: number;
  readonly notAnalysed: number;
}

export interface ConsortFlow {
  readonly assessedForEligibility: number;
  readonly excluded: {
    readonly total: number;
    readonly notMeetingCriteria: number;
    /** Eligibility still undecided (criteria needing data). */
    readonly undecided: number;
    /** Eligible but no consent recorded. */
    readonly declinedOrNotConsented: number;
    /** Eligible and consented but not enrolled. */
    readonly otherReasons: number;
  };
  readonly enrolled: number;
  readonly randomized: number;
  /** Enrolled but not (yet) randomized. */
  readonly awaitingRandomization: number;
  readonly pooled: boolean;
  readonly arms: readonly ConsortArm[];
}

/**
 * `blinded`: the snapshot is blinded (blindSnapshot, src/trial/blinding.ts), so the stages after allocation are
 * pooled. An empty snapshot cannot tell it: before anyone is randomized a blinded one and an unblinded one both have
 * no allocations. A snapshot without the allocations of its randomized participants is pooled whatever is passed.
 */
export function consortFlow(s: TrialSnapshot, protocol: TrialProtocol, blinded: boolean): ConsortFlow {
  const consented = new Set(s.consents.map((c) => c.screeningId));
  const enrolledScreenings = new Set(s.participants.map((p) => p.screeningId));
  const eligible = s.screening.filter((e) => e.verdict === 'eligible');
  const excluded = {
    notMeetingCriteria: s.screening.filter((e) => e.verdict === 'ineligible').length,
    undecided: s.screening.filter((e) => e.verdict === 'needs-data').length,
    declinedOrNotConsented: eligible.filter((e) => !consented.has(e.id)).length,
    otherReasons: eligible.filter((e) => consented.has(e.id) && !enrolledScreenings.has(e.id)).length,
  };
  const randomized = s.participants.filter((p) => p.randomizationNumber !== null);
  const protocolArms = (protocol.arms ?? []).map((a) => a.id);
  const pooled = blinded || protocolArms.length === 0 || (s.allocations.length === 0 && randomized.length > 0);
  const armOf = new Map(s.allocations.map((a) => [a.participantId, a.arm]));
  const armIds = pooled ? ['all'] : protocolArms;
  const dosed = new Set(s.doses.map((d) => d.participantId));
  const lastEvent = new Map(s.dispositions.map((d) => [d.participantId, d.event]));
  const primary = protocol.outcomes?.primary;
  const analysed = new Set(
    s.forms
      .filter(
        (f) =>
          primary !== undefined &&
          f.instrument === primary.instrument &&
          primary.visits.includes(f.visit) &&
          f.score.complete,
      )
      .map((f) => f.participantId),
  );
  const arms = armIds.map((arm): ConsortArm => {
    const members = randomized.filter((p) => arm === 'all' || armOf.get(p.id) === arm);
    const count = (pred: (id: string) => boolean): number => members.filter((p) => pred(p.id)).length;
    const nAnalysed = count((id) => analysed.has(id));
    return {
      arm,
      allocated: members.length,
      receivedIntervention: count((id) => dosed.has(id)),
      didNotReceiveIntervention: count((id) => !dosed.has(id)),
      lostToFollowUp: count((id) => lastEvent.get(id) === 'lost-to-follow-up'),
      discontinued: count((id) => {
        const e = lastEvent.get(id);
        return e !== undefined && e !== 'completed' && e !== 'lost-to-follow-up';
      }),
      analysed: nAnalysed,
      notAnalysed: members.length - nAnalysed,
    };
  });
  return {
    assessedForEligibility: s.screening.length,
    excluded: { total: Object.values(excluded).reduce((a, b) => a + b, 0), ...excluded },
    enrolled: s.participants.length,
    randomized: randomized.length,
    awaitingRandomization: s.participants.length - randomized.length,
    pooled,
    arms,
  };
}
