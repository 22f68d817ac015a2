/**
 * A CDM row whose source concept is 0 ("No matching concept", how OMOP ETLs record that no source concept was found)
 * or its standard concept itself (a code recorded natively in SNOMED) has no source code of its own: like a row with
 * none, it carries the pathway codes that map to its standard concept. Otherwise a bipolar disorder recorded under a
 * SNOMED concept the pathway's code set does not list by name (its descendants are many: the set names a few), and
 * mapped from ICD-10-CM F31.2, was not seen, and the patient was referred to a trial (docs/screening.md).
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

/**
 * A SNOMED bipolar concept outside the code set's named concepts, ICD-10-CM F31.2 mapped to it, and one condition
 * row of it for each person: source concept 0 for the first, the standard concept itself for the second.
 */
function siteRows(t: (table: string) => string, [withZero, withItself]: Two): string[] {
  const ids = { snomed: 2100000501, icd: 2100000502 };
  const row = (person: number, source: number): string =>
    `(${person * 100 + 95}, ${person}, ${ids.snomed}, DATE '${dayFromAsOf(-400)}', NULL, 32817, 'F31.2', ${source}, NULL)`;
  return [
    `INSERT INTO ${t('concept')} VALUES
      (${ids.snomed}, 'Bipolar I disorder, single manic episode, severe, with psychotic features', 'Condition', 'SNOMED',
        'Clinical Finding', 'S', '1499003', DATE '1970-01-01', DATE '2099-12-31', NULL),
      (${ids.icd}, 'Bipolar disorder, current episode manic severe with psychotic features', 'Condition', 'ICD10CM',
        '5-char billing code', NULL, 'F31.2', DATE '1970-01-01', DATE '2099-12-31', NULL)`,
    `INSERT INTO ${t('concept_relationship')} VALUES
      (${ids.icd}, ${ids.snomed}, 'Maps to', DATE '1970-01-01', DATE '2099-12-31', NULL),
      (${ids.snomed}, ${ids.snomed}, 'Maps to', DATE '1970-01-01', DATE '2099-12-31', NULL)`,
    `INSERT INTO ${t('condition_occurrence')} VALUES ${row(withZero, 0)}, ${row(withItself, ids.snomed)}`,
  ];
}

function check(results: Awaited<ReturnType<typeof assessPersons>>, persons: Two): void {
  for (const [person, how] of [
    [persons[0], 'source concept 0'],
    [persons[1], 'source concept = standard concept'],
  ] as const) {
    const a = results.get(person);
    assert.equal(a?.recommendation.code, 'out-of-scope', `${how}: never referred`);
    assert.equal((a as { scope?: { reason: string } }).scope?.reason, 'bipolar', how);
  }
}

omopScenario(
  'a condition whose source concept is 0 or its standard concept carries the pathway codes mapped to it',
  population,
  () => twoReferablePersons(population()),
  siteRows,
  check,
);
