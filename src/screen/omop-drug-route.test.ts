/**
 * A drug_exposure's product says its route in its name ("hydrocortisone 10 MG/ML Topical Cream"): the screen reads
 * the drug concept's name as the medication's text, so a coded corticosteroid applied to the skin is a caution to
 * confirm, as `trd assess` reads the same product from FHIR, and an oral tablet stays a confirmed caution
 * (docs/care-pathway.md, "Medications named without a listed code"; docs/screening.md).
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
  conceptRow,
  mapsToItself,
  type PersonPair,
} from './fixtures.test-support.ts';

const population = populationForFile(600, 20261204);

const day = dayFromAsOf;

type Two = PersonPair;

/** Two referable persons by OMOP person_id: one on a hydrocortisone cream, one on hydrocortisone tablets. */
const referablePersons = (): Two => twoReferablePersons(population());

/** Site rows: hydrocortisone (RxNorm 5492), a cream and a tablet of it with their strengths, an exposure to each. */
function siteRows(t: (table: string) => string, [onCream, onTablets]: Two): string[] {
  const ids = { hydrocortisone: 2100000401, cream: 2100000402, tablet: 2100000403 };
  const concept = (id: number, name: string, cls: string, code: string): string =>
    conceptRow(id, name, 'Drug', 'RxNorm', cls, code);
  const exposure = (person: number, drug: number): string =>
    `(${person * 100 + 96}, ${person}, ${drug}, DATE '${day(-30)}', DATE '${day(30)}', 32838, NULL, NULL, NULL, 'hydrocortisone', 0)`;
  return [
    `INSERT INTO ${t('concept')} VALUES
      ${concept(ids.hydrocortisone, 'hydrocortisone', 'Ingredient', '5492')},
      ${concept(ids.cream, 'hydrocortisone 10 MG/ML Topical Cream', 'Clinical Drug', 'synth-hc-cream')},
      ${concept(ids.tablet, 'hydrocortisone 10 MG Oral Tablet', 'Clinical Drug', 'synth-hc-tab')}`,
    `INSERT INTO ${t('concept_relationship')} VALUES ${mapsToItself(Object.values(ids))}`,
    `INSERT INTO ${t('drug_strength')} VALUES
      (${ids.cream}, ${ids.hydrocortisone}, NULL, NULL, DATE '1970-01-01', DATE '2099-12-31'),
      (${ids.tablet}, ${ids.hydrocortisone}, 10, 8576, DATE '1970-01-01', DATE '2099-12-31')`,
    `INSERT INTO ${t('drug_exposure')} VALUES ${exposure(onCream, ids.cream)}, ${exposure(onTablets, ids.tablet)}`,
  ];
}

function check(results: Awaited<ReturnType<typeof assessPersons>>, [onCream, onTablets]: Two): void {
  const caution = (person: number) =>
    results.get(person)?.cautions.find((c) => c.code === 'crp-confounding-medication');
  const cream = caution(onCream);
  assert.ok(cream !== undefined, 'a coded hydrocortisone is never silently dropped');
  assert.deepEqual(cream.toConfirm, cream.evidence, 'a cream is a corticosteroid to confirm, not a confirmed one');
  assert.match(cream.detail, /recorded as "topical"/);
  const tablets = caution(onTablets);
  assert.ok(tablets !== undefined);
  assert.equal(tablets.toConfirm, undefined, 'an oral tablet is a confirmed current corticosteroid');
}

omopScenario('a drug product whose name says it is applied', population, referablePersons, siteRows, check);
