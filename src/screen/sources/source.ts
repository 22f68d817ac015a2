/**
 * What every screen source gives the runner (src/screen/run.ts): each patient's FHIR-shaped resources, one patient
 * at a time in a fixed order, so the one engine (src/engine) decides every patient the same way whatever the source.
 */
import { readdirSync, statSync } from 'node:fs';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { InputError } from '../../record/index.ts';

export interface PatientInput {
  /** `Patient/<id>`. */
  readonly patient: string;
  /** The patient's resources that the pathway can read (Patient first when there is one): as objects, or as the
   * JSON text of their array (parsed where the engine runs, in a worker thread when there are some). */
  readonly resources?: readonly unknown[];
  readonly resourcesJson?: string;
  /**
   * Records of the same person merged into this one (`Patient/<id>` each, by `Patient.link`: patient-links.ts),
   * whose resources are among `resources`.
   */
  readonly merged?: readonly string[];
}

export interface MalformedLine {
  readonly file: string;
  readonly line: number;
  /** Why, when the line was refused before its JSON was read (not UTF-8 text, too long). */
  readonly reason?: string;
}

export interface SourceQuality {
  /** Lines that are not a JSON object, counted; the first ones located by file and line. */
  readonly malformedLines: number;
  readonly malformedAt: readonly MalformedLine[];
  /**
   * What the projection read and kept. NDJSON: the lines it parsed (every line of the types read whole, the lines of
   * Observation files that hold a pathway code, malformed ones included) and the resources among them. OMOP: the
   * clinical rows of the pathway's concepts, and those of them whose person is in `person`.
   */
  readonly recordsRead: number;
  readonly recordsKept: number;
  /** Resources that name no patient (neither subject nor patient; OMOP rows of a person_id not in `person`), skipped. */
  readonly withoutPatient: number;
  /** Patient records merged into another record of the same person (`Patient.link`); FHIR sources only. */
  readonly mergedRecords?: number;
  /** Medication references that name no Medication of the export (its medicine unknown); FHIR sources only. */
  readonly medicationsNotInExport?: number;
}

export interface Shard {
  /** 0-based shard index and count: patients whose hash modulo `count` equals `index`. */
  readonly index: number;
  readonly count: number;
}

export interface ScreenSource {
  readonly kind: 'ndjson' | 'omop-duckdb' | 'omop-postgres';
  /** Runs the projection once (skipped when a resumed work database already holds it). */
  prepare(): Promise<{
    patients: number;
    quality: SourceQuality;
    /**
     * What the source held when read (a database screened live, whose rows a resumed run reads again: its persons
     * and the rows the projection reads); a resumed run whose source now gives another starts afresh. Absent for
     * NDJSON, whose projection a resumed run takes from its work database.
     */
    fingerprint?: string;
  }>;
  /** Patients in ascending order of the source's key, strictly after `after` (a key from `keyOf`). */
  patients(after: string | undefined): AsyncIterable<PatientInput & { readonly key: string }>;
  /**
   * Cuts short the query in progress (DuckDB's interrupt), which then throws: a Ctrl-C need not wait for a long
   * projection. An interrupted projection is not marked done, so the next run projects again. Absent: PostgreSQL.
   */
  interrupt?(): void;
  close(): Promise<void>;
}

/**
 * DuckDB's memory limit for the projection unless `--memory-limit` says otherwise. NDJSON: small, so that a screen's
 * peak memory hardly grows with the population (its sorts are bounded and spill to disk; bench:screen). An OMOP
 * DuckDB file: the projection is one query over every person, whose joins and sort need more as the population grows
 * (a million persons did not fit 128MB, and peaked at 900 MB within 512MB).
 */
export const DEFAULT_DUCKDB_MEMORY_LIMIT = { ndjson: '128MB', omop: '512MB' } as const;

/** A DuckDB database for the screen's work (a file, so that an interrupted screen resumes without rescanning). */
export async function openWorkDb(
  path: string,
  memoryLimit: string,
  threads: number,
): Promise<{
  instance: DuckDBInstance;
  connection: DuckDBConnection;
}> {
  const instance = await DuckDBInstance.create(path, {
    threads: String(threads),
    memory_limit: memoryLimit,
    preserve_insertion_order: 'false',
  });
  return { instance, connection: await instance.connect() };
}

/** The folder's entries, or an InputError naming the folder and what is wrong. */
export function listFolder(dir: string): string[] {
  let stat;
  try {
    stat = statSync(dir);
  } catch {
    throw new InputError(`${dir}: no such folder`, 'screen.source.missing');
  }
  if (!stat.isDirectory()) throw new InputError(`${dir}: not a folder`, 'screen.source.not-a-folder');
  try {
    return readdirSync(dir);
  } catch {
    throw new InputError(`${dir}: cannot read the folder (permission denied)`, 'screen.source.unreadable');
  }
}

/** SQL string literal. */
export const sqlString = (s: string): string => `'${s.replace(/'/g, "''")}'`;
