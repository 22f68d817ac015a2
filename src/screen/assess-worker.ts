/**
 * A worker thread of the screen (assess-pool.ts): its own engine, built from the same pathway file as the screen's,
 * assesses the batches it is sent with the same code as the screen's own thread (assess-batch.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createEngine } from '../engine/index.ts';
import { assessBatch, engineAtCutOff } from './assess-batch.ts';
import type { WorkerSetup } from './assess-pool.ts';
import type { PatientInput } from './sources/source.ts';

const setup = workerData as WorkerSetup;
const engine = createEngine(setup.pathway === undefined ? {} : { pathway: setup.pathway });
if (engine.pathway.id !== setup.expected.id || engine.pathway.version !== setup.expected.version) {
  throw new Error('the worker loaded another pathway than the screen');
}
const cutOffEngines = setup.cutOffs.map((c) => [String(c), engineAtCutOff(engine, c)] as const);

parentPort?.on('message', (m: { readonly seq: number; readonly patients: readonly PatientInput[] }) => {
  parentPort?.postMessage({ seq: m.seq, ...assessBatch(engine, cutOffEngines, setup.asOf, m.patients) });
});
