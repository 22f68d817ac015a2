/**
 * `trd screen SOURCE --as-of YYYY-MM-DD --out FILE [--report FILE.html] [--pathway FILE] [--cut-offs 1,2,3,5]
 * [--shard i/n] [--schema NAME]`: every patient of a health system's records through the care pathway, one NDJSON
 * line each (docs/screening.md). SOURCE is a FHIR Bulk Data NDJSON folder, an OMOP CDM DuckDB file (*.duckdb) or a
 * PostgreSQL URL. An interrupted screen, run again with the same arguments, resumes where it stopped.
 *
 * `trd screen-merge SHARD_OUT... --out FILE [--report FILE.html]` merges sharded runs into the unsharded output;
 * `trd screen-sql --dialect duckdb|postgres|spark|bigquery|snowflake [--schema NAME]` prints the OMOP projection SQL
 * for running inside a warehouse.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { createEngine, type Engine } from '../../engine/index.ts';
import { DIALECT_NAMES, extractSql, projectionSql, vocabularySql, type DialectName } from '../../screen/dialect.ts';
import { mergeShards, readMeta } from '../../screen/merge.ts';
import { pathwayCodes } from '../../screen/pathway-codes.ts';
import { reportContextOf, writeReport } from '../../screen/report-file.ts';
import { engineAtCutOff } from '../../screen/assess-batch.ts';
import { runScreen, screenPaths, type RunIdentity, type ScreenPaths } from '../../screen/run.ts';
import { filesNotRead, resourceFiles, openNdjsonSource } from '../../screen/sources/ndjson.ts';
import { duckDbRunner, openOmopSource } from '../../screen/sources/omop.ts';
import { isPostgresUrl, postgresRunner } from '../../screen/sources/postgres.ts';
import { postgresHost } from '../../io/postgres-connection.ts';
import { DEFAULT_DUCKDB_MEMORY_LIMIT } from '../../screen/sources/source.ts';
import type { ScreenSource, Shard } from '../../screen/sources/source.ts';
import { checkOutputFile, InputError, resolveAsOf, samePath } from '../input.ts';
import { cliIo, Interrupted, out, signalExitCode } from '../io.ts';
import { packageVersion } from '../version.ts';

interface ScreenFlags {
  asOf?: string;
  allowFutureAsOf?: boolean;
  out?: string;
  report?: string;
  pathway?: string;
  cutOffs?: string;
  shard?: string;
  schema?: string;
  quiet?: boolean;
  memoryLimit?: string;
  workers?: string;
}

export function parseShard(raw: string | undefined): Shard | undefined {
  if (raw === undefined) return undefined;
  const m = /^(\d+)\/(\d+)$/.exec(raw.trim());
  const i = Number(m?.[1]);
  const n = Number(m?.[2]);
  if (m === null || !(n >= 1 && n <= 4096 && i >= 1 && i <= n)) {
    throw new InputError('--shard must be i/n with 1 <= i <= n <= 4096 (e.g. 2/8)', 'screen.shard.invalid');
  }
  return { index: i - 1, count: n };
}

export function parseCutOffs(raw: string | undefined): number[] {
  if (raw === undefined) return [];
  const values = raw.split(',').map((s) => Number(s.trim()));
  if (values.length > 20 || values.some((v) => !Number.isFinite(v) || v <= 0)) {
    throw new InputError(
      '--cut-offs must be up to 20 positive numbers in mg/L, e.g. 1,2,3,5',
      'screen.cut-off.invalid',
    );
  }
  return [...new Set(values)].sort((a, b) => a - b);
}

/** A size DuckDB reads as a memory limit (a number and a unit: 512MB, 1.5GB, 800MiB), checked before DuckDB sees it. */
export function parseMemoryLimit(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const size = raw.trim();
  if (!/^\d+(?:\.\d+)?\s*(?:[KMGT]i?B)$/i.test(size)) {
    throw new InputError('--memory-limit must be a size such as 128MB, 1GB or 800MiB', 'screen.memory-limit.invalid');
  }
  return size;
}

/**
 * Worker threads for the engine: `auto` (the default) is one per core but one on a large population
 * (src/screen/run.ts). Threads of one process, unlike the server processes of `trd serve --workers`.
 */
export function parseWorkerThreads(raw: string | undefined): number | 'auto' {
  if (raw === undefined || raw === 'auto') return 'auto';
  const n = Number(raw);
  if (!(/^\d{1,2}$/.test(raw) && n <= 64)) {
    throw new InputError('--workers must be auto or a whole number from 0 to 64', 'screen.workers.invalid');
  }
  return n;
}

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?$/;

/**
 * A BigQuery dataset in another project: `project-id.dataset`. A Google Cloud project id is 6 to 30 lowercase
 * letters, digits and hyphens, starting with a letter and not ending with a hyphen, so most hold a hyphen
 * (`my-project-123456`); BigQuery reads it in the backquoted path the dialect writes (`my-project.cdm.person`).
 */
const BIGQUERY_PROJECT_DATASET = /^[a-z][a-z0-9-]{4,28}[a-z0-9]\.[A-Za-z_][A-Za-z0-9_]*$/;

function checkSchema(schema: string | undefined, dialect?: DialectName): string | undefined {
  if (schema === undefined || SCHEMA_NAME.test(schema)) return schema;
  if (dialect === 'bigquery' && BIGQUERY_PROJECT_DATASET.test(schema)) return schema;
  throw new InputError(
    dialect === 'bigquery'
      ? '--schema must be a dataset or project-id.dataset (a dataset of letters, digits and underscores; a project id of lowercase letters, digits and hyphens)'
      : '--schema must be a schema or database.schema, each of letters, digits and underscores',
    'screen.schema.invalid',
  );
}

/**
 * What identifies the source for resumption: the folder's files with sizes and times, or the database with the schema
 * the CDM tables are read from (the search path when no --schema: then also the user, whose name heads it).
 */
function sourceIdentity(source: string, schema: string | undefined): string {
  if (isPostgresUrl(source)) {
    // The host as pg reads it (a Unix socket folder too, as ?host=): two socket servers were one identity.
    const u = new URL(source);
    const name = u.username === '' ? (u.searchParams.get('user') ?? '') : decodeURIComponent(u.username);
    const user = name === '' ? '' : `${name}@`;
    return `postgres://${user}${postgresHost(source)}${u.pathname} schema ${schema ?? '(search path)'}`;
  }
  const path = resolve(source);
  if (source.endsWith('.duckdb')) {
    const s = statSync(path);
    return `${path}|${s.size}|${s.mtimeMs} schema ${schema ?? '(default)'}`;
  }
  return resourceFiles(path)
    .map((f) => {
      const s = statSync(f.path);
      return `${f.path}|${s.size}|${s.mtimeMs}`;
    })
    .join(';');
}

/**
 * Everything that decides a screen's output, which a checkpoint must match to be resumed and shards must share to
 * be merged: the source (with its schema), the date, the pathway, the program's version and the pathway file's
 * content (an edited file may keep its version number), the shard and the cut-offs.
 */
export function runIdentity(
  source: string,
  o: {
    asOf: string;
    engine: Engine;
    pathwayFile?: string | undefined;
    schema?: string | undefined;
    shard?: Shard | undefined;
    cutOffs: readonly number[];
  },
): RunIdentity {
  const pathwayFile =
    o.pathwayFile === undefined
      ? ''
      : ` pathway sha256:${createHash('sha256').update(readFileSync(o.pathwayFile)).digest('hex')}`;
  return {
    source: sourceIdentity(source, o.schema),
    asOf: o.asOf,
    pathway: o.engine.pathway,
    engine: `precision-trd ${packageVersion()}${pathwayFile}`,
    shard: o.shard === undefined ? '1/1' : `${o.shard.index + 1}/${o.shard.count}`,
    cutOffs: o.cutOffs,
  };
}

/**
 * DuckDB's out-of-memory error as a one-line InputError naming the limit (the sorts spill to disk, but a few operators
 * need their working set in memory); undefined for any other error.
 */
function outOfMemory(error: unknown, limit: string): InputError | undefined {
  if (!(error instanceof Error) || !error.message.includes('Out of Memory Error')) return undefined;
  return new InputError(
    `the database ran out of memory within --memory-limit ${limit}; give it more (e.g. --memory-limit 1GB) and run the same command again to resume`,
    'screen.memory-limit',
  );
}

/** The --report file's folder exists, checked before a screen that may take hours rather than after it. */
function checkReportFolder(report: string | undefined): void {
  if (report === undefined) return;
  const dir = resolve(report, '..');
  if (!existsSync(dir)) throw new InputError(`--report ${report}: no such folder ${dir}`, 'screen.report.folder');
}

/**
 * The output files (--out with the files beside it, and --report) can be written and overwrite none of the inputs
 * (a source file, the pathway file, a shard being merged) nor each other, checked before a screen that may take hours.
 */
function checkOutputs(paths: ScreenPaths, report: string | undefined, inputs: readonly string[]): void {
  const beside = [paths.partial, paths.checkpoint, paths.workDb, paths.meta];
  for (const file of [paths.out, ...beside]) {
    if (inputs.some((input) => samePath(input, file))) {
      throw new InputError(
        `--out ${paths.out}: ${file} is an input of this command; choose another file`,
        'output.is-input',
      );
    }
  }
  checkOutputFile('--out', paths.out, inputs);
  if (report === undefined) return;
  if ([paths.out, ...beside].some((file) => samePath(report, file))) {
    throw new InputError(
      `--report ${report} is the --out file or one beside it; choose another file`,
      'output.is-output',
    );
  }
  checkOutputFile('--report', report, inputs);
}

export async function screenCommand(source: string, flags: ScreenFlags, today: Date): Promise<void> {
  const asOf = resolveAsOf(flags.asOf, today, flags.allowFutureAsOf === true);
  if (flags.out === undefined || flags.out === '') throw new InputError('--out FILE is required', 'screen.out.missing');
  const shard = parseShard(flags.shard);
  const cutOffs = parseCutOffs(flags.cutOffs);
  const schema = checkSchema(flags.schema);
  const engine: Engine = createEngine(flags.pathway === undefined ? {} : { pathway: flags.pathway });
  for (const c of cutOffs) engineAtCutOff(engine, c);
  const paths = screenPaths(flags.out);
  const outDir = resolve(paths.out, '..');
  if (!existsSync(outDir)) throw new InputError(`--out: no such folder ${outDir}`, 'screen.out.folder');
  checkReportFolder(flags.report);
  const inputs = flags.pathway === undefined ? [] : [flags.pathway];
  if (!isPostgresUrl(source) && !source.endsWith('.duckdb')) inputs.push(...resourceFiles(source).map((f) => f.path));
  if (source.endsWith('.duckdb') && !existsSync(source))
    throw new InputError(`${source}: no such DuckDB file`, 'screen.source.missing');
  if (source.endsWith('.duckdb')) inputs.push(source);
  checkOutputs(paths, flags.report, inputs);
  const identity = runIdentity(source, { asOf, engine, pathwayFile: flags.pathway, schema, shard, cutOffs });
  const memoryLimit =
    parseMemoryLimit(flags.memoryLimit) ??
    (source.endsWith('.duckdb') ? DEFAULT_DUCKDB_MEMORY_LIMIT.omop : DEFAULT_DUCKDB_MEMORY_LIMIT.ndjson);
  const openSource = async (): Promise<ScreenSource> => {
    if (isPostgresUrl(source)) {
      return openOmopSource({
        runner: await postgresRunner(source),
        knowledge: engine.knowledge,
        asOf,
        ...(schema === undefined ? {} : { schema }),
        ...(shard === undefined ? {} : { shard }),
      });
    }
    if (source.endsWith('.duckdb')) {
      return openOmopSource({
        runner: await duckDbRunner(source, memoryLimit),
        knowledge: engine.knowledge,
        asOf,
        ...(schema === undefined ? {} : { schema }),
        ...(shard === undefined ? {} : { shard }),
      });
    }
    return openNdjsonSource({
      dir: source,
      knowledge: engine.knowledge,
      workDb: paths.workDb,
      ...(shard === undefined ? {} : { shard }),
      memoryLimit,
    });
  };
  const started = performance.now();
  // Ctrl-C or SIGTERM stops the screen cleanly (run.ts: the patients read are written and a checkpoint records them,
  // so nothing written is screened again; a DuckDB projection in progress is cut short); a second one ends the
  // process at once.
  const interruption = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (interruption.signal.aborted) process.exit(signalExitCode(signal));
    interruption.abort(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const outcome = await runScreen({
    signal: interruption.signal,
    openSource,
    paths,
    identity,
    engine,
    asOf,
    cutOffs,
    progress: flags.quiet !== true,
    workers: parseWorkerThreads(flags.workers),
    ...(flags.report === undefined ? {} : { replaces: [flags.report] }),
    ...(flags.pathway === undefined ? {} : { pathwayFile: resolve(flags.pathway) }),
  })
    .catch((error: unknown) => {
      throw outOfMemory(error, memoryLimit) ?? error;
    })
    .finally(() => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    });
  const meta = outcome.meta;
  if (meta === undefined) {
    const signal = interruption.signal.reason as NodeJS.Signals;
    throw new Interrupted(
      outcome.duringProjection === true && outcome.patients === 0
        ? 'interrupted during the projection, before any patient was screened; run the same command again to start'
        : `interrupted after ${outcome.patients} patients; run the same command again to resume`,
      signal,
    );
  }
  const seconds = (performance.now() - started) / 1000;
  if (flags.report !== undefined) await writeReport(paths.out, meta, flags.report);
  if (flags.quiet !== true) {
    cliIo().err(
      `trd screen: ${meta.patients} patients in ${seconds.toFixed(1)} s${outcome.resumedAfter === undefined ? '' : ' (resumed)'}${outcome.sourceChanged === true ? ' (the database changed since the interrupted run: screened afresh)' : ''}${outcome.interruptedOtherwise === undefined ? '' : ` (the interrupted run into this --out was not this command: ${outcome.interruptedOtherwise.join('; ')} differ; screened afresh)`}; ` +
        `${meta.quality.malformedLines} malformed lines, ${meta.notAssessed} not assessed, ` +
        `${meta.quality.withoutPatient} resources naming no patient (not used)` +
        `${meta.quality.mergedRecords ? `, ${meta.quality.mergedRecords} patient records merged into another (Patient.link)` : ''}` +
        `${meta.quality.medicationsNotInExport ? `, ${meta.quality.medicationsNotInExport} medication references to no Medication of the export` : ''} -> ${paths.out}\n`,
    );
    if (meta.kind === 'ndjson') {
      for (const file of filesNotRead(source)) {
        cliIo().err(
          `trd screen: not read: ${file} (its name gives no resource type: <ResourceType>.ndjson or <n>.<ResourceType>.ndjson)\n`,
        );
      }
    }
    for (const m of meta.quality.malformedAt.slice(0, 10))
      cliIo().err(
        `trd screen: malformed line ${m.file}:${m.line}${m.reason === undefined ? '' : `, ${m.reason}`} (skipped)\n`,
      );
  }
}

export function registerScreen(program: Command): void {
  program
    .command('screen')
    .description(
      'screen a population (FHIR Bulk Data NDJSON folder, OMOP CDM DuckDB file or PostgreSQL URL) through the care pathway',
    )
    .argument('<source>', 'NDJSON folder, OMOP *.duckdb file or postgres:// URL')
    .option('--as-of <date>', 'screen as of this date (YYYY-MM-DD; default today, UTC)')
    .option('--allow-future-as-of', 'accept an --as-of date after today (recorded in the .meta.json as any as-of date)')
    .requiredOption(
      '--out <file>',
      'NDJSON output, one line per patient (written to <file>.partial, renamed at the end)',
    )
    .option('--report <file>', 'an HTML report: funnel, reasons, cut-offs, data quality')
    .option('--pathway <file>', 'a care-pathway JSON file to use instead of the bundled one')
    .option('--cut-offs <list>', 'also count referable patients at these CRP cut-offs (mg/L), e.g. 1,2,3,5')
    .option('--shard <i/n>', 'screen only shard i of n (merge the outputs with trd screen-merge)')
    .option('--schema <name>', 'OMOP: the schema holding the CDM tables')
    .option(
      '--memory-limit <size>',
      `DuckDB memory limit for the projection (default ${DEFAULT_DUCKDB_MEMORY_LIMIT.ndjson} for NDJSON, ${DEFAULT_DUCKDB_MEMORY_LIMIT.omop} for an OMOP DuckDB file)`,
    )
    .option(
      '--workers <n>',
      'worker threads that run the engine (0: none; auto, the default: one per core but one, from 10,000 patients)',
    )
    .option('--quiet', 'no progress bar or summary line')
    .action((source: string, flags: ScreenFlags) => screenCommand(source, flags, new Date()));
}

export function registerScreenMerge(program: Command): void {
  program
    .command('screen-merge')
    .description('merge the outputs of trd screen --shard i/n into the output of an unsharded run')
    .argument('<shards...>', 'the shard outputs')
    .requiredOption('--out <file>', 'the merged output')
    .option('--report <file>', 'an HTML report of the merged output')
    .action(async (shards: string[], flags: { out: string; report?: string }) => {
      checkReportFolder(flags.report);
      checkOutputs(screenPaths(flags.out), flags.report, [...shards, ...shards.map((s) => screenPaths(s).meta)]);
      // A report the shards' meta cannot give (an earlier version's with a --pathway file) is refused before merging.
      if (flags.report !== undefined && shards[0] !== undefined) reportContextOf(readMeta(shards[0]));
      const meta = await mergeShards(shards, flags.out, flags.report === undefined ? [] : [flags.report]);
      if (flags.report !== undefined) await writeReport(flags.out, meta, flags.report);
      // As trd screen ends: what was written, so that a merge that succeeded is not told from one that did nothing
      // only by its exit status.
      cliIo().err(
        `trd screen-merge: ${meta.patients} patients from ${shards.length} shards; ${meta.quality.malformedLines} malformed lines, ` +
          `${meta.notAssessed} not assessed -> ${flags.out}${flags.report === undefined ? '' : ` and ${flags.report}`}\n`,
      );
    });
}

export function registerScreenSql(program: Command): void {
  program
    .command('screen-sql')
    .description('print the OMOP projection SQL the screen runs, for a warehouse dialect')
    .requiredOption('--dialect <name>', DIALECT_NAMES.join(' | '))
    .option('--schema <name>', 'the schema (dataset) holding the CDM tables')
    .option('--shard <i/n>', 'only persons whose person_id modulo n, taken into 0..n-1, is i - 1')
    .option('--pathway <file>', 'a care-pathway JSON file to use instead of the bundled one')
    .option(
      '--extract',
      'print instead one query per CDM table, the extract to export to Parquet and screen in DuckDB (clinical tables cut to the rows the projection reads)',
    )
    .action((flags: { dialect: string; schema?: string; shard?: string; pathway?: string; extract?: boolean }) => {
      if (!(DIALECT_NAMES as readonly string[]).includes(flags.dialect)) {
        throw new InputError(`--dialect must be one of ${DIALECT_NAMES.join(', ')}`, 'screen.dialect.unknown');
      }
      const engine = createEngine(flags.pathway === undefined ? {} : { pathway: flags.pathway });
      const schema = checkSchema(flags.schema, flags.dialect as DialectName);
      const shard = parseShard(flags.shard);
      const o = {
        codes: pathwayCodes(engine.knowledge),
        ...(schema === undefined ? {} : { schema }),
        ...(shard === undefined ? {} : { shard }),
      };
      const d = flags.dialect as DialectName;
      if (flags.extract === true) {
        if (shard !== undefined) {
          throw new InputError(
            '--extract takes every person (`trd screen --shard` shards the extract); give no --shard with it',
            'screen.extract.shard',
          );
        }
        out(
          extractSql(d, o)
            .map(({ table, sql }) => `-- ${table}: export to Parquet as ${table}/*.parquet\n${sql};\n`)
            .join('\n'),
        );
        return;
      }
      out(
        `-- Pathway codes mapped to standard concepts\n${vocabularySql(d, o)};\n\n-- The projection, one patient after another\n${projectionSql(d, o)};\n`,
      );
    });
}
