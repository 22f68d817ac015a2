/**
 * Builds the lookup indexes of a Knowledge once, at load time, so that each lookup during an assessment is a few Map
 * hits (the engine must sustain >= 20,000 assessments/s). Reports problems the schemas cannot see: unknown systems,
 * prefix entries on systems that forbid them, codes listed twice in one set, a code mapped to two ingredients.
 */
import { issue } from '../record/index.ts';
import type { Issue } from '../record/index.ts';
import type { AntidepressantCodeTarget, CodeSetIndex, KnowledgeIndex, SystemRule } from './knowledge.ts';
import { normalizeCode } from './lookup.ts';
import type { AntidepressantTable, CodeEntry, CodeSet, CodeSystem } from './schema-codesets.ts';

/** A validated file with the path it came from, so that every problem can name its file. */
export interface Located<T> {
  readonly path: string;
  readonly value: T;
}

const at = (path: string, field: string, message: string, code = 'knowledge.field.invalid'): Issue =>
  issue(code, `${path}: ${field}: ${message}`, `${path}#${field}`);

export function buildSystemRules(file: Located<readonly CodeSystem[]>, issues: Issue[]): Map<string, SystemRule> {
  const rules = new Map<string, SystemRule>();
  file.value.forEach((system, i) => {
    const rule: SystemRule = {
      uri: system.uri,
      name: system.name,
      normalize: system.normalize,
      prefixMatching: system.prefixMatching,
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
    const key = `${rule.uri}|${normalizeCode(target.code, rule.normalize)}`;
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
