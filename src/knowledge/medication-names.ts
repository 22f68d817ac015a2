/**
 * The names a medication record is recognised by when it carries no code the pathway lists (docs/care-pathway.md,
 * "Medications named without a listed code"): the ingredient names of the immunosuppressant contraindication's code
 * sets, IL-6 blockers, biologics and JAK inhibitors (the first word of each ingredient entry's display,
 * "Tocilizumab (substance)" -> tocilizumab), the IL-6 blockers' brand names
 * (`il6BlockerBrandNames` of the `immunosuppressant` contraindication, each with its citation and verified flag).
 * Built once when the knowledge loads; the engine (src/pathway/medication-use.ts) and the CDS order hooks
 * (src/server/cds-hooks/draft-orders.ts) both read names through here.
 */
import { issue } from '../record/index.ts';
import type { Concept, Issue } from '../record/index.ts';
import type { Knowledge, UnverifiedEntry } from './knowledge.ts';
import type { CodeSet } from './schema-codesets.ts';
import type { BrandName, Pathway } from './schema-pathway.ts';

export interface MedicationName {
  /** The name as the knowledge spells it: "Actemra", "tocilizumab". */
  readonly name: string;
  /** The ingredient it stands for, in lower case: "tocilizumab". */
  readonly ingredient: string;
  /** The brand-name entry, when the name is a brand (its citation and verified flag). */
  readonly brand?: BrandName;
}

export interface MedicationNameIndex {
  /** One whole-word, any-case pattern of every name; undefined when there are none. */
  readonly pattern: RegExp | undefined;
  /** Every name by its lower-case spelling. */
  readonly byName: ReadonlyMap<string, MedicationName>;
  /** Per code set, the ingredients whose names its entries' displays use: the sets a named record may belong to. */
  readonly ingredientsBySet: ReadonlyMap<string, ReadonlySet<string>>;
  /** One whole-word, any-case pattern of the antidepressant table's ingredient names (definition 2). */
  readonly antidepressantPattern: RegExp | undefined;
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');

/** An entry's ingredient name: the first word of its display, in lower case. */
export function ingredientOfDisplay(display: string): string {
  return (/^[a-z]+/i.exec(display)?.[0] ?? display).toLowerCase();
}

/** A whole-word, any-case pattern of the names, longest first (so "desvenlafaxine" wins over "venlafaxine"). */
function namePattern(names: Iterable<string>): RegExp | undefined {
  const sorted = [...names].sort((a, b) => b.length - a.length);
  return sorted.length === 0 ? undefined : new RegExp(`\\b(?:${sorted.map(escape).join('|')})\\b`, 'i');
}

/**
 * The ingredient an entry's display names, or undefined for a class-level entry: ATC and RxNorm write an ingredient in
 * lower case ("adalimumab", "certolizumab pegol", "tofacitinib (before the L04AF group)") and a group capitalised
 * ("Interleukin inhibitors"); SNOMED CT writes "Tocilizumab (substance)".
 */
function ingredientNamedBy(display: string): string | undefined {
  return /^[a-z]/.test(display) || display.endsWith(' (substance)') ? ingredientOfDisplay(display) : undefined;
}

export function buildMedicationNames(
  pathway: { readonly path: string; readonly value: Pathway },
  codeSets: ReadonlyMap<string, CodeSet>,
  antidepressantIngredients: Iterable<string>,
  issues: Issue[],
): MedicationNameIndex {
  const byName = new Map<string, MedicationName>();
  pathway.value.contraindications.forEach((rule, i) => {
    if (rule.predicate !== 'current-medication') return;
    const ingredients = new Set<string>();
    for (const id of rule.il6BlockerCodeSets) {
      for (const entry of codeSets.get(id)?.codes ?? []) ingredients.add(ingredientOfDisplay(entry.display));
    }
    for (const ingredient of ingredients) byName.set(ingredient, { name: ingredient, ingredient });
    rule.il6BlockerBrandNames.forEach((brand, j) => {
      const field = `contraindications[${i}].il6BlockerBrandNames[${j}]`;
      if (!ingredients.has(brand.ingredient) || byName.has(brand.name.toLowerCase())) {
        const why = ingredients.has(brand.ingredient)
          ? `the name "${brand.name}" is listed twice`
          : `ingredient "${brand.ingredient}" is not an ingredient of ${rule.il6BlockerCodeSets.join(', ')}`;
        issues.push(issue('knowledge.field.invalid', `${pathway.path}: ${field}: ${why}`, `${pathway.path}#${field}`));
        return;
      }
      byName.set(brand.name.toLowerCase(), { name: brand.name, ingredient: brand.ingredient, brand });
    });
    // The rule's other sets (biologics, JAK inhibitors) also hold class-level entries ("Interleukin inhibitors"):
    // only an entry that names an ingredient gives a name.
    for (const id of rule.codeSets) {
      for (const entry of codeSets.get(id)?.codes ?? []) {
        const name = ingredientNamedBy(entry.display);
        if (name !== undefined && !byName.has(name)) byName.set(name, { name, ingredient: name });
      }
    }
  });
  const pattern = namePattern(byName.keys());
  const all = pattern === undefined ? undefined : new RegExp(pattern.source, 'gi');
  const ingredientsBySet = new Map<string, Set<string>>();
  if (all !== undefined) {
    for (const [id, set] of codeSets) {
      const found = new Set<string>();
      for (const entry of set.codes) {
        for (const m of entry.display.matchAll(all)) {
          const named = byName.get(m[0].toLowerCase());
          if (named !== undefined) found.add(named.ingredient);
        }
      }
      if (found.size > 0) ingredientsBySet.set(id, found);
    }
  }
  return { pattern, byName, ingredientsBySet, antidepressantPattern: namePattern(antidepressantIngredients) };
}

/** The first name a text uses as a whole word, in any case ("ACTEMRA 162 mg" -> Actemra). */
export function nameInText(k: Knowledge, text: string | undefined): MedicationName | undefined {
  const { pattern, byName } = k.index.medicationNames;
  if (pattern === undefined || text === undefined) return undefined;
  const m = pattern.exec(text);
  return m === null ? undefined : byName.get(m[0].toLowerCase());
}

/** The name a concept's text, else one of its codings' displays, uses: what a clinician reads on the record. */
export function nameInConcept(k: Knowledge, concept: Concept): MedicationName | undefined {
  const named = nameInText(k, concept.text);
  if (named !== undefined) return named;
  for (const coding of concept.codings) {
    const fromDisplay = nameInText(k, coding.display);
    if (fromDisplay !== undefined) return fromDisplay;
  }
  return undefined;
}

/**
 * The antidepressant ingredient a concept names (its text, else a coding's display: "Sertraline 100 mg tablet" ->
 * sertraline), for a record no listed code places (docs/care-pathway.md, "Medications named without a listed code").
 */
export function antidepressantNamedIn(k: Knowledge, concept: Concept): string | undefined {
  const pattern = k.index.medicationNames.antidepressantPattern;
  if (pattern === undefined) return undefined;
  for (const text of [concept.text, ...concept.codings.map((c) => c.display)]) {
    const m = text === undefined ? null : pattern.exec(text);
    if (m !== null) return m[0].toLowerCase();
  }
  return undefined;
}

/** Whether any of the code sets lists the named ingredient (by its entries' displays). */
export function setsListIngredient(k: Knowledge, setIds: readonly string[], ingredient: string): boolean {
  const bySet = k.index.medicationNames.ingredientsBySet;
  return setIds.some((id) => bySet.get(id)?.has(ingredient) === true);
}

/** The [U] line of a brand name the reference does not give, for the result's `unverified`; undefined otherwise. */
export function unverifiedName(named: MedicationName): UnverifiedEntry | undefined {
  const brand = named.brand;
  if (brand === undefined || brand.verified) return undefined;
  return {
    item: `IL-6 blocker brand name "${brand.name}" = ${brand.ingredient}`,
    note: brand.note ?? `the brand name ${brand.name} is not verified in the stored sources`,
    citation: brand.citation,
  };
}
