/**
 * The projection gives dates as YYYY-MM-DD whatever the PostgreSQL session's DateStyle: a site whose server or role
 * is set to 'SQL, DMY' or 'German' (dates as 05/03/2024 or 05.03.2024) must get the same recommendations. The
 * OMOP population is loaded into PGlite (in-process PostgreSQL), or the real server when TRD_PG_URL is set.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { truthOf, thresholdsFrom } from '../synth/truth.ts';
import { personId } from '../synth/omop.ts';
import { AS_OF, postgresWithOmop, writePopulation, type Population } from './fixtures.test-support.ts';
import { openOmopSource } from './sources/omop.ts';

let pop: Population;
before(async () => {
  pop = await writePopulation(400, 20261130);
});
after(() => rmSync(pop.dir, { recursive: true, force: true }));

for (const dateStyle of ['SQL, DMY', 'German', 'Postgres, MDY']) {
  test(`OMOP in PostgreSQL with DateStyle '${dateStyle}': every patient as the ground truth`, async (t) => {
    const pgdb = await postgresWithOmop(pop.omopCsv);
    t.diagnostic(`PostgreSQL: ${pgdb.kind}`);
    try {
      await pgdb.runner.rows(`SET DateStyle = '${dateStyle}'`);
      const source = openOmopSource({
        runner: pgdb.runner,
        knowledge: pop.engine.knowledge,
        asOf: AS_OF,
        ...(pgdb.schema === undefined ? {} : { schema: pgdb.schema }),
      });
      await source.prepare();
      const thresholds = thresholdsFrom(pop.engine.knowledge);
      const truth = new Map(pop.patients.map((p) => [String(personId(p)), truthOf(p, AS_OF, thresholds)]));
      const disagreements: string[] = [];
      let n = 0;
      for await (const input of source.patients(undefined)) {
        n++;
        const id = input.patient.slice('Patient/'.length);
        const resources = input.resources ?? [];
        const bundle = {
          resourceType: 'Bundle',
          type: 'collection',
          entry: resources.map((resource) => ({ resource })),
        };
        const code = pop.engine.assess(bundle as never, { asOf: AS_OF }).recommendation.code;
        const want = truth.get(id)?.code;
        if (code !== want) disagreements.push(`${id}: ${code}, truth ${want}`);
        for (const r of resources as {
          birthDate?: string;
          deceasedDateTime?: string;
          onsetDateTime?: string;
        }[]) {
          for (const d of [r.birthDate, r.deceasedDateTime, r.onsetDateTime])
            if (d !== undefined) assert.match(d, /^\d{4}(-\d{2}){0,2}$/, `a date as the projection gave it: ${d}`);
        }
      }
      assert.equal(n, pop.patients.length);
      assert.deepEqual(disagreements.slice(0, 10), [], `${disagreements.length} disagreements`);
    } finally {
      await pgdb.runner.close();
    }
  });
}
