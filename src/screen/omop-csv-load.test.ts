/**
 * An `omop-csv` population loaded as the docs say, into tables a site creates with the CDM's own DDL: those have
 * every CDM column, in the CDM's order, and the CSVs only the columns the screen reads, in omop-schema.ts's order. The
 * COPY by position the docs gave failed on such tables (DuckDB: "Error when sniffing file"); the COPY that names the
 * CSV's columns (omopCsvCopy) loads them, and the screen projects them as the population's own DuckDB file.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { projectionSql } from './dialect.ts';
import { populationForFile } from './fixtures.test-support.ts';
import { pathwayCodes } from './pathway-codes.ts';
import { OMOP_TABLES, omopCsvCopy } from './sources/omop-schema.ts';

const population = populationForFile(200, 20261206);
const dir = mkdtempSync(join(tmpdir(), 'trd-csv-load-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A table as the CDM's full DDL has it, for this test: more columns than the CSV, and in another order. */
function cdmLikeDdl(table: string): string {
  const columns = [...(OMOP_TABLES[table] ?? [])].reverse().map(([c, type]) => `${c} ${type}`);
  return `CREATE TABLE ${table} (etl_batch_id INTEGER, ${columns.join(', ')}, etl_note VARCHAR)`;
}

test('omop-csv tables load into tables of the CDM DDL by the CSV columns, and project as omop.duckdb', async () => {
  const file = join(dir, 'site.duckdb');
  const site = await DuckDBInstance.create(file);
  const own = await DuckDBInstance.create(population().omopDuckDb, { access_mode: 'READ_ONLY' });
  try {
    const c = await site.connect();
    for (const table of Object.keys(OMOP_TABLES)) {
      await c.run(cdmLikeDdl(table));
      await c.run(omopCsvCopy(table, join(population().omopCsv, `${table}.csv`)));
    }
    const codes = pathwayCodes(population().engine.knowledge);
    const rows = async (conn: typeof c): Promise<string> =>
      JSON.stringify((await (await conn.run(projectionSql('duckdb', { codes }))).getRows()).map(String));
    const o = await own.connect();
    const loaded = await rows(c);
    assert.ok(loaded.length > 1000, 'the population projects to rows');
    assert.equal(loaded, await rows(o));
    c.closeSync();
    o.closeSync();
  } finally {
    site.closeSync();
    own.closeSync();
  }
});
