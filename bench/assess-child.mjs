/**
 * The timed part of bench/assess.ts, in plain node on the compiled engine (dist/): no tsx hooks in this process.
 * Usage: node --expose-gc bench/assess-child.mjs POPULATION.json (the groups bench/assess.ts generated); prints one
 * JSON line: createEngine's time, each group's per-patient figures, the memory at the end.
 *
 * Per group, rounds alternate three passes over the same texts in the same order: the floor (JSON.parse alone), the
 * instrumented pass (parse, adapter = engine.read, decision = engine.assessRecord, timed back to back) and an
 * uninstrumented end-to-end pass (engine.assess(JSON.parse(text))). The first rounds warm the optimiser up and are
 * dropped; each figure is the median over the timed rounds. Garbage collection is billed to whichever pass and stage
 * triggers it, as in a running screen or service.
 *
 * One full collection runs before each group's warm-up rounds, and none between passes: a collection forced while no
 * record is alive lets V8 drop the hidden classes of the parsed FHIR objects and with them the optimised code of the
 * adapter and the engine (--trace-deopt: about 520 "weak objects" deoptimisations in a run), so every pass began
 * cold and adapter + decision read about 1.6x their steady cost. A service under load keeps records alive through
 * its collections and showed none of those deoptimisations (docs/engine.md, "What it costs").
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createEngine } from '../dist/engine/index.js';

const AS_OF = '2026-11-27';
const collectGarbage = globalThis.gc;
if (typeof collectGarbage !== 'function') throw new Error('run with node --expose-gc');

/** Results feed this so the optimiser cannot drop the work being timed. */
let sink = 0;
const consume = (value) => {
  sink = (sink + (value === undefined ? 0 : 1)) | 0;
};

const groups = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const engineStart = performance.now();
const engine = createEngine();
const engineMs = performance.now() - engineStart;
const options = { asOf: AS_OF };

/** One instrumented pass: per-stage totals in ms. */
function stagePass(patients) {
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

function floorPass(patients) {
  const t0 = performance.now();
  for (const p of patients) consume(JSON.parse(p.text));
  return performance.now() - t0;
}

function endToEndPass(patients) {
  const t0 = performance.now();
  for (const p of patients) consume(engine.assess(JSON.parse(p.text), options));
  return performance.now() - t0;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

function measureGroup({ name, patients, warmup, rounds }) {
  const floors = [];
  const stages = [];
  const ends = [];
  // The previous group's garbage is not billed to this one; the warm-up rounds re-optimise whatever this drops.
  collectGarbage();
  for (let round = 0; round < warmup + rounds; round++) {
    const floor = floorPass(patients);
    const s = stagePass(patients);
    const end = endToEndPass(patients);
    if (round < warmup) continue;
    floors.push(floor);
    stages.push(s);
    ends.push(end);
  }
  const us = (ms) => (ms * 1000) / patients.length;
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
    stagesUs: us(median(totals)),
    endToEndUs: us(median(ends)),
    minStagesUs: us(Math.min(...totals)),
    maxStagesUs: us(Math.max(...totals)),
  };
}

const results = groups.map(measureGroup);
const memory = process.memoryUsage();
console.log(JSON.stringify({ engineMs, results, rssBytes: memory.rss, heapUsedBytes: memory.heapUsed, sink }));
