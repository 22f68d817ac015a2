/**
 * "Current medication in a code set" for exclusion lists (antibiotics, NSAIDs, corticosteroids). The care pathway
 * derives only antidepressant exposures and its own named medication sets, so this query is generic: a medication is
 * current when its status says it is being taken and its period covers the as-of day.
 */
import { matchConcept } from '../knowledge/index.ts';
import type { CodeMatch, Knowledge } from '../knowledge/index.ts';
import { toDayNumber } from '../record/index.ts';
import type { MedicationFact, PatientRecord } from '../record/index.ts';

/** MedicationStatement / MedicationRequest statuses that mean "being taken (or ordered) now". */
const CURRENT_STATUSES = new Set(['active', 'intended', 'on-hold']);
/** Statuses that say the patient took it: current only when its period still covers the as-of day. */
const PERIOD_STATUSES = new Set(['completed', 'unknown']);

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

export function isCurrentOn(medication: MedicationFact, asOfDay: number): boolean {
  const start = toDayNumber(medication.period.start ?? medication.authoredOn);
  if (start !== undefined && start > asOfDay) return false;
  const end = toDayNumber(medication.period.end, 'end');
  if (CURRENT_STATUSES.has(medication.status)) return end === undefined || end >= asOfDay;
  if (PERIOD_STATUSES.has(medication.status)) return end !== undefined && end >= asOfDay;
  return false;
}

export function currentMedicationsInSet(
  record: PatientRecord,
  knowledge: Knowledge,
  codeSet: string,
  asOfDay: number,
): { medication: MedicationFact; match: CodeMatch }[] {
  const found: { medication: MedicationFact; match: CodeMatch }[] = [];
  for (const medication of record.medications) {
    if (!isCurrentOn(medication, asOfDay)) continue;
    const match = medicationInSet(knowledge, codeSet, medication);
    if (match !== undefined) found.push({ medication, match });
  }
  return found;
}
