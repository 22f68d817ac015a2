/**
 * The timed part of bench/assess.ts, in plain node on the compiled engine (dist/): no tsx hooks in this process.
 * Usage: node --expose-gc bench/assess-child.mjs POPULATION.json [OTHER_DIST] (the groups bench/assess.ts generated;
 * OTHER_DIST: the dist/ folder of another built checkout, timed in the same rounds); prints one JSON line:
 * createEngine's time, each group's per-patient figures (and the other engine's as `before`), the memory at the end.
 *
 * Per group, rounds alternate four passes over the same texts in the same order: the floor (JSON.parse alone), the
 * instrumented pass (parse, adapter = engine.read, decision = engine.assessRecord, timed back to back), an
 * uninstrumented end-to-end pass (engine.assess(JSON.parse(text))) and one that also makes the trial matches and
 * times only them. The first rounds warm the optimiser up and are dropped; each figure is the median over the timed
 * rounds. Garbage collection is billed to whichever pass and stage triggers it, as in a running screen or service.
 *
 * One full collection runs before each group's warm-up rounds, and none between passes: a collection forced while no
 * record is alive lets V8 drop the hidden classes of the parsed FHIR objects and with them the optimised code of the
 * adapter and the engine (--trace-deopt: about 520 "weak objects" deoptimisations in a run), so every pass began
 * cold and adapter + decision read about 1.6x their steady cost. A service under load keeps records alive through
 * its collections and showed none of those deoptimisations (docs/engine.md, "What it costs").
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

const AS_OF = '2026-11-27';
const collectGarbage = globalThis.gc;
if (typeof collectGarbage !== 'function') throw new Error('run with node --expose-gc');

/** Results feed this so the optimiser cannot drop the work being timed. */
let sink = 0;
const consume = (value) => {
  sink = (sink + (value === undefined ? 0 : 1)) | 0;
};

const groups = JSON.parse(readFileSync(process.argv[2], 'utf8'));
// The engine of this checkout, and of another built one when given (BENCH_ASSESS_BEFORE in bench/assess.ts): each
// round times both, one after the other, so that they share the machine's load.
const distDirs = [new URL('../dist', import.meta.url).pathname, ...process.argv.slice(3)];
let engineMs = 0;
const engines = [];
for (const dir of distDirs) {
  const { createEngine } = await import(pathToFileURL(`${dir}/engine/index.js`).href);
  const engineStart = performance.now();
  engines.push(createEngine());
  if (engines.length === 1) engineMs = performance.now() - engineStart;
}
const options = { asOf: AS_OF };

/** One instrumented pass: per-stage totals in ms. */
function stagePass(engine, patients) {
  const t = { parse: 0, adapter: 0, decision: 0 };
  for (const p of patients) {
    const t0 = performance.now();
    const bundle = JSON.parse(p.text);
    const t1 = performance.now();
    const record = engine.read(bundle);
    const t2 = performance.now();
    consume(engine.assessRecord(record, options));
    const t3 = performance.now();
    t.parse += t1 - t0;
    t.adapter += t2 - t1;
    t.decision += t3 - t2;
  }
  return t;
}

/**
 * End to end with the trial matches of every protocol on the assessment's facts (what `trd match` and the service's
 * patient-view pay); only the matching is timed. A pass of its own, so that the instrumented pass stays what
 * engine.assess costs; garbage collection is billed here as in the stages, to whatever triggers it.
 */
function matchPass(engine, patients) {
  let ms = 0;
  for (const p of patients) {
    const evaluated = engine.assessAndMatchRecord(engine.read(JSON.parse(p.text)), options);
    consume(evaluated.assessment);
    const t0 = performance.now();
    consume(evaluated.matches());
    ms += performance.now() - t0;
  }
  return ms;
}

function floorPass(patients) {
  const t0 = performance.now();
  for (const p of patients) consume(JSON.parse(p.text));
  return performance.now() - t0;
}

function endToEndPass(engine, patients) {
  const t0 = performance.now();
  for (const p of patients) consume(engine.assess(JSON.parse(p.text), options));
  return performance.now() - t0;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

/** Each engine's figures for one group (engines alternate within every round). */
function measureGroup({ name, patients, warmup, rounds }) {
  const runs = engines.map(() => ({ floors: [], stages: [], ends: [], matches: [] }));
  // The previous group's garbage is not billed to this one; the warm-up rounds re-optimise whatever this drops.
  collectGarbage();
  for (let round = 0; round < warmup + rounds; round++) {
    engines.forEach((engine, i) => {
      const floor = floorPass(patients);
      const s = stagePass(engine, patients);
      const end = endToEndPass(engine, patients);
      const match = matchPass(engine, patients);
      if (round < warmup) return;
      const run = runs[i];
      run.floors.push(floor);
      run.stages.push(s);
      run.ends.push(end);
      run.matches.push(match);
    });
  }
  const us = (ms) => (ms * 1000) / patients.length;
  return runs.map(({ floors, stages, ends, matches }) => {
    const totals = stages.map((s) => s.parse + s.adapter + s.decision);
    return {
      name,
      patients: patients.length,
      meanResources: patients.reduce((n, p) => n + p.resources, 0) / patients.length,
      meanKiB: patients.reduce((n, p) => n + p.text.length, 0) / patients.length / 1024,
      floorUs: us(median(floors)),
      parseUs: us(median(stages.map((s) => s.parse))),
      adapterUs: us(median(stages.map((s) => s.adapter))),
      decisionUs: us(median(stages.map((s) => s.decision))),
      matchUs: us(median(matches)),
      stagesUs: us(median(totals)),
      endToEndUs: us(median(ends)),
      minStagesUs: us(Math.min(...totals)),
      maxStagesUs: us(Math.max(...totals)),
    };
  });
}

const measured = groups.map(measureGroup);
const results = measured.map((perEngine) => perEngine[0]);
const before = engines.length > 1 ? measured.map((perEngine) => perEngine[1]) : undefined;
const memory = process.memoryUsage();
console.log(JSON.stringify({ engineMs, results, before, rssBytes: memory.rss, heapUsedBytes: memory.heapUsed, sink }));
