/**
 * `npm run bench:screen [-- --patients N]`: population screening end to end on a synthetic population (default
 * 100,000 patients, about 2.5 GB of FHIR NDJSON, generated into a temporary folder and deleted afterwards).
 *
 * Figures, each from its own child process (bench/screen-child.mjs, plain node on the compiled build in dist/, which
 * is rebuilt first if older than the sources: bench/compiled.ts) so that its peak RSS is its own and no tsx hooks
 * run in it or in the screen's worker threads:
 * - NDJSON: `trd screen` (bin/trd.js) on the folder (projection in DuckDB, every patient through the engine, output written):
 *   wall time, patients per second, peak RSS;
 * - the NDJSON projection alone (DuckDB reads the lines, keeps those with a pathway code, groups by patient; no
 *   engine), so the share of the database and of the engine in the end-to-end time is visible;
 * - baseline, same run, same files: a plain pass that reads every line and JSON.parses it (Node's floor for touching
 *   every resource); the screen's time is given as a ratio to it;
 * - bounded memory: the same screen on a tenth of the population, peak RSS compared;
 * - OMOP in DuckDB: the same patients as OMOP CDM tables loaded in a DuckDB file, screened from the loaded tables
 *   (projection SQL, rows to resources, engine, output), and the projection SQL alone.
 * Goals (issue 8, this 2-core machine): >= 25,000 patients/s from NDJSON end to end, >= 300,000 patients/s once the
 * OMOP tables are loaded, peak RSS < 1 GB. The machine is shared: the load average is printed with the figures.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statfsSync, readdirSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuild, ROOT, runChild } from './compiled.ts';

const AS_OF = '2026-11-27';
const GOAL_NDJSON = 25_000;
const GOAL_OMOP = 300_000;
const GOAL_RSS_MB = 1024;

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};

interface ChildFigures {
  readonly seconds: number;
  readonly patients: number;
  readonly maxRssMb: number;
  readonly cpuSeconds: number;
}

/** Runs one step of bench/screen-child.mjs in a fresh plain node process and returns its figures. */
const child = (...args: string[]): ChildFigures =>
  JSON.parse(runChild('screen-child.mjs', args).trim().split('\n').at(-1) as string) as ChildFigures;

function synth(n: number, out: string, format: string): number {
  const t = performance.now();
  execFileSync(
    process.execPath,
    [
      join(ROOT, 'bin', 'trd.js'),
      'synth',
      '--patients',
      String(n),
      '--seed',
      '1',
      '--as-of',
      AS_OF,
      '--format',
      format,
      '--out',
      out,
    ],
    {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  return (performance.now() - t) / 1000;
}

const folderBytes = (dir: string): number => readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);
const load = (): string =>
  loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');
const rate = (f: ChildFigures): number => f.patients / f.seconds;
const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');
/** CPU seconds of all the child's threads, and CPU microseconds per patient. */
const cpu = (f: ChildFigures): string =>
  `CPU ${f.cpuSeconds.toFixed(1)} s (${Math.round((f.cpuSeconds / f.patients) * 1e6)} us/patient)`;

ensureBuild('bench:screen');
const n = arg('patients', 100_000);
const small = Math.max(1000, Math.round(n / 10));
const work = mkdtempSync(join(tmpdir(), 'trd-bench-screen-'));
const fs = statfsSync(work);
const freeGb = (fs.bavail * fs.bsize) / 1e9;
const needGb = (n * 27_000 * 1.6) / 1e9 + 1;
console.log(
  `bench:screen: ${n.toLocaleString('en-US')} patients; ${freeGb.toFixed(0)} GB free in ${tmpdir()} (need ~${needGb.toFixed(1)} GB); load average ${load()}`,
);
if (freeGb < needGb) {
  console.log(
    `bench:screen: not enough free disk for ${n} patients; run with --patients ${Math.floor(((freeGb - 1) / (27_000 * 1.6)) * 1e9)}`,
  );
  process.exit(1);
}
try {
  const ndjson = join(work, 'ndjson');
  const ndjsonSmall = join(work, 'ndjson-small');
  const omop = join(work, 'omop');
  console.log(
    `generating: NDJSON ${synth(n, ndjson, 'ndjson').toFixed(0)} s (${(folderBytes(ndjson) / 1e9).toFixed(2)} GB), ` +
      `NDJSON ${small} ${synth(small, ndjsonSmall, 'ndjson').toFixed(0)} s, OMOP in DuckDB ${synth(n, omop, 'omop-duckdb').toFixed(0)} s`,
  );

  const baseline = child('parse', ndjson);
  console.log(
    `baseline   read + JSON.parse every line:  ${baseline.seconds.toFixed(1)} s, ${fmt(rate(baseline))} patients/s, ${cpu(baseline)}, peak RSS ${fmt(baseline.maxRssMb)} MB (load ${load()})`,
  );
  const screen = child('screen', ndjson, join(work, 'out-ndjson.ndjson'));
  console.log(
    `NDJSON     trd screen end to end:         ${screen.seconds.toFixed(1)} s, ${fmt(rate(screen))} patients/s, ${cpu(screen)}, peak RSS ${fmt(screen.maxRssMb)} MB, ${(screen.seconds / baseline.seconds).toFixed(2)}x the parse baseline (load ${load()})`,
  );
  const ndjsonProjection = child('ndjson-projection', ndjson, join(work, 'projection.work.duckdb'));
  console.log(
    `NDJSON     projection alone (DuckDB):     ${ndjsonProjection.seconds.toFixed(1)} s, ${fmt(rate(ndjsonProjection))} patients/s, ${cpu(ndjsonProjection)}, peak RSS ${fmt(ndjsonProjection.maxRssMb)} MB`,
  );
  const screenSmall = child('screen', ndjsonSmall, join(work, 'out-small.ndjson'));
  console.log(
    `NDJSON     ${small.toLocaleString('en-US')} patients:               ${screenSmall.seconds.toFixed(1)} s, ${fmt(rate(screenSmall))} patients/s, ${cpu(screenSmall)}, peak RSS ${fmt(screenSmall.maxRssMb)} MB`,
  );
  const omopDb = join(omop, 'omop.duckdb');
  const projection = child('projection', omopDb);
  console.log(
    `OMOP       projection SQL alone (DuckDB): ${projection.seconds.toFixed(1)} s, ${fmt(rate(projection))} patients/s, ${cpu(projection)}`,
  );
  const omopScreen = child('screen', omopDb, join(work, 'out-omop.ndjson'));
  console.log(
    `OMOP       trd screen from loaded tables: ${omopScreen.seconds.toFixed(1)} s, ${fmt(rate(omopScreen))} patients/s, ${cpu(omopScreen)}, peak RSS ${fmt(omopScreen.maxRssMb)} MB (load ${load()})`,
  );

  const verdict = (ok: boolean, text: string): void => console.log(`verdict: ${ok ? 'MET' : 'NOT MET'}: ${text}`);
  verdict(
    rate(screen) >= GOAL_NDJSON,
    `NDJSON end to end ${fmt(rate(screen))} patients/s (goal >= ${fmt(GOAL_NDJSON)})`,
  );
  verdict(
    rate(omopScreen) >= GOAL_OMOP,
    `OMOP in DuckDB from loaded tables ${fmt(rate(omopScreen))} patients/s (goal >= ${fmt(GOAL_OMOP)}); projection SQL alone ${fmt(rate(projection))} patients/s, ${cpu(projection)}`,
  );
  const peak = Math.max(screen.maxRssMb, omopScreen.maxRssMb);
  verdict(peak < GOAL_RSS_MB, `peak RSS ${fmt(peak)} MB (goal < ${GOAL_RSS_MB} MB)`);
  verdict(
    screen.maxRssMb <= screenSmall.maxRssMb * 1.5,
    `bounded memory: peak RSS ${fmt(screen.maxRssMb)} MB at ${n.toLocaleString('en-US')} patients vs ${fmt(screenSmall.maxRssMb)} MB at ${small.toLocaleString('en-US')} (goal: about the same, within 1.5x)`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
