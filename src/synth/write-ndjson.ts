/**
 * Writes a synthetic population as a FHIR Bulk Data export folder: one `<ResourceType>.ndjson` file per resource type
 * (optionally gzip-compressed, `.ndjson.gz`), one resource per line, plus `ground-truth.ndjson` (the expected
 * recommendation per patient, truth.ts), which the screen does not read. An earlier population in the folder is
 * removed first (write-folder.ts).
 */
import { once } from 'node:events';
import { createWriteStream, mkdirSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { join } from 'node:path';
import { createGzip } from 'node:zlib';
import { patientResources } from './fhir.ts';
import type { SynthPatient } from './population.ts';
import { GROUND_TRUTH_FILE, truthOf, type TruthThresholds } from './truth.ts';

/** A buffered line sink over a file, optionally gzip-compressed, honouring back-pressure. */
export class LineSink {
  private buffer: string[] = [];
  private size = 0;
  private readonly out: Writable;
  private readonly file: Writable;

  constructor(path: string, gzip = false) {
    this.file = createWriteStream(path, { highWaterMark: 1 << 20 });
    if (gzip) {
      const z = createGzip({ level: 1 });
      z.pipe(this.file);
      this.out = z;
    } else {
      this.out = this.file;
    }
  }

  async write(line: string): Promise<void> {
    this.buffer.push(line);
    this.size += line.length + 1;
    if (this.size >= 1 << 20) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    const chunk = `${this.buffer.join('\n')}\n`;
    this.buffer = [];
    this.size = 0;
    if (!this.out.write(chunk)) await once(this.out, 'drain');
  }

  async close(): Promise<void> {
    await this.flush();
    const finished = once(this.file, 'close');
    this.out.end();
    await finished;
  }
}

export interface WriteOptions {
  readonly dir: string;
  readonly asOf: string;
  readonly thresholds: TruthThresholds;
  readonly gzip?: boolean;
}

/** Streams patients into the folder; returns the number of resources written per type. */
export async function writeNdjson(patients: Iterable<SynthPatient>, o: WriteOptions): Promise<Record<string, number>> {
  mkdirSync(o.dir, { recursive: true });
  const sinks = new Map<string, LineSink>();
  const counts: Record<string, number> = {};
  const truth = new LineSink(join(o.dir, GROUND_TRUTH_FILE));
  for (const p of patients) {
    for (const resource of patientResources(p, o.asOf)) {
      const type = resource.resourceType;
      let sink = sinks.get(type);
      if (sink === undefined) {
        sink = new LineSink(join(o.dir, `${type}.ndjson${o.gzip === true ? '.gz' : ''}`), o.gzip === true);
        sinks.set(type, sink);
      }
      counts[type] = (counts[type] ?? 0) + 1;
      await sink.write(JSON.stringify(resource));
    }
    await truth.write(JSON.stringify(truthOf(p, o.asOf, o.thresholds)));
  }
  await Promise.all([...sinks.values(), truth].map((s) => s.close()));
  return counts;
}
