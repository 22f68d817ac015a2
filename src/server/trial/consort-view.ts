/**
 * The CONSORT flow as boxes for the page and the API. Blinded viewers get the allocation and follow-up boxes pooled
 * over arms (a per-arm count would let them infer allocations); unblinded viewers get them per arm.
 */
import type { TrialSnapshot } from '../../trial/model.ts';

export interface ConsortBox {
  readonly label: string;
  readonly n: number;
  readonly detail: readonly { readonly label: string; readonly n: number }[];
}

export interface ConsortView {
  readonly pooled: boolean;
  readonly boxes: readonly ConsortBox[];
}

export function consortView(snapshot: TrialSnapshot, seesArms: boolean): ConsortView {
  const screened = snapshot.screening.length;
  const eligible = snapshot.screening.filter((s) => s.verdict === 'eligible').length;
  const randomized = snapshot.allocations;
  const armOf = new Map(randomized.map((a) => [a.participantId, a.arm]));
  const byArm = (ids: readonly string[]) =>
    seesArms
      ? snapshot.trial.arms.map((arm) => ({ label: arm, n: ids.filter((id) => armOf.get(id) === arm).length }))
      : [];
  const dispositions = new Map(snapshot.dispositions.map((d) => [d.participantId, d.event]));
  const randomizedIds = randomized.map((a) => a.participantId);
  const completed = randomizedIds.filter((id) => dispositions.get(id) === 'completed');
  const discontinued = randomizedIds.filter((id) => {
    const e = dispositions.get(id);
    return e !== undefined && e !== 'completed';
  });
  return {
    pooled: !seesArms,
    boxes: [
      { label: 'Assessed for eligibility', n: screened, detail: [] },
      { label: 'Excluded (not eligible or data needed)', n: screened - eligible, detail: [] },
      { label: 'Consented', n: snapshot.consents.length, detail: [] },
      { label: 'Enrolled', n: snapshot.participants.length, detail: [] },
      { label: 'Randomized', n: randomized.length, detail: byArm(randomizedIds) },
      { label: 'Discontinued', n: discontinued.length, detail: byArm(discontinued) },
      { label: 'Completed follow-up', n: completed.length, detail: byArm(completed) },
    ],
  };
}
