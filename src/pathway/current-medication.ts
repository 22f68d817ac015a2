/**
 * "Current" medication for the pathway's own rules (contraindication `immunosuppressant`, cautions
 * `crp-confounding-medication` and `conventional-immunosuppressant`): docs/care-pathway.md, definition 3a, written once in
 * medication-use.ts and read here and by the trial matcher alike.
 */
import type { EngineContext } from './context.ts';
import { currentUsesIn } from './medication-use.ts';

/** Refs of current medications whose product or an ingredient is in any of the code sets. */
export function currentMedications(ctx: EngineContext, codeSets: readonly string[]): string[] {
  return currentUsesIn(ctx, codeSets).map((u) => u.fact.ref);
}
