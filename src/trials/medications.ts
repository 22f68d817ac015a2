/**
 * "Current medication in a code set" for trial exclusion lists (antibiotics, NSAIDs, corticosteroids). "Current" is the
 * care pathway's definition 3a, judged once per patient by the pathway (ClinicalFacts.medications, from
 * src/pathway/medication-use.ts): `trd match` and `trd assess` can never disagree about it. A current record with no
 * code of the set that names one of its ingredients ("Ibuprofen 400 mg tablet") is a possible use to confirm
 * (docs/care-pathway.md, "Medications named without a listed code"; the names are src/knowledge/medication-names.ts).
 */
import { matchConcept, medicationNamesOf, nonSystemicRoute, setsListIngredient } from '../knowledge/index.ts';
import type { CodeMatch, Knowledge, MedicationName } from '../knowledge/index.ts';
import type { ClinicalFacts } from '../pathway/facts.ts';
import type { MedicationFact, PatientRecord } from '../record/index.ts';

/** The code-set entry the product or one of its ingredients matches, or undefined. */
export function medicationInSet(
  knowledge: Knowledge,
  codeSet: string,
  medication: MedicationFact,
): CodeMatch | undefined {
  const product = matchConcept(knowledge, codeSet, medication.medication);
  if (product !== undefined) return product;
  for (const ingredient of medication.ingredients) {
    const match = matchConcept(knowledge, codeSet, ingredient.code);
    if (match !== undefined) return match;
  }
  return undefined;
}

export function currentMedicationsInSet(
  record: PatientRecord,
  knowledge: Knowledge,
  codeSet: string,
  facts: Pick<ClinicalFacts, 'medications'>,
): { medication: MedicationFact; match: CodeMatch }[] {
  const current = new Set(facts.medications.current);
  const found: { medication: MedicationFact; match: CodeMatch }[] = [];
  for (const medication of record.medications) {
    if (!current.has(medication.ref)) continue;
    const match = medicationInSet(knowledge, codeSet, medication);
    if (match !== undefined) found.push({ medication, match });
  }
  return found;
}

/**
 * The records of the set whose use is over (the pathway's `medications.ended`: neither current nor stale, with a known
 * last day) that ended last, all those of that day: coded in the set, or with no code of it naming one of its
 * ingredients ("Amoxicillin 500 mg capsules"), never one applied or inhaled. "Last recorded" for a criterion that finds
 * none current; it decides nothing.
 */
export function lastEndedInSet(
  record: PatientRecord,
  knowledge: Knowledge,
  codeSet: string,
  facts: Pick<ClinicalFacts, 'medications'>,
): { medication: MedicationFact; end: string }[] {
  const endOf = new Map(facts.medications.ended.map((e) => [e.source, e.end]));
  let found: { medication: MedicationFact; end: string }[] = [];
  for (const medication of record.medications) {
    const end = endOf.get(medication.ref);
    if (end === undefined || (found[0] !== undefined && end < found[0].end)) continue;
    // A coded record whose texts say it is applied or inhaled ("cream") was never a use of the class; a record named
    // so has its names set aside (medicationNamesOf).
    const ofSet =
      medicationInSet(knowledge, codeSet, medication) === undefined
        ? medicationNamesOf(knowledge, medication).names.some((n) =>
            setsListIngredient(knowledge, [codeSet], n.ingredient),
          )
        : nonSystemicRoute(knowledge, medication) === undefined;
    if (!ofSet) continue;
    if (found[0] !== undefined && end > found[0].end) found = [];
    found.push({ medication, end });
  }
  return found;
}

/** A current record with no code of the set that names one of its ingredients. */
export interface NamedInSet {
  readonly medication: MedicationFact;
  readonly named: MedicationName;
  /** Set when the record says it is not systemic ("cream", a topical route): the word, and it is not a use. */
  readonly nonSystemic?: string;
}

/**
 * Current records with no code of the set that name one of its ingredients, each with the name it uses; those that
 * say they are not systemic are listed with the word, as records set aside by the [U] route words.
 */
export function namedOnlyCurrentInSet(
  record: PatientRecord,
  knowledge: Knowledge,
  codeSet: string,
  facts: Pick<ClinicalFacts, 'medications'>,
): NamedInSet[] {
  const current = new Set(facts.medications.current);
  const found: NamedInSet[] = [];
  const inSet = (n: MedicationName): boolean => setsListIngredient(knowledge, [codeSet], n.ingredient);
  for (const medication of record.medications) {
    if (!current.has(medication.ref) || medicationInSet(knowledge, codeSet, medication) !== undefined) continue;
    const { names, nonSystemic } = medicationNamesOf(knowledge, medication);
    const named = names.find(inSet);
    if (named !== undefined) found.push({ medication, named });
    const setAside = nonSystemic?.names.find(inSet);
    if (nonSystemic !== undefined && setAside !== undefined) {
      found.push({ medication, named: setAside, nonSystemic: nonSystemic.word });
    }
  }
  return found;
}
