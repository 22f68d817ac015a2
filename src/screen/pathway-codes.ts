/**
 * The codes a screen needs to keep, taken from the pathway's knowledge (every code set and the antidepressant
 * table), so the projection in SQL never holds a second list of codes. Keeping is deliberately wider than deciding:
 * the projection only drops what no rule can read, and the engine decides on what is kept.
 */
import type { Knowledge } from '../knowledge/index.ts';

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
