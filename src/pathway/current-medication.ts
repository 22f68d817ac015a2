/**
 * "Current" medication (contraindication `immunosuppressant`, caution `crp-confounding-medication`): a statement or
 * request that documents use on the as-of date: status active (or completed with an end on or after the as-of date),
 * started on or before it, not ended before it.
 */
import type { MedicationFact } from '../record/index.ts';
import { dayOf } from './context.ts';
import type { EngineContext } from './context.ts';
import { inAnySet } from './lookups.ts';

function isCurrent(m: MedicationFact, asOfDay: number): boolean {
  if (m.status !== 'active' && m.status !== 'completed') return false;
  const start = dayOf(m.period.start ?? m.authoredOn, 'start');
  if (start !== undefined && start > asOfDay) return false;
  const end = dayOf(m.period.end, 'end');
  if (end !== undefined) return end >= asOfDay;
  return m.status === 'active';
}

/** Refs of current medications whose product or an ingredient is in any of the code sets. */
export function currentMedications(ctx: EngineContext, codeSets: readonly string[]): string[] {
  const refs: string[] = [];
  for (const m of ctx.record.medications) {
    if (!isCurrent(m, ctx.asOfDay)) continue;
    const coded = inAnySet(ctx, codeSets, m.medication) || m.ingredients.some((i) => inAnySet(ctx, codeSets, i.code));
    if (coded) refs.push(m.ref);
  }
  return refs;
}
