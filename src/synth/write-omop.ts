/**
 * Writes a synthetic population as OMOP CDM 5.4 tables: CSV files (one per table, with a header) or a DuckDB file
 * `omop.duckdb` loaded from them, plus `ground-truth.ndjson` whose patients are `Patient/<person_id>`.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { Knowledge } from '../knowledge/index.ts';
import { OMOP_TABLES, omopCsvCopy, omopDdl } from '../screen/sources/omop-schema.ts';
import { patientRows, personId, vocabularyRows, type OmopRows, type Row } from './omop.ts';
import type { SynthPatient } from './population.ts';
import { GROUND_TRUTH_FILE, truthOf, type TruthThresholds } from './truth.ts';
import { LineSink } from './write-ndjson.ts';

/** RFC 4180 quoting; hand-written because the only CSV library here (csv-parse) reads, and the cells are simple. */
function csvCell(v: Row[number]): string {
  if (v === null) return '';
  if (typeof v === 'number') return String(v);
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}
const csvLine = (row: Row): string => row.map(csvCell).join(',');

export interface OmopWriteOptions {
  readonly dir: string;
  readonly asOf: string;
  readonly thresholds: TruthThresholds;
  readonly knowledge: Knowledge;
  /** Load the CSVs into `dir/omop.duckdb` and remove them. */
  readonly duckdb: boolean;
}

export const OMOP_DUCKDB_FILE = 'omop.duckdb';

export async function writeOmop(
  patients: Iterable<SynthPatient>,
  o: OmopWriteOptions,
): Promise<Record<string, number>> {
  mkdirSync(o.dir, { recursive: true });
  const counts: Record<string, number> = {};
  const sinks = new Map<string, LineSink>();
  for (const [table, columns] of Object.entries(OMOP_TABLES)) {
    const sink = new LineSink(join(o.dir, `${table}.csv`));
    await sink.write(columns.map(([c]) => c).join(','));
    sinks.set(table, sink);
    counts[table] = 0;
  }
  const put = async (table: string, rows: Row[]): Promise<void> => {
    const sink = sinks.get(table) as LineSink;
    for (const row of rows) await sink.write(csvLine(row));
    counts[table] = (counts[table] ?? 0) + rows.length;
  };
  const truth = new LineSink(join(o.dir, GROUND_TRUTH_FILE));
  for (const p of patients) {
    const rows = patientRows(p, o.asOf);
    for (const table of Object.keys(rows) as (keyof OmopRows)[]) await put(table, rows[table]);
    await truth.write(JSON.stringify({ ...truthOf(p, o.asOf, o.thresholds), patient: `Patient/${personId(p)}` }));
  }
  const vocabulary = vocabularyRows(o.knowledge);
  for (const table of Object.keys(vocabulary) as (keyof typeof vocabulary)[]) await put(table, vocabulary[table]);
  await Promise.all([...sinks.values(), truth].map((s) => s.close()));
  if (o.duckdb) await loadCsvIntoDuckDb(o.dir, join(o.dir, OMOP_DUCKDB_FILE), true);
  return counts;
}

/** Creates the OMOP tables in a DuckDB file and copies the CSVs in. */
export async function loadCsvIntoDuckDb(csvDir: string, file: string, removeCsv: boolean): Promise<void> {
  rmSync(file, { force: true });
  const instance = await DuckDBInstance.create(file);
  const connection = await instance.connect();
  try {
    for (const ddl of omopDdl()) await connection.run(ddl);
    for (const table of Object.keys(OMOP_TABLES))
      await connection.run(omopCsvCopy(table, join(csvDir, `${table}.csv`)));
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  if (removeCsv) for (const table of Object.keys(OMOP_TABLES)) rmSync(join(csvDir, `${table}.csv`), { force: true });
}
