/**
 * One measured step of bench/screen.ts, in its own process so that the peak RSS it reports is its own:
 *   parse DIR          read every line of every NDJSON file and JSON.parse it (the baseline)
 *   screen SOURCE OUT  the screen end to end (as `trd screen`, without progress bar or report; engine in worker
 *                      threads, one per core, as the CLI's default)
 *   ndjson-projection DIR WORKDB  the NDJSON projection alone (DuckDB reads and keeps lines, groups by patient),
 *                      every patient's resources fetched, no engine
 *   projection FILE    the OMOP projection SQL on a DuckDB file, rows fetched and counted, no engine
 * Prints one JSON line: { seconds, patients, maxRssMb, cpuSeconds } (CPU of every thread of the process, which on a
 * shared machine says more than the wall time).
 */
import { createReadStream, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { screenCommand } from '../src/cli/commands/screen.ts';
import { createEngine } from '../src/engine/index.ts';
import { projectionSql } from '../src/screen/dialect.ts';
import { pathwayCodes } from '../src/screen/pathway-codes.ts';
import { openNdjsonSource } from '../src/screen/sources/ndjson.ts';
import { duckDbRunner } from '../src/screen/sources/omop.ts';

const [step, a, b] = process.argv.slice(2) as [string, string, string | undefined];
// The projection's SQL is built before the clock starts: loading the knowledge is not the database's work.
const omopSql = step === 'projection' ? projectionSql('duckdb', { codes: pathwayCodes(createEngine().knowledge) }) : '';
const started = performance.now();
let patients = 0;

if (step === 'parse') {
  for (const f of readdirSync(a).filter((x) => /^[A-Z].*\.ndjson$/.test(x))) {
    const lines = createInterface({
      input: createReadStream(join(a, f), { highWaterMark: 1 << 20 }),
      crlfDelay: Infinity,
    });
    for await (const line of lines) {
      const r = JSON.parse(line) as { resourceType: string };
      if (r.resourceType === 'Patient') patients++;
    }
  }
} else if (step === 'screen') {
  await screenCommand(a, { asOf: '2026-11-27', out: b as string, quiet: true }, new Date());
  const meta = (await import('node:fs')).readFileSync(`${b}.meta.json`, 'utf8');
  patients = (JSON.parse(meta) as { patients: number }).patients;
} else if (step === 'ndjson-projection') {
  const source = await openNdjsonSource({ dir: a, knowledge: createEngine().knowledge, workDb: b as string });
  await source.prepare();
  for await (const p of source.patients(undefined)) if (p.resourcesJson !== undefined) patients++;
  await source.close();
} else if (step === 'projection') {
  const runner = await duckDbRunner(a);
  let last: unknown;
  for await (const rows of runner.stream?.(omopSql) ?? []) {
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
