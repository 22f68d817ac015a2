/**
 * What OMOP keeps outside the columns a first reading would take: observation-domain facts in the `observation`
 * table (breastfeeding status, LOINC 63895-7, which makes a patient contraindicated: care pathway definition 6,
 * pregnancy), and a censored result's comparator in `measurement.operator_concept_id` ("<5 mg/L" is value 5 with
 * the operator "<"). The screen on OMOP must read both, as the FHIR path reads the same facts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { personId } from '../synth/omop.ts';
import { truthOf, thresholdsFrom } from '../synth/truth.ts';
import { AS_OF, populationForFile } from './fixtures.test-support.ts';
import { duckDbRunner, openOmopSource } from './sources/omop.ts';

const population = populationForFile(1500, 20261130);

/** The n-th referable patient of the population (a woman when there are enough), by OMOP person_id. */
function referablePerson(n: number): number {
  const thresholds = thresholdsFrom(population().engine.knowledge);
  const referable = population().patients.filter((p) => truthOf(p, AS_OF, thresholds).code === 'refer-to-trial');
  const women = referable.filter((p) => p.sex === 'female');
  const patient = women[n] ?? referable[n];
  assert.ok(patient !== undefined, 'a referable patient in the population');
  return personId(patient);
}

/** The engine's assessment of one OMOP person as the screen projects it. */
async function assessPerson(id: number) {
  const source = openOmopSource({
    runner: await duckDbRunner(population().omopDuckDb),
    knowledge: population().engine.knowledge,
    asOf: AS_OF,
  });
  try {
    await source.prepare();
    for await (const input of source.patients(String(id - 1))) {
      if (input.patient !== `Patient/${id}`) continue;
      const bundle = {
        resourceType: 'Bundle',
        type: 'collection',
        entry: (input.resources ?? []).map((resource) => ({ resource })),
      };
      return population().engine.assess(bundle as never, { asOf: AS_OF });
    }
  } finally {
    await source.close();
  }
  assert.fail(`person ${id} was not screened`);
}

async function sql(statements: readonly string[]): Promise<void> {
  const instance = await DuckDBInstance.create(population().omopDuckDb);
  const c = await instance.connect();
  for (const s of statements) await c.run(s);
  c.closeSync();
  instance.closeSync();
}

test('OMOP: a censored CRP ("<5 mg/L": value 5, operator "<") is not read as 5 mg/L', async () => {
  const id = referablePerson(0);
  await sql([
    'ALTER TABLE measurement ADD COLUMN IF NOT EXISTS operator_concept_id INTEGER',
    `UPDATE measurement SET value_as_number = 5, operator_concept_id = 4171756,
       unit_concept_id = (SELECT concept_id FROM concept WHERE vocabulary_id = 'UCUM' AND concept_code = 'mg/L')
     WHERE person_id = ${id} AND measurement_concept_id IN
       (SELECT concept_id FROM concept WHERE concept_code IN ('30522-7', '1988-5', '76486-0'))`,
  ]);
  const a = await assessPerson(id);
  assert.equal(a.inflammation.status, 'indeterminate', 'below 5 mg/L cannot be placed against the 3 mg/L cut-off');
  assert.equal(a.recommendation.code, 'repeat-crp');
  await sql([
    `UPDATE measurement SET value_as_number = 3, operator_concept_id = 4171756 WHERE person_id = ${id}
       AND measurement_concept_id IN (SELECT concept_id FROM concept WHERE concept_code IN ('30522-7', '1988-5', '76486-0'))`,
  ]);
  assert.equal((await assessPerson(id)).recommendation.code, 'not-inflamed', '"<3 mg/L" is below the cut-off');
});

test('OMOP: a breastfeeding-status observation answered yes makes a referable patient contraindicated', async () => {
  const id = referablePerson(1);
  const observed = new Date(Date.parse(`${AS_OF}T00:00:00Z`) - 20 * 86_400_000).toISOString().slice(0, 10);
  await sql([
    `CREATE TABLE IF NOT EXISTS observation (observation_id BIGINT, person_id BIGINT,
      observation_concept_id INTEGER, observation_date DATE, observation_type_concept_id INTEGER,
      value_as_number DOUBLE, value_as_concept_id INTEGER, unit_concept_id INTEGER,
      observation_source_value VARCHAR, observation_source_concept_id INTEGER)`,
    `INSERT INTO concept VALUES
      (2100000001, 'Breastfeeding status', 'Observation', 'LOINC', 'Clinical Observation', 'S', '63895-7', DATE '1970-01-01', DATE '2099-12-31', NULL),
      (2100000002, 'Yes', 'Meas Value', 'LOINC', 'Answer', 'S', 'LA33-6', DATE '1970-01-01', DATE '2099-12-31', NULL)`,
    `INSERT INTO concept_relationship VALUES
      (2100000001, 2100000001, 'Maps to', DATE '1970-01-01', DATE '2099-12-31', NULL),
      (2100000002, 2100000002, 'Maps to', DATE '1970-01-01', DATE '2099-12-31', NULL)`,
    `INSERT INTO observation (observation_id, person_id, observation_concept_id, observation_date,
      observation_type_concept_id, value_as_number, value_as_concept_id, unit_concept_id, observation_source_value,
      observation_source_concept_id)
     VALUES (${id * 1000 + 999}, ${id}, 2100000001, DATE '${observed}', 32817, NULL, 2100000002, 0, '63895-7', 2100000001)`,
  ]);
  const a = await assessPerson(id);
  assert.equal(a.recommendation.code, 'contraindicated');
  assert.deepEqual(
    a.contraindications.map((x) => x.code),
    ['pregnancy'],
  );
});
