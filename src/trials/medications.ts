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
 * Whether a record is one of the set's for "last recorded": coded in the set, or with no code of it naming one of its
 * ingredients ("Amoxicillin 500 mg capsules"), never one applied or inhaled.
 */
function usedAsOfSet(knowledge: Knowledge, codeSet: string, medication: MedicationFact): boolean {
  // A coded record whose texts say it is applied or inhaled ("cream") was never a use of the class; a record named
  // so has its names set aside (medicationNamesOf).
  return medicationInSet(knowledge, codeSet, medication) === undefined
    ? medicationNamesOf(knowledge, medication).names.some((n) => setsListIngredient(knowledge, [codeSet], n.ingredient))
    : nonSystemicRoute(knowledge, medication) === undefined;
}

/**
 * The records of the set that are not current, for a criterion that finds none current ("last recorded"; it decides
 * nothing): `ended`, those whose use is over with a known last day (the pathway's `medications.ended`) that ended
 * last, all those of that day; `endUnknown`, every one whose last day is not known (`medications.endUnknown`: a
 * completed statement with no end, an undated or stale record), since any of them may have ended after that day.
 */
export function lastEndedInSet(
  record: PatientRecord,
  knowledge: Knowledge,
  codeSet: string,
  facts: Pick<ClinicalFacts, 'medications'>,
): { ended: { medication: MedicationFact; end: string }[]; endUnknown: MedicationFact[] } {
  const endOf = new Map(facts.medications.ended.map((e) => [e.source, e.end]));
  const unknown = new Set(facts.medications.endUnknown);
  let ended: { medication: MedicationFact; end: string }[] = [];
  const endUnknown: MedicationFact[] = [];
  for (const medication of record.medications) {
    if (unknown.has(medication.ref)) {
      if (usedAsOfSet(knowledge, codeSet, medication)) endUnknown.push(medication);
      continue;
    }
    const end = endOf.get(medication.ref);
    if (end === undefined || (ended[0] !== undefined && end < ended[0].end)) continue;
    if (!usedAsOfSet(knowledge, codeSet, medication)) continue;
    if (ended[0] !== undefined && end > ended[0].end) ended = [];
    ended.push({ medication, end });
  }
  return { ended, endUnknown };
}

/**
 * Records (or runs) whose end is not recorded, by the name each gives, the latest start first: one with its start
 * ("amoxicillin from 2026-10-01", "amoxicillin, undated"); several of one name (years of stopped orders, as Synthea and
 * many EHRs keep) once, with their count and the range of their starts ("Amoxicillin 250 MG Oral Capsule, 20 records
 * from 2010-01-15 to 2019-02-15"; the antidepressant criteria count runs, "courses"), never one entry per order. The
 * caller still cites each record.
 */
export function startsByName(
  records: readonly { readonly name: string; readonly start: string | undefined }[],
  noun: 'records' | 'courses' = 'records',
): string {
  const byName = new Map<string, { starts: string[]; undated: number }>();
  for (const { name, start } of records) {
    let group = byName.get(name);
    if (group === undefined) byName.set(name, (group = { starts: [], undated: 0 }));
    if (start === undefined) group.undated += 1;
    else group.starts.push(start);
  }
  const groups = [...byName].map(([name, g]) => ({ name, undated: g.undated, starts: g.starts.sort() }));
  const latest = (starts: readonly string[]): string => starts.at(-1) ?? '';
  groups.sort((a, b) => (latest(a.starts) < latest(b.starts) ? 1 : latest(a.starts) > latest(b.starts) ? -1 : 0));
  return groups
    .map(({ name, starts, undated }) => {
      const count = starts.length + undated;
      if (count === 1) return starts[0] === undefined ? `${name}, undated` : `${name} from ${starts[0]}`;
      const range =
        starts.length === 0
          ? 'undated'
          : starts.length === 1
            ? `from ${starts[0]}`
            : `from ${starts[0]} to ${latest(starts)}`;
      return `${name}, ${count} ${noun} ${range}${undated > 0 && starts.length > 0 ? ` (${undated} undated)` : ''}`;
    })
    .join(', ');
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
