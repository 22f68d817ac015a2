/**
 * A person with two death rows (a site that merges its EHR with a death registry: CDM 5.4 sets no key on `death`) is
 * one Patient, deceased on the earlier date: the projection joined every death row to the person, so the engine got
 * two differing copies of the Patient and the person was not assessed at all (docs/screening.md).
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

/** The first person dies twice over (two sources, two dates); the second once, recorded twice alike. */
function siteRows(t: (table: string) => string, [twoDates, sameDate]: Two): string[] {
  return [
    `INSERT INTO ${t('death')} VALUES
      (${twoDates}, DATE '${dayFromAsOf(-20)}', 32817), (${twoDates}, DATE '${dayFromAsOf(-12)}', 32885),
      (${sameDate}, DATE '${dayFromAsOf(-30)}', 32817), (${sameDate}, DATE '${dayFromAsOf(-30)}', 32885)`,
  ];
}

function check(results: Awaited<ReturnType<typeof assessPersons>>, [twoDates, sameDate]: Two): void {
  for (const person of [twoDates, sameDate]) {
    const a = results.get(person);
    assert.equal(a?.recommendation.code, 'out-of-scope');
    assert.equal((a as { scope?: { reason: string } }).scope?.reason, 'deceased');
  }
}

omopScenario(
  'a person with two death rows is one deceased Patient',
  population,
  (): Two => twoReferablePersons(population()),
  siteRows,
  check,
);
