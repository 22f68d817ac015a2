/**
 * A measurement whose unit has no concept (unit_concept_id 0, as many sites' lab feeds are mapped) but whose
 * unit_source_value says it ("mg/L") is read as a FHIR Observation whose unit is given only as text: the engine
 * converts it when the text is itself a UCUM unit, as it reads the same result from FHIR, rather than setting every
 * such CRP aside as unconvertible (docs/screening.md). A text that is no UCUM unit ("milligrams per litre") stays unconvertible.
 *
 * Each scenario runs on DuckDB and on PostgreSQL: PGlite in-process by default, the real server when TRD_PG_URL is
 * set (.ci/run starts one).
 */
import assert from 'node:assert/strict';
import {
  type assessPersons,
  omopScenario,
  twoReferablePersons,
  populationForFile,
  type PersonPair,
} from './fixtures.test-support.ts';

const population = populationForFile(600, 20261204);

type Two = PersonPair;

/** Every measurement of the two persons loses its unit concept; the first keeps its unit as text, the second not. */
function siteRows(t: (table: string) => string, [asText, asBadText]: Two): string[] {
  return [
    `UPDATE ${t('measurement')} SET
       unit_source_value = (SELECT c.concept_code FROM ${t('concept')} c WHERE c.concept_id = ${t('measurement')}.unit_concept_id),
       unit_concept_id = 0
     WHERE person_id = ${asText} AND unit_concept_id <> 0`,
    `UPDATE ${t('measurement')} SET unit_source_value = 'milligrams per litre', unit_concept_id = 0
     WHERE person_id = ${asBadText} AND unit_concept_id <> 0`,
  ];
}

function check(results: Awaited<ReturnType<typeof assessPersons>>, [asText, asBadText]: Two): void {
  const text = results.get(asText);
  assert.equal(text?.recommendation.code, 'refer-to-trial', 'a unit given as UCUM text is read');
  assert.ok(text.inflammation.crp?.mgPerL !== undefined);
  const bad = results.get(asBadText);
  assert.equal(bad?.recommendation.code, 'measure-crp', 'a unit text that is no UCUM unit is never guessed');
}

omopScenario(
  'a measurement whose unit is given only in unit_source_value',
  population,
  (): Two => twoReferablePersons(population()),
  siteRows,
  check,
);
