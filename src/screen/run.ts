/**
 * The screen's run: every patient of a source through the one engine (src/engine), one NDJSON line each
 * (result-line.ts), in the source's order. Never a partial `--out` that looks complete: lines go to `<out>.partial`
 * and the file is renamed to `<out>` only at the end. Every few thousand patients the partial file is flushed and a
 * checkpoint (`<out>.checkpoint.json`) records the last patient and the byte length, so an interrupted screen run
 * again with the same arguments truncates the partial file to the checkpoint and goes on after that patient. The
 * projection lives in a work database (`<out>.work.duckdb`) that a resumed run reuses instead of rescanning.
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  ftruncateSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { availableParallelism } from 'node:os';
import { SingleBar } from 'cli-progress';
import type { Engine } from '../engine/engine.ts';
import { assessBatch, engineAtCutOff, type BatchResult } from './assess-batch.ts';
import { AssessPool } from './assess-pool.ts';
import type { PatientInput, ScreenSource, SourceQuality } from './sources/source.ts';
import { codeTitlesOf, type CodeTitles } from './summary.ts';

export interface ScreenPaths {
  readonly out: string;
  readonly partial: string;
  readonly checkpoint: string;
  readonly workDb: string;
  readonly meta: string;
}

export function screenPaths(out: string): ScreenPaths {
  return {
    out,
    partial: `${out}.partial`,
    checkpoint: `${out}.checkpoint.json`,
    workDb: `${out}.work.duckdb`,
    meta: `${out}.meta.json`,
  };
}

/**
 * What must match for a checkpoint to be resumed, and between shards to be merged: everything that decides the
 * output (the CLI builds it: src/cli/commands/screen.ts runIdentity).
 */
export interface RunIdentity {
  /** The source, with the schema its tables are read from. */
  readonly source: string;
  readonly asOf: string;
  readonly pathway: { readonly id: string; readonly version: string };
  /** The program's version, and the pathway file's hash when one is given. */
  readonly engine: string;
  readonly shard: string;
  readonly cutOffs: readonly number[];
}

/**
 * What differs between two run identities but the shard's own number, in words (the values where they are short), so
 * that a refused merge says which shard was screened otherwise and how, and a rerun that cannot resume says why: a
 * source copied to each machine with other modification times is not the same source, nor is a run with other
 * cut-offs.
 */
export function identityDifferences(a: RunIdentity, b: RunIdentity): string[] {
  const both = (x: unknown, y: unknown): string => `${JSON.stringify(x)} and ${JSON.stringify(y)}`;
  const out: string[] = [];
  if (a.source !== b.source)
    out.push("the source (its path, and for NDJSON each file's size and modification time; the database and schema)");
  if (a.asOf !== b.asOf) out.push(`the as-of date (${both(a.asOf, b.asOf)})`);
  if (JSON.stringify(a.pathway) !== JSON.stringify(b.pathway))
    out.push(`the pathway (${both(`${a.pathway.id} ${a.pathway.version}`, `${b.pathway.id} ${b.pathway.version}`)})`);
  if (a.engine !== b.engine) out.push('the trd version or the --pathway file');
  if (JSON.stringify(a.cutOffs) !== JSON.stringify(b.cutOffs)) out.push(`the cut-offs (${both(a.cutOffs, b.cutOffs)})`);
  const countOf = (shard: string): string => shard.split('/')[1] ?? shard;
  if (countOf(a.shard) !== countOf(b.shard))
    out.push(`the number of shards (${both(Number(countOf(a.shard)), Number(countOf(b.shard)))})`);
  return out;
}

interface Checkpoint {
  readonly schema: 'precision-trd/screen-checkpoint@1';
  readonly identity: RunIdentity;
  /** The source's fingerprint when the run began (ScreenSource.prepare): a resume from changed data starts afresh. */
  readonly source?: string;
  readonly lastKey?: string;
  readonly bytes: number;
  readonly patients: number;
}

/** Beside `--out`: what was screened, how, and the source's data-quality counts (merge and report read it). */
export interface ScreenMeta {
  readonly schema: 'precision-trd/screen-meta@1';
  /** The source kind, which fixes the patient order (merge.ts). */
  readonly kind: ScreenSource['kind'];
  readonly identity: RunIdentity;
  /**
   * The CRP cut-off of the pathway screened with (the bundled one or `--pathway`), which the report counts the
   * recommendation's referable patients at and flags [U] when unverified; absent from an earlier version's output.
   */
  readonly pathwayCutOff?: { readonly mgPerL: number; readonly verified: boolean };
  /** The adequate antidepressant trials the pathway requires for treatment resistance (the funnel's stage label). */
  readonly requiredTrials?: { readonly value: number; readonly verified: boolean };
  /** The titles of the codes the report counts, from the pathway screened with; absent from an earlier version's. */
  readonly titles?: CodeTitles;
  readonly patients: number;
  readonly quality: SourceQuality;
  readonly notAssessed: number;
}

/**
 * Where to start: a checkpoint of the same run resumes; anything else starts afresh, removing the leftovers of
 * another run (partial output, work database), which are never mistaken for this run's.
 */
export function startingPoint(paths: ScreenPaths, identity: RunIdentity): Checkpoint | undefined {
  if (existsSync(paths.checkpoint)) {
    try {
      const c = JSON.parse(readFileSync(paths.checkpoint, 'utf8')) as Checkpoint;
      if (
        c.schema === 'precision-trd/screen-checkpoint@1' &&
        JSON.stringify(c.identity) === JSON.stringify(identity) &&
        existsSync(paths.partial)
      ) {
        return c;
      }
    } catch {
      // An unreadable checkpoint is no checkpoint: start afresh.
    }
  }
  for (const p of [paths.partial, paths.checkpoint]) rmSync(p, { force: true });
  removeWork(paths);
  return undefined;
}

function writeCheckpoint(paths: ScreenPaths, c: Checkpoint): void {
  writeFileSync(`${paths.checkpoint}.tmp`, JSON.stringify(c));
  renameSync(`${paths.checkpoint}.tmp`, paths.checkpoint);
}

export interface RunOptions {
  /** Opened after the starting point is settled (a fresh run first removes an old work database). */
  readonly openSource: () => Promise<ScreenSource>;
  readonly paths: ScreenPaths;
  readonly identity: RunIdentity;
  readonly engine: Engine;
  readonly asOf: string;
  readonly cutOffs?: readonly number[];
  /** Show a progress bar with an ETA (only on a terminal). */
  readonly progress?: boolean;
  readonly checkpointEvery?: number;
  /**
   * Worker threads that run the engine (0: the screen's own thread; 'auto': one per core but one, which is left to
   * this thread and DuckDB reading the source, when the population is large enough to repay a worker's start);
   * each builds its engine from `pathwayFile`. Measured on 2 cores: one worker overlaps the engine with the reading
   * at no extra CPU, two cost more CPU than they save (bench/screen.ts).
   */
  readonly workers?: number | 'auto';
  /** The pathway file the engine was built from (`--pathway`), absent for the bundled one. */
  readonly pathwayFile?: string;
  /** Files of an earlier run this run replaces besides `--out` and its `.meta.json` (the `--report`). */
  readonly replaces?: readonly string[];
  /** Stop after this many patients as if interrupted (tests of resumption). */
  readonly stopAfter?: number;
  /**
   * Aborted by an interruption (Ctrl-C, SIGTERM: the CLI's handler): the run stops before the next patient read,
   * screens and writes the patients already read, records a checkpoint of everything written and returns incomplete.
   */
  readonly signal?: AbortSignal;
}

export interface RunOutcome {
  readonly patients: number;
  readonly resumedAfter?: string;
  /** A checkpoint was found, but the source had changed since (its fingerprint): the run started afresh. */
  readonly sourceChanged?: true;
  /**
   * An interrupted run into the same `--out` was screened otherwise (another as-of date, cut-offs, source files ...):
   * what differed. Its work was discarded and this run started afresh, which the summary line says.
   */
  readonly interruptedOtherwise?: readonly string[];
  readonly completed: boolean;
  /** Interrupted before the projection was done: no patient read, and the next run projects again. */
  readonly duringProjection?: true;
  readonly meta?: ScreenMeta;
}

/**
 * What the interrupted run left in `--out` (a checkpoint and partial output) was screened otherwise than this run:
 * what differs, in words (identityDifferences; the shard too), or undefined when there is none or it is this run's.
 */
function interruptedOtherwise(paths: ScreenPaths, identity: RunIdentity): string[] | undefined {
  if (!existsSync(paths.checkpoint) || !existsSync(paths.partial)) return undefined;
  let earlier: RunIdentity;
  try {
    earlier = (JSON.parse(readFileSync(paths.checkpoint, 'utf8')) as Checkpoint).identity;
  } catch {
    return undefined;
  }
  const differ = identityDifferences(earlier, identity);
  if (differ.length === 0 && earlier.shard !== identity.shard)
    differ.push(`the shard (${JSON.stringify(earlier.shard)} and ${JSON.stringify(identity.shard)})`);
  return differ.length === 0 ? undefined : differ;
}

export async function runScreen(o: RunOptions): Promise<RunOutcome> {
  const otherwise = interruptedOtherwise(o.paths, o.identity);
  const start = startingPoint(o.paths, o.identity);
  let outcome: RunOutcome;
  try {
    const source = await o.openSource();
    try {
      outcome = await screenFrom(source, start, o);
    } finally {
      await source.close();
    }
  } catch (error) {
    // Before the first checkpoint there is nothing to resume: leave no work database behind.
    if (!existsSync(o.paths.checkpoint)) removeWork(o.paths);
    throw error;
  }
  // An interrupted first projection leaves nothing to resume either (its partial tables are projected again).
  if (outcome.completed || (outcome.duringProjection === true && !existsSync(o.paths.checkpoint))) removeWork(o.paths);
  return otherwise === undefined ? outcome : { ...outcome, interruptedOtherwise: otherwise };
}

function removeWork(paths: ScreenPaths): void {
  for (const p of [paths.workDb, `${paths.workDb}.wal`]) rmSync(p, { force: true });
  // DuckDB's spill folder (<database>.tmp): removed when DuckDB closes, left by a process that was killed (Ctrl-C).
  rmSync(`${paths.workDb}.tmp`, { recursive: true, force: true });
}

/** Patients per batch handed to the engine (a worker thread's unit of work). */
const BATCH = 256;
/**
 * A batch also ends at this much resource text (NDJSON): 256 Synthea-size records are hundreds of megabytes, and up to
 * two batches per worker are in flight.
 */
const BATCH_BYTES = 4 << 20;
/** Below this many patients to screen, worker threads cost more to start than they save. */
const AUTO_WORKERS_FROM = 10_000;

async function screenFrom(source: ScreenSource, resume: Checkpoint | undefined, o: RunOptions): Promise<RunOutcome> {
  // An interruption cuts the source's query in progress short (a long projection need not end first); the query then
  // throws, which below reads as the interruption it is.
  const interruptSource = (): void => source.interrupt?.();
  o.signal?.addEventListener('abort', interruptSource, { once: true });
  try {
    return await screenFromPrepared(source, resume, o);
  } finally {
    o.signal?.removeEventListener('abort', interruptSource);
  }
}

async function screenFromPrepared(
  source: ScreenSource,
  resume: Checkpoint | undefined,
  o: RunOptions,
): Promise<RunOutcome> {
  let prepared: Awaited<ReturnType<ScreenSource['prepare']>> | undefined;
  try {
    // Interrupted while the source opened: the projection is not begun.
    if (o.signal?.aborted !== true) prepared = await source.prepare();
  } catch (error) {
    // Interrupted before the projection was done: nothing is written, and the next run projects again.
    if (o.signal?.aborted !== true) throw error;
  }
  if (prepared === undefined) {
    return {
      patients: resume?.patients ?? 0,
      completed: false,
      duringProjection: true,
      ...(resume?.lastKey === undefined ? {} : { resumedAfter: resume.lastKey }),
    };
  }
  const { patients: total, quality, fingerprint } = prepared;
  // A database screened live is read again from where the run stopped: had it been reloaded since, the output would
  // join two versions of the data. Such a run starts afresh, and says so.
  const sourceChanged = resume !== undefined && resume.source !== fingerprint;
  const start = sourceChanged ? undefined : resume;
  const cutOffEngines = (o.cutOffs ?? []).map((c) => [String(c), engineAtCutOff(o.engine, c)] as const);
  const workers =
    o.workers === 'auto'
      ? total - (start?.patients ?? 0) >= AUTO_WORKERS_FROM && availableParallelism() > 1
        ? Math.min(availableParallelism() - 1, 8)
        : 0
      : Math.max(0, Math.trunc(o.workers ?? 0));
  const pool =
    workers === 0
      ? undefined
      : new AssessPool(workers, {
          ...(o.pathwayFile === undefined ? {} : { pathway: o.pathwayFile }),
          expected: o.engine.pathway,
          cutOffs: o.cutOffs ?? [],
          asOf: o.asOf,
        });
  const fd = openSync(o.paths.partial, start === undefined ? 'w' : 'r+');
  let bytes = start?.bytes ?? 0;
  let done = start?.patients ?? 0;
  let lastKey = start?.lastKey;
  let notAssessed = 0;
  const checkpoint = (): Checkpoint => ({
    schema: 'precision-trd/screen-checkpoint@1',
    identity: o.identity,
    ...(fingerprint === undefined ? {} : { source: fingerprint }),
    ...(lastKey === undefined ? {} : { lastKey }),
    bytes,
    patients: done,
  });
  ftruncateSync(fd, bytes);
  if (start === undefined) {
    // The earlier run's result would be replaced at the end; left beside this run's partial output until then, it
    // would pass for this run's result should this one be interrupted. Removed only now, once the source is read:
    // a run refused before it writes anything leaves it as it was.
    for (const p of [o.paths.out, o.paths.meta, ...(o.replaces ?? [])]) rmSync(p, { force: true });
    writeCheckpoint(o.paths, checkpoint());
  }
  const bar =
    o.progress === true && process.stderr.isTTY === true
      ? new SingleBar({
          stream: process.stderr,
          format: 'screen |{bar}| {percentage}% | {value}/{total} patients | {speed}/s | ETA {eta_formatted}',
          etaBuffer: 5000,
          fps: 5,
        })
      : undefined;
  bar?.start(total, done, { speed: 0 });
  const started = performance.now();
  const every = o.checkpointEvery ?? 5000;
  let sinceCheckpoint = 0;
  // Batches in the source's order; at most two per worker in flight, so memory stays bounded (backpressure).
  const inFlight: { result: Promise<BatchResult>; lastKey: string; count: number }[] = [];
  const maxInFlight = Math.max(1, workers * 2);
  const send = (batch: PatientInput[], key: string): void => {
    const result =
      pool === undefined ? Promise.resolve(assessBatch(o.engine, cutOffEngines, o.asOf, batch)) : pool.assess(batch);
    result.catch(() => undefined); // awaited below in order; this only keeps an early failure from going unhandled
    inFlight.push({ result, lastKey: key, count: batch.length });
  };
  const writeOldest = async (): Promise<void> => {
    const next = inFlight.shift();
    if (next === undefined) return;
    const r = await next.result;
    bytes += writeSync(fd, r.text, bytes);
    notAssessed += r.notAssessed;
    done += next.count;
    lastKey = next.lastKey;
    sinceCheckpoint += next.count;
    if (sinceCheckpoint >= every) {
      sinceCheckpoint = 0;
      fsyncSync(fd);
      writeCheckpoint(o.paths, checkpoint());
      bar?.update(done, { speed: Math.round(done / ((performance.now() - started) / 1000)) });
    }
  };
  let completed = false;
  let sent = done;
  try {
    let batch: PatientInput[] = [];
    let batchBytes = 0;
    let batchKey = '';
    const stopped = (): boolean => (o.stopAfter !== undefined && sent >= o.stopAfter) || o.signal?.aborted === true;
    // An interruption once the projection is done stops here, before the first patient is read.
    completed = !stopped();
    try {
      for await (const input of completed ? source.patients(start?.lastKey) : []) {
        if (stopped()) {
          completed = false;
          break;
        }
        batch.push(input);
        batchBytes += input.resourcesJson?.length ?? 0;
        batchKey = input.key;
        sent++;
        if (batch.length >= BATCH || batchBytes >= BATCH_BYTES) {
          send(batch, batchKey);
          batch = [];
          batchBytes = 0;
          while (inFlight.length >= maxInFlight) await writeOldest();
        }
      }
    } catch (error) {
      // The source's query cut short by the interruption (an OMOP projection is read as it runs): the patients read
      // so far are written and checkpointed below, as at any other stop.
      if (o.signal?.aborted !== true) throw error;
      completed = false;
    }
    if (batch.length > 0) send(batch, batchKey);
    while (inFlight.length > 0) await writeOldest();
    fsyncSync(fd);
  } finally {
    closeSync(fd);
    bar?.stop();
    await pool?.close();
  }
  if (!completed) {
    writeCheckpoint(o.paths, checkpoint());
    return {
      patients: done,
      completed: false,
      ...(start?.lastKey === undefined ? {} : { resumedAfter: start.lastKey }),
      ...(sourceChanged ? { sourceChanged } : {}),
    };
  }
  const meta: ScreenMeta = {
    schema: 'precision-trd/screen-meta@1',
    kind: source.kind,
    identity: o.identity,
    pathwayCutOff: {
      mgPerL: o.engine.knowledge.pathway.definitions.inflammation.cutOff.value,
      verified: o.engine.knowledge.pathway.definitions.inflammation.cutOff.verified,
    },
    requiredTrials: {
      value: o.engine.knowledge.pathway.definitions.adequacy.requiredTrials.value,
      verified: o.engine.knowledge.pathway.definitions.adequacy.requiredTrials.verified,
    },
    titles: codeTitlesOf(o.engine.knowledge.pathway),
    patients: done,
    quality,
    notAssessed: notAssessed + (start === undefined ? 0 : countNotAssessedBefore(o.paths.partial, start.bytes)),
  };
  writeFileSync(o.paths.meta, `${JSON.stringify(meta, null, 2)}\n`);
  renameSync(o.paths.partial, o.paths.out);
  rmSync(o.paths.checkpoint, { force: true });
  return {
    patients: done,
    completed: true,
    meta,
    ...(start?.lastKey === undefined ? {} : { resumedAfter: start.lastKey }),
    ...(sourceChanged ? { sourceChanged } : {}),
  };
}

/** Patients not assessed in the part written before a resume (counted again from the lines themselves). */
function countNotAssessedBefore(partial: string, bytes: number): number {
  const text = readFileSync(partial).subarray(0, bytes).toString('utf8');
  let n = 0;
  for (const line of text.split('\n')) if (line.includes('"error":')) n++;
  return n;
}
