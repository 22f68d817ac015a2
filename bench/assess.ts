/**
 * `npm run bench:assess`: what population screening and the service pay per patient, from the bytes of a FHIR Bundle
 * to the care-pathway assessment, on one thread.
 *
 * Population (bench/population.ts): 1,000 DISTINCT patients (ids, dates, values, entry order and sizes all differ),
 * in three groups: 900 typical records (~27-47 resources), 80 Synthea-shape records of a few hundred resources and 20
 * Synthea-size records (~2,000 resources, ~2 MB). Every patient is parsed from its own JSON text every time.
 *
 * Stages per patient, timed back to back in one pass so that they add up to its end-to-end time: parse
 * (JSON.parse), adapter (Bundle -> normalized record, engine.read: the read engine.assess makes, which skips the
 * resources coded outside the knowledge) and decision (record -> assessment, engine.assessRecord). In the same round,
 * and over the same texts in the same order: the floor, `JSON.parse` alone; an uninstrumented end-to-end pass
 * (engine.assess(JSON.parse(text))) that checks the stage timers cost nothing that matters; and the same with the
 * trial matches of every protocol on the assessment's facts (what `trd match` and the service's patient-view add),
 * timing only the matches: match, not in the stage sum. Rounds alternate the four passes; the first rounds warm the optimiser up and are dropped; each
 * figure is the median over the timed rounds. Garbage collection is billed to whichever pass and stage triggers it,
 * as it is in production; no collection is forced between passes (why: bench/assess-child.mjs).
 *
 * What is timed is the code users run: the compiled engine (dist/; built first when older than the sources,
 * bench/compiled.ts) in a plain node process (bench/assess-child.mjs), not the TypeScript sources under tsx, whose
 * hooks would also transform the compiled files. This process only generates the population (the TypeScript test
 * generators), hands it over in a temporary file, and prints and judges the child's figures.
 *
 * Wall clock of the one JavaScript thread. On a loaded machine absolute figures move with the load (printed); the
 * ratios to JSON.parse of the same bytes, measured in the same rounds, move much less: judge by those.
 * BENCH_ASSESS_BEFORE=<folder> times another built checkout (an earlier commit) on the same population in the same
 * rounds (each round runs the passes of one engine, then of the other) and prints the ratios.
 * Goals (issue 6): adapter + decision <= 50 us per typical patient (>= 20,000 per second on one core); end to end
 * <= 1.5 x JSON.parse alone for typical patients; for Synthea-size records adapter + decision < 20% of the parse.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus, loadavg, tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { ensureBuild, runChild } from './compiled.ts';
import type { BenchPatient } from './population.ts';
import { syntheaPatients, typicalPatients } from './population.ts';

const AS_OF = '2026-11-27';
const GOAL_TYPICAL_US = 50;
const GOAL_E2E_OVER_PARSE = 1.5;
const GOAL_SYNTHEA_SHARE = 0.2;

/** One group's figures from bench/assess-child.mjs; per patient, microseconds (median over the timed rounds). */
interface GroupResult {
  readonly name: string;
  readonly patients: number;
  readonly meanResources: number;
  readonly meanKiB: number;
  readonly floorUs: number;
  readonly parseUs: number;
  readonly adapterUs: number;
  readonly decisionUs: number;
  /** The trial matches (every protocol) on the assessment's facts, timed in a pass of their own; not in the sum. */
  readonly matchUs: number;
  readonly stagesUs: number;
  readonly endToEndUs: number;
  readonly minStagesUs: number;
  readonly maxStagesUs: number;
}

interface ChildResult {
  readonly engineMs: number;
  readonly results: readonly GroupResult[];
  /** The BENCH_ASSESS_BEFORE checkout's figures, timed in the same rounds. */
  readonly before?: readonly GroupResult[];
  readonly rssBytes: number;
  readonly heapUsedBytes: number;
}

const fmt = (n: number, digits = 1): string =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

const seedPath = fileURLToPath(new URL('../examples/seed-vignette.json', import.meta.url));
const buildStart = performance.now();
const groups: { name: string; patients: BenchPatient[]; warmup: number; rounds: number }[] = [
  { name: 'typical', patients: typicalPatients(seedPath, 900), warmup: 3, rounds: 9 },
  { name: 'synthea ~300', patients: syntheaPatients(80, 300, AS_OF, 11), warmup: 3, rounds: 7 },
  { name: 'synthea ~2,000', patients: syntheaPatients(20, 2000, AS_OF, 13), warmup: 2, rounds: 5 },
];
const buildMs = performance.now() - buildStart;
const distinct = new Set(groups.flatMap((g) => g.patients.map((p) => p.text))).size;

ensureBuild('bench:assess');
console.log('precision-trd bench:assess (wall clock, one thread; median over timed rounds, warm-up rounds dropped)');
console.log(
  `node ${process.version}, ${cpus()[0]?.model ?? 'cpu'} x${cpus().length}, load average ${loadavg()
    .map((l) => fmt(l, 2))
    .join(' ')} (a load above ~1 per core inflates every figure: judge by the ratios)`,
);
console.log('engine: the compiled build (dist/), timed in a plain node process (bench/assess-child.mjs)');

// BENCH_ASSESS_BEFORE=<folder>: another built checkout (an earlier commit), timed on the same population in the same
// rounds as this one (the child alternates the two engines).
const beforeDir = process.env.BENCH_ASSESS_BEFORE;
const beforeDist = beforeDir === undefined || beforeDir === '' ? undefined : join(beforeDir, 'dist');
if (beforeDist !== undefined && !existsSync(join(beforeDist, 'engine', 'index.js'))) {
  console.error(`bench:assess: ${beforeDist} holds no built engine (run npm run build there)`);
  process.exit(1);
}
const work = mkdtempSync(join(tmpdir(), 'trd-bench-assess-'));
let child: ChildResult;
try {
  const populationFile = join(work, 'population.json');
  writeFileSync(populationFile, JSON.stringify(groups));
  const args = beforeDist === undefined ? [populationFile] : [populationFile, beforeDist];
  child = JSON.parse(runChild('assess-child.mjs', args, ['--expose-gc'])) as ChildResult;
} finally {
  rmSync(work, { recursive: true, force: true });
}
const results = child.results;
console.log(
  `createEngine (knowledge + trials, once per process): ${fmt(child.engineMs)} ms; population: ${distinct} distinct bundles built in ${fmt(buildMs, 0)} ms\n`,
);

const header = [
  'group',
  'patients',
  'resources',
  'KiB',
  'JSON.parse',
  'parse',
  'adapter',
  'decision',
  'sum',
  'end-to-end',
  'sum spread',
  'e2e/parse',
  '(adapter+decision)/parse',
  'match (not in sum)',
];
const rowOf = (r: GroupResult): string[] => [
  r.name,
  String(r.patients),
  fmt(r.meanResources, 0),
  fmt(r.meanKiB, 1),
  fmt(r.floorUs),
  fmt(r.parseUs),
  fmt(r.adapterUs),
  fmt(r.decisionUs),
  fmt(r.stagesUs),
  fmt(r.endToEndUs),
  `${Math.round(r.minStagesUs)}-${Math.round(r.maxStagesUs)}`,
  `${fmt(r.endToEndUs / r.floorUs, 2)}x`,
  `${fmt((100 * (r.adapterUs + r.decisionUs)) / r.floorUs, 0)}%`,
  fmt(r.matchUs),
];
const rows = results.map(rowOf);
const before = child.before;
const beforeRows = (before ?? []).map((r) => rowOf({ ...r, name: `${r.name}, before` }));
const widths = header.map((h, i) => Math.max(h.length, ...[...rows, ...beforeRows].map((r) => (r[i] ?? '').length)));
const line = (cells: readonly string[]): string =>
  cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
console.log('microseconds per patient (JSON.parse = the floor, timed alone over the same bytes)');
console.log(line(header));
console.log(line(widths.map((w) => '-'.repeat(w))));
for (const row of rows) console.log(line(row));
if (before !== undefined) {
  console.log(`\nthe engine of ${beforeDir ?? ''} (BENCH_ASSESS_BEFORE), timed in the same rounds:`);
  for (const row of beforeRows) console.log(line(row));
  results.forEach((r, i) => {
    const b = before?.[i];
    if (b === undefined) return;
    const ratio = (now: number, then: number): string => `${fmt(now / then, 2)}x`;
    console.log(
      `${r.name}: adapter + decision ${ratio(r.adapterUs + r.decisionUs, b.adapterUs + b.decisionUs)}, match ${ratio(r.matchUs, b.matchUs)}, end to end ${ratio(r.endToEndUs, b.endToEndUs)} of before`,
    );
  });
}

console.log(
  `\nmemory of the timing process: rss ${fmt(child.rssBytes / 1_048_576)} MB, heap used ${fmt(child.heapUsedBytes / 1_048_576)} MB (load average after: ${loadavg()
    .map((l) => fmt(l, 2))
    .join(' ')})`,
);

const typical = results[0];
const synthea = results[2];
if (typical !== undefined && synthea !== undefined) {
  const engineUs = typical.adapterUs + typical.decisionUs;
  const verdict = (ok: boolean): string => (ok ? 'met' : 'NOT met');
  console.log(
    `goal 1: typical adapter + decision <= ${GOAL_TYPICAL_US} us (>= 20,000 patients/s on one core): ${fmt(engineUs)} us (${fmt(1e6 / engineUs, 0)}/s), ${verdict(engineUs <= GOAL_TYPICAL_US)}`,
  );
  const e2e = typical.endToEndUs / typical.floorUs;
  console.log(
    `goal 2: typical end to end <= ${GOAL_E2E_OVER_PARSE}x JSON.parse alone: ${fmt(e2e, 2)}x (${fmt(typical.endToEndUs)} us vs ${fmt(typical.floorUs)} us), ${verdict(e2e <= GOAL_E2E_OVER_PARSE)}`,
  );
  const share = (synthea.adapterUs + synthea.decisionUs) / synthea.floorUs;
  console.log(
    `goal 3: Synthea-size adapter + decision < ${fmt(100 * GOAL_SYNTHEA_SHARE, 0)}% of the parse: ${fmt(100 * share, 1)}%, ${verdict(share < GOAL_SYNTHEA_SHARE)}`,
  );
  const gap = Math.abs(typical.stagesUs - typical.endToEndUs) / typical.endToEndUs;
  console.log(
    `check: typical stage sum ${fmt(typical.stagesUs)} us vs uninstrumented end to end ${fmt(typical.endToEndUs)} us (${fmt(100 * gap, 1)}% apart)`,
  );
}
