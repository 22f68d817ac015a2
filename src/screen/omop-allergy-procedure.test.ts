/**
 * OMOP keeps allergies in the `observation` table (OHDSI convention: an "Allergy to drug" or "Allergy to substance"
 * observation whose value_as_concept_id names the substance) and procedures in `procedure_occurrence`; the FHIR
 * path reads the same facts as AllergyIntolerance and Procedure. The screen on OMOP must read them too: a tocilizumab
 * allergy is the `hypersensitivity` contraindication (care pathway definition 6), a delivery recorded after a
 * positive pregnancy test ends the pregnancy it stood for, and an ECT procedure scores the Maudsley ECT dimension.
 * An allergy whose substance is a drug product (a Branded or Clinical Drug, or a brand name such as Actemra) is an
 * allergy to the product's ingredient, read through the vocabulary (drug_strength; "Brand name of"), as the FHIR path
 * reads the product's name.
 *
 * Each scenario runs on DuckDB and on PostgreSQL: PGlite in-process by default, the real server when TRD_PG_URL is
 * set (.ci/run starts one).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromDayNumber, toDayNumber } from '../record/index.ts';
import { personId } from '../synth/omop.ts';
import { truthOf, thresholdsFrom } from '../synth/truth.ts';
import {
  AS_OF,
  assessPersons,
  conceptRow,
  execOnDuckDb,
  mapsToItself,
  populationForFile,
  withPostgresOmop,
} from './fixtures.test-support.ts';
import { duckDbRunner } from './sources/omop.ts';

const population = populationForFile(1500, 20261201);

const daysBefore = (n: number): string => fromDayNumber((toDayNumber(AS_OF) as number) - n);

/**
 * Referable persons by OMOP person_id: the one with the allergy, a woman of 19-50 (the pregnancy test applies to her)
 * with the delivery, the one with ECT, and three with an allergy recorded as a product: a Branded Drug as the value,
 * a Clinical Drug as the qualifier (the value 0, "No matching concept", as many ETLs write an empty value), and the
 * brand name Actemra as the value.
 */
type Persons = [number, number, number, number, number, number];
function referablePersons(): Persons {
  const thresholds = thresholdsFrom(population().engine.knowledge);
  const referable = population().patients.filter((p) => truthOf(p, AS_OF, thresholds).code === 'refer-to-trial');
  const woman = referable.find(
    (p) => p.sex === 'female' && p.birthDate > daysBefore(50 * 365) && p.birthDate < daysBefore(19 * 365),
  );
  const others = referable.filter((p) => p !== woman);
  assert.ok(woman !== undefined && others.length >= 5, `referable persons in the population: ${referable.length}`);
  const [a, b, c, d, e] = others.map((p) => personId(p as never));
  return [a as number, personId(woman), b as number, c as number, d as number, e as number];
}

/**
 * The rows a site's ETL would write, as SQL against tables qualified by `t`: concepts by their real codes (local ids,
 * as the synthetic vocabulary has them), an allergy observation, a positive pregnancy test with a later delivery,
 * and an ECT procedure. The pregnancy-test LOINC and the "Positive" answer come from the synthetic vocabulary.
 */
function siteRows(
  t: (table: string) => string,
  [allergic, delivered, ect, branded, clinical, brand]: Persons,
): string[] {
  const ids = { allergyToDrug: 2100000101, tocilizumab: 2100000102, ect: 2100000103, delivery: 2100000104 };
  // Products of tocilizumab as the vocabulary holds them: standard drugs with a drug_strength row naming the
  // ingredient, and the brand name (not standard, in no drug_strength row) linked to it by "Brand name of".
  const products = { branded: 2100000105, clinical: 2100000106, brand: 2100000107 };
  const product = (id: number, name: string, cls: string, standard: string): string =>
    conceptRow(id, name, 'Drug', 'RxNorm', cls, `synth-${id}`, standard);
  const allergy = (person: number, value: number, qualifier: number | 'NULL'): string =>
    `(${person * 100 + 97}, ${person}, ${ids.allergyToDrug}, DATE '${daysBefore(300)}', 32817, NULL, ${value}, 0,
      'tocilizumab product', 0, ${qualifier})`;
  const byCode = (code: string): string =>
    `(SELECT min(concept_id) FROM ${t('concept')} WHERE concept_code = '${code}')`;
  return [
    `CREATE TABLE IF NOT EXISTS ${t('procedure_occurrence')} (procedure_occurrence_id BIGINT, person_id BIGINT,
      procedure_concept_id INTEGER, procedure_date DATE, procedure_end_date DATE, procedure_type_concept_id INTEGER,
      procedure_source_value VARCHAR(50), procedure_source_concept_id INTEGER)`,
    `INSERT INTO ${t('concept')} VALUES
      ${conceptRow(ids.allergyToDrug, 'Allergy to drug', 'Observation', 'SNOMED', 'Clinical Finding', '416098002')},
      ${conceptRow(ids.tocilizumab, 'tocilizumab', 'Drug', 'RxNorm', 'Ingredient', '612865')},
      ${conceptRow(ids.ect, 'Electroconvulsive therapy', 'Procedure', 'SNOMED', 'Procedure', '23835007')},
      ${conceptRow(ids.delivery, 'Delivery procedure', 'Procedure', 'SNOMED', 'Procedure', '236973005')},
      ${product(products.branded, 'tocilizumab 20 MG/ML Injection [Actemra]', 'Branded Drug', "'S'")},
      ${product(products.clinical, 'tocilizumab 20 MG/ML Injection', 'Clinical Drug', "'S'")},
      ${product(products.brand, 'Actemra', 'Brand Name', 'NULL')}`,
    `INSERT INTO ${t('drug_strength')} VALUES
      (${products.branded}, ${ids.tocilizumab}, NULL, NULL, DATE '1970-01-01', DATE '2099-12-31'),
      (${products.clinical}, ${ids.tocilizumab}, NULL, NULL, DATE '1970-01-01', DATE '2099-12-31')`,
    `INSERT INTO ${t('concept_relationship')} VALUES
      (${products.branded}, ${products.branded}, 'Maps to', DATE '1970-01-01', DATE '2099-12-31', NULL),
      (${products.clinical}, ${products.clinical}, 'Maps to', DATE '1970-01-01', DATE '2099-12-31', NULL),
      (${products.brand}, ${ids.tocilizumab}, 'Brand name of', DATE '1970-01-01', DATE '2099-12-31', NULL),
      (${ids.tocilizumab}, ${products.brand}, 'Has brand name', DATE '1970-01-01', DATE '2099-12-31', NULL)`,
    `INSERT INTO ${t('observation')} (observation_id, person_id, observation_concept_id, observation_date,
      observation_type_concept_id, value_as_number, value_as_concept_id, unit_concept_id, observation_source_value,
      observation_source_concept_id, qualifier_concept_id)
     VALUES ${allergy(branded, products.branded, 'NULL')}, ${allergy(clinical, 0, products.clinical)},
      ${allergy(brand, products.brand, 'NULL')}`,
    `INSERT INTO ${t('concept_relationship')} VALUES ${mapsToItself(Object.values(ids))}`,
    `INSERT INTO ${t('observation')} (observation_id, person_id, observation_concept_id, observation_date,
      observation_type_concept_id, value_as_number, value_as_concept_id, unit_concept_id, observation_source_value,
      observation_source_concept_id)
     VALUES (${allergic * 100 + 98}, ${allergic}, ${ids.allergyToDrug}, DATE '${daysBefore(400)}', 32817, NULL,
      ${ids.tocilizumab}, 0, 'tocilizumab', 0)`,
    `INSERT INTO ${t('measurement')} (measurement_id, person_id, measurement_concept_id, measurement_date,
      measurement_type_concept_id, value_as_number, value_as_concept_id, unit_concept_id, measurement_source_value,
      measurement_source_concept_id)
     VALUES (${delivered * 100 + 98}, ${delivered}, ${byCode('2118-8')}, DATE '${daysBefore(30)}', 32856, NULL,
      ${byCode('10828004')}, 0, '2118-8', 0)`,
    `INSERT INTO ${t('procedure_occurrence')} (procedure_occurrence_id, person_id, procedure_concept_id,
      procedure_date, procedure_end_date, procedure_type_concept_id, procedure_source_value,
      procedure_source_concept_id)
     VALUES (${delivered * 100 + 99}, ${delivered}, ${ids.delivery}, DATE '${daysBefore(10)}', NULL, 32817,
      'delivery', 0),
      (${ect * 100 + 99}, ${ect}, ${ids.ect}, DATE '${daysBefore(200)}', DATE '${daysBefore(200)}', 32817, 'ECT', 0)`,
  ];
}

/** The delivery alone removed: the positive test then stands for a current pregnancy. */
const withoutDelivery = (t: (table: string) => string, delivered: number): string =>
  `DELETE FROM ${t('procedure_occurrence')} WHERE person_id = ${delivered} AND procedure_concept_id = 2100000104`;

function check(
  results: Awaited<ReturnType<typeof assessPersons>>,
  [allergic, delivered, ect, ...products]: Persons,
  deliveryRecorded: boolean,
): void {
  for (const [person, what] of [
    [allergic, 'tocilizumab'],
    [products[0], 'a Branded Drug of tocilizumab'],
    [products[1], 'a Clinical Drug of tocilizumab, as the qualifier (the value 0, no concept)'],
    [products[2], 'the brand name Actemra'],
  ] as const) {
    const a = results.get(person);
    assert.equal(a?.recommendation.code, 'contraindicated', `an allergy to ${what} recorded in OMOP`);
    assert.deepEqual(
      a?.contraindications.map((c) => c.code),
      ['hypersensitivity'],
      what,
    );
  }
  const d = results.get(delivered as number);
  assert.deepEqual(
    d?.contraindications.map((c) => c.code),
    deliveryRecorded ? [] : ['pregnancy'],
    deliveryRecorded ? 'a delivery after the positive test ends that pregnancy' : 'the positive test alone',
  );
  const e = results.get(ect as number)?.maudsleyStaging.dimensions.find((x) => x.dimension === 'ect');
  assert.ok(
    e?.scored === true && e.minPoints === population().engine.knowledge.pathway.definitions.maudsley.ectPoints.used,
    e?.basis,
  );
  assert.match(e.basis, /^ECT: Procedure\//);
}

test('OMOP in DuckDB: allergies in observation and procedures in procedure_occurrence reach the engine', async () => {
  const ids = referablePersons();
  const t = (table: string): string => table;
  await execOnDuckDb(population(), siteRows(t, ids));
  check(await assessPersons(population(), await duckDbRunner(population().omopDuckDb), undefined, ids), ids, true);
  await execOnDuckDb(population(), [withoutDelivery(t, ids[1])]);
  check(await assessPersons(population(), await duckDbRunner(population().omopDuckDb), undefined, ids), ids, false);
});

test('OMOP in PostgreSQL: allergies in observation and procedures in procedure_occurrence reach the engine', async (t) => {
  const ids = referablePersons();
  await withPostgresOmop(
    population(),
    (m) => t.diagnostic(m),
    async ({ runner, schema, q }) => {
      for (const s of siteRows(q, ids)) await runner.rows(s);
      check(await assessPersons(population(), runner, schema, ids), ids, true);
      await runner.rows(withoutDelivery(q, ids[1]));
      check(await assessPersons(population(), runner, schema, ids), ids, false);
    },
  );
});
