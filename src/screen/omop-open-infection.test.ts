/**
 * An infection recorded without an end date, as most OMOP sites keep condition_occurrence, is not an active infection
 * for ever (docs/care-pathway.md definition 1, docs/screening.md condition_occurrence).
 *
 * Each scenario runs on DuckDB and on PostgreSQL: PGlite in-process by default, the real server when TRD_PG_URL is
 * set (.ci/run starts one).
 */
import assert from 'node:assert/strict';
import {
  dayFromAsOf,
  omopScenario,
  twoReferablePersons,
  populationForFile,
  type PersonPair,
  conceptIdSql,
} from './fixtures.test-support.ts';

const population = populationForFile(1000, 20261204);

type Two = PersonPair;

/**
 * Most sites leave condition_end_date empty. The first person: a pneumonia (SNOMED 233604007, source J18.9) of eight
 * years ago without an end; the second: the same pneumonia 10 days ago. The first is no active infection today (an
 * infection without a status or end is taken as over 28 days [U] after its onset, docs/care-pathway.md definition 1),
 * and the result says so; the second is.
 */
function openInfectionRows(t: (table: string) => string, [old, recent]: Two): string[] {
  const concept = (vocabulary: string, code: string): string => conceptIdSql(t, vocabulary, code);
  const row = (person: number, id: number, day: string): string =>
    `INSERT INTO ${t('condition_occurrence')} VALUES (${id}, ${person}, ${concept('SNOMED', '233604007')},
       DATE '${day}', NULL, 32817, 'J18.9', ${concept('ICD10CM', 'J18.9')}, NULL)`;
  return [row(old, old * 100 + 91, dayFromAsOf(-2920)), row(recent, recent * 100 + 91, dayFromAsOf(-10))];
}

omopScenario(
  'an infection row without an end date is an active infection only for 28 days [U] from its start',
  population,
  (): Two => twoReferablePersons(population()),
  openInfectionRows,
  (results, [old, recent]) => {
    const o = results.get(old);
    assert.equal(o?.recommendation.code, 'refer-to-trial', 'a pneumonia of eight years ago is over');
    assert.ok(o.issues.some((i) => i.code === 'pathway.condition.statusless'));
    const r = results.get(recent);
    assert.equal(r?.recommendation.code, 'contraindicated');
    assert.ok(r.contraindications.some((c) => c.code === 'active-infection'));
  },
);
