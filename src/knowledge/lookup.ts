/**
 * Fast, pure code lookups against the indexes built once by parseKnowledge: membership of a coding or concept in a
 * code set (exact or explicit prefix match) and resolution of a medication concept to an antidepressant ingredient.
 *
 * Codes are compared after their system's normalisation (code-systems.json): ICD-10 ignores case and dots
 * ("F32.1" = "f321"), ATC ignores case, CVX ignores leading zeros. System URIs are resolved through their aliases
 * (OIDs). A coding whose system is unknown never matches: codes are not guessed across systems.
 */
import type { Coding, Concept } from '../record/index.ts';
import type { AntidepressantCodeTarget, CodeSetIndex, Knowledge, SystemRule } from './knowledge.ts';
import type {
  AntidepressantIngredient,
  CodeEntry,
  CodeNormalization,
  OtherAntidepressantIngredient,
} from './schema-codesets.ts';

/** A coding matched in a code set: the entry carries display, citation and the verified flag. */
export interface CodeMatch {
  readonly setId: string;
  readonly entry: CodeEntry;
  /** The coding as sent, for evidence and messages. */
  readonly coding: Coding;
}

export interface AntidepressantMatch {
  readonly ingredient: string;
  /** Strength of one unit of the product (RxNorm clinical drug); absent for an ingredient-level code. */
  readonly strengthMg?: number;
  /** The table row the concept matched, with its citation and verified flag. */
  readonly matched: AntidepressantCodeTarget;
}

export function normalizeCode(code: string, rule: CodeNormalization): string {
  const trimmed = code.trim();
  switch (rule) {
    case 'icd10':
      return trimmed.replace(/[.\s]/g, '').toUpperCase();
    case 'upper':
      return trimmed.toUpperCase();
    case 'cvx':
      return trimmed.replace(/^0+(?=\d)/, '');
    case 'exact':
      return trimmed;
  }
}

export function systemRule(k: Knowledge, system: string | undefined): SystemRule | undefined {
  return system === undefined ? undefined : k.index.systems.get(system.trim());
}

/** The index key of a coding (`canonicalUri|normalizedCode`), or undefined when its system is unknown or code absent. */
export function codingKey(k: Knowledge, coding: Coding): { key: string; rule: SystemRule; code: string } | undefined {
  if (coding.code === undefined) return undefined;
  const rule = systemRule(k, coding.system);
  if (rule === undefined) return undefined;
  const code = normalizeCode(coding.code, rule.normalize);
  if (code === '') return undefined;
  return { key: `${rule.uri}|${code}`, rule, code };
}

function setIndex(k: Knowledge, setId: string): CodeSetIndex {
  const index = k.index.sets.get(setId);
  // An unknown id is a programmer error: parseKnowledge already checked every id the pathway names.
  if (index === undefined) throw new Error(`unknown code set "${setId}"`);
  return index;
}

function lookupEntry(k: Knowledge, index: CodeSetIndex, coding: Coding): CodeEntry | undefined {
  const key = codingKey(k, coding);
  if (key === undefined) return undefined;
  const exact = index.exact.get(key.key);
  if (exact !== undefined) return exact;
  if (index.prefix.size === 0 || !key.rule.prefixMatching) return undefined;
  for (let length = Math.min(key.code.length, index.maxPrefixLength); length >= index.minPrefixLength; length--) {
    const entry = index.prefix.get(`${key.rule.uri}|${key.code.slice(0, length)}`);
    if (entry !== undefined) return entry;
  }
  return undefined;
}

/**
 * Results per set and raw (system, code), so a repeated coding costs two Map hits instead of normalising and probing
 * prefixes again (assessments look the same codes up in many sets). Bounded: past the cap, lookups are computed.
 */
const MEMO_CAP_PER_SET = 20_000;
const memo = new WeakMap<CodeSetIndex, { size: number; bySystem: Map<string, Map<string, CodeEntry | null>> }>();

/** The code-set entry a coding matches (exact first, then the longest prefix entry), or undefined. */
export function matchCoding(k: Knowledge, setId: string, coding: Coding): CodeMatch | undefined {
  const index = setIndex(k, setId);
  const { system, code } = coding;
  if (system === undefined || code === undefined) return undefined;
  let cache = memo.get(index);
  if (cache === undefined) {
    cache = { size: 0, bySystem: new Map() };
    memo.set(index, cache);
  }
  let byCode = cache.bySystem.get(system);
  let entry = byCode?.get(code);
  if (entry === undefined) {
    entry = lookupEntry(k, index, coding) ?? null;
    if (cache.size < MEMO_CAP_PER_SET) {
      if (byCode === undefined) {
        byCode = new Map();
        cache.bySystem.set(system, byCode);
      }
      byCode.set(code, entry);
      cache.size++;
    }
  }
  return entry === null ? undefined : { setId, entry, coding };
}

/** The first coding of a concept that matches the set. Concept text is never matched: only codes count. */
export function matchConcept(k: Knowledge, setId: string, concept: Concept): CodeMatch | undefined {
  for (const coding of concept.codings) {
    const match = matchCoding(k, setId, coding);
    if (match !== undefined) return match;
  }
  return undefined;
}

export function inCodeSet(k: Knowledge, setId: string, coding: Coding): boolean {
  return matchCoding(k, setId, coding) !== undefined;
}

export function conceptInCodeSet(k: Knowledge, setId: string, concept: Concept): boolean {
  return matchConcept(k, setId, concept) !== undefined;
}

/** The first set (in the order given) whose codes include the concept, with the match. */
export function matchConceptInSets(k: Knowledge, setIds: readonly string[], concept: Concept): CodeMatch | undefined {
  for (const setId of setIds) {
    const match = matchConcept(k, setId, concept);
    if (match !== undefined) return match;
  }
  return undefined;
}

const targetMemo = new WeakMap<
  Knowledge,
  { size: number; bySystem: Map<string, Map<string, AntidepressantCodeTarget | null>> }
>();

/** The antidepressant-table row of one coding, memoised per raw (system, code) like matchCoding. */
function antidepressantTarget(k: Knowledge, coding: Coding): AntidepressantCodeTarget | undefined {
  const { system, code } = coding;
  if (system === undefined || code === undefined) return undefined;
  let cache = targetMemo.get(k);
  if (cache === undefined) {
    cache = { size: 0, bySystem: new Map() };
    targetMemo.set(k, cache);
  }
  let byCode = cache.bySystem.get(system);
  let target = byCode?.get(code);
  if (target === undefined) {
    const key = codingKey(k, coding);
    target = (key === undefined ? undefined : k.index.antidepressantCodes.get(key.key)) ?? null;
    if (cache.size < MEMO_CAP_PER_SET) {
      if (byCode === undefined) {
        byCode = new Map();
        cache.bySystem.set(system, byCode);
      }
      byCode.set(code, target);
      cache.size++;
    }
  }
  return target ?? undefined;
}

/**
 * The antidepressant ingredient (and product strength, for an RxNorm clinical drug) a medication concept names.
 * A clinical-drug coding wins over an ingredient coding of the same ingredient (it carries the strength). Codings
 * that name different ingredients make the concept ambiguous: undefined, never a guess.
 */
export function resolveAntidepressant(k: Knowledge, concept: Concept): AntidepressantMatch | undefined {
  let best: AntidepressantCodeTarget | undefined;
  for (const coding of concept.codings) {
    const target = antidepressantTarget(k, coding);
    if (target === undefined) continue;
    if (best !== undefined && best.ingredient !== target.ingredient) return undefined;
    if (best === undefined || (best.strengthMg === undefined && target.strengthMg !== undefined)) best = target;
    else if (
      best.strengthMg !== undefined &&
      target.strengthMg !== undefined &&
      best.strengthMg !== target.strengthMg
    ) {
      return undefined;
    }
  }
  if (best === undefined) return undefined;
  return best.strengthMg === undefined
    ? { ingredient: best.ingredient, matched: best }
    : { ingredient: best.ingredient, strengthMg: best.strengthMg, matched: best };
}

/** The antidepressant table row of an ingredient id; `minDailyDoseMg` is absent for ingredients without one. */
export function antidepressantIngredient(
  k: Knowledge,
  ingredient: string,
): AntidepressantIngredient | OtherAntidepressantIngredient | undefined {
  return k.index.ingredients.get(ingredient);
}
