/**
 * The OMOP projection SQL of every dialect parses with node-sql-parser's grammar for that warehouse (Spark SQL is
 * checked with the Hive grammar, the closest node-sql-parser has; DuckDB with the PostgreSQL grammar, and DuckDB and
 * PostgreSQL also run it for real in agreement.test.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import NodeSqlParser from 'node-sql-parser';
import { createEngine } from '../engine/index.ts';
import { DIALECT_NAMES, orphanRowsSql, projectionSql, vocabularySql, type DialectName } from './dialect.ts';
import { pathwayCodes } from './pathway-codes.ts';

const GRAMMAR: Record<DialectName, string> = {
  duckdb: 'PostgresQL',
  postgres: 'PostgresQL',
  spark: 'Hive',
  bigquery: 'BigQuery',
  snowflake: 'Snowflake',
};

const parser = new NodeSqlParser.Parser();
const codes = pathwayCodes(createEngine().knowledge);

for (const dialect of DIALECT_NAMES) {
  test(`${dialect}: the projection and vocabulary SQL parse with the ${GRAMMAR[dialect]} grammar`, () => {
    const options = { codes, schema: 'cdm', shard: { index: 2, count: 8 }, afterPersonId: 1000, limitPersons: 5000 };
    for (const sql of [
      projectionSql(dialect, options),
      vocabularySql(dialect, options),
      orphanRowsSql(dialect, options),
    ]) {
      const ast = parser.astify(sql, { database: GRAMMAR[dialect] });
      const statements = Array.isArray(ast) ? ast : [ast];
      assert.equal(statements.length, 1);
      assert.equal(statements[0]?.type, 'select');
      // The tables it reads, qualified with the schema, are the OMOP CDM ones.
      const tables = parser.tableList(sql, { database: GRAMMAR[dialect] }).map((t) =>
        t
          .split('::')
          .slice(1)
          .filter((p) => p !== 'null')
          .join('.'),
      );
      for (const table of ['cdm.concept', 'cdm.concept_relationship'])
        assert.ok(tables.includes(table), `${table} in ${tables.join(', ')}`);
    }
  });
}

test('the projection names every pathway code vocabulary and filters persons by shard and batch', () => {
  const sql = projectionSql('postgres', { codes, shard: { index: 1, count: 4 }, afterPersonId: 77, limitPersons: 10 });
  for (const vocabulary of ['ICD10', 'ICD10CM', 'SNOMED', 'LOINC', 'RxNorm', 'ATC'])
    assert.match(sql, new RegExp(`vocabulary_id = '${vocabulary}'`));
  assert.match(sql, /MOD\(MOD\(p\.person_id, 4\) \+ 4, 4\) = 1/, 'in 0..n-1 for a negative person_id too');
  assert.match(sql, /p\.person_id > 77/);
  assert.match(sql, /LIMIT 10/);
  assert.match(sql, /'30522-7'/, 'hs-CRP from the pathway code sets');
  assert.match(sql, /FROM procedure_occurrence\b/, 'procedures (ECT, a delivery after a positive pregnancy test)');
  assert.match(
    sql,
    /qc\.concept_id = NULLIF\(o\.qualifier_concept_id, 0\)/,
    "an allergy's substance when its value is empty",
  );
  assert.match(sql, /FROM concept_ancestor\b/, 'a drug form reaches its ingredient through the hierarchy');
  assert.match(sql, /SUBSTR\(c\.concept_code, 1, 3\) IN \([^)]*'J18'/, 'ICD-10 categories as prefixes');
});

test('every dialect: UNION ALL only, and || joins only text (BigQuery rejects a bare UNION and INT64 || STRING)', () => {
  for (const dialect of DIALECT_NAMES) {
    const sql =
      projectionSql(dialect, { codes, schema: 'cdm' }) +
      vocabularySql(dialect, { codes, schema: 'cdm' }) +
      orphanRowsSql(dialect, { codes, schema: 'cdm', shard: { index: 0, count: 3 } });
    assert.doesNotMatch(sql, /\bUNION\b(?!\s+ALL\b)/, `${dialect}: a UNION without ALL`);
    const joins = sql.match(/\|\|/g)?.length ?? 0;
    const textJoins = sql.match(/(AS (?:STRING|TEXT|VARCHAR)\)|')\s*\|\|\s*('|CAST\()/g)?.length ?? 0;
    assert.ok(joins > 0);
    assert.equal(textJoins, joins, `${dialect}: every || between text`);
  }
});

test('postgres and snowflake give dates as YYYY-MM-DD whatever the session settings (DateStyle, DATE_OUTPUT_FORMAT)', () => {
  for (const [dialect, format] of [
    ['postgres', /to_char\(co\.condition_start_date, 'YYYY-MM-DD'\)/],
    ['snowflake', /TO_CHAR\(co\.condition_start_date, 'YYYY-MM-DD'\)/],
  ] as const) {
    const sql = projectionSql(dialect, { codes });
    assert.match(sql, format);
    assert.doesNotMatch(sql, /CAST\(\w+\.\w+_date AS/, `${dialect}: a date through a plain cast`);
  }
});
