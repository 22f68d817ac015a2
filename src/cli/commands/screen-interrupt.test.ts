/**
 * `trd screen` interrupted as a user interrupts it: a real `trd` process given SIGINT (Ctrl-C) or SIGTERM while it
 * screens a synthetic NDJSON population. It stops cleanly: one line on stderr, exit 130 or 143, a checkpoint of every
 * line written, and the same command run again completes to the output of an uninterrupted run. A Ctrl-C during the
 * projection cuts it short (DuckDB's interrupt) rather than waiting for it; a second Ctrl-C ends the process at once.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { screenPaths } from '../../screen/run.ts';
import { REPO_ROOT, trd, trdCommand } from '../run.test-support.ts';

const AS_OF = '2026-11-20';
const dir = mkdtempSync(join(tmpdir(), 'trd-screen-interrupt-'));
const population = join(dir, 'fhir');
const whole = join(dir, 'whole.ndjson');
after(() => rmSync(dir, { recursive: true, force: true }));

const screenArgs = (out: string): string[] => [
  'screen',
  population,
  '--as-of',
  AS_OF,
  '--out',
  out,
  '--workers',
  '0',
  '--quiet',
];

before(async () => {
  const synth = await trd(['synth', '--patients', '3000', '--seed', '23', '--as-of', AS_OF, '--out', population]);
  assert.equal(synth.code, 0, synth.stderr);
  const run = await trd(screenArgs(whole));
  assert.equal(run.code, 0, run.stderr);
});

interface Ended {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
}

/** `trd screen` as a process, sent `signals` once `ready()` holds (polled), each `gapMs` after the one before. */
async function interrupt(out: string, ready: () => boolean, signals: NodeJS.Signals[], gapMs = 0): Promise<Ended> {
  const child = spawn(process.execPath, [...trdCommand(), ...screenArgs(out)], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString('utf8')));
  const ended = new Promise<Ended>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stderr })));
  let exited = false;
  void ended.then(() => (exited = true));
  while (!ready() && !exited) await sleep(5);
  for (const signal of signals) {
    if (exited) break;
    child.kill(signal);
    if (gapMs > 0) await sleep(gapMs);
  }
  return ended;
}

const size = (file: string): number => (existsSync(file) ? statSync(file).size : 0);
const lineCount = (file: string): number => readFileSync(file, 'utf8').split('\n').length - 1;

for (const [signal, exitCode] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const) {
  test(`${signal} during a screen: one line, exit ${exitCode}, every line written checkpointed; the rerun completes to the uninterrupted output`, async () => {
    const out = join(dir, `${signal}.ndjson`);
    const paths = screenPaths(out);
    // Some lines written, long before the first periodic checkpoint (every 5,000 patients).
    const ended = await interrupt(out, () => size(paths.partial) > 0, [signal]);
    assert.equal(ended.signal, null, `ended by the signal, not stopped: ${ended.stderr}`);
    assert.equal(ended.code, exitCode, ended.stderr);
    const stderr = ended.stderr.split('\n').filter((l) => l !== '');
    assert.equal(stderr.length, 1, ended.stderr);
    const m = /^trd: interrupted after (\d+) patients; run the same command again to resume$/.exec(stderr[0] ?? '');
    assert.ok(m !== null, ended.stderr);
    const n = Number(m[1]);
    assert.ok(n > 0 && n < 3000, `stopped part way: ${n}`);
    assert.equal(existsSync(out), false, 'no --out for an interrupted screen');
    const checkpoint = JSON.parse(readFileSync(paths.checkpoint, 'utf8')) as { patients: number; bytes: number };
    assert.equal(checkpoint.patients, n, 'the checkpoint holds every patient written');
    assert.equal(checkpoint.bytes, size(paths.partial));
    assert.equal(lineCount(paths.partial), n);

    const resumed = await trd(screenArgs(out).filter((a) => a !== '--quiet'));
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stderr, /\(resumed\)/);
    assert.ok(readFileSync(out).equals(readFileSync(whole)), 'resumed output equals an uninterrupted run');
    assert.equal(existsSync(paths.checkpoint) || existsSync(paths.partial) || existsSync(paths.workDb), false);
  });
}

test('Ctrl-C during the projection cuts it short: one line, exit 130, nothing left to resume; the rerun completes', async () => {
  const out = join(dir, 'projection.ndjson');
  const paths = screenPaths(out);
  // The projection of 3,000 patients takes about a second: interrupted once its work database exists.
  const ready = (): boolean => existsSync(paths.workDb) && !existsSync(paths.checkpoint);
  const started = Date.now();
  const ended = await interrupt(out, ready, ['SIGINT']);
  assert.equal(ended.signal, null, ended.stderr);
  assert.equal(ended.code, 130, ended.stderr);
  assert.equal(
    ended.stderr,
    'trd: interrupted during the projection, before any patient was screened; run the same command again to start\n',
  );
  assert.ok(Date.now() - started < 20_000);
  for (const p of [out, paths.checkpoint, paths.partial, paths.workDb]) assert.equal(existsSync(p), false, p);
  const rerun = await trd(screenArgs(out));
  assert.equal(rerun.code, 0, rerun.stderr);
  assert.ok(readFileSync(out).equals(readFileSync(whole)));
});

test('two Ctrl-Cs in a row: exit 130, no output passes for a result, and the rerun completes', async () => {
  const out = join(dir, 'twice.ndjson');
  const paths = screenPaths(out);
  const ended = await interrupt(out, () => existsSync(paths.workDb) && !existsSync(paths.checkpoint), [
    'SIGINT',
    'SIGINT',
  ]);
  assert.equal(ended.signal, null, ended.stderr);
  assert.equal(ended.code, 130, ended.stderr);
  // The second ends the process at once (no line) unless the first's clean stop, now quick, ended it already.
  assert.match(ended.stderr, /^(|trd: interrupted during the projection, [^\n]+\n)$/);
  assert.equal(existsSync(out), false);
  // The rerun screens the whole population.
  const rerun = await trd(screenArgs(out));
  assert.equal(rerun.code, 0, rerun.stderr);
  assert.ok(readFileSync(out).equals(readFileSync(whole)));
});
