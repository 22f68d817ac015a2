/**
 * Rows of a person_id that is not in `person`: an ETL that leaves out of `person` those it cannot load (no year of
 * birth, no sex) keeps their conditions, drugs and results, which no patient line holds. They were dropped without
 * a word; they are counted as resources that name no patient (the summary line, the report, the .meta.json), as
 * the NDJSON screen counts a resource of no patient, and once over shards (docs/screening.md).
 *
 * Runs on DuckDB and on PostgreSQL: PGlite in-process by default, the real server when TRD_PG_URL is set.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  AS_OF,
  dayFromAsOf,
  execOnDuckDb,
  populationForFile,
  twoReferablePersons,
  withPostgresOmop,
  conceptIdSql,
} from './fixtures.test-support.ts';
import { duckDbRunner, openOmopSource, type SqlRunner } from './sources/omop.ts';

const population = populationForFile(600, 20261204);

/** A person the ETL left out of `person` (their other rows stay), and two rows of a person_id no table knows. */
function siteRows(t: (table: string) => string, left: number): string[] {
  const concept = (vocabulary: string, code: string): string => conceptIdSql(t, vocabulary, code);
  return [
    `DELETE FROM ${t('person')} WHERE person_id = ${left}`,
    `INSERT INTO ${t('condition_occurrence')} VALUES (990000001, 990000000, ${concept('SNOMED', '61977001')},
       DATE '${dayFromAsOf(-30)}', NULL, 32817, 'B18.1', ${concept('ICD10CM', 'B18.1')}, NULL)`,
    `INSERT INTO ${t('condition_occurrence')} VALUES (990000002, NULL, ${concept('SNOMED', '61977001')},
       DATE '${dayFromAsOf(-30)}', NULL, 32817, 'B18.1', ${concept('ICD10CM', 'B18.1')}, NULL)`,
  ];
}

/** The rows that name no person, unsharded and summed over 3 shards; the persons screened. */
async function counted(runner: () => Promise<SqlRunner>, schema: string | undefined) {
  const prepare = async (shard?: { index: number; count: number }) => {
    const source = openOmopSource({
      runner: await runner(),
      knowledge: population().engine.knowledge,
      asOf: AS_OF,
      ...(schema === undefined ? {} : { schema }),
      ...(shard === undefined ? {} : { shard }),
    });
    try {
      const { quality } = await source.prepare();
      const persons: string[] = [];
      if (shard === undefined) for await (const p of source.patients(undefined)) persons.push(p.patient);
      return { withoutPatient: quality.withoutPatient, read: quality.recordsRead, kept: quality.recordsKept, persons };
    } finally {
      await source.close();
    }
  };
  const whole = await prepare();
  let sharded = 0;
  let shardedRead = 0;
  for (const index of [0, 1, 2]) {
    const part = await prepare({ index, count: 3 });
    sharded += part.withoutPatient;
    shardedRead += part.read;
  }
  return {
    whole: whole.withoutPatient,
    sharded,
    persons: whole.persons,
    read: whole.read,
    kept: whole.kept,
    shardedRead,
  };
}

function check(c: Awaited<ReturnType<typeof counted>>, left: number): void {
  assert.ok(!c.persons.includes(`Patient/${left}`), 'no line for a person not in person');
  // The left-out person's depression, antidepressants and CRP, and the two rows of no person.
  assert.ok(c.whole > 2, `rows naming no person counted (${c.whole})`);
  assert.equal(c.sharded, c.whole, 'once over shards');
  // The .meta.json's recordsRead and recordsKept: the pathway rows read, those of a person kept (they were 0).
  assert.ok(c.read > 0, `pathway rows read (${c.read})`);
  assert.equal(c.kept, c.read - c.whole, 'kept: the rows of a person');
  assert.equal(c.shardedRead, c.read, 'read once over shards');
}

test('OMOP in DuckDB: rows of a person_id not in person are counted, never dropped in silence', async () => {
  const [left] = twoReferablePersons(population());
  const before = await counted(() => duckDbRunner(population().omopDuckDb), undefined);
  assert.equal(before.whole, 0, 'a CDM whose rows all name a person');
  await execOnDuckDb(
    population(),
    siteRows((table) => table, left),
  );
  check(await counted(() => duckDbRunner(population().omopDuckDb), undefined), left);
});

test('OMOP in PostgreSQL: rows of a person_id not in person are counted, never dropped in silence', async (t) => {
  const [left] = twoReferablePersons(population());
  await withPostgresOmop(
    population(),
    (m) => t.diagnostic(m),
    async ({ runner, schema, q }) => {
      for (const s of siteRows(q, left)) await runner.rows(s);
      check(await counted(async () => runner, schema), left);
    },
  );
});
