/**
 * Test fixtures for the screen: a synthetic population written once per test file as FHIR NDJSON, OMOP CSV and an
 * OMOP DuckDB file, the same patients in memory (for the engine and the ground truth), and OMOP loading into
 * PostgreSQL (PGlite, or the real server named by TRD_PG_URL).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { DuckDBInstance } from '@duckdb/node-api';
import { populationOptions } from '../cli/commands/synth.ts';
import { createEngine, type Engine } from '../engine/index.ts';
import { generatePopulation, type SynthPatient } from '../synth/population.ts';
import { personId } from '../synth/omop.ts';
import { thresholdsFrom, truthOf } from '../synth/truth.ts';
import { fromDayNumber, toDayNumber } from '../record/index.ts';
import { writeNdjson } from '../synth/write-ndjson.ts';
import { loadCsvIntoDuckDb, writeOmop } from '../synth/write-omop.ts';
import { OMOP_TABLES, omopDdl } from './sources/omop-schema.ts';
import { PROJECTION_COLUMNS } from './dialect.ts';
import { duckDbRunner, openOmopSource, type SqlRunner } from './sources/omop.ts';
import { postgresRunner } from './sources/postgres.ts';

export const AS_OF = '2026-11-27';

/** The day `offset` days from AS_OF (YYYY-MM-DD), for the dates of a scenario's rows. */
export const dayFromAsOf = (offset: number): string => fromDayNumber((toDayNumber(AS_OF) as number) + offset);

/**
 * The synthetic population of one test file: written before its tests, removed after them; the getter gives it to
 * the tests (and throws if called before it is written).
 */
export function populationForFile(patients: number, seed: number): () => Population {
  let pop: Population | undefined;
  before(async () => {
    pop = await writePopulation(patients, seed);
  });
  after(() => {
    if (pop !== undefined) rmSync(pop.dir, { recursive: true, force: true });
  });
  return () => {
    if (pop === undefined) throw new Error('the population is written before the tests run');
    return pop;
  };
}

/** Two persons of a scenario, by OMOP person_id. */
export type PersonPair = [number, number];

/** A `concept` row valid for all time, as a site's vocabulary holds it (standard `S` unless said otherwise). */
export function conceptRow(
  id: number,
  name: string,
  domain: string,
  vocabulary: string,
  conceptClass: string,
  code: string,
  standard = "'S'",
): string {
  return `(${id}, '${name}', '${domain}', '${vocabulary}', '${conceptClass}', ${standard}, '${code}', DATE '1970-01-01', DATE '2099-12-31', NULL)`;
}

/** The `concept_relationship` rows by which each concept of a scenario "Maps to" itself (a standard concept). */
export function mapsToItself(ids: readonly number[]): string {
  return ids.map((id) => `(${id}, ${id}, 'Maps to', DATE '1970-01-01', DATE '2099-12-31', NULL)`).join(', ');
}

/**
 * The OMOP person_ids of the first two persons the generator's ground truth calls referable, after the first `skip`
 * (a second scenario on the same file's database takes other persons).
 */
export function twoReferablePersons(pop: Population, skip = 0): [number, number] {
  const thresholds = thresholdsFrom(pop.engine.knowledge);
  const ids = pop.patients
    .filter((p) => truthOf(p, AS_OF, thresholds).code === 'refer-to-trial')
    .slice(skip, skip + 2)
    .map((p) => personId(p));
  if (ids.length < 2) throw new Error('fewer than two referable persons in the population');
  return ids as [number, number];
}

export interface Population {
  readonly dir: string;
  readonly ndjson: string;
  readonly omopCsv: string;
  readonly omopDuckDb: string;
  readonly patients: readonly SynthPatient[];
  readonly engine: Engine;
}

export async function writePopulation(n: number, seed: number): Promise<Population> {
  const dir = mkdtempSync(join(tmpdir(), 'trd-screen-test-'));
  const engine = createEngine();
  const thresholds = thresholdsFrom(engine.knowledge);
  const patients = [...generatePopulation(populationOptions(seed, AS_OF), 0, n)];
  const ndjson = join(dir, 'ndjson');
  const omopCsv = join(dir, 'omop');
  await writeNdjson(patients, { dir: ndjson, asOf: AS_OF, thresholds });
  await writeOmop(patients, { dir: omopCsv, asOf: AS_OF, thresholds, knowledge: engine.knowledge, duckdb: false });
  const omopDuckDb = join(omopCsv, 'omop.duckdb');
  await loadCsvIntoDuckDb(omopCsv, omopDuckDb, false);
  return { dir, ndjson, omopCsv, omopDuckDb, patients, engine };
}

/** A PostgreSQL runner over PGlite (in-process) or, when TRD_PG_URL is set, a real server in a fresh schema. */
export async function postgresWithOmop(csvDir: string): Promise<{ runner: SqlRunner; schema?: string; kind: string }> {
  const url = process.env['TRD_PG_URL'];
  if (url !== undefined && url !== '') {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const schema = `trd_screen_${process.pid}_${Date.now()}`;
    await client.query(`CREATE SCHEMA ${schema}`);
    for (const ddl of omopDdl(schema)) await client.query(ddl);
    for (const table of Object.keys(OMOP_TABLES)) {
      const rows = csvRows(join(csvDir, `${table}.csv`));
      const width = (OMOP_TABLES[table] ?? []).length;
      for (let i = 0; i < rows.length; i += 1000) {
        const batch = rows.slice(i, i + 1000);
        const params = batch.flat();
        const values = batch
          .map((_, r) => `(${Array.from({ length: width }, (_, c) => `$${r * width + c + 1}`).join(', ')})`)
          .join(', ');
        await client.query(`INSERT INTO ${schema}.${table} VALUES ${values}`, params);
      }
    }
    // The screen's own runner (src/screen/sources/postgres.ts) reads; this client only loads and cleans up.
    const runner = await postgresRunner(url);
    return {
      kind: 'PostgreSQL server (TRD_PG_URL)',
      schema,
      runner: {
        ...runner,
        close: async () => {
          await runner.close();
          await client.query(`DROP SCHEMA ${schema} CASCADE`);
          await client.end();
        },
      },
    };
  }
  const db = await PGlite.create();
  for (const ddl of omopDdl()) await db.exec(ddl);
  for (const table of Object.keys(OMOP_TABLES)) {
    const blob = new Blob([readFileSync(join(csvDir, `${table}.csv`))]);
    await db.query(`COPY ${table} FROM '/dev/blob' WITH (FORMAT csv, HEADER true, NULL '')`, [], { blob });
  }
  return {
    kind: 'PGlite',
    runner: {
      dialect: 'postgres',
      rows: async (sql) => ((await db.exec(sql, { rowMode: 'array' })).at(-1)?.rows ?? []) as unknown[][],
      close: async () => db.close(),
    },
  };
}

/** A CSV written by the synthetic writer as rows; empty cells are NULL. */
function csvRows(path: string): (string | null)[][] {
  return parse(readFileSync(path), { from_line: 2, cast: (v: string) => (v === '' ? null : v) }) as (string | null)[][];
}

export function readLines<T>(path: string): T[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as T);
}

/**
 * The engine's assessment of each of `ids` (OMOP person_ids), as the screen projects them from the CDM the runner
 * reads; the runner is closed after.
 */
export async function assessPersons(
  pop: Population,
  runner: SqlRunner,
  schema: string | undefined,
  ids: readonly number[],
): Promise<Map<number, ReturnType<Engine['assess']>>> {
  const source = openOmopSource({
    runner,
    knowledge: pop.engine.knowledge,
    asOf: AS_OF,
    ...(schema === undefined ? {} : { schema }),
  });
  const out = new Map<number, ReturnType<Engine['assess']>>();
  try {
    await source.prepare();
    for await (const input of source.patients(undefined)) {
      const id = Number(input.patient.slice('Patient/'.length));
      if (!ids.includes(id)) continue;
      const entry = (input.resources ?? []).map((resource) => ({ resource }));
      out.set(id, pop.engine.assess({ resourceType: 'Bundle', type: 'collection', entry } as never, { asOf: AS_OF }));
    }
  } finally {
    await source.close();
  }
  return out;
}

/**
 * The population's OMOP tables in PostgreSQL (postgresWithOmop) for `use`: `q` qualifies a table with the schema,
 * `runner` runs one statement at a time (rows() reads the result of the last) and is left open for several reads;
 * everything is closed after. `diagnostic` is told which PostgreSQL it is.
 */
export async function withPostgresOmop(
  pop: Population,
  diagnostic: (message: string) => void,
  use: (db: { runner: SqlRunner; schema: string | undefined; q: (table: string) => string }) => Promise<void>,
): Promise<void> {
  const pgdb = await postgresWithOmop(pop.omopCsv);
  diagnostic(`PostgreSQL: ${pgdb.kind}`);
  const q = (table: string): string => (pgdb.schema === undefined ? table : `${pgdb.schema}.${table}`);
  try {
    await use({ runner: { ...pgdb.runner, close: async () => undefined }, schema: pgdb.schema, q });
  } finally {
    await pgdb.runner.close();
  }
}

/** Runs statements (a site's own rows) on the population's OMOP DuckDB file, one at a time, and closes it. */
export async function execOnDuckDb(pop: Population, statements: readonly string[]): Promise<void> {
  const instance = await DuckDBInstance.create(pop.omopDuckDb);
  const c = await instance.connect();
  try {
    for (const s of statements) await c.run(s);
  } finally {
    c.closeSync();
    instance.closeSync();
  }
}

/**
 * A scenario's two tests, on DuckDB and on PostgreSQL (PGlite, or the server TRD_PG_URL names): a site's own rows
 * (`siteRows`, its tables qualified by `t`) added to the population's OMOP tables, then `check` on the engine's
 * assessment of `persons()` as the screen projects them.
 */
export function omopScenario<P extends readonly number[]>(
  what: string,
  population: () => Population,
  persons: () => P,
  siteRows: (t: (table: string) => string, persons: P) => string[],
  check: (results: Map<number, ReturnType<Engine['assess']>>, persons: P) => void,
): void {
  test(`OMOP in DuckDB: ${what}`, async () => {
    const pop = population();
    const ids = persons();
    await execOnDuckDb(
      pop,
      siteRows((table) => table, ids),
    );
    check(await assessPersons(pop, await duckDbRunner(pop.omopDuckDb), undefined, ids), ids);
  });
  test(`OMOP in PostgreSQL: ${what}`, async (t) => {
    const pop = population();
    const ids = persons();
    await withPostgresOmop(
      pop,
      (m) => t.diagnostic(m),
      async ({ runner, schema, q }) => {
        for (const s of siteRows(q, ids)) await runner.rows(s);
        check(await assessPersons(pop, runner, schema, ids), ids);
      },
    );
  });
}

/** One row of the OMOP projection (src/screen/dialect.ts PROJECTION_COLUMNS), as the source hands it on. */
export type ProjectionRow = Record<(typeof PROJECTION_COLUMNS)[number], string | null>;

/** A projection row with every column null but those given. */
export function projectionRow(given: Partial<ProjectionRow>): ProjectionRow {
  return { ...(Object.fromEntries(PROJECTION_COLUMNS.map((c) => [c, null])) as ProjectionRow), ...given };
}

/** SQL for the concept_id of a vocabulary's code, in a site's table `t('concept')`: rows name concepts by code. */
export function conceptIdSql(t: (table: string) => string, vocabulary: string, code: string): string {
  return `(SELECT concept_id FROM ${t('concept')} WHERE vocabulary_id = '${vocabulary}' AND concept_code = '${code}')`;
}
