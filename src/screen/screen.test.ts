/**
 * The screen's run on a small population: sharded runs merged equal the unsharded output byte for byte; an
 * interrupted run leaves no `--out` and resumes to the same output; malformed lines are counted, located and do not
 * stop the screen; a missing folder, an unreadable file and an unreachable database give one clear InputError.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { constants as zlibConstants, gzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { InputError } from '../record/index.ts';
import { AS_OF, readLines, writePopulation, type Population } from './fixtures.test-support.ts';
import { mergeShards } from './merge.ts';
import type { ScreenLine } from './result-line.ts';
import { runScreen, screenPaths, startingPoint, type RunIdentity } from './run.ts';
import { openNdjsonSource } from './sources/ndjson.ts';
import { duckDbRunner, openOmopSource } from './sources/omop.ts';
import { OMOP_TABLES } from './sources/omop-schema.ts';
import { postgresRunner } from './sources/postgres.ts';
import type { Shard } from './sources/source.ts';
import { summarize } from './report-file.ts';
import { renderScreenReport } from './report-html.ts';

let pop: Population;

before(async () => {
  pop = await writePopulation(1500, 4242);
});

after(() => rmSync(pop.dir, { recursive: true, force: true }));

function identity(shard: Shard | undefined, source = pop.ndjson): RunIdentity {
  return {
    source,
    asOf: AS_OF,
    pathway: pop.engine.pathway,
    engine: 'test',
    shard: shard === undefined ? '1/1' : `${shard.index + 1}/${shard.count}`,
    cutOffs: [],
  };
}

async function screenNdjson(
  out: string,
  o: {
    shard?: Shard;
    dir?: string;
    stopAfter?: number;
    workers?: number;
    bytesPerRange?: number;
    identity?: RunIdentity;
    replaces?: string[];
  } = {},
) {
  const paths = screenPaths(out);
  const dir = o.dir ?? pop.ndjson;
  return runScreen({
    openSource: () =>
      openNdjsonSource({
        dir,
        knowledge: pop.engine.knowledge,
        workDb: paths.workDb,
        ...(o.shard === undefined ? {} : { shard: o.shard }),
        ...(o.bytesPerRange === undefined ? {} : { bytesPerRange: o.bytesPerRange }),
      }),
    paths,
    identity: o.identity ?? identity(o.shard, dir),
    engine: pop.engine,
    asOf: AS_OF,
    checkpointEvery: 200,
    ...(o.workers === undefined ? {} : { workers: o.workers }),
    ...(o.stopAfter === undefined ? {} : { stopAfter: o.stopAfter }),
    ...(o.replaces === undefined ? {} : { replaces: o.replaces }),
  });
}

test("an earlier run's --out, .meta.json and report are gone once a new run starts writing: never beside its partial", async () => {
  const out = join(pop.dir, 'earlier.ndjson');
  const paths = screenPaths(out);
  const report = join(pop.dir, 'earlier.html');
  assert.equal((await screenNdjson(out)).completed, true);
  writeFileSync(report, '<html>the earlier run</html>');
  // The same --out for another run (another as-of date), interrupted.
  const other = { ...identity(undefined), asOf: '2026-11-20' };
  const stopped = await screenNdjson(out, { identity: other, stopAfter: 300, replaces: [report] });
  assert.equal(stopped.completed, false);
  assert.equal(existsSync(out), false, 'no --out of the earlier run beside the new partial');
  assert.equal(existsSync(paths.meta), false);
  assert.equal(existsSync(report), false);
  assert.ok(existsSync(paths.partial));
  // A run that fails before it writes anything (here: an export with no NDJSON file) leaves an earlier result alone.
  const finished = join(pop.dir, 'kept.ndjson');
  await screenNdjson(finished);
  const empty = join(pop.dir, 'no-export');
  mkdirSync(empty);
  await assert.rejects(screenNdjson(finished, { dir: empty, identity: { ...identity(undefined), source: empty } }));
  assert.ok(existsSync(finished) && existsSync(screenPaths(finished).meta));
});

test('sharded runs merged give the unsharded output, byte for byte', async () => {
  const whole = join(pop.dir, 'whole.ndjson');
  await screenNdjson(whole);
  const shards = [0, 1, 2].map((index) => join(pop.dir, `shard-${index}.ndjson`));
  const sizes: number[] = [];
  for (const [index, out] of shards.entries()) {
    const outcome = await screenNdjson(out, { shard: { index, count: 3 } });
    sizes.push(outcome.patients);
  }
  assert.equal(
    sizes.reduce((a, b) => a + b, 0),
    1500,
  );
  assert.ok(
    sizes.every((n) => n > 300),
    `shards are balanced: ${sizes.join(', ')}`,
  );
  const merged = join(pop.dir, 'merged.ndjson');
  await mergeShards([shards[2], shards[0], shards[1]] as string[], merged);
  assert.ok(readFileSync(merged).equals(readFileSync(whole)), 'merged output equals the unsharded output');
  await assert.rejects(
    mergeShards([shards[0], shards[1]] as string[], join(pop.dir, 'm2.ndjson')),
    /^InputError: shard 3\/3 is missing \(1 of 3\)$/,
  );
  await assert.rejects(
    mergeShards([shards[0], shards[0], shards[1]] as string[], join(pop.dir, 'm3.ndjson')),
    /given twice/,
  );
  // A merged output is not a shard: named as such, not as a screen of another run.
  await assert.rejects(
    mergeShards([merged], join(pop.dir, 'm5.ndjson')),
    (e: unknown) => e instanceof InputError && e.message === `${merged}: a merged output, not the output of one shard`,
  );
  // A shard output cut short (whole lines, or mid-line) is refused, naming the shard; no merged output.
  const text = readFileSync(shards[1] as string, 'utf8');
  const cut = join(pop.dir, 'cut.ndjson');
  cpSync(`${shards[1]}.meta.json`, `${cut}.meta.json`);
  const wholeLines = text.split('\n').slice(0, 100).join('\n');
  for (const [content, reason] of [
    [`${wholeLines}\n`, `${cut}: 100 patients, but ${cut}.meta.json says ${sizes[1]}`],
    [wholeLines.slice(0, -20), `${cut}:100: not a screen result line`],
  ] as const) {
    writeFileSync(cut, content);
    const m4 = join(pop.dir, 'm4.ndjson');
    await assert.rejects(
      mergeShards([shards[0], cut, shards[2]] as string[], m4),
      (e: unknown) => e instanceof InputError && e.message.startsWith(reason),
    );
    assert.equal(existsSync(m4) || existsSync(`${m4}.partial`), false);
  }
  // An earlier merge into the same --out is gone once this merge starts writing: a merge refused midway (or
  // interrupted) leaves nothing that passes for its result.
  const again = join(pop.dir, 'again.ndjson');
  const againReport = join(pop.dir, 'again.html');
  await mergeShards(shards, again);
  writeFileSync(againReport, '<html>the earlier merge</html>');
  writeFileSync(cut, `${wholeLines}\n`);
  await assert.rejects(mergeShards([shards[0], cut, shards[2]] as string[], again, [againReport]), /patients, but/);
  for (const f of [again, screenPaths(again).meta, againReport, `${again}.partial`]) {
    assert.equal(existsSync(f), false, `${f} is left`);
  }
});

test('shards of different screens are refused, naming the shard and what differs', async () => {
  const identity: RunIdentity = {
    source: 'export/Patient.ndjson|100|1',
    asOf: AS_OF,
    pathway: { id: 'trd-il6-candidacy', version: '1.1.7' },
    engine: 'precision-trd 0.1.0',
    shard: '1/2',
    cutOffs: [1, 2],
  };
  const shardOut = (name: string, over: Partial<RunIdentity>): string => {
    const out = join(pop.dir, name);
    writeFileSync(out, '');
    const meta = { schema: 'precision-trd/screen-meta@1', kind: 'ndjson', identity: { ...identity, ...over } };
    writeFileSync(screenPaths(out).meta, JSON.stringify(meta));
    return out;
  };
  const one = shardOut('differ-1.ndjson', {});
  const other = shardOut('differ-2.ndjson', {
    shard: '2/2',
    source: 'export/Patient.ndjson|100|2',
    cutOffs: [1],
    asOf: '2026-11-26',
  });
  await assert.rejects(
    mergeShards([one, other], join(pop.dir, 'differ-merged.ndjson')),
    (e: unknown) =>
      e instanceof InputError &&
      e.message ===
        `${other} and ${one} come from different screens: the source (its path, and for NDJSON each file's size and modification time; the database and schema); the as-of date ("${AS_OF}" and "2026-11-26"); the cut-offs ([1,2] and [1]) differ`,
  );
  const three = shardOut('differ-3.ndjson', { shard: '2/3' });
  await assert.rejects(
    mergeShards([one, three], join(pop.dir, 'differ-merged.ndjson')),
    /differ-3\.ndjson and .*differ-1\.ndjson come from different screens: the number of shards \(2 and 3\) differ$/,
  );
});

test('patients handed out in sorted ranges give the same output, interrupted mid-range or not', async () => {
  const whole = join(pop.dir, 'whole-ranges.ndjson');
  await screenNdjson(whole);
  const ranged = join(pop.dir, 'ranged.ndjson');
  await screenNdjson(ranged, { bytesPerRange: 40_000 });
  assert.ok(readFileSync(ranged).equals(readFileSync(whole)), 'ranges of 40,000 bytes: the same output');
  const out = join(pop.dir, 'ranged-resumed.ndjson');
  assert.equal((await screenNdjson(out, { bytesPerRange: 40_000, stopAfter: 500, workers: 0 })).completed, false);
  assert.equal((await screenNdjson(out, { bytesPerRange: 40_000 })).completed, true);
  assert.ok(readFileSync(out).equals(readFileSync(whole)), 'resumed inside a range: the same output');
});

test('an interrupted screen leaves no --out file and resumes to the same output (worker threads or not)', async () => {
  const whole = join(pop.dir, 'whole-2.ndjson');
  await screenNdjson(whole);
  const out = join(pop.dir, 'resumed.ndjson');
  const paths = screenPaths(out);
  const first = await screenNdjson(out, { stopAfter: 650, workers: 2 });
  assert.equal(first.completed, false);
  assert.equal(first.patients, 650, 'stopped exactly where asked');
  assert.equal(existsSync(out), false, 'no --out before the end');
  assert.ok(existsSync(paths.partial) && existsSync(paths.checkpoint) && existsSync(paths.workDb));
  // A torn write after the checkpoint: the resumed run truncates it away.
  appendFileSync(paths.partial, '{"patient":"Patient/torn');
  const second = await screenNdjson(out);
  assert.equal(second.completed, true);
  assert.equal(second.resumedAfter !== undefined, true, 'resumed after a patient');
  assert.ok(readFileSync(out).equals(readFileSync(whole)), 'resumed output equals an uninterrupted run');
  assert.equal(existsSync(paths.partial) || existsSync(paths.checkpoint) || existsSync(paths.workDb), false);
});

test('the spill folder a killed screen left beside its work database goes with it at the end', async () => {
  const out = join(pop.dir, 'killed.ndjson');
  const paths = screenPaths(out);
  assert.equal((await screenNdjson(out, { stopAfter: 300, workers: 0 })).completed, false);
  // DuckDB spills to <database>.tmp and removes it when it closes; a process killed (Ctrl-C) leaves it.
  const spill = `${paths.workDb}.tmp`;
  mkdirSync(spill, { recursive: true });
  writeFileSync(join(spill, 'duckdb_temp_storage_DEFAULT-0.tmp'), 'x'.repeat(4096));
  assert.equal((await screenNdjson(out)).completed, true);
  assert.equal(existsSync(spill), false, 'no <out>.work.duckdb.tmp left');
});

test('a checkpoint of another run (here another schema) is not resumed: the run starts afresh', async () => {
  const whole = join(pop.dir, 'whole-identity.ndjson');
  await screenNdjson(whole);
  const out = join(pop.dir, 'other-identity.ndjson');
  const a = { ...identity(undefined), source: `${pop.ndjson} schema a` };
  const b = { ...identity(undefined), source: `${pop.ndjson} schema b` };
  assert.equal((await screenNdjson(out, { identity: a, stopAfter: 400, workers: 0 })).completed, false);
  assert.equal(startingPoint(screenPaths(out), a)?.patients, 400, 'the same run resumes');
  const second = await screenNdjson(out, { identity: b });
  assert.equal(second.completed, true);
  assert.equal(second.resumedAfter, undefined, 'not resumed');
  assert.equal(second.patients, 1500);
  assert.ok(readFileSync(out).equals(readFileSync(whole)));
  // The rerun says why the interrupted run's work was not resumed, so that hours of screening are not lost unseen.
  assert.deepEqual(second.interruptedOtherwise, [
    "the source (its path, and for NDJSON each file's size and modification time; the database and schema)",
  ]);
  const cutOffs = { ...a, cutOffs: [1], shard: '1/1' };
  assert.equal((await screenNdjson(out, { identity: a, stopAfter: 400, workers: 0 })).completed, false);
  const third = await screenNdjson(out, { identity: cutOffs, stopAfter: 200, workers: 0 });
  assert.deepEqual(third.interruptedOtherwise, ['the cut-offs ([] and [1])']);
  // The same command resumes, and has nothing to say.
  const fourth = await screenNdjson(out, { identity: cutOffs });
  assert.equal(fourth.resumedAfter !== undefined && fourth.interruptedOtherwise === undefined, true);
});

test('malformed lines are counted and located by file and line; the screen goes on', async () => {
  const dir = join(pop.dir, 'dirty');
  cpSync(pop.ndjson, dir, { recursive: true });
  const observations = join(dir, 'Observation.ndjson');
  const lineCount = readFileSync(observations, 'utf8').split('\n').length - 1;
  appendFileSync(observations, '{"resourceType":"Observation","code":{"coding":[{"code":"30522-7"\n');
  appendFileSync(observations, 'not json at all\n');
  // Valid JSON, no pathway code, not a resource: judged by its raw text, still counted.
  appendFileSync(observations, '["an array", 1]\n');
  appendFileSync(join(dir, 'Condition.ndjson'), '{"resourceType":"Condition",\n');
  // A JSON object that is not a resource (no resourceType): counted, and located as well.
  appendFileSync(join(dir, 'Condition.ndjson'), '{"id":"no-type"}\n');
  // Windows line ends in one file, and a blank line: neither is a malformed line.
  const statements = join(dir, 'MedicationStatement.ndjson');
  writeFileSync(statements, `${readFileSync(statements, 'utf8').replace(/\n/g, '\r\n')}\r\n`);
  const out = join(pop.dir, 'dirty.ndjson');
  const outcome = await screenNdjson(out, { dir });
  assert.equal(outcome.completed, true);
  assert.equal(outcome.patients, 1500, 'every patient screened');
  const q = outcome.meta?.quality;
  assert.equal(q?.malformedLines, 5);
  const conditionLines = readFileSync(join(dir, 'Condition.ndjson'), 'utf8').split('\n').length - 1;
  assert.deepEqual(
    q?.malformedAt.map((m) => `${m.file.slice(dir.length + 1)}:${m.line}`),
    [
      `Condition.ndjson:${conditionLines - 1}`,
      `Condition.ndjson:${conditionLines}`,
      `Observation.ndjson:${lineCount + 1}`,
      `Observation.ndjson:${lineCount + 2}`,
      `Observation.ndjson:${lineCount + 3}`,
    ],
  );
  const clean = readLines<ScreenLine>(join(pop.dir, 'whole.ndjson'));
  assert.deepEqual(readLines<ScreenLine>(out), clean, 'the malformed lines changed no decision');
  const summary = await summarize(out, outcome.meta as never, 3);
  assert.equal(summary.dataQuality.malformedLines, 5);
  const html = await renderScreenReport(summary, {
    asOf: AS_OF,
    pathway: pop.engine.pathway,
    source: 'test',
    defaultCutOffMgPerL: 3,
    defaultCutOffVerified: true,
    requiredTrials: { value: 2, verified: true },
  });
  assert.match(html, /<svg/);
  assert.match(html, /Malformed lines \(not a JSON object, not UTF-8 text, or too long; skipped\)<\/td><td>5</);
  assert.doesNotMatch(html, /Patient\//, 'the report names no patient');
});

test('a line that is not UTF-8 or is longer than 8 MiB is counted and located as malformed; the screen goes on', async () => {
  const dir = join(pop.dir, 'unreadable-lines');
  cpSync(pop.ndjson, dir, { recursive: true });
  const edit = (file: string, change: (lines: Buffer[]) => void): void => {
    const text = readFileSync(join(dir, file));
    const lines: Buffer[] = [];
    for (let at = 0; at < text.length;) {
      const end = text.indexOf(10, at);
      lines.push(text.subarray(at, end));
      at = end + 1;
    }
    change(lines);
    writeFileSync(join(dir, file), Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\n')])));
  };
  const latin1 = (line: Buffer): Buffer =>
    Buffer.concat([Buffer.from('{"note":"caf'), Buffer.from([0xe9]), Buffer.from('",'), line.subarray(1)]);
  const padded = (line: Buffer, bytes: number): Buffer =>
    Buffer.concat([Buffer.from(`{"pad":"${'x'.repeat(bytes)}",`), line.subarray(1)]);
  let crpLine = 0;
  let vitalLine = 0;
  edit('Observation.ndjson', (lines) => {
    crpLine = lines.findIndex((l) => l.includes('"1988-5"')) + 1;
    vitalLine = lines.findIndex((l) => !l.includes('"1988-5"')) + 1;
    lines[crpLine - 1] = latin1(lines[crpLine - 1] as Buffer);
    lines[vitalLine - 1] = latin1(lines[vitalLine - 1] as Buffer);
  });
  edit('Patient.ndjson', (lines) => {
    lines[2] = latin1(lines[2] as Buffer);
    lines[4] = padded(lines[4] as Buffer, 9 << 20);
    // 7 MiB: read whole, across the readers' buffer boundaries.
    lines[6] = padded(lines[6] as Buffer, 7 << 20);
  });
  const out = join(pop.dir, 'unreadable-lines.ndjson');
  const outcome = await screenNdjson(out, { dir });
  assert.equal(outcome.completed, true);
  const q = outcome.meta?.quality;
  assert.deepEqual(
    q?.malformedAt.map((m) => `${m.file.slice(dir.length + 1)}:${m.line} ${m.reason}`),
    [
      ...[crpLine, vitalLine].sort((a, b) => a - b).map((n) => `Observation.ndjson:${n} not UTF-8 text`),
      'Patient.ndjson:3 not UTF-8 text',
      'Patient.ndjson:5 longer than 8 MiB',
    ],
  );
  assert.equal(q?.malformedLines, 4);
  const clean = new Map(readLines<ScreenLine>(join(pop.dir, 'whole.ndjson')).map((l) => [l.patient, l]));
  const got = new Map(readLines<ScreenLine>(out).map((l) => [l.patient, l]));
  const patientOn = (n: number): string =>
    `Patient/${(JSON.parse(readFileSync(join(pop.ndjson, 'Patient.ndjson'), 'utf8').split('\n')[n - 1] as string) as { id: string }).id}`;
  assert.deepEqual(got.get(patientOn(7)), clean.get(patientOn(7)), 'the 7 MiB line is read');
  for (const n of [3, 5]) {
    // Without its Patient resource a patient is not assessed (or has no line, when nothing else names it).
    assert.ok([undefined, 'not-assessed'].includes(got.get(patientOn(n))?.recommendation.code), `line ${n}`);
  }
});

test('versioned and absolute references (Patient/id/_history/n) are read as the FHIR adapter reads them', async () => {
  const dir = join(pop.dir, 'versioned');
  cpSync(pop.ndjson, dir, { recursive: true });
  const rewrite = (file: string, change: (r: Record<string, unknown>) => void): void => {
    const lines = readFileSync(join(dir, file), 'utf8')
      .split('\n')
      .filter((l) => l !== '');
    const out = lines.map((l) => {
      const r = JSON.parse(l) as Record<string, unknown>;
      change(r);
      return JSON.stringify(r);
    });
    writeFileSync(join(dir, file), `${out.join('\n')}\n`);
  };
  const subject = (r: Record<string, unknown>): { reference: string } => r['subject'] as { reference: string };
  rewrite('Condition.ndjson', (r) => (subject(r).reference += '/_history/1'));
  rewrite('Observation.ndjson', (r) => {
    subject(r).reference = `https://ehr.example/fhir/${subject(r).reference}/_history/3`;
  });
  const medications: string[] = [];
  rewrite('MedicationRequest.ndjson', (r) => {
    const id = `med-${medications.length}`;
    medications.push(JSON.stringify({ resourceType: 'Medication', id, code: r['medicationCodeableConcept'] }));
    delete r['medicationCodeableConcept'];
    r['medicationReference'] = { reference: `Medication/${id}/_history/2` };
  });
  writeFileSync(join(dir, 'Medication.ndjson'), `${medications.join('\n')}\n`);
  const out = join(pop.dir, 'versioned.ndjson');
  const outcome = await screenNdjson(out, { dir });
  assert.equal(outcome.meta?.quality.withoutPatient, 0);
  assert.ok(readFileSync(out).equals(readFileSync(join(pop.dir, 'whole.ndjson'))), 'the same decisions');
});

test('merged shards count the data quality as the unsharded run: resources of no patient once', async () => {
  const dir = join(pop.dir, 'no-patient');
  cpSync(join(pop.dir, 'versioned'), dir, { recursive: true }); // with a Medication file
  appendFileSync(join(dir, 'Condition.ndjson'), '{"resourceType":"Condition","id":"orphan","code":{"text":"x"}}\n');
  appendFileSync(join(dir, 'Observation.ndjson'), 'not json\n');
  const whole = await screenNdjson(join(pop.dir, 'no-patient.ndjson'), { dir });
  assert.equal(whole.meta?.quality.withoutPatient, 1);
  const shards = [0, 1, 2].map((index) => join(pop.dir, `no-patient-${index}.ndjson`));
  for (const [index, out] of shards.entries()) await screenNdjson(out, { dir, shard: { index, count: 3 } });
  const merged = await mergeShards(shards, join(pop.dir, 'no-patient-merged.ndjson'));
  assert.deepEqual(merged.quality, whole.meta?.quality);
});

test('gzip-compressed NDJSON (.ndjson.gz) gives the same output as plain NDJSON', async () => {
  const dir = join(pop.dir, 'gz');
  mkdirSync(dir);
  for (const f of readdirSync(pop.ndjson).filter((x) => x.endsWith('.ndjson'))) {
    writeFileSync(join(dir, `${f}.gz`), gzipSync(readFileSync(join(pop.ndjson, f)), { level: 1 }));
  }
  const plain = join(pop.dir, 'plain-for-gz.ndjson');
  await screenNdjson(plain);
  const out = join(pop.dir, 'gz.ndjson');
  await screenNdjson(out, { dir });
  assert.ok(readFileSync(out).equals(readFileSync(plain)));
});

test('a truncated .ndjson.gz (cut at a flush point or mid-line) is an unreadable file; no output, no work files', async () => {
  const text = readFileSync(join(pop.ndjson, 'Observation.ndjson'), 'utf8');
  const lines = text.split('\n');
  const half = `${lines.slice(0, lines.length >> 1).join('\n')}\n`;
  const whole = gzipSync(text);
  for (const [name, gz] of [
    // No trailer, ends where a flush left whole lines: DuckDB's own reader takes it as the whole file.
    ['flush', gzipSync(half, { finishFlush: zlibConstants.Z_SYNC_FLUSH })],
    ['mid-line', whole.subarray(0, whole.length >> 1)],
  ] as const) {
    const dir = join(pop.dir, `gz-${name}`);
    cpSync(pop.ndjson, dir, { recursive: true });
    rmSync(join(dir, 'Observation.ndjson'));
    writeFileSync(join(dir, 'Observation.ndjson.gz'), gz);
    const out = join(pop.dir, `gz-${name}.ndjson`);
    await assert.rejects(
      screenNdjson(out, { dir }),
      (e: unknown) =>
        e instanceof InputError &&
        e.message ===
          `cannot read ${join(dir, 'Observation.ndjson.gz')}: not a complete gzip file (unexpected end of file)`,
    );
    const paths = screenPaths(out);
    assert.deepEqual(
      [paths.out, paths.partial, paths.meta, paths.workDb].filter((p) => existsSync(p)),
      [],
      `${name}: no output and no work database left`,
    );
  }
});

/** The OMOP DuckDB file screened (a shard of it, stopped early or not), as the CLI opens it. */
async function screenOmop(file: string, out: string, o: { shard?: Shard; stopAfter?: number } = {}) {
  return runScreen({
    openSource: async () =>
      openOmopSource({
        runner: await duckDbRunner(file),
        knowledge: pop.engine.knowledge,
        asOf: AS_OF,
        ...(o.shard === undefined ? {} : { shard: o.shard }),
      }),
    paths: screenPaths(out),
    identity: identity(o.shard, file),
    engine: pop.engine,
    asOf: AS_OF,
    checkpointEvery: 200,
    workers: 0,
    ...(o.stopAfter === undefined ? {} : { stopAfter: o.stopAfter }),
  });
}

test('OMOP person_ids above 2^53 keep every digit: screened, resumed and merged in order', async () => {
  const file = join(pop.dir, 'big-ids.duckdb');
  cpSync(pop.omopDuckDb, file);
  const shift = 9_007_199_254_740_000n; // ids 0..1499 become 2^53 - 992 .. 2^53 + 507
  const db = await DuckDBInstance.create(file);
  const c = await db.connect();
  for (const [table, columns] of Object.entries(OMOP_TABLES)) {
    if (columns.some(([name]) => name === 'person_id'))
      await c.run(`UPDATE ${table} SET person_id = person_id + ${shift}`);
  }
  c.closeSync();
  db.closeSync();
  const plain = join(pop.dir, 'omop-plain.ndjson');
  await screenOmop(pop.omopDuckDb, plain);
  const expected = readLines<ScreenLine>(plain).map((l) => ({
    ...l,
    patient: `Patient/${BigInt(l.patient.slice(8)) + shift}`,
  }));
  const whole = join(pop.dir, 'omop-big.ndjson');
  assert.equal((await screenOmop(file, whole)).patients, 1500);
  assert.deepEqual(readLines<ScreenLine>(whole), expected, 'every person, with the exact id, in id order');
  const resumed = join(pop.dir, 'omop-big-resumed.ndjson');
  assert.equal((await screenOmop(file, resumed, { stopAfter: 1000 })).completed, false);
  const again = await screenOmop(file, resumed);
  assert.equal(again.resumedAfter, String(shift + 999n), 'after person 1000 (ids from 0), above 2^53');
  assert.ok(readFileSync(resumed).equals(readFileSync(whole)), 'resumed after an id above 2^53');
  const shards = [0, 1].map((index) => join(pop.dir, `omop-big-${index}.ndjson`));
  for (const [index, out] of shards.entries()) await screenOmop(file, out, { shard: { index, count: 2 } });
  const merged = join(pop.dir, 'omop-big-merged.ndjson');
  await mergeShards(shards, merged);
  assert.ok(readFileSync(merged).equals(readFileSync(whole)), 'merged in person_id order');
});

test('an OMOP database changed between an interrupted screen and its resume: screened afresh, never two versions joined', async () => {
  const file = join(pop.dir, 'reloaded.duckdb');
  cpSync(pop.omopDuckDb, file);
  const out = join(pop.dir, 'omop-reloaded.ndjson');
  assert.equal((await screenOmop(file, out, { stopAfter: 600 })).completed, false);
  // The CDM reloaded meanwhile: every person's hs-CRP now 40 mg/L, an acute-phase value.
  const db = await DuckDBInstance.create(file);
  const c = await db.connect();
  await c.run('UPDATE measurement SET value_as_number = 40 WHERE value_as_number IS NOT NULL');
  await c.run('DELETE FROM measurement WHERE measurement_id % 7 = 0');
  c.closeSync();
  db.closeSync();
  const again = await screenOmop(file, out);
  assert.equal(again.sourceChanged, true);
  assert.equal(again.resumedAfter, undefined);
  const fresh = join(pop.dir, 'omop-reloaded-fresh.ndjson');
  assert.equal((await screenOmop(file, fresh)).sourceChanged, undefined);
  assert.ok(readFileSync(out).equals(readFileSync(fresh)), 'the output is the new data only');
  // Unchanged data resumes as before.
  const kept = join(pop.dir, 'omop-kept.ndjson');
  assert.equal((await screenOmop(file, kept, { stopAfter: 600 })).completed, false);
  const resumed = await screenOmop(file, kept);
  assert.equal(resumed.sourceChanged, undefined);
  assert.ok(resumed.resumedAfter !== undefined);
  assert.ok(readFileSync(kept).equals(readFileSync(fresh)));
});

test('negative OMOP person_ids fall in a shard: three shards hold every person and merge into the whole', async () => {
  const file = join(pop.dir, 'negative-ids.duckdb');
  cpSync(pop.omopDuckDb, file);
  const db = await DuckDBInstance.create(file);
  const c = await db.connect();
  for (const [table, columns] of Object.entries(OMOP_TABLES)) {
    if (columns.some(([name]) => name === 'person_id')) await c.run(`UPDATE ${table} SET person_id = person_id - 700`);
  }
  c.closeSync();
  db.closeSync();
  const whole = join(pop.dir, 'omop-negative.ndjson');
  assert.equal((await screenOmop(file, whole)).patients, 1500);
  const shards = [0, 1, 2].map((index) => join(pop.dir, `omop-negative-${index}.ndjson`));
  let total = 0;
  for (const [index, out] of shards.entries()) {
    total += (await screenOmop(file, out, { shard: { index, count: 3 } })).patients;
  }
  assert.equal(total, 1500);
  const merged = join(pop.dir, 'omop-negative-merged.ndjson');
  await mergeShards(shards, merged);
  assert.ok(readFileSync(merged).equals(readFileSync(whole)));
});

test('a missing folder, a folder without NDJSON and an unreadable file are one-line InputErrors', async () => {
  const missing = join(pop.dir, 'no-such-folder');
  await assert.rejects(
    screenNdjson(join(pop.dir, 'x.ndjson'), { dir: missing }),
    (e: unknown) => e instanceof InputError && /no such folder/.test(e.message),
  );
  const empty = join(pop.dir, 'empty');
  mkdirSync(empty);
  await assert.rejects(screenNdjson(join(pop.dir, 'y.ndjson'), { dir: empty }), /no FHIR NDJSON files/);
  const unreadable = join(pop.dir, 'unreadable');
  mkdirSync(join(unreadable, 'Observation.ndjson'), { recursive: true });
  await assert.rejects(
    screenNdjson(join(pop.dir, 'z.ndjson'), { dir: unreadable }),
    (e: unknown) => e instanceof InputError && /cannot read .*Observation\.ndjson: is a directory$/.test(e.message),
  );
  assert.equal(existsSync(join(pop.dir, 'z.ndjson')), false);
  // A link to a file that is gone (an export folder of links into a staging area since cleaned) says so, in the
  // words every other command uses for a file it cannot read, not as an unexplained "read error".
  const dangling = join(pop.dir, 'dangling');
  mkdirSync(dangling);
  symlinkSync(join(pop.dir, 'no-such-staging', 'Condition.ndjson'), join(dangling, 'Condition.ndjson'));
  await assert.rejects(
    screenNdjson(join(pop.dir, 'w.ndjson'), { dir: dangling }),
    (e: unknown) =>
      e instanceof InputError && /cannot read .*Condition\.ndjson: no such file or folder$/.test(e.message),
  );
});

test('an unreachable database and a missing DuckDB file are one-line InputErrors that hide credentials', async () => {
  await assert.rejects(
    postgresRunner('postgres://someone:secret-password@127.0.0.1:1/omop'),
    (e: unknown) =>
      e instanceof InputError &&
      /cannot connect .* 127\.0\.0\.1:1 \(ECONNREFUSED\)/.test(e.message) &&
      !e.message.includes('secret'),
  );
  await assert.rejects(duckDbRunner(join(pop.dir, 'missing.duckdb')), /no such DuckDB file/);
});

test('a DuckDB file that cannot be opened says why: held open for writing elsewhere, not a database, cut short', async () => {
  // A database another process has open for writing (a DuckDB shell, a load still running) is no damaged file.
  const held = join(pop.dir, 'held.duckdb');
  const writer = spawn(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const { DuckDBInstance } = await import('@duckdb/node-api');
       const db = await DuckDBInstance.create(${JSON.stringify(held)});
       await (await db.connect()).run('CREATE TABLE person (person_id BIGINT)');
       process.stdout.write('open\\n');
       process.stdin.resume();
       process.stdin.on('end', () => process.exit(0));`,
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  try {
    await once(writer.stdout, 'data');
    await assert.rejects(
      duckDbRunner(held),
      (e: unknown) =>
        e instanceof InputError &&
        e.message.includes(
          `held.duckdb: another process (PID ${writer.pid}) has this DuckDB database open for writing; close it there`,
        ),
    );
  } finally {
    writer.stdin.end();
    await once(writer, 'exit');
  }
  const text = join(pop.dir, 'text.duckdb');
  writeFileSync(text, 'person_id,year_of_birth\n1,1970\n');
  await assert.rejects(duckDbRunner(text), /text\.duckdb: not a DuckDB database file$/);
  const cut = join(pop.dir, 'cut.duckdb');
  writeFileSync(cut, readFileSync(held).subarray(0, 8192));
  await assert.rejects(duckDbRunner(cut), /cut\.duckdb: not a complete DuckDB database file \(cut short\)$/);
});
