/**
 * A drug_exposure row whose drug has no concept (drug_concept_id 0: the site's code is unmapped) but whose
 * drug_source_value names it ("ACTEMRA 162 MG/0.9 ML"): the projection keeps it and its name is the medication's
 * text, as a FHIR MedicationStatement named only by text, so the engine reads an IL-6 blocker named so as a possible
 * use to confirm (a CRP in its reach is not used) rather than never seeing it (docs/care-pathway.md, "Medications
 * named without a listed code"); a drug the pathway does not name changes nothing.
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

function siteRows(t: (table: string) => string, [actemra, statin]: Two): string[] {
  const exposure = (person: number, name: string): string =>
    `(${person * 100 + 91}, ${person}, 0, DATE '${dayFromAsOf(-60)}', DATE '${dayFromAsOf(-60)}', 32838, NULL, NULL,
      NULL, '${name}', 0)`;
  return [
    `INSERT INTO ${t('drug_exposure')} VALUES ${exposure(actemra, 'ACTEMRA 162 MG/0.9 ML SC SOLN')},
       ${exposure(statin, 'ATORVASTATIN 20 MG TABLET')}`,
  ];
}

function check(results: Awaited<ReturnType<typeof assessPersons>>, [actemra, statin]: Two): void {
  const a = results.get(actemra);
  assert.notEqual(a?.recommendation.code, 'refer-to-trial', 'an IL-6 blocker named only by its source text is seen');
  assert.equal(results.get(statin)?.recommendation.code, 'refer-to-trial', 'another drug changes nothing');
}

omopScenario(
  'a drug with no concept, named in drug_source_value',
  population,
  (): Two => twoReferablePersons(population()),
  siteRows,
  check,
);
