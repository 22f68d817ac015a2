/**
 * Builds the lookup indexes of a Knowledge once, at load time, so that each lookup during an assessment is a few Map
 * hits (the engine must sustain >= 20,000 assessments/s). Reports problems the schemas cannot see: unknown systems,
 * prefix entries on systems that forbid them, codes listed twice in one set, a code mapped to two ingredients.
 */
import { issue } from '../record/index.ts';
import type { Issue } from '../record/index.ts';
import type {
  AntidepressantCodeTarget,
  CodeSetIndex,
  KnowledgeIndex,
  SystemCodes,
  SystemRule,
  UnverifiedEntry,
} from './knowledge.ts';
import { codeFormatProblem } from './code-format.ts';
import { normalizeCode } from './lookup.ts';
import type { AntidepressantTable, CodeEntry, CodeSet, CodeSystem } from './schema-codesets.ts';

/** A validated file with the path it came from, so that every problem can name its file. */
export interface Located<T> {
  readonly path: string;
  readonly value: T;
}

const at = (path: string, field: string, message: string, code = 'knowledge.field.invalid'): Issue =>
  issue(code, `${path}: ${field}: ${message}`, `${path}#${field}`);

const MALFORMED = 'knowledge.code.malformed';

/** Why a listed code cannot be a code of its system (code-format.ts), when the system declares a format. */
function formatProblem(rule: SystemRule, code: string, prefix: boolean): string | undefined {
  return rule.format === undefined ? undefined : codeFormatProblem(code, rule.format, prefix);
}

export function buildSystemRules(file: Located<readonly CodeSystem[]>, issues: Issue[]): Map<string, SystemRule> {
  const rules = new Map<string, SystemRule>();
  file.value.forEach((system, i) => {
    const rule: SystemRule = {
      uri: system.uri,
      name: system.name,
      normalize: system.normalize,
      prefixMatching: system.prefixMatching,
      ...(system.format !== undefined && { format: system.format }),
    };
    for (const [j, uri] of [system.uri, ...system.aliases].entries()) {
      const field = j === 0 ? `systems[${i}].uri` : `systems[${i}].aliases[${j - 1}]`;
      if (rules.has(uri)) issues.push(at(file.path, field, `system URI "${uri}" is declared twice`));
      else rules.set(uri, rule);
    }
  });
  return rules;
}

function indexSet(file: Located<CodeSet>, systems: ReadonlyMap<string, SystemRule>, issues: Issue[]): CodeSetIndex {
  const exact = new Map<string, CodeEntry>();
  const prefix = new Map<string, CodeEntry>();
  let minPrefixLength = Number.POSITIVE_INFINITY;
  let maxPrefixLength = 0;
  file.value.codes.forEach((entry, i) => {
    const field = `codes[${i}]`;
    const rule = systems.get(entry.system);
    if (rule === undefined) {
      issues.push(
        at(file.path, `${field}.system`, `unknown code system "${entry.system}" (declare it in code-systems.json)`),
      );
      return;
    }
    if (rule.uri !== entry.system) {
      issues.push(at(file.path, `${field}.system`, `use the canonical URI "${rule.uri}" instead of the alias`));
      return;
    }
    const code = normalizeCode(entry.code, rule.normalize);
    const malformed = formatProblem(rule, code, entry.match === 'prefix');
    if (malformed !== undefined) {
      issues.push(at(file.path, `${field}.code`, `"${entry.code}" ${malformed}`, MALFORMED));
      return;
    }
    const key = `${rule.uri}|${code}`;
    if (entry.match === 'prefix') {
      if (!rule.prefixMatching) {
        issues.push(at(file.path, `${field}.match`, `prefix matching is not allowed for ${rule.name} codes`));
        return;
      }
      if (prefix.has(key)) issues.push(at(file.path, `${field}.code`, `"${entry.code}" is listed twice`));
      prefix.set(key, entry);
      minPrefixLength = Math.min(minPrefixLength, code.length);
      maxPrefixLength = Math.max(maxPrefixLength, code.length);
    } else {
      if (exact.has(key)) issues.push(at(file.path, `${field}.code`, `"${entry.code}" is listed twice`));
      exact.set(key, entry);
    }
  });
  return { exact, prefix, minPrefixLength: prefix.size === 0 ? 0 : minPrefixLength, maxPrefixLength };
}

export function buildSetIndexes(
  files: readonly Located<CodeSet>[],
  systems: ReadonlyMap<string, SystemRule>,
  issues: Issue[],
): Map<string, CodeSetIndex> {
  const sets = new Map<string, CodeSetIndex>();
  for (const file of files) sets.set(file.value.id, indexSet(file, systems, issues));
  return sets;
}

export function buildAntidepressantIndex(
  file: Located<AntidepressantTable>,
  systems: ReadonlyMap<string, SystemRule>,
  issues: Issue[],
): Pick<KnowledgeIndex, 'antidepressantCodes' | 'ingredients'> {
  const table = file.value;
  const ingredients = new Map<string, KnowledgeIndex['ingredients'] extends ReadonlyMap<string, infer V> ? V : never>();
  const codes = new Map<string, AntidepressantCodeTarget>();
  const add = (field: string, target: AntidepressantCodeTarget): void => {
    const rule = systems.get(target.system);
    if (rule === undefined || rule.uri !== target.system) {
      issues.push(at(file.path, `${field}.system`, `unknown or non-canonical code system "${target.system}"`));
      return;
    }
    const code = normalizeCode(target.code, rule.normalize);
    const malformed = formatProblem(rule, code, false);
    if (malformed !== undefined) {
      issues.push(at(file.path, `${field}.code`, `"${target.code}" ${malformed}`, MALFORMED));
      return;
    }
    const key = `${rule.uri}|${code}`;
    const previous = codes.get(key);
    if (previous !== undefined) {
      issues.push(at(file.path, `${field}.code`, `"${target.code}" is already mapped (to ${previous.ingredient})`));
      return;
    }
    codes.set(key, target);
  };
  const rows = [
    ...table.ingredients.map((row, i) => ({ row, field: `ingredients[${i}]` })),
    ...table.otherIngredients.map((row, i) => ({ row, field: `otherIngredients[${i}]` })),
  ];
  for (const { row, field } of rows) {
    if (ingredients.has(row.ingredient)) {
      issues.push(at(file.path, `${field}.ingredient`, `ingredient "${row.ingredient}" is listed twice`));
      continue;
    }
    ingredients.set(row.ingredient, row);
    row.codes.forEach((c, j) => add(`${field}.codes[${j}]`, { ingredient: row.ingredient, ...c }));
  }
  table.products.forEach((product, i) => {
    const field = `products[${i}]`;
    if (!ingredients.has(product.ingredient)) {
      issues.push(at(file.path, `${field}.ingredient`, `unknown ingredient "${product.ingredient}"`));
      return;
    }
    const { system, code, display, ingredient, strengthMg, citation, verified } = product;
    add(field, { system, code, display, ingredient, strengthMg, citation, verified });
  });
  return { antidepressantCodes: codes, ingredients };
}

interface MutableMembership {
  sets: Map<string, CodeEntry>;
  antidepressant?: AntidepressantCodeTarget;
}

interface MutableSystemCodes {
  readonly rule: SystemRule;
  readonly exact: Map<string, MutableMembership>;
  readonly prefix: Map<string, MutableMembership>;
  minPrefixLength: number;
  maxPrefixLength: number;
}

const splitKey = (key: string): [string, string] => {
  const bar = key.indexOf('|');
  return [key.slice(0, bar), key.slice(bar + 1)];
};

/** Fills the sets a membership lacks from another (so an exact entry, or a longer prefix, keeps precedence). */
function inherit(into: MutableMembership, from: MutableMembership | undefined): void {
  if (from === undefined) return;
  for (const [setId, entry] of from.sets) if (!into.sets.has(setId)) into.sets.set(setId, entry);
}

/**
 * Which sets each code belongs to, per system, from the per-set indexes and the antidepressant table: the lookup
 * of a coding during an assessment is then one Map get (plus, for a hierarchical code not listed itself, a probe of
 * its prefixes). A code listed exactly also carries the sets its prefixes put it in, and a prefix those of its
 * shorter prefixes, so the first hit is the whole answer.
 */
export function buildCodeIndex(
  systems: ReadonlyMap<string, SystemRule>,
  sets: ReadonlyMap<string, CodeSetIndex>,
  antidepressantCodes: ReadonlyMap<string, AntidepressantCodeTarget>,
): Map<string, SystemCodes> {
  const byUri = new Map<string, MutableSystemCodes>();
  const systemOf = (uri: string): MutableSystemCodes | undefined => {
    let found = byUri.get(uri);
    const rule = systems.get(uri);
    if (found === undefined && rule !== undefined) {
      found = { rule, exact: new Map(), prefix: new Map(), minPrefixLength: Infinity, maxPrefixLength: 0 };
      byUri.set(uri, found);
    }
    return found;
  };
  const membership = (map: Map<string, MutableMembership>, code: string): MutableMembership => {
    let m = map.get(code);
    if (m === undefined) {
      m = { sets: new Map() };
      map.set(code, m);
    }
    return m;
  };
  for (const [setId, index] of sets) {
    for (const [key, entry] of index.exact) {
      const [uri, code] = splitKey(key);
      const system = systemOf(uri);
      if (system !== undefined) membership(system.exact, code).sets.set(setId, entry);
    }
    for (const [key, entry] of index.prefix) {
      const [uri, code] = splitKey(key);
      const system = systemOf(uri);
      if (system === undefined) continue;
      membership(system.prefix, code).sets.set(setId, entry);
      system.minPrefixLength = Math.min(system.minPrefixLength, code.length);
      system.maxPrefixLength = Math.max(system.maxPrefixLength, code.length);
    }
  }
  for (const [key, target] of antidepressantCodes) {
    const [uri, code] = splitKey(key);
    const system = systemOf(uri);
    if (system !== undefined) membership(system.exact, code).antidepressant = target;
  }
  for (const system of byUri.values()) {
    if (system.prefix.size === 0) {
      system.minPrefixLength = 0;
      continue;
    }
    // Shorter prefixes first: each then inherits from the nearest shorter prefix, which is already complete.
    const prefixes = [...system.prefix.entries()].sort((a, b) => a[0].length - b[0].length);
    for (const [code, m] of prefixes) {
      for (let length = code.length - 1; length >= system.minPrefixLength; length--) {
        const shorter = system.prefix.get(code.slice(0, length));
        if (shorter !== undefined) {
          inherit(m, shorter);
          break;
        }
      }
    }
    for (const [code, m] of system.exact) {
      for (let length = Math.min(code.length, system.maxPrefixLength); length >= system.minPrefixLength; length--) {
        const covering = system.prefix.get(code.slice(0, length));
        if (covering !== undefined) {
          inherit(m, covering);
          break;
        }
      }
    }
  }
  // The spellings the files use ("F32.1", "n06ab06") also lead to the membership, so the common input needs no
  // normalisation: a normalised key never has a dot, a lower-case letter or a leading zero, so aliases cannot clash.
  const alias = (uri: string, raw: string): void => {
    const system = byUri.get(uri);
    const spelled = raw.trim();
    if (system === undefined || system.rule.normalize === 'exact') return;
    const m = system.exact.get(normalizeCode(spelled, system.rule.normalize));
    if (m !== undefined && !system.exact.has(spelled)) system.exact.set(spelled, m);
  };
  for (const index of sets.values()) for (const entry of index.exact.values()) alias(entry.system, entry.code);
  for (const target of antidepressantCodes.values()) alias(target.system, target.code);
  const codes = new Map<string, SystemCodes>();
  for (const [uri, rule] of systems) {
    const found = byUri.get(rule.uri);
    codes.set(uri, found ?? { rule, exact: new Map(), prefix: new Map(), minPrefixLength: 0, maxPrefixLength: 0 });
  }
  return codes;
}

const systemName = (systems: ReadonlyMap<string, SystemRule>, uri: string): string => systems.get(uri)?.name ?? uri;

/** The display line of every unverified code-set entry, built once (results list what they relied on). */
export function buildUnverifiedEntries(
  systems: ReadonlyMap<string, SystemRule>,
  sets: ReadonlyMap<string, CodeSetIndex>,
): Map<string, Map<CodeEntry, UnverifiedEntry>> {
  const out = new Map<string, Map<CodeEntry, UnverifiedEntry>>();
  for (const [setId, index] of sets) {
    const items = new Map<CodeEntry, UnverifiedEntry>();
    for (const entry of [...index.exact.values(), ...index.prefix.values()]) {
      if (entry.verified) continue;
      items.set(entry, {
        item: `code set ${setId}: ${systemName(systems, entry.system)} ${entry.code} "${entry.display}"`,
        note: entry.note ?? `the code ${entry.code} is not verified in the stored sources`,
        citation: entry.citation,
      });
    }
    if (items.size > 0) out.set(setId, items);
  }
  return out;
}

/** The display lines of unverified antidepressant-table rows and minimum doses, built once. */
export function buildUnverifiedAntidepressants(
  systems: ReadonlyMap<string, SystemRule>,
  index: Pick<KnowledgeIndex, 'antidepressantCodes' | 'ingredients'>,
): Pick<KnowledgeIndex, 'unverifiedRows' | 'unverifiedDoses'> {
  const rows = new Map<AntidepressantCodeTarget, UnverifiedEntry>();
  for (const row of index.antidepressantCodes.values()) {
    if (row.verified) continue;
    rows.set(row, {
      item: `antidepressants: ${systemName(systems, row.system)} ${row.code} "${row.display}" = ${row.ingredient}`,
      note: `the code ${row.code} is not verified in the stored sources`,
      citation: row.citation,
    });
  }
  const doses = new Map<string, UnverifiedEntry>();
  for (const [ingredient, row] of index.ingredients) {
    if (!('minDailyDoseMg' in row) || row.minDailyDoseVerified) continue;
    doses.set(ingredient, {
      item: `minimum adequate daily dose of ${ingredient}: ${row.minDailyDoseMg} mg`,
      note: row.note ?? `the minimum adequate dose of ${ingredient} is not verified`,
      citation: row.minDailyDoseCitation,
    });
  }
  return { unverifiedRows: rows, unverifiedDoses: doses };
}
