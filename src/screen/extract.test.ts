/**
 * A site on Spark, BigQuery or Snowflake screens an extract of its CDM in DuckDB (docs/screening.md, "Running the
 * projection inside a warehouse"). The extract's queries are printed whole (`trd screen-sql --extract`): the docs
 * asked the engineer to cut the clinical tables with the projection's sub-queries and "the pathway_concept and
 * wanted CTEs", and drug_exposure's also reads drug_ingredient, so the cut as written failed on every warehouse.
 * Here each query is parsed with its warehouse's grammar, and run in DuckDB, exported to Parquet and loaded as the
 * docs say: the projection of the extract is the projection of the whole CDM, row for row.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import NodeSqlParser from 'node-sql-parser';
import { DIALECT_NAMES, extractSql, projectionSql } from './dialect.ts';
import { pathwayCodes } from './pathway-codes.ts';
import { populationForFile } from './fixtures.test-support.ts';
import { OMOP_TABLE_NAMES } from './sources/omop-schema.ts';

const population = populationForFile(300, 20261205);
const dir = mkdtempSync(join(tmpdir(), 'trd-extract-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const GRAMMAR = {
  duckdb: 'PostgresQL',
  postgres: 'PostgresQL',
  spark: 'Hive',
  bigquery: 'BigQuery',
  snowflake: 'Snowflake',
};

test('every dialect: one query per CDM table the screen reads, each parsing with its warehouse grammar', () => {
  const codes = pathwayCodes(population().engine.knowledge);
  const parser = new NodeSqlParser.Parser();
  for (const dialect of DIALECT_NAMES) {
    const queries = extractSql(dialect, { codes, schema: 'cdm' });
    assert.deepEqual(
      queries.map((q) => q.table),
      OMOP_TABLE_NAMES,
    );
    for (const { table, sql } of queries) {
      const ast = parser.astify(sql, { database: GRAMMAR[dialect] });
      assert.equal((Array.isArray(ast) ? ast : [ast]).length, 1, `${dialect} ${table}: one statement`);
    }
  }
});

test('the extract, exported to Parquet and loaded into DuckDB as the docs say, projects as the whole CDM', async () => {
  const codes = pathwayCodes(population().engine.knowledge);
  const whole = await DuckDBInstance.create(population().omopDuckDb, { access_mode: 'READ_ONLY' });
  const extractFile = join(dir, 'cdm.duckdb');
  const extract = await DuckDBInstance.create(extractFile);
  try {
    const from = await whole.connect();
    const to = await extract.connect();
    for (const { table, sql } of extractSql('duckdb', { codes })) {
      mkdirSync(join(dir, 'export', table), { recursive: true });
      await from.run(`COPY (${sql}) TO '${join(dir, 'export', table, 'part-0.parquet')}' (FORMAT parquet)`);
      await to.run(`CREATE TABLE ${table} AS SELECT * FROM read_parquet('${join(dir, 'export', table, '*.parquet')}')`);
    }
    const rows = async (c: typeof from): Promise<string> =>
      JSON.stringify((await (await c.run(projectionSql('duckdb', { codes }))).getRows()).map(String));
    const kept = await rows(to);
    assert.ok(kept.length > 1000, 'the population projects to rows');
    assert.equal(kept, await rows(from));
    const measurements = async (c: typeof from): Promise<number> =>
      Number((await (await c.run('SELECT count(*) FROM measurement')).getRows())[0]?.[0]);
    assert.ok((await measurements(to)) < (await measurements(from)), 'cut to the rows the projection reads');
    from.closeSync();
    to.closeSync();
  } finally {
    whole.closeSync();
    extract.closeSync();
  }
});
