/**
 * The codes a screen needs to keep, taken from the pathway's knowledge (every code set and the antidepressant
 * table), so the projection in SQL never holds a second list of codes. Keeping is deliberately wider than deciding:
 * the projection only drops what no rule can read, and the engine decides on what is kept.
 */
import { normalizeCode, type Knowledge } from '../knowledge/index.ts';

export interface PathwayCode {
  readonly system: string;
  readonly code: string;
  /** The entry stands for every code that starts with it (ICD-10 categories, ATC groups). */
  readonly prefix: boolean;
}

/** Every (system, code) of every code set and of the antidepressant table, deduplicated, in a stable order. */
export function pathwayCodes(k: Knowledge): PathwayCode[] {
  const out = new Map<string, PathwayCode>();
  const add = (system: string, code: string, prefix: boolean): void => {
    const key = `${system}|${code.trim()}|${prefix}`;
    if (!out.has(key)) out.set(key, { system, code: code.trim(), prefix });
  };
  for (const set of k.codeSets.values()) for (const c of set.codes) add(c.system, c.code, c.match === 'prefix');
  for (const i of [...k.antidepressants.ingredients, ...k.antidepressants.otherIngredients]) {
    for (const c of i.codes) add(c.system, c.code, false);
  }
  for (const p of k.antidepressants.products) add(p.system, p.code, false);
  return [...out.values()].sort((a, b) => (a.system + a.code < b.system + b.code ? -1 : 1));
}

/** The FHIR resource types the FHIR adapter (src/fhir/bundle.ts) reads; a screen drops every other type unread. */
export const RESOURCE_TYPES_READ = [
  'Patient',
  'Condition',
  'Observation',
  'MedicationStatement',
  'MedicationRequest',
  'MedicationDispense',
  'MedicationAdministration',
  'Medication',
  'QuestionnaireResponse',
  'AllergyIntolerance',
  'Immunization',
  'Procedure',
] as const;

/** Types filtered by code in the projection (the bulk of an export); the others are kept whole. */
export const TYPES_FILTERED_BY_CODE = ['Observation'] as const;

const reEscape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');

/**
 * An RE2 pattern (DuckDB's regexp engine) that matches the raw text of every NDJSON line in which some `"code"`
 * member holds a pathway code, so that a screen parses only those lines. It is a superset of what the engine
 * matches (src/knowledge/lookup.ts normalizeCode): case-insensitive, spaces around the code, leading zeros (CVX),
 * dots and spaces inside ICD-10 codes, any system (a code under an unknown or aliased system is kept, not judged
 * here), any `"code"` member of the line (code, component, value); prefix entries match any code they begin. A
 * code string holding a JSON escape (`\`) is always kept, since its text cannot be compared raw.
 */
export function codeLinePattern(k: Knowledge): string {
  const alternatives = new Set<string>();
  for (const c of pathwayCodes(k)) {
    const rule = k.index.systems.get(c.system)?.normalize ?? 'exact';
    const code = normalizeCode(c.code, rule).replace(/^0+(?=\d)/, '');
    if (code === '') continue;
    const body = rule === 'icd10' ? [...code].map(reEscape).join('[.\\s]*') : reEscape(code);
    alternatives.add(c.prefix ? body : `${body}\\s*"`);
  }
  const codes = [...alternatives].sort().join('|');
  return `(?i)"code"\\s*:\\s*"(?:\\s*0*(?:${codes})|[^"]*\\\\)`;
}
