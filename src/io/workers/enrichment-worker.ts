/**
 * Worker-thread entry: runs one replicate range of the enrichment simulation and posts the rejection counts back.
 * Started by run-enrichment-simulation.ts: compiled (dist/) in production, from source under tsx in the tests.
 */
import { parentPort, workerData } from 'node:worker_threads';
import {
  runEnrichmentReplicates,
  type EnrichmentSimulationConfig,
  type ReplicateRange,
} from '../../stats/design/enrichment-simulation.ts';

export interface EnrichmentWorkerData {
  readonly config: EnrichmentSimulationConfig;
  readonly range: ReplicateRange;
}

const data = workerData as EnrichmentWorkerData;
parentPort?.postMessage(runEnrichmentReplicates(data.config, data.range));
