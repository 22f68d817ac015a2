/**
 * The engine's only door to code-set and antidepressant lookups (the indexes of src/knowledge, built once when the
 * knowledge loads: each lookup is a Map read, nothing is cached here). Every match goes through here
 * so that a code-set entry or table row marked `verified: false` that the result relied on lands in `unverified`.
 */
import {
  antidepressantIngredient,
  codingSets,
  matchAnswerScore,
  matchInMemberships,
  resolveAntidepressant,
  unverifiedEntry,
  unverifiedMinimumDose,
} from '../knowledge/index.ts';
import type { CodeEntry, CodeMatch } from '../knowledge/index.ts';
import type { Coding, Concept } from '../record/index.ts';
import type { EngineContext } from './context.ts';
import { noteUnverified } from './context.ts';

/** Notes an unverified code-set entry the result relied on (its display line was built when the knowledge loaded). */
function noteEntry(ctx: EngineContext, setId: string, entry: CodeEntry): void {
  const u = ctx.knowledge.index.unverifiedEntries.get(setId)?.get(entry);
  if (u !== undefined) noteUnverified(ctx, u.item, u.note, u.citation);
}

type SetHits = ReadonlyMap<string, CodeEntry>;
const NO_HITS: SetHits = new Map();

/** The first set (in the given order) whose codes include the concept, with the matched entry. */
export function matchIn(ctx: EngineContext, setIds: readonly string[], concept: Concept): CodeMatch | undefined {
  const codings = concept.codings;
  // Each coding's memberships are read once (one index read), then every set is a Map get on them.
  if (codings.length === 1) {
    const coding = codings[0] as Coding;
    const sets = codingSets(ctx.knowledge, coding);
    if (sets.size === 0) return undefined;
    for (const setId of setIds) {
      const entry = sets.get(setId);
      if (entry !== undefined) return used(ctx, setId, entry, coding);
    }
    return undefined;
  }
  if (codings.length === 0) return undefined;
  const match = matchInMemberships(
    setIds,
    codings,
    codings.map((c) => codingSets(ctx.knowledge, c)),
  );
  return match === undefined ? undefined : used(ctx, match.setId, match.entry, match.coding);
}

function used(ctx: EngineContext, setId: string, entry: CodeEntry, coding: Coding): CodeMatch {
  if (!entry.verified) noteEntry(ctx, setId, entry);
  return { setId, entry, coding };
}

/**
 * Every pathway set the concept's codes belong to (first coding wins per set), for callers that test one concept
 * against many sets. Unverified entries are noted only when a caller uses them (`useHit`).
 */
export function conceptSetHits(ctx: EngineContext, concept: Concept): SetHits {
  return codingsSetHits(ctx, concept.codings);
}

export function codingsSetHits(ctx: EngineContext, codings: readonly Coding[]): SetHits {
  if (codings.length === 1 && codings[0] !== undefined) return codingSets(ctx.knowledge, codings[0]);
  let merged: Map<string, CodeEntry> | undefined;
  for (const coding of codings) {
    for (const [setId, entry] of codingSets(ctx.knowledge, coding)) {
      merged ??= new Map();
      if (!merged.has(setId)) merged.set(setId, entry);
    }
  }
  return merged ?? NO_HITS;
}

/** The entry of the first of `setIds` in `hits`, noting it when unverified (the result relies on it). */
export function useHit(ctx: EngineContext, hits: SetHits, setIds: readonly string[]): CodeEntry | undefined {
  for (const setId of setIds) {
    const entry = hits.get(setId);
    if (entry !== undefined) {
      if (!entry.verified) noteEntry(ctx, setId, entry);
      return entry;
    }
  }
  return undefined;
}

/**
 * The score a coded answer to an item of one of `itemSetIds` stands for, from the item sets' answer code sets
 * (knowledge/codesets/README.md, `answerCodeSets`), noting the entry when unverified; undefined when none lists it.
 */
export function answerScoreOf(
  ctx: EngineContext,
  itemSetIds: readonly string[],
  codings: readonly Coding[],
): number | undefined {
  for (const setId of itemSetIds) {
    const match = matchAnswerScore(ctx.knowledge, setId, codings);
    if (match !== undefined) return used(ctx, match.setId, match.entry, match.coding).entry.score;
  }
  return undefined;
}

export function inAnySet(ctx: EngineContext, setIds: readonly string[], concept: Concept): boolean {
  return matchIn(ctx, setIds, concept) !== undefined;
}

export function antidepressantOf(
  ctx: EngineContext,
  concept: Concept,
): { ingredient: string; strengthMg?: number } | undefined {
  const match = resolveAntidepressant(ctx.knowledge, concept);
  if (match === undefined || match.matched.verified) return match;
  const u = unverifiedEntry(ctx.knowledge, match);
  if (u !== undefined) noteUnverified(ctx, u.item, u.note, u.citation);
  return match;
}

export interface MinimumDose {
  readonly mg: number;
}

/** The minimum adequate daily dose of an ingredient (docs/care-pathway.md, definition 3), noting it when unverified. */
export function minimumDailyDose(ctx: EngineContext, ingredient: string): MinimumDose | undefined {
  const row = antidepressantIngredient(ctx.knowledge, ingredient);
  if (row === undefined || !('minDailyDoseMg' in row)) return undefined;
  const u = unverifiedMinimumDose(ctx.knowledge, ingredient);
  if (u !== undefined) noteUnverified(ctx, u.item, u.note, u.citation);
  return { mg: row.minDailyDoseMg };
}
