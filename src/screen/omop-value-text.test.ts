/**
 * A qualitative result whose value has no concept (value_as_concept_id 0 or empty, as unmapped lab feeds give it) but
 * whose text says it: `measurement.value_source_value` "POSITIVE" for a pregnancy test, `observation.value_as_string`
 * "Yes" for breastfeeding status. The screen reads the text as the result's value, as a FHIR valueString, and the
 * engine reads it as it reads that text from FHIR, so the pregnancy contraindication is seen; without it the test
 * decided nothing and the patient was referred to a trial (docs/screening.md).
 *
 * Each scenario runs on DuckDB and on PostgreSQL: PGlite in-process by default, the real server when TRD_PG_URL is
 * set (.ci/run starts one).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InputError } from '../record/index.ts';
import {
  AS_OF,
  dayFromAsOf,
  execOnDuckDb,
  type assessPersons,
  omopScenario,
  twoReferablePersons,
  populationForFile,
  type PersonPair,
} from './fixtures.test-support.ts';
import { duckDbRunner, openOmopSource } from './sources/omop.ts';

const population = populationForFile(600, 20261204);

type Two = PersonPair;

function siteRows(t: (table: string) => string, [pregnancyTest, breastfeeding]: Two): string[] {
  const concept = (code: string): string =>
    `(SELECT concept_id FROM ${t('concept')} WHERE vocabulary_id = 'LOINC' AND concept_code = '${code}')`;
  const day = dayFromAsOf(-10);
  return [
    // measurement: id, person, concept, date, type, value, value concept, unit, low, high, source value, source
    // concept, unit source value, operator, value source value
    `INSERT INTO ${t('measurement')} (measurement_id, person_id, measurement_concept_id, measurement_date,
       measurement_type_concept_id, value_as_number, value_as_concept_id, unit_concept_id, measurement_source_value,
       measurement_source_concept_id, value_source_value)
     VALUES (${pregnancyTest * 100 + 93}, ${pregnancyTest}, ${concept('2118-8')}, DATE '${day}', 32856, NULL, 0, 0,
       'HCG QUAL', 0, 'POSITIVE')`,
    `INSERT INTO ${t('observation')} (observation_id, person_id, observation_concept_id, observation_date,
       observation_type_concept_id, value_as_number, value_as_concept_id, unit_concept_id, observation_source_value,
       observation_source_concept_id, value_as_string)
     VALUES (${breastfeeding * 100 + 93}, ${breastfeeding}, ${concept('63895-7')}, DATE '${day}', 32817, NULL, NULL, 0,
       'BREASTFEEDING', 0, 'Yes')`,
  ];
}

function check(results: Awaited<ReturnType<typeof assessPersons>>, persons: Two): void {
  for (const [person, what] of [
    [persons[0], 'a pregnancy test whose value is the text POSITIVE'],
    [persons[1], 'breastfeeding status answered Yes as text'],
  ] as const) {
    const a = results.get(person);
    assert.equal(a?.recommendation.code, 'contraindicated', what);
    assert.ok(
      a.contraindications.some((c) => c.code === 'pregnancy'),
      what,
    );
  }
}

omopScenario(
  'a qualitative result whose value is given only as text',
  population,
  (): Two => twoReferablePersons(population()),
  siteRows,
  check,
);

test('a CDM without a column the projection reads is one clear error naming it (an extract cut to fewer columns)', async () => {
  // Last in this file: it changes the population's DuckDB file.
  await execOnDuckDb(population(), [
    'ALTER TABLE measurement DROP COLUMN value_source_value',
    'ALTER TABLE observation DROP COLUMN value_as_string',
  ]);
  const source = openOmopSource({
    runner: await duckDbRunner(population().omopDuckDb),
    knowledge: population().engine.knowledge,
    asOf: AS_OF,
  });
  try {
    await assert.rejects(
      source.prepare(),
      (e: unknown) =>
        e instanceof InputError &&
        e.message ===
          'the OMOP CDM columns measurement.value_source_value, observation.value_as_string are not in the default schema (the screen reads the CDM 5.4 columns of src/screen/sources/omop-schema.ts)',
    );
  } finally {
    await source.close();
  }
});
