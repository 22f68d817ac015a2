/**
 * A CDM whose vocabulary load failed or was left out: the tables are there, empty. Without concept_relationship's
 * "Maps to" rows the pathway's source codes reach no standard concept, and the screen reported a population with
 * fewer depressions, contraindications and trials than it holds, without a word. It is refused in one line that
 * says what to load (docs/screening.md, "Interruptions, errors and data quality").
 *
 * Runs on DuckDB and on PostgreSQL: PGlite in-process by default, the real server when TRD_PG_URL is set.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InputError } from '../record/index.ts';
import { AS_OF, execOnDuckDb, populationForFile, withPostgresOmop } from './fixtures.test-support.ts';
import { duckDbRunner, openOmopSource, type SqlRunner } from './sources/omop.ts';

const population = populationForFile(40, 20261201);

async function prepared(runner: SqlRunner, schema: string | undefined): Promise<void> {
  const source = openOmopSource({
    runner,
    knowledge: population().engine.knowledge,
    asOf: AS_OF,
    ...(schema === undefined ? {} : { schema }),
  });
  await source.prepare();
}

/** One line naming the schema and the table left empty, and what to do. */
const refused =
  (where: string, what: RegExp) =>
  (e: unknown): boolean =>
    e instanceof InputError &&
    e.code === 'screen.source.vocabulary' &&
    !e.message.includes('\n') &&
    e.message.startsWith(`the OMOP vocabulary is not loaded in ${where} (`) &&
    what.test(e.message) &&
    /load the vocabulary tables .* and run the same command again/.test(e.message);

test('OMOP in DuckDB: an empty concept_relationship is refused in one line, not screened as no mapping', async () => {
  await execOnDuckDb(population(), [`DELETE FROM concept_relationship`]);
  await assert.rejects(
    prepared(await duckDbRunner(population().omopDuckDb), undefined),
    refused('the default schema', /\(concept_relationship has no "Maps to" row\)/),
  );
});

test('OMOP in PostgreSQL: an empty concept or concept_relationship is refused in one line', async (t) => {
  await withPostgresOmop(
    population(),
    (m) => t.diagnostic(m),
    async ({ runner, schema, q }) => {
      const where = schema === undefined ? 'the default schema' : `schema ${schema}`;
      await prepared(runner, schema);
      // Only other relationships left ("Brand name of"): no source code reaches a standard concept.
      await runner.rows(`DELETE FROM ${q('concept_relationship')} WHERE relationship_id = 'Maps to'`);
      await assert.rejects(prepared(runner, schema), refused(where, /\(concept_relationship has no "Maps to" row\)/));
      await runner.rows(`DELETE FROM ${q('concept')}`);
      await assert.rejects(
        prepared(runner, schema),
        refused(where, /\(concept is empty, concept_relationship has no "Maps to" row\)/),
      );
    },
  );
});
