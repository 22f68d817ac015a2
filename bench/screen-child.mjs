/**
 * One measured step of bench/screen.ts, in its own plain node process (no tsx hooks, here or in the screen's worker
 * threads) so that the peak RSS it reports is its own:
 *   parse DIR          read every line of every NDJSON file and JSON.parse it (the baseline)
 *   screen SOURCE OUT  `trd screen SOURCE --out OUT --as-of ... --quiet`: bin/trd.js, the compiled command line a user
 *                      runs (its start-up included), with its defaults (engine in worker threads, DuckDB memory limit)
 *   ndjson-projection DIR WORKDB  the NDJSON projection alone (DuckDB reads and keeps lines, groups by patient),
 *                      every patient's resources fetched, no engine
 *   projection FILE    the OMOP projection SQL on a DuckDB file, rows fetched and counted, no engine
 * The steps other than `screen` load the compiled modules they use (dist/) before the clock starts.
 * Prints one JSON line last: { seconds, patients, maxRssMb, cpuSeconds } (CPU of every thread of the process, which
 * on a shared machine says more than the wall time).
 */
import { createReadStream, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const AS_OF = '2026-11-27';
const [step, a, b] = process.argv.slice(2);
let started = performance.now();
let patients = 0;

if (step === 'parse') {
  for (const f of readdirSync(a).filter((x) => /^[A-Z].*\.ndjson$/.test(x))) {
    const lines = createInterface({
      input: createReadStream(join(a, f), { highWaterMark: 1 << 20 }),
      crlfDelay: Infinity,
    });
    for await (const line of lines) {
      const r = JSON.parse(line);
      if (r.resourceType === 'Patient') patients++;
    }
  }
} else if (step === 'screen') {
  const trd = new URL('../bin/trd.js', import.meta.url);
  process.argv = [process.argv[0], fileURLToPath(trd), 'screen', a, '--out', b, '--as-of', AS_OF, '--quiet'];
  await import(trd.href);
  if ((process.exitCode ?? 0) !== 0) throw new Error(`trd screen exited with ${process.exitCode}`);
  patients = JSON.parse(readFileSync(`${b}.meta.json`, 'utf8')).patients;
} else if (step === 'ndjson-projection') {
  const { createEngine } = await import('../dist/engine/index.js');
  const { openNdjsonSource } = await import('../dist/screen/sources/ndjson.js');
  const knowledge = createEngine().knowledge;
  started = performance.now();
  const source = await openNdjsonSource({ dir: a, knowledge, workDb: b });
  await source.prepare();
  for await (const p of source.patients(undefined)) if (p.resourcesJson !== undefined) patients++;
  await source.close();
} else if (step === 'projection') {
  const { createEngine } = await import('../dist/engine/index.js');
  const { projectionSql } = await import('../dist/screen/dialect.js');
  const { pathwayCodes } = await import('../dist/screen/pathway-codes.js');
  const { duckDbRunner } = await import('../dist/screen/sources/omop.js');
  // The projection's SQL is built before the clock starts: loading the knowledge is not the database's work.
  const sql = projectionSql('duckdb', { codes: pathwayCodes(createEngine().knowledge) });
  started = performance.now();
  const runner = await duckDbRunner(a);
  let last;
  for await (const rows of runner.stream?.(sql) ?? []) {
    for (const r of rows) {
      if (r[0] !== last) patients++;
      last = r[0];
    }
  }
  await runner.close();
} else {
  throw new Error(`unknown step ${step}`);
}
const seconds = (performance.now() - started) / 1000;
const usage = process.resourceUsage();
console.log(
  JSON.stringify({
    seconds,
    patients,
    maxRssMb: usage.maxRSS / 1024,
    cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6,
  }),
);
