/**
 * "Current medication in a code set" for trial exclusion lists (antibiotics, NSAIDs, corticosteroids). "Current" is the
 * care pathway's definition 3a, judged once per patient by the pathway (ClinicalFacts.medications, from
 * src/pathway/medication-use.ts): `trd match` and `trd assess` can never disagree about it. A current record with no
 * code of the set that names one of its ingredients ("Ibuprofen 400 mg tablet") is a possible use to confirm
 * (docs/care-pathway.md, "Medications named without a listed code"; the names are src/knowledge/medication-names.ts).
 */
import { matchConcept, medicationNamesOf, setsListIngredient } from '../knowledge/index.ts';
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

/** Current records with no code of the set that name one of its ingredients, each with the name it uses. */
export function namedOnlyCurrentInSet(
  record: PatientRecord,
  knowledge: Knowledge,
  codeSet: string,
  facts: Pick<ClinicalFacts, 'medications'>,
): { medication: MedicationFact; named: MedicationName }[] {
  const current = new Set(facts.medications.current);
  const found: { medication: MedicationFact; named: MedicationName }[] = [];
  for (const medication of record.medications) {
    if (!current.has(medication.ref) || medicationInSet(knowledge, codeSet, medication) !== undefined) continue;
    const named = medicationNamesOf(knowledge, medication).names.find((n) =>
      setsListIngredient(knowledge, [codeSet], n.ingredient),
    );
    if (named !== undefined) found.push({ medication, named });
  }
  return found;
}
