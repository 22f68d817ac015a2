/**
 * The names a medication record is recognised by when it carries no code the pathway lists (docs/care-pathway.md,
 * "Medications named without a listed code"): the ingredient names of the code sets the pathway's current-medication
 * rules read (the immunosuppressant contraindication's IL-6 blockers, biologics and JAK inhibitors; the cautions' NSAIDs,
 * systemic corticosteroids and conventional immunosuppressants) and of the trial exclusion lists `trd match` adds
 * (antibiotics: withMedicationNames), the first word of each ingredient entry's display ("Tocilizumab (substance)" ->
 * tocilizumab), and the IL-6 blockers' brand names (`il6BlockerBrandNames` of the `immunosuppressant`
 * contraindication, each with its citation and verified flag). A record whose texts say it is not systemic ("cream",
 * "eye drops": `definitions.currentMedication.nonSystemicRoutes`) is not read by those sets' names; the
 * contraindication's IL-6 blockers, biologics and JAK inhibitors are read whatever the route. Built once when the knowledge
 * loads; the engine (src/pathway/medication-use.ts), the trial matcher and the CDS order hooks
 * (src/server/cds-hooks/draft-orders.ts) all read names through here.
 */
import { issue } from '../record/index.ts';
import type { Concept, Issue, MedicationFact } from '../record/index.ts';
import type { Knowledge, UnverifiedEntry } from './knowledge.ts';
import { matchConceptInSets } from './lookup.ts';
import type { AntidepressantBrandName, CodeSet } from './schema-codesets.ts';
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
  /** One whole-word, any-case, global pattern of every name (read with matchAll); undefined when there are none. */
  readonly pattern: RegExp | undefined;
  /** Every name is one word (letters, digits, underscore): texts are then read word by word (namesInText). */
  readonly singleWordNames: boolean;
  /** Every name by its lower-case spelling. */
  readonly byName: ReadonlyMap<string, MedicationName>;
  /** Per code set, the ingredients whose names its entries' displays use: the sets a named record may belong to. */
  readonly ingredientsBySet: ReadonlyMap<string, ReadonlySet<string>>;
  /** One whole-word, any-case pattern of the antidepressant table's ingredient and brand names (definition 2). */
  readonly antidepressantPattern: RegExp | undefined;
  /** The antidepressant names by their lower-case spelling (a brand name with its ingredient and citation). */
  readonly antidepressantByName: ReadonlyMap<string, MedicationName>;
  /** The code sets whose ingredient names are read (beyond the IL-6 blockers' and the brand names). */
  readonly namedSets: ReadonlySet<string>;
  /** Whole-word patterns of `nonSystemicRoutes.words` and `.systemicWords` (undefined when there are none). */
  readonly nonSystemicPattern: RegExp | undefined;
  readonly systemicPattern: RegExp | undefined;
  /**
   * The ingredients of the `immunosuppressant` contraindication's sets (IL-6 blockers, biologics, JAK inhibitors): a
   * name of one is read whatever the route words say, since a possible use of one is a request, never set aside.
   */
  readonly readWhateverRoute: ReadonlySet<string>;
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

/** The code sets a pathway rule reads as current medication beyond the IL-6 blockers: their ingredients give names. */
function pathwayNamedSets(pathway: Pathway): string[] {
  const sets: string[] = [];
  for (const rule of pathway.contraindications)
    if (rule.predicate === 'current-medication') sets.push(...rule.codeSets);
  for (const rule of pathway.cautions) if (rule.predicate === 'current-medication') sets.push(...rule.codeSets);
  return sets;
}

/**
 * @param extraSets code sets beyond the pathway's whose ingredient names are read too (the trial exclusion lists of
 *   `no-medication-in` criteria, src/trials/load.ts).
 */
export function buildMedicationNames(
  pathway: { readonly path: string; readonly value: Pathway },
  codeSets: ReadonlyMap<string, CodeSet>,
  antidepressants: ReadonlyMap<string, { readonly brandNames?: readonly AntidepressantBrandName[] }>,
  issues: Issue[],
  extraSets: readonly string[] = [],
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
  });
  // The other sets (biologics, JAK inhibitors, NSAIDs, corticosteroids...) also hold class-level entries ("Interleukin
  // inhibitors", "Glucocorticoids (systemic)"): only an entry that names an ingredient gives a name.
  const namedSets = new Set([...pathwayNamedSets(pathway.value), ...extraSets]);
  for (const id of namedSets) {
    for (const entry of codeSets.get(id)?.codes ?? []) {
      const name = ingredientNamedBy(entry.display);
      if (name !== undefined && !byName.has(name)) byName.set(name, { name, ingredient: name });
    }
  }
  const once = namePattern(byName.keys());
  const all = once === undefined ? undefined : new RegExp(once.source, 'gi');
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
  const readWhateverRoute = new Set<string>();
  for (const rule of pathway.value.contraindications) {
    if (rule.predicate !== 'current-medication') continue;
    for (const id of [...rule.il6BlockerCodeSets, ...rule.codeSets])
      for (const ingredient of ingredientsBySet.get(id) ?? []) readWhateverRoute.add(ingredient);
  }
  const routes = pathway.value.definitions.currentMedication.nonSystemicRoutes;
  const antidepressantByName = antidepressantNames(antidepressants);
  return {
    pattern: all,
    singleWordNames: [...byName.keys()].every((name) => SINGLE_WORD.test(name)),
    byName,
    ingredientsBySet,
    antidepressantPattern: namePattern(antidepressantByName.keys()),
    antidepressantByName,
    namedSets,
    nonSystemicPattern: namePattern(routes.words),
    systemicPattern: namePattern(routes.systemicWords),
    readWhateverRoute,
  };
}

/** The antidepressants' ingredient names, and their brand names each with its ingredient (a brand as BrandName). */
function antidepressantNames(
  antidepressants: ReadonlyMap<string, { readonly brandNames?: readonly AntidepressantBrandName[] }>,
): Map<string, MedicationName> {
  const byName = new Map<string, MedicationName>();
  for (const ingredient of antidepressants.keys()) byName.set(ingredient, { name: ingredient, ingredient });
  for (const [ingredient, row] of antidepressants) {
    for (const b of row.brandNames ?? []) {
      const brand: BrandName = { name: b.name, ingredient, citation: b.citation, verified: b.verified };
      if (b.note !== undefined) brand.note = b.note;
      byName.set(b.name.toLowerCase(), { name: b.name, ingredient, brand });
    }
  }
  return byName;
}

/**
 * The knowledge with the ingredient names of more code sets read too (src/trials/load.ts: the sets of the trials'
 * current-medication exclusion lists). The pathway's brand names were checked when it loaded.
 */
export function withMedicationNames(k: Knowledge, setIds: readonly string[]): Knowledge {
  const known = k.index.medicationNames.namedSets;
  if (setIds.every((id) => known.has(id))) return k;
  const path = k.sources.find((s) => s.id === k.pathway.id)?.path ?? 'pathway';
  const ingredients = k.index.ingredients;
  const medicationNames = buildMedicationNames(
    { path, value: k.pathway },
    k.codeSets,
    ingredients,
    [],
    [...known, ...setIds],
  );
  return { ...k, index: { ...k.index, medicationNames } };
}

const SINGLE_WORD = /^\w+$/;

/** Is the character code a regular-expression word character (\w: ASCII letter, digit or underscore)? */
const isWordChar = (c: number): boolean =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;

/** Every name a text uses as a whole word, in any case, in order ("ACTEMRA 162 mg" -> Actemra), added to `out`. */
export function namesInText(k: Knowledge, text: string | undefined, out: MedicationName[]): void {
  const { pattern, byName, singleWordNames } = k.index.medicationNames;
  if (pattern === undefined || text === undefined) return;
  if (!singleWordNames) {
    for (const m of text.matchAll(pattern)) addName(byName.get(m[0].toLowerCase()), out);
    return;
  }
  // The same answer as the pattern when every name is one word (a whole-word match of a word is a whole run of word
  // characters), read as one map lookup per word of the text: every medication record of every patient passes here,
  // and the pattern, an alternation of every name, is tried against every name at each word it meets.
  let start = -1;
  for (let i = 0; i <= text.length; i++) {
    const word = i < text.length && isWordChar(text.charCodeAt(i));
    if (word && start < 0) start = i;
    else if (!word && start >= 0) {
      addName(byName.get(text.slice(start, i).toLowerCase()), out);
      start = -1;
    }
  }
}

function addName(named: MedicationName | undefined, out: MedicationName[]): void {
  if (named !== undefined && !out.includes(named)) out.push(named);
}

/** The names a concept's text, then its codings' displays, use: what a clinician reads on the record. */
function namesInConcept(k: Knowledge, concept: Concept, out: MedicationName[] = []): MedicationName[] {
  namesInText(k, concept.text, out);
  for (const coding of concept.codings) namesInText(k, coding.display, out);
  return out;
}

/** The first name a concept uses whose ingredient one of the code sets lists (so "ibuprofen, Actemra" is Actemra). */
export function nameListedIn(k: Knowledge, concept: Concept, setIds: readonly string[]): MedicationName | undefined {
  return namesInConcept(k, concept).find((n) => setsListIngredient(k, setIds, n.ingredient));
}

/** A concept's text and its codings' displays. */
function textsOf(concept: Concept | undefined): (string | undefined)[] {
  return concept === undefined ? [] : [concept.text, ...concept.codings.map((c) => c.display)];
}

/**
 * The non-systemic route word a medication record uses (its product's or ingredients' text, form, route, dosage
 * text), or its route's code when `nonSystemicRoutes.codeSets` lists it, when its texts use none of the systemic
 * words and its route is no code of `systemicCodeSets` (oral, intravenous...): "Hydrocortisone 1% cream" -> cream;
 * "Ibuprofen soft gel capsule" -> undefined
 * (`definitions.currentMedication.nonSystemicRoutes`).
 */
export function nonSystemicRoute(k: Knowledge, m: MedicationFact): string | undefined {
  const { nonSystemicPattern, systemicPattern } = k.index.medicationNames;
  const texts = [
    ...textsOf(m.medication),
    ...m.ingredients.flatMap((i) => textsOf(i.code)),
    ...textsOf(m.form),
    ...textsOf(m.route),
    m.dosageText,
  ].filter((t): t is string => t !== undefined);
  if (systemicPattern !== undefined && texts.some((t) => systemicPattern.test(t))) return undefined;
  const { codeSets: routeSets, systemicCodeSets } = k.pathway.definitions.currentMedication.nonSystemicRoutes;
  if (m.route !== undefined && matchConceptInSets(k, systemicCodeSets, m.route) !== undefined) return undefined;
  const route = m.route === undefined ? undefined : matchConceptInSets(k, routeSets, m.route);
  if (route !== undefined) return route.entry.display.toLowerCase();
  if (nonSystemicPattern === undefined) return undefined;
  for (const t of texts) {
    const found = nonSystemicPattern.exec(t);
    if (found !== null) return found[0].toLowerCase();
  }
  return undefined;
}

/**
 * The names a medication record uses (its product's text and displays, then its ingredients'), and, when its texts
 * say it is not systemic, that word with the names it sets aside: all but those of the `immunosuppressant`
 * contraindication's medicines, which are read whatever the route words say (docs/care-pathway.md, "Medications named
 * without a listed code").
 */
export function medicationNamesOf(
  k: Knowledge,
  m: MedicationFact,
): {
  readonly names: readonly MedicationName[];
  /** The word or route that says the record is not systemic, and the names it set aside. */
  readonly nonSystemic?: { readonly word: string; readonly names: readonly MedicationName[] };
} {
  const names = namesInConcept(k, m.medication);
  for (const i of m.ingredients) namesInConcept(k, i.code, names);
  if (names.length === 0) return { names };
  const word = nonSystemicRoute(k, m);
  if (word === undefined) return { names };
  const always = k.index.medicationNames.readWhateverRoute;
  const setAside = names.filter((n) => !always.has(n.ingredient));
  if (setAside.length === 0) return { names };
  return { names: names.filter((n) => always.has(n.ingredient)), nonSystemic: { word, names: setAside } };
}

/** The [U] line of the non-systemic routes, for the result's `unverified` when a record was read by them. */
export function unverifiedRoutes(k: Knowledge): UnverifiedEntry | undefined {
  const routes = k.pathway.definitions.currentMedication.nonSystemicRoutes;
  if (routes.verified) return undefined;
  return {
    item: 'non-systemic route words and codes (a medicine recorded as applied or inhaled is not read as systemic)',
    note: routes.note ?? 'the non-systemic route words are not verified in the stored sources',
    citation: routes.citation,
  };
}

/**
 * The antidepressant ingredient a concept names (its text, else a coding's display: "Sertraline 100 mg tablet" ->
 * sertraline), for a record no listed code places (docs/care-pathway.md, "Medications named without a listed code").
 */
export function antidepressantNamedIn(k: Knowledge, concept: Concept): MedicationName | undefined {
  const { antidepressantPattern: pattern, antidepressantByName } = k.index.medicationNames;
  if (pattern === undefined) return undefined;
  for (const text of [concept.text, ...concept.codings.map((c) => c.display)]) {
    const m = text === undefined ? null : pattern.exec(text);
    const named = m === null ? undefined : antidepressantByName.get(m[0].toLowerCase());
    if (named !== undefined) return named;
  }
  return undefined;
}

/** Whether any of the code sets lists the named ingredient (by its entries' displays). */
export function setsListIngredient(k: Knowledge, setIds: readonly string[], ingredient: string): boolean {
  const bySet = k.index.medicationNames.ingredientsBySet;
  return setIds.some((id) => bySet.get(id)?.has(ingredient) === true);
}

/** The [U] line of a brand name the reference does not give, for the result's `unverified`; undefined otherwise. */
export function unverifiedName(named: MedicationName, what = 'IL-6 blocker'): UnverifiedEntry | undefined {
  const brand = named.brand;
  if (brand === undefined || brand.verified) return undefined;
  return {
    item: `${what} brand name "${brand.name}" = ${brand.ingredient}`,
    note: brand.note ?? `the brand name ${brand.name} is not verified in the stored sources`,
    citation: brand.citation,
  };
}
