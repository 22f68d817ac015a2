/**
 * The engine's only door to code-set and antidepressant lookups (D1's src/knowledge). Every match goes through here
 * so that a code-set entry or table row marked `verified: false` that the result relied on lands in `unverified`.
 */
import {
  antidepressantIngredient,
  matchConceptInSets,
  resolveAntidepressant,
  unverifiedEntry,
  unverifiedMinimumDose,
} from '../knowledge/index.ts';
import type { CodeMatch } from '../knowledge/index.ts';
import type { Concept } from '../record/index.ts';
import type { EngineContext } from './context.ts';
import { noteUnverified } from './context.ts';

function note(ctx: EngineContext, match: Parameters<typeof unverifiedEntry>[1]): void {
  const u = unverifiedEntry(ctx.knowledge, match);
  if (u !== undefined) noteUnverified(ctx, u.item, u.note, u.citation);
}

/** The first set (in the given order) whose codes include the concept, with the matched entry. */
export function matchIn(ctx: EngineContext, setIds: readonly string[], concept: Concept): CodeMatch | undefined {
  const match = matchConceptInSets(ctx.knowledge, setIds, concept);
  if (match !== undefined) note(ctx, match);
  return match;
}

export function inAnySet(ctx: EngineContext, setIds: readonly string[], concept: Concept): boolean {
  return matchIn(ctx, setIds, concept) !== undefined;
}

export function antidepressantOf(
  ctx: EngineContext,
  concept: Concept,
): { ingredient: string; strengthMg?: number } | undefined {
  const match = resolveAntidepressant(ctx.knowledge, concept);
  if (match !== undefined) note(ctx, match);
  return match;
}

export interface MinimumDose {
  readonly mg: number;
}

/** The minimum adequate daily dose of an ingredient (clinical-reference 4.5), noting it when unverified. */
export function minimumDailyDose(ctx: EngineContext, ingredient: string): MinimumDose | undefined {
  const row = antidepressantIngredient(ctx.knowledge, ingredient);
  if (row === undefined || !('minDailyDoseMg' in row)) return undefined;
  const u = unverifiedMinimumDose(ctx.knowledge, ingredient);
  if (u !== undefined) noteUnverified(ctx, u.item, u.note, u.citation);
  return { mg: row.minDailyDoseMg };
}
