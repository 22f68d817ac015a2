/**
 * The engine's only door to code-set and antidepressant lookups (D1's src/knowledge). Every match goes through here
 * so that a code-set entry or table row marked `verified: false` that the result relied on lands in `unverified`.
 */
import {
  antidepressantIngredient,
  matchCoding,
  matchConcept,
  resolveAntidepressant,
  unverifiedEntry,
  unverifiedMinimumDose,
} from '../knowledge/index.ts';
import type { CodeEntry, CodeMatch, Knowledge } from '../knowledge/index.ts';
import { pathwayCodeSetIds } from '../knowledge/schema-pathway.ts';
import type { Coding, Concept } from '../record/index.ts';
import type { EngineContext } from './context.ts';
import { noteUnverified } from './context.ts';

type UnverifiedItem = ReturnType<typeof unverifiedEntry>;
// The display item of an unverified code-set entry depends only on the knowledge, the set and the entry; building it
// (a template string with the code system's name) on every use was a measurable share of an assessment.
const entryItems = new WeakMap<Knowledge, Map<string, Map<CodeEntry, UnverifiedItem>>>();

function noteEntry(ctx: EngineContext, setId: string, entry: CodeEntry): void {
  let bySet = entryItems.get(ctx.knowledge);
  if (bySet === undefined) {
    bySet = new Map();
    entryItems.set(ctx.knowledge, bySet);
  }
  let byEntry = bySet.get(setId);
  if (byEntry === undefined) {
    byEntry = new Map();
    bySet.set(setId, byEntry);
  }
  let u = byEntry.get(entry);
  if (u === undefined && !byEntry.has(entry)) {
    u = unverifiedEntry(ctx.knowledge, { setId, entry, coding: { system: entry.system, code: entry.code } });
    byEntry.set(entry, u);
  }
  if (u !== undefined) noteUnverified(ctx, u.item, u.note, u.citation);
}

// Lookups are the engine's hot path: every observation is tested against a dozen sets. So, once per distinct coding
// (system and code, which recur across every record) and knowledge, the coding is tested against every set the
// pathway names and the hits are kept, found again by system then code with the record's own strings (no key
// building). The answers are exactly D1's matchCoding; the memo is bounded so arbitrary input codes cannot grow it.
const MEMO_LIMIT = 50_000;
type SetHits = ReadonlyMap<string, CodeEntry>;
const NO_HITS: SetHits = new Map();

interface CodingMemo {
  readonly setIds: readonly string[];
  readonly resolved: ReadonlySet<string>;
  readonly bySystem: Map<string, Map<string, SetHits>>;
  size: number;
}
const memo = new WeakMap<Knowledge, CodingMemo>();

function codingMemo(k: Knowledge): CodingMemo {
  let m = memo.get(k);
  if (m === undefined) {
    const setIds = [...new Set(pathwayCodeSetIds(k.pathway).map((u) => u.id))];
    m = { setIds, resolved: new Set(setIds), bySystem: new Map(), size: 0 };
    memo.set(k, m);
  }
  return m;
}

function codingHits(m: CodingMemo, k: Knowledge, coding: Coding): SetHits {
  const code = coding.code;
  if (code === undefined) return NO_HITS;
  const system = coding.system ?? '';
  let codes = m.bySystem.get(system);
  let hits = codes?.get(code);
  if (hits !== undefined) return hits;
  const found = new Map<string, CodeEntry>();
  for (const setId of m.setIds) {
    const match = matchCoding(k, setId, coding);
    if (match !== undefined) found.set(setId, match.entry);
  }
  hits = found.size === 0 ? NO_HITS : found;
  if (m.size >= MEMO_LIMIT) {
    m.bySystem.clear();
    m.size = 0;
    codes = undefined;
  }
  if (codes === undefined) {
    codes = new Map();
    m.bySystem.set(system, codes);
  }
  codes.set(code, hits);
  m.size += 1;
  return hits;
}

/** The first set (in the given order) whose codes include the concept, with the matched entry. */
export function matchIn(ctx: EngineContext, setIds: readonly string[], concept: Concept): CodeMatch | undefined {
  const codings = concept.codings;
  if (codings.length === 0) return undefined;
  const m = codingMemo(ctx.knowledge);
  for (const setId of setIds) {
    let match: CodeMatch | undefined;
    if (m.resolved.has(setId)) {
      for (const coding of codings) {
        const entry = codingHits(m, ctx.knowledge, coding).get(setId);
        if (entry !== undefined) {
          match = { setId, entry, coding };
          break;
        }
      }
    } else {
      // A set the pathway does not name was not pre-resolved: ask D1's lookup directly.
      match = matchConcept(ctx.knowledge, setId, concept);
    }
    if (match !== undefined) {
      if (!match.entry.verified) noteEntry(ctx, match.setId, match.entry);
      return match;
    }
  }
  return undefined;
}

/**
 * Every pathway set the concept's codes belong to (first coding wins per set), for callers that test one concept
 * against many sets. Unverified entries are noted only when a caller uses them (`useHit`).
 */
export function conceptSetHits(ctx: EngineContext, concept: Concept): SetHits {
  return codingsSetHits(ctx, concept.codings);
}

export function codingsSetHits(ctx: EngineContext, codings: readonly Coding[]): SetHits {
  const m = codingMemo(ctx.knowledge);
  if (codings.length === 1 && codings[0] !== undefined) return codingHits(m, ctx.knowledge, codings[0]);
  let merged: Map<string, CodeEntry> | undefined;
  for (const coding of codings) {
    for (const [setId, entry] of codingHits(m, ctx.knowledge, coding)) {
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

export function inAnySet(ctx: EngineContext, setIds: readonly string[], concept: Concept): boolean {
  return matchIn(ctx, setIds, concept) !== undefined;
}

type AntidepressantMatch = NonNullable<ReturnType<typeof resolveAntidepressant>>;
// Like entryItems: the display item of an unverified antidepressant row, built once per knowledge and row.
const rowItems = new WeakMap<
  Knowledge,
  Map<AntidepressantMatch['matched'], { ingredient: string; u: UnverifiedItem }>
>();

export function antidepressantOf(
  ctx: EngineContext,
  concept: Concept,
): { ingredient: string; strengthMg?: number } | undefined {
  const match = resolveAntidepressant(ctx.knowledge, concept);
  if (match === undefined || match.matched.verified) return match;
  let byRow = rowItems.get(ctx.knowledge);
  if (byRow === undefined) {
    byRow = new Map();
    rowItems.set(ctx.knowledge, byRow);
  }
  let cached = byRow.get(match.matched);
  if (cached === undefined || cached.ingredient !== match.ingredient) {
    cached = { ingredient: match.ingredient, u: unverifiedEntry(ctx.knowledge, match) };
    byRow.set(match.matched, cached);
  }
  if (cached.u !== undefined) noteUnverified(ctx, cached.u.item, cached.u.note, cached.u.citation);
  return match;
}

export interface MinimumDose {
  readonly mg: number;
}

interface KnownDose {
  readonly dose: MinimumDose | undefined;
  readonly unverified: ReturnType<typeof unverifiedMinimumDose>;
}
// Per knowledge and ingredient, computed once (the unverified item is a string with the dose in it).
const doses = new WeakMap<Knowledge, Map<string, KnownDose>>();

/** The minimum adequate daily dose of an ingredient (clinical-reference 4.5), noting it when unverified. */
export function minimumDailyDose(ctx: EngineContext, ingredient: string): MinimumDose | undefined {
  let byIngredient = doses.get(ctx.knowledge);
  if (byIngredient === undefined) {
    byIngredient = new Map();
    doses.set(ctx.knowledge, byIngredient);
  }
  let known = byIngredient.get(ingredient);
  if (known === undefined) {
    const row = antidepressantIngredient(ctx.knowledge, ingredient);
    known =
      row === undefined || !('minDailyDoseMg' in row)
        ? { dose: undefined, unverified: undefined }
        : { dose: { mg: row.minDailyDoseMg }, unverified: unverifiedMinimumDose(ctx.knowledge, ingredient) };
    // Ingredient names come from the knowledge's own table, so the map stays as small as that table.
    byIngredient.set(ingredient, known);
  }
  const u = known.unverified;
  if (u !== undefined) noteUnverified(ctx, u.item, u.note, u.citation);
  return known.dose;
}
