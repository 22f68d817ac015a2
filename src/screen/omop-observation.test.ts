/**
 * OMOP keeps observation-domain facts in the `observation` table, not in `measurement`: breastfeeding status (LOINC
 * 63895-7) among them, which makes a patient contraindicated (care pathway definition 6, pregnancy). The screen on
 * OMOP must read that table, as the FHIR path reads the same fact as an Observation.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { personId } from '../synth/omop.ts';
import { truthOf, thresholdsFrom } from '../synth/truth.ts';
import { AS_OF, writePopulation, type Population } from './fixtures.test-support.ts';
import { duckDbRunner, openOmopSource } from './sources/omop.ts';

let pop: Population;
before(async () => {
  pop = await writePopulation(1500, 20261130);
});
after(() => rmSync(pop.dir, { recursive: true, force: true }));

test('OMOP: a breastfeeding-status observation answered yes makes a referable patient contraindicated', async () => {
  const thresholds = thresholdsFrom(pop.engine.knowledge);
  const referable = pop.patients.filter((p) => truthOf(p, AS_OF, thresholds).code === 'refer-to-trial');
  const patient = referable.find((p) => p.sex === 'female') ?? referable[0];
  assert.ok(patient !== undefined, 'a referable patient in the population');
  const id = personId(patient);
  const observed = new Date(Date.parse(`${AS_OF}T00:00:00Z`) - 20 * 86_400_000).toISOString().slice(0, 10);

  const instance = await DuckDBInstance.create(pop.omopDuckDb);
  const c = await instance.connect();
  await c.run(`CREATE TABLE IF NOT EXISTS observation (observation_id BIGINT, person_id BIGINT,
    observation_concept_id INTEGER, observation_date DATE, observation_type_concept_id INTEGER,
    value_as_number DOUBLE, value_as_concept_id INTEGER, unit_concept_id INTEGER,
    observation_source_value VARCHAR, observation_source_concept_id INTEGER)`);
  await c.run(`INSERT INTO concept VALUES
    (2100000001, 'Breastfeeding status', 'Observation', 'LOINC', 'Clinical Observation', 'S', '63895-7', DATE '1970-01-01', DATE '2099-12-31', NULL),
    (2100000002, 'Yes', 'Meas Value', 'LOINC', 'Answer', 'S', 'LA33-6', DATE '1970-01-01', DATE '2099-12-31', NULL)`);
  await c.run(`INSERT INTO concept_relationship VALUES
    (2100000001, 2100000001, 'Maps to', DATE '1970-01-01', DATE '2099-12-31', NULL),
    (2100000002, 2100000002, 'Maps to', DATE '1970-01-01', DATE '2099-12-31', NULL)`);
  await c.run(`INSERT INTO observation VALUES
    (${id * 1000 + 999}, ${id}, 2100000001, DATE '${observed}', 32817, NULL, 2100000002, 0, '63895-7', 2100000001)`);
  c.closeSync();
  instance.closeSync();

  const source = openOmopSource({
    runner: await duckDbRunner(pop.omopDuckDb),
    knowledge: pop.engine.knowledge,
    asOf: AS_OF,
  });
  try {
    await source.prepare();
    let assessed = false;
    for await (const input of source.patients(String(id - 1))) {
      if (input.patient !== `Patient/${id}`) continue;
      const bundle = {
        resourceType: 'Bundle',
        type: 'collection',
        entry: (input.resources ?? []).map((resource) => ({ resource })),
      };
      const a = pop.engine.assess(bundle as never, { asOf: AS_OF });
      assert.equal(a.recommendation.code, 'contraindicated');
      assert.deepEqual(
        a.contraindications.map((x) => x.code),
        ['pregnancy'],
      );
      assessed = true;
      break;
    }
    assert.ok(assessed, 'the patient was screened');
  } finally {
    await source.close?.();
  }
});
