/**
 * A CDM schema that lacks some of the tables the screen reads: the schema is the right one (it holds `person`), so
 * "give the CDM schema with --schema" sent the engineer the wrong way. A vocabulary kept in a schema of its own (the
 * OHDSI tools' vocabularyDatabaseSchema) is the usual cause, and the line says how to screen it (a view of each
 * table); another missing table is to be created there, empty if need be (docs/screening.md).
 *
 * Runs on DuckDB and on PostgreSQL: PGlite in-process by default, the real server when TRD_PG_URL is set.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InputError } from '../record/index.ts';
import { AS_OF, execOnDuckDb, populationForFile, withPostgresOmop } from './fixtures.test-support.ts';
import { duckDbRunner, openOmopSource, type SqlRunner } from './sources/omop.ts';

const population = populationForFile(30, 20261207);

async function prepared(runner: SqlRunner, schema: string | undefined): Promise<void> {
  const source = openOmopSource({
    runner,
    knowledge: population().engine.knowledge,
    asOf: AS_OF,
    ...(schema === undefined ? {} : { schema }),
  });
  await source.prepare();
}

const refused =
  (message: string) =>
  (e: unknown): boolean =>
    e instanceof InputError && e.code === 'screen.source.tables' && e.message === message;

test('OMOP in DuckDB: vocabulary tables kept elsewhere are named with the view that screens them', async () => {
  await execOnDuckDb(population(), [
    'ALTER TABLE concept_ancestor RENAME TO ca_kept',
    'ALTER TABLE concept RENAME TO c_kept',
  ]);
  await assert.rejects(
    prepared(await duckDbRunner(population().omopDuckDb), undefined),
    refused(
      "the OMOP CDM tables concept, concept_ancestor are not in the default schema, which holds the CDM's other tables: load the vocabulary there, or for a vocabulary kept in a schema of its own, create a view of each table there (CREATE VIEW concept AS SELECT * FROM vocab.concept)",
    ),
  );
  await execOnDuckDb(population(), [
    'ALTER TABLE ca_kept RENAME TO concept_ancestor',
    'ALTER TABLE c_kept RENAME TO concept',
  ]);
});

test('OMOP in PostgreSQL: a missing death table is to be created in the CDM schema, not another --schema', async (t) => {
  await withPostgresOmop(
    population(),
    (m) => t.diagnostic(m),
    async ({ runner, schema, q }) => {
      const where = schema === undefined ? 'the default schema' : `schema ${schema}`;
      await runner.rows(`DROP TABLE ${q('death')}`);
      await assert.rejects(
        prepared(runner, schema),
        refused(
          `the OMOP CDM table death is not in ${where}, which holds the CDM's other tables: create it there with the CDM's DDL (empty if the site has no such rows) and run the same command again`,
        ),
      );
      await runner.rows(`DROP TABLE ${q('drug_strength')}`);
      await assert.rejects(
        prepared(runner, schema),
        (e: unknown) =>
          e instanceof InputError && /tables death, drug_strength are not in .* create them there/.test(e.message),
      );
    },
  );
});
