/**
 * An allergy observation whose substance has no concept but is named in `value_as_string` ("Actemra"): the
 * substance's name is the AllergyIntolerance's text, as a FHIR allergy names it, so the engine reads an allergy naming
 * tocilizumab as a hypersensitivity to confirm (docs/care-pathway.md, "Medications named without a listed code")
 * rather than an allergy to an unnamed drug; another substance named so is no such contraindication.
 *
 * Each scenario runs on DuckDB and on PostgreSQL: PGlite in-process by default, the real server when TRD_PG_URL is
 * set (.ci/run starts one).
 */
import assert from 'node:assert/strict';
import {
  dayFromAsOf,
  type assessPersons,
  omopScenario,
  twoReferablePersons,
  populationForFile,
  type PersonPair,
} from './fixtures.test-support.ts';

const population = populationForFile(600, 20261204);

type Two = PersonPair;

function siteRows(t: (table: string) => string, [actemra, penicillin]: Two): string[] {
  const allergyToDrug = `(SELECT concept_id FROM ${t('concept')} WHERE vocabulary_id = 'SNOMED' AND concept_code = '416098002')`;
  const row = (person: number, substance: string): string =>
    `(${person * 100 + 92}, ${person}, ${allergyToDrug}, DATE '${dayFromAsOf(-200)}', 32817, NULL, NULL, 0,
      'ALLERGY', 0, '${substance}')`;
  return [
    `INSERT INTO ${t('observation')} (observation_id, person_id, observation_concept_id, observation_date,
       observation_type_concept_id, value_as_number, value_as_concept_id, unit_concept_id, observation_source_value,
       observation_source_concept_id, value_as_string)
     VALUES ${row(actemra, 'Actemra')}, ${row(penicillin, 'penicillin')}`,
  ];
}

function check(results: Awaited<ReturnType<typeof assessPersons>>, [actemra, penicillin]: Two): void {
  const a = results.get(actemra);
  const hypersensitivity = a?.contraindications.find((c) => c.code === 'hypersensitivity');
  assert.ok(hypersensitivity !== undefined, 'an allergy naming Actemra is never silently dropped');
  assert.notEqual(a?.recommendation.code, 'refer-to-trial');
  const p = results.get(penicillin);
  assert.equal(p?.recommendation.code, 'refer-to-trial', 'a penicillin allergy is no contraindication');
}

omopScenario(
  'an allergy whose substance is named only in value_as_string',
  population,
  (): Two => twoReferablePersons(population()),
  siteRows,
  check,
);
