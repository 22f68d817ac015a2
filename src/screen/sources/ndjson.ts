/**
 * A FHIR Bulk Data export folder (`<ResourceType>[.suffix].ndjson`, optionally `.gz`) as a screen source. DuckDB
 * reads every line, keeps the resource types the FHIR adapter reads, keeps Observations only when the raw text of
 * the line holds a pathway code (pathway-codes.ts codeLinePattern: the other lines, most of an export, are never
 * parsed), and groups what is kept by patient; the decision is the engine's.
 *
 * Lines are read as text (read_csv with one column) and parsed by `try(json_extract_string(...))`, so a malformed
 * line becomes NULL instead of stopping the scan: it is counted and located (file and line) and screening goes on.
 * A line the reader itself rejects (not UTF-8, longer than 8 MiB) is stored in DuckDB's rejects tables with its line
 * number, and counted and located the same way.
 * Files are assigned a resource type by their name, as the Bulk Data specification lays them out (or
 * `<n>.<ResourceType>.ndjson`, as the SMART bulk-data-client names them); an NDJSON file whose name gives no resource
 * type is not read, and named (filesNotRead). Resource types the pathway never reads (Encounter, ...) are skipped
 * unread.
 */
import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { VERSION_TAIL } from '../../fhir/reference.ts';
import type { Knowledge } from '../../knowledge/index.ts';
import { fsReason, InputError } from '../../record/index.ts';
import { GROUND_TRUTH_FILE } from '../../synth/truth.ts';
import { shardCondition } from '../dialect.ts';
import { codeLinePattern, RESOURCE_TYPES_READ, TYPES_FILTERED_BY_CODE } from '../pathway-codes.ts';
import { linkedPatient, mergedPatients, readLinks } from '../patient-links.ts';
import {
  DEFAULT_DUCKDB_MEMORY_LIMIT,
  listFolder,
  openWorkDb,
  sqlString,
  type MalformedLine,
  type PatientInput,
  type ScreenSource,
  type Shard,
  type SourceQuality,
} from './source.ts';

/**
 * `<ResourceType>[.suffix].ndjson[.gz]` (Observation.ndjson, Observation.000.ndjson, Observation_1.ndjson.gz), or
 * `<n>.<ResourceType>.ndjson[.gz]`, the names the SMART bulk-data-client gives the files it downloads.
 */
const FILE_NAME = /^(?:\d+\.)?([A-Z][A-Za-z]+)(?:[._-][^/]*)?\.ndjson(?:\.gz)?$/;
const NDJSON_NAME = /\.ndjson(?:\.gz)?$/i;
/** Lines located by file and line number in the report; the count covers all of them. */
const MAX_LOCATED = 100;

export interface NdjsonSourceOptions {
  readonly dir: string;
  readonly knowledge: Knowledge;
  readonly workDb: string;
  readonly shard?: Shard;
  readonly memoryLimit?: string;
  readonly threads?: number;
  /** Resource text sorted at a time when patients are handed out (default BYTES_PER_RANGE). */
  readonly bytesPerRange?: number;
}

/** Whether a file of this name is read as a FHIR NDJSON resource file (`<ResourceType>.ndjson`, ...). */
export const isResourceFileName = (name: string): boolean => FILE_NAME.test(name);

/**
 * The folder's NDJSON files whose name gives no resource type (`export-1.ndjson`, a server's numbered names, a
 * download log): not read, and named to the user, so that no part of an export is left out in silence. The ground
 * truth `trd synth` writes beside a synthetic export is no part of it.
 */
export function filesNotRead(dir: string): string[] {
  return listFolder(dir)
    .filter((name) => NDJSON_NAME.test(name) && !FILE_NAME.test(name) && name !== GROUND_TRUTH_FILE)
    .sort()
    .map((name) => join(dir, name));
}

/** The resource files of the folder by type, each checked readable; InputError when there are none. */
export function resourceFiles(dir: string): { type: string; path: string }[] {
  const files = listFolder(dir)
    .map((name) => ({ name, match: FILE_NAME.exec(name) }))
    .filter((f) => f.match !== null)
    .map((f) => ({ type: (f.match as RegExpExecArray)[1] as string, path: join(dir, f.name) }))
    .sort((a, b) => (a.path < b.path ? -1 : 1));
  if (files.length === 0) {
    // The OMOP formats of `trd synth` (and a site's CDM extract) are not an NDJSON folder: say how they are screened.
    const names = listFolder(dir);
    const duckdb = names.filter((name) => name.endsWith('.duckdb')).sort();
    const hint =
      duckdb.length > 0
        ? `; an OMOP CDM DuckDB file is screened by its own path (${join(dir, duckdb[0] as string)})`
        : names.includes('person.csv')
          ? '; OMOP CDM tables as CSV are not read: load them into a DuckDB file or a PostgreSQL database and screen that (docs/screening.md)'
          : '';
    throw new InputError(
      `${dir}: no FHIR NDJSON files (<ResourceType>.ndjson or .ndjson.gz)${hint}`,
      'screen.source.empty',
    );
  }
  for (const f of files) {
    try {
      const fd = openSync(f.path, 'r');
      readSync(fd, Buffer.alloc(1), 0, 1, 0);
      closeSync(fd);
    } catch (error) {
      throw new InputError(`cannot read ${f.path}: ${fsReason(error)}`, 'screen.source.unreadable');
    }
  }
  return files;
}

/** The longest line read (a resource of 8 MiB); a longer line is a malformed line. */
const MAX_LINE_BYTES = 8 << 20;
/**
 * Each reading thread's buffer: twice the longest line and a little more. With one line's worth and a little more,
 * DuckDB's parallel reader failed on a 7 MiB line across a buffer boundary ("does not support a full read") or,
 * storing rejects, dropped it without a word.
 */
const BUFFER_BYTES = 2 * MAX_LINE_BYTES + (1 << 20);
/** Why DuckDB's reader rejected a line (reject_errors.error_type), in the words of the report. */
const REJECTED: Readonly<Record<string, string>> = {
  'INVALID ENCODING': 'not UTF-8 text',
  'LINE SIZE OVER MAXIMUM': `longer than ${MAX_LINE_BYTES >> 20} MiB`,
};
/**
 * Resource text sorted at a time when patients are handed out (see `patients`): a few patients of a Synthea-size
 * export or tens of thousands of small records, well within the default memory limit either way.
 */
const BYTES_PER_RANGE = 16 << 20;

const linesOf = (paths: readonly string[]): string =>
  `read_csv([${paths.map(sqlString).join(', ')}], columns = {'j': 'VARCHAR'}, header = false, delim = chr(1), ` +
  `quote = '', escape = '', auto_detect = false, filename = true, max_line_size = ${MAX_LINE_BYTES}, ` +
  `buffer_size = ${BUFFER_BYTES}, store_rejects = true)`;

/**
 * Each `.gz` file decompressed to its end, its length and CRC checked: DuckDB's gzip reader returns what it could
 * decompress of a file cut short (at a flush point, with no trailer) without an error, which would screen part of an
 * export as if it were whole. zlib runs in Node's thread pool, beside DuckDB's projection; about 1.5 ms of CPU per MB
 * of text (docs/screening.md).
 */
async function checkGzipComplete(paths: readonly string[]): Promise<void> {
  for (const path of paths) {
    try {
      await pipeline(
        createReadStream(path, { highWaterMark: 1 << 20 }),
        createGunzip({ chunkSize: 1 << 20 }),
        new Writable({ write: (_chunk, _encoding, done) => done() }),
      );
    } catch (error) {
      throw new InputError(
        `cannot read ${path}: not a complete gzip file (${(error as Error).message})`,
        'screen.source.unreadable',
      );
    }
  }
}

/**
 * Line numbers of the malformed lines of one file (a slow pass, run only for files that have some): the lines whose
 * text is one the projection counted as malformed, so that what is located is what is counted (a JSON object
 * without resourceType included, and in Observation files only the lines the code pattern kept).
 */
async function locateMalformed(path: string, texts: ReadonlySet<string>, limit: number): Promise<number[]> {
  const raw = createReadStream(path);
  const input = path.endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
  const lines = createInterface({ input, crlfDelay: Infinity });
  const found: number[] = [];
  let n = 0;
  for await (const line of lines) {
    n++;
    if (texts.has(line) || texts.has(`${line}\r`)) {
      found.push(n);
      if (found.length >= limit) break;
    }
  }
  lines.close();
  raw.destroy();
  return found;
}

export async function openNdjsonSource(o: NdjsonSourceOptions): Promise<ScreenSource> {
  const files = resourceFiles(o.dir).filter((f) => (RESOURCE_TYPES_READ as readonly string[]).includes(f.type));
  const filtered = files.filter((f) => (TYPES_FILTERED_BY_CODE as readonly string[]).includes(f.type));
  const whole = files.filter((f) => !(TYPES_FILTERED_BY_CODE as readonly string[]).includes(f.type));
  const { instance, connection } = await openWorkDb(
    o.workDb,
    o.memoryLimit ?? DEFAULT_DUCKDB_MEMORY_LIMIT.ndjson,
    o.threads ?? 2,
  );
  const shard = o.shard ?? { index: 0, count: 1 };

  const prepare = async (): Promise<{ patients: number; quality: SourceQuality }> => {
    const done = await connection.runAndReadAll(
      `SELECT count(*) FROM information_schema.tables WHERE table_name = 'screen_done'`,
    );
    if (Number(done.getRows()[0]?.[0] ?? 0) === 0) {
      const complete = checkGzipComplete(files.filter((f) => f.path.endsWith('.gz')).map((f) => f.path));
      complete.catch(() => undefined); // awaited below; an incomplete file explains a projection error first
      try {
        await project(connection, complete);
      } catch (error) {
        await complete;
        throw error;
      }
    }
    const stats = await connection.runAndReadAll(`SELECT stats FROM screen_done`);
    return JSON.parse(String(stats.getRows()[0]?.[0])) as { patients: number; quality: SourceQuality };
  };

  /** `complete`: the gzip check, which must pass before anything is read again or recorded as done. */
  const project = async (c: DuckDBConnection, complete: Promise<void>): Promise<void> => {
    const parts: string[] = [];
    if (whole.length > 0) parts.push(`SELECT filename AS file, j FROM ${linesOf(whole.map((f) => f.path))}`);
    if (filtered.length > 0) {
      // The raw text decides what is parsed: a line is kept when a pathway code appears in it (a superset of what
      // the engine matches, pathway-codes.ts), or when it may not be a JSON object (it does not start with `{`, or
      // json_valid, a validation far cheaper than a parse, fails), so that it is counted as malformed below.
      // Valid lines without a pathway code are dropped unparsed: they are most of the export (vital signs, ...).
      parts.push(
        `SELECT filename AS file, j FROM ${linesOf(filtered.map((f) => f.path))} ` +
          `WHERE regexp_matches(j, ${sqlString(codeLinePattern(o.knowledge))}) OR left(j, 1) <> '{' OR NOT json_valid(j)`,
      );
    }
    if (parts.length === 0) {
      await c.run(
        `CREATE OR REPLACE TABLE kept (file VARCHAR, j VARCHAR, rtype VARCHAR, patient VARCHAR, urn VARCHAR, medref VARCHAR, ref VARCHAR)`,
      );
    } else {
      // x: resourceType, id, subject, patient, medicationReference; NULL when the line is not JSON. A reference is
      // read as the FHIR adapter reads it: relative or absolute, versioned or not (src/fhir/reference.ts).
      const refTo = (type: string, e: string): string =>
        `nullif(regexp_extract(${e}, ${sqlString(`(?:^|/)(${type}/[^/]+)${VERSION_TAIL}$`)}, 1), '')`;
      const refPatient = (e: string): string => refTo('Patient', e);
      const urnUuid = (e: string): string => `nullif(regexp_extract(${e}, '^urn:uuid:([^/]+)$', 1), '')`;
      await c.run(
        `CREATE OR REPLACE TABLE kept AS
         SELECT file, j, x[1] AS rtype,
                CASE WHEN x[1] = 'Patient' THEN 'Patient/' || x[2] ELSE coalesce(${refPatient('x[3]')}, ${refPatient('x[4]')}) END AS patient,
                CASE WHEN x[1] <> 'Patient' THEN coalesce(${urnUuid('x[3]')}, ${urnUuid('x[4]')}) END AS urn,
                coalesce(${refTo('Medication', 'x[5]')}, 'Medication/' || ${urnUuid('x[5]')}, x[5]) AS medref,
                CASE WHEN x[1] = 'Medication' THEN 'Medication/' || x[2] END AS ref
         FROM (SELECT file, j, try(json_extract_string(j, ['$.resourceType', '$.id', '$.subject.reference', '$.patient.reference', '$.medicationReference.reference'])) AS x
               FROM (${parts.join(' UNION ALL ')}) WHERE j IS NOT NULL AND NOT regexp_full_match(j, '\\s*'))`,
      );
    }
    // A `urn:uuid:<id>` reference (an export flattened from transaction bundles, whose fullUrls are lost) names the
    // Patient of that id when the export holds one; otherwise it names no patient the screen can read. A
    // medicationReference so written names the Medication of that id (medref above; the bundle the engine reads
    // gives each Medication that fullUrl, assess-batch.ts).
    await c.run(
      `UPDATE kept SET patient = 'Patient/' || urn
       WHERE patient IS NULL AND urn IS NOT NULL
         AND 'Patient/' || urn IN (SELECT patient FROM kept WHERE rtype = 'Patient')`,
    );
    await mergeLinkedPatients(c);
    await complete;
    // Malformed lines stay with shard 0 only, so that merged shards count each once.
    const mine = shardCondition('hash(patient)', shard);
    await c.run(
      `DELETE FROM kept WHERE (rtype IS NULL AND ${shard.index} <> 0) OR (patient IS NOT NULL AND NOT (${mine}))`,
    );
    // Resources of no patient (Medications, and those naming none) stay in every shard, for the joins; shard 0
    // alone counts them, so that merged counts add up to an unsharded run's.
    const counted = `(patient IS NOT NULL OR ${shard.index} = 0)`;
    const counts = await c.runAndReadAll(
      `SELECT count(DISTINCT patient), count(*) FILTER (WHERE rtype IS NULL),
              count(*) FILTER (WHERE rtype IS NOT NULL AND ${counted}),
              count(*) FILTER (WHERE rtype IS NOT NULL AND patient IS NULL AND rtype <> 'Medication' AND ${counted})
       FROM kept`,
    );
    const [patients, parsedBadly, kept, withoutPatient] = (counts.getRows()[0] ?? []).map(Number);
    // Medication references (not to a contained `#id`) that join no Medication of the export: an export requested
    // without Medication in its _type leaves every such order without its medicine, so no antidepressant trial is
    // seen; counted so that the report says why (docs/screening.md). Each is a patient's, counted in its shard.
    const medicationsNotInExport = Number(
      (
        await c.runAndReadAll(
          `SELECT count(*) FROM kept k WHERE k.patient IS NOT NULL AND k.medref IS NOT NULL AND NOT starts_with(k.medref, '#')
             AND NOT EXISTS (SELECT 1 FROM kept m WHERE m.ref = k.medref)`,
        )
      ).getRows()[0]?.[0] ?? 0,
    );
    const mergedRecords = Number(
      (
        await c.runAndReadAll(`SELECT count(*) FROM merged WHERE ${shardCondition('hash(survivor)', shard)}`)
      ).getRows()[0]?.[0] ?? 0,
    );
    // Lines DuckDB's reader rejected (not UTF-8, too long), with their line numbers; each error is stored once per
    // thread that met it, hence DISTINCT. Shard 0 counts them, as the other malformed lines.
    const rejected =
      parts.length === 0 || shard.index !== 0
        ? []
        : (
            await c.runAndReadAll(
              `SELECT s.file_path, e.line, min(e.error_type) FROM reject_errors e JOIN reject_scans s USING (scan_id, file_id)
               GROUP BY s.file_path, e.line ORDER BY s.file_path, e.line`,
            )
          )
            .getRows()
            .map(([file, line, type]) => ({
              file: String(file),
              line: Number(line),
              reason: REJECTED[String(type)] ?? String(type).toLowerCase(),
            }));
    const malformed = (parsedBadly ?? 0) + rejected.length;
    const badFiles = await c.runAndReadAll(`SELECT DISTINCT file FROM kept WHERE rtype IS NULL ORDER BY file`);
    const located: MalformedLine[] = [...rejected];
    for (const [file] of badFiles.getRows()) {
      // Files come in name order, so once the first MAX_LOCATED lines up to this file are known, no later file's
      // lines can be among them: the slow pass stops (a rejected line of a later file sorts after them too).
      if (located.filter((l) => l.file < String(file)).length >= MAX_LOCATED) break;
      const texts = await c.runAndReadAll(
        `SELECT DISTINCT j FROM kept WHERE rtype IS NULL AND file = ${sqlString(String(file))} LIMIT ${MAX_LOCATED}`,
      );
      const set = new Set(texts.getRows().map(([j]) => String(j)));
      for (const line of await locateMalformed(String(file), set, MAX_LOCATED)) {
        if (!rejected.some((r) => r.file === file && r.line === line)) located.push({ file: String(file), line });
      }
    }
    const malformedAt = located
      .sort((a, b) => (a.file === b.file ? a.line - b.line : a.file < b.file ? -1 : 1))
      .slice(0, MAX_LOCATED);
    const quality: SourceQuality = {
      malformedLines: malformed,
      malformedAt,
      recordsRead: (kept ?? 0) + malformed,
      recordsKept: kept ?? 0,
      withoutPatient: withoutPatient ?? 0,
      mergedRecords,
      medicationsNotInExport,
    };
    await c.run(
      `CREATE OR REPLACE TABLE screen_done AS SELECT ${sqlString(JSON.stringify({ patients, quality }))} AS stats`,
    );
    await c.run('CHECKPOINT');
  };

  /**
   * Merged patient records (`Patient.link` between Patients of the export, patient-links.ts): each merged record's
   * resources are given to the record that stands for the person (table `merged`: alias -> survivor), so the person
   * is one patient of the screen, counted and sharded once.
   */
  const mergeLinkedPatients = async (c: DuckDBConnection): Promise<void> => {
    await c.run(`CREATE OR REPLACE TABLE merged (alias VARCHAR, survivor VARCHAR)`);
    const rows = (
      await c.runAndReadAll(
        `SELECT patient, CAST(try(json_extract(j, '$.link')) AS VARCHAR) FROM kept
         WHERE rtype = 'Patient' AND contains(j, '"link"') ORDER BY patient`,
      )
    ).getRows();
    if (rows.length === 0) return;
    const records = rows.map(([patient, link]) => readLinks(String(patient), String(link ?? 'null')));
    const named = new Set(records.flatMap((r) => [r.patient, ...r.links.map((l) => linkedPatient(l.other) ?? '')]));
    named.delete('');
    const inExport = new Set<string>();
    const list = [...named];
    for (let i = 0; i < list.length; i += 1000) {
      const found = await c.runAndReadAll(
        `SELECT DISTINCT patient FROM kept WHERE rtype = 'Patient' AND patient IN (${list
          .slice(i, i + 1000)
          .map(sqlString)
          .join(', ')})`,
      );
      for (const [p] of found.getRows()) inExport.add(String(p));
    }
    const pairs = [...mergedPatients(records, inExport)];
    for (let i = 0; i < pairs.length; i += 1000) {
      const values = pairs.slice(i, i + 1000).map(([a, b]) => `(${sqlString(a)}, ${sqlString(b)})`);
      await c.run(`INSERT INTO merged VALUES ${values.join(', ')}`);
    }
    await c.run(`UPDATE kept SET patient = m.survivor FROM merged m WHERE kept.patient = m.alias`);
  };

  /** Survivor -> the merged records whose resources it holds (`Patient/<id>` each), from the table `merged`. */
  const mergedInto = async (): Promise<Map<string, string[]>> => {
    const out = new Map<string, string[]>();
    const table = await connection.runAndReadAll(
      `SELECT count(*) FROM information_schema.tables WHERE table_name = 'merged'`,
    );
    if (Number(table.getRows()[0]?.[0] ?? 0) === 0) return out; // a work database of an earlier version
    const rows = await connection.runAndReadAll(`SELECT alias, survivor FROM merged ORDER BY alias`);
    for (const [alias, survivor] of rows.getRows()) {
      out.set(String(survivor), [...(out.get(String(survivor)) ?? []), String(alias)]);
    }
    return out;
  };

  /**
   * Rows sorted by patient and grouped here, one patient at a time; a referenced Medication joins every patient whose
   * resources reference it. The patients are taken in ranges of about BYTES_PER_RANGE of resource text (a patient
   * larger than that is a range of its own), each sorted on its own, so that no sort grows with the population or
   * with the size of the records (bench:screen; a Synthea-size export sorted whole did not fit the default limit).
   */
  async function* patients(after: string | undefined): AsyncIterable<PatientInput & { key: string }> {
    const since = after === undefined ? '' : `AND patient > ${sqlString(after)}`;
    const budget = Math.max(1, Math.trunc(o.bytesPerRange ?? BYTES_PER_RANGE));
    // The last patient of each range: where the running total of resource text passes a multiple of the budget.
    const ends = await connection.runAndReadAll(
      `SELECT patient FROM (
         SELECT patient, upto, lead(upto) OVER (ORDER BY patient) AS next FROM (
           SELECT patient, sum(bytes) OVER (ORDER BY patient) AS upto
           FROM (SELECT patient, sum(strlen(j)) AS bytes FROM kept WHERE patient IS NOT NULL ${since} GROUP BY patient)
         )
       ) WHERE next IS NOT NULL AND upto // ${budget} <> next // ${budget} ORDER BY patient`,
    );
    const merged = await mergedInto();
    let from = after;
    for (const to of [...ends.getRows().map(([p]) => String(p)), undefined]) {
      yield* range(from, to, merged);
      from = to;
    }
  }

  /** The patients after `from` up to `to` (both optional), with their resources. */
  async function* range(
    from: string | undefined,
    to: string | undefined,
    merged: ReadonlyMap<string, readonly string[]>,
  ): AsyncIterable<PatientInput & { key: string }> {
    const input = (patient: string, resources: readonly string[]): PatientInput & { key: string } => {
      const aliases = merged.get(patient);
      return {
        key: patient,
        patient,
        resourcesJson: `[${resources.join(',')}]`,
        ...(aliases === undefined ? {} : { merged: aliases }),
      };
    };
    const inRange =
      (from === undefined ? '' : `AND k.patient > ${sqlString(from)} `) +
      (to === undefined ? '' : `AND k.patient <= ${sqlString(to)}`);
    const result = await connection.stream(
      `SELECT patient, j FROM (
         SELECT k.patient, k.rtype, k.j FROM kept k WHERE k.patient IS NOT NULL ${inRange}
         UNION ALL
         SELECT DISTINCT k.patient, m.rtype, m.j FROM kept k JOIN kept m ON m.ref = k.medref WHERE k.patient IS NOT NULL ${inRange}
       ) ORDER BY patient, rtype <> 'Patient', rtype, j`,
    );
    let current: string | undefined;
    let resources: string[] = [];
    for (;;) {
      const chunk = await result.fetchChunk();
      if (chunk === null || chunk.rowCount === 0) break;
      for (const [patient, json] of chunk.getRows()) {
        const key = String(patient);
        if (current !== undefined && key !== current) {
          yield input(current, resources);
          resources = [];
        }
        current = key;
        resources.push(String(json));
      }
    }
    if (current !== undefined) yield input(current, resources);
  }

  return {
    kind: 'ndjson',
    prepare,
    patients,
    interrupt: () => connection.interrupt(),
    close: async () => closeDb(connection, instance),
  };
}

export function closeDb(connection: DuckDBConnection, instance: DuckDBInstance): void {
  connection.closeSync();
  instance.closeSync();
}
