/**
 * Fast, pure code lookups against the indexes parseKnowledge (src/knowledge/parse.ts) builds once with
 * src/knowledge/build-index.ts: which code sets a coding belongs to (exact or explicit prefix match) and the
 * antidepressant ingredient a medication concept names. No caches: every answer is a read of the index.
 *
 * Codes are compared after their system's normalisation (code-systems.json): ICD-10 ignores case and dots
 * ("F32.1" = "f321"), ATC ignores case, CVX ignores leading zeros. System URIs are resolved through their aliases
 * (OIDs), after surrounding whitespace and trailing slashes are dropped (systemUri): a known URI written with a
 * trailing slash is the same system. A coding whose system is unknown never matches: codes are not guessed across
 * systems.
 */
import type { Coding, Concept } from '../record/index.ts';
import type { AntidepressantCodeTarget, CodeMembership, Knowledge, SystemRule } from './knowledge.ts';
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

// Control characters, space and anything beyond ASCII (which may be a Unicode space) take the general path.
const isSpace = (c: number): boolean => c <= 32 || c > 126;

/** True when `code` is already in the form `rule` produces (the common input), so no new string is built. */
function isNormal(code: string, rule: CodeNormalization): boolean {
  const n = code.length;
  if (n === 0 || isSpace(code.charCodeAt(0)) || isSpace(code.charCodeAt(n - 1))) return false;
  if (rule === 'exact') return true;
  if (rule === 'cvx') return code.charCodeAt(0) !== 48 || n === 1;
  for (let i = 0; i < n; i++) {
    const c = code.charCodeAt(i);
    if (c >= 97 && c <= 122) return false; // a-z
    if (rule === 'icd10' && (c === 46 || isSpace(c))) return false; // '.', whitespace
  }
  return true;
}

export function normalizeCode(code: string, rule: CodeNormalization): string {
  if (isNormal(code, rule)) return code;
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

/**
 * The spelling of a system URI the indexes are keyed by: without surrounding whitespace or trailing slashes
 * ("http://www.nlm.nih.gov/research/umls/rxnorm/" is RxNorm). Only the spelling is tidied; whether the URI names a
 * known system is still the index's answer, so no code is read in another system.
 */
function systemUri(system: string): string {
  return system.trim().replace(/\/+$/, '');
}

/** An index entry keyed by system URI: the URI as written first (the common input), then as systemUri spells it. */
function bySystem<T>(index: ReadonlyMap<string, T>, system: string): T | undefined {
  return index.get(system) ?? index.get(systemUri(system));
}

export function systemRule(k: Knowledge, system: string | undefined): SystemRule | undefined {
  return system === undefined ? undefined : bySystem(k.index.systems, system);
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

function assertSet(k: Knowledge, setId: string): void {
  // An unknown id is a programmer error: parseKnowledge already checked every id the pathway names.
  if (!k.index.sets.has(setId)) throw new Error(`unknown code set "${setId}"`);
}

const NO_SETS: ReadonlyMap<string, CodeEntry> = new Map();

/**
 * Everything the knowledge says about a coding (the sets it belongs to, the antidepressant it names), from the
 * index built at load: one Map get for the system, one for the code, and for a hierarchical code that is not listed
 * itself a probe of its prefixes from the longest down. Undefined when the system or the code is unknown.
 */
export function codeMembership(k: Knowledge, coding: Coding): CodeMembership | undefined {
  const { system, code } = coding;
  return system === undefined || code === undefined ? undefined : membershipOf(k, system, code);
}

function membershipOf(k: Knowledge, system: string, code: string): CodeMembership | undefined {
  const codes = bySystem(k.index.codes, system);
  if (codes === undefined) return undefined;
  // The code as written first (the index also holds each listed code's own spelling), then normalised.
  const asWritten = codes.exact.get(code);
  if (asWritten !== undefined) return asWritten;
  const normalized = normalizeCode(code, codes.rule.normalize);
  if (normalized === '') return undefined;
  const listed = normalized === code ? undefined : codes.exact.get(normalized);
  if (listed !== undefined || codes.prefix.size === 0) return listed;
  for (let length = Math.min(normalized.length, codes.maxPrefixLength); length >= codes.minPrefixLength; length--) {
    const covering = codes.prefix.get(normalized.slice(0, length));
    if (covering !== undefined) return covering;
  }
  return undefined;
}

/**
 * Does the knowledge say anything about this code (a code set lists it, or the antidepressant table)? The FHIR
 * adapter skips a resource none of whose codes it uses (src/fhir/bundle.ts, docs/care-pathway.md "What goes in").
 */
export function usesCoding(k: Knowledge, system: string, code: string): boolean {
  // Given the two strings, not a Coding: the adapter asks this for every coded resource of a bundle.
  return membershipOf(k, system, code) !== undefined;
}

/** The sets a coding belongs to, each with the entry that made it a member (empty when none). */
export function codingSets(k: Knowledge, coding: Coding): ReadonlyMap<string, CodeEntry> {
  return codeMembership(k, coding)?.sets ?? NO_SETS;
}

/** The code-set entry a coding matches (exact first, then the longest prefix entry), or undefined. */
export function matchCoding(k: Knowledge, setId: string, coding: Coding): CodeMatch | undefined {
  const entry = codeMembership(k, coding)?.sets.get(setId);
  if (entry !== undefined) return { setId, entry, coding };
  assertSet(k, setId);
  return undefined;
}

/**
 * The answer-code entry (with its `score`) that gives a coded answer to an item of `itemSetId` its score, through the
 * item set's `answerCodeSets` (PHQ-9 items: the LOINC answer list LL358-3): the first coding that any of them lists.
 * Undefined when the item set names no answer sets or none lists the codes.
 */
export function matchAnswerScore(k: Knowledge, itemSetId: string, codings: readonly Coding[]): CodeMatch | undefined {
  const answerSets = k.codeSets.get(itemSetId)?.answerCodeSets;
  if (answerSets === undefined) return undefined;
  for (const setId of answerSets) {
    for (const coding of codings) {
      const match = matchCoding(k, setId, coding);
      if (match?.entry.score !== undefined) return match;
    }
  }
  return undefined;
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

/**
 * The one rule for a concept against several sets: the first set (in the order given) that a coding belongs to, with
 * the first such coding. `memberships[i]` are the sets of `codings[i]` (codingSets), read once by callers that test
 * one concept against many lists of sets.
 */
export function matchInMemberships(
  setIds: readonly string[],
  codings: readonly Coding[],
  memberships: readonly ReadonlyMap<string, CodeEntry>[],
): CodeMatch | undefined {
  for (const setId of setIds) {
    for (let i = 0; i < codings.length; i++) {
      const entry = memberships[i]?.get(setId);
      if (entry !== undefined) return { setId, entry, coding: codings[i] as Coding };
    }
  }
  return undefined;
}

/** The first set (in the order given) whose codes include the concept, with the match. */
export function matchConceptInSets(k: Knowledge, setIds: readonly string[], concept: Concept): CodeMatch | undefined {
  for (const setId of setIds) assertSet(k, setId);
  return matchInMemberships(
    setIds,
    concept.codings,
    concept.codings.map((c) => codingSets(k, c)),
  );
}

/** The antidepressant-table row of one coding. */
const antidepressantTarget = (k: Knowledge, coding: Coding): AntidepressantCodeTarget | undefined =>
  codeMembership(k, coding)?.antidepressant;

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
