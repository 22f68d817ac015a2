/**
 * Worker threads that assess batches of patients while the screen's own thread reads the source and writes the
 * output, so the engine runs on every core (DuckDB runs its own threads). Results come back in the order the
 * batches were sent, so the output is byte for byte what one thread writes.
 */
import { Worker } from 'node:worker_threads';
import type { BatchResult } from './assess-batch.ts';
import type { PatientInput } from './sources/source.ts';

/** What a worker needs to build the same engine as the screen's. */
export interface WorkerSetup {
  /** The pathway file (`--pathway`), absent for the bundled one. */
  readonly pathway?: string;
  /** The pathway the screen's engine applies: a worker that loads another one stops. */
  readonly expected: { readonly id: string; readonly version: string };
  readonly cutOffs: readonly number[];
  readonly asOf: string;
}

interface Pending {
  readonly resolve: (r: BatchResult) => void;
  readonly reject: (e: unknown) => void;
}

const fromSource = import.meta.url.endsWith('.ts');
/** The worker's module beside this one: the built JavaScript (dist/), or the TypeScript source under tsx. */
const workerModule = new URL(`./assess-worker${fromSource ? '.ts' : '.js'}`, import.meta.url);
/**
 * Under tsx (tests, benches) a worker thread does not inherit tsx's module hooks, so it registers them before
 * importing the worker; the built package (dist/) starts the JavaScript module directly.
 */
const workerEntry = (): URL =>
  fromSource
    ? new URL(
        `data:text/javascript,${encodeURIComponent(
          `import { register } from ${JSON.stringify(import.meta.resolve('tsx/esm/api'))}; register(); ` +
            `await import(${JSON.stringify(workerModule.href)});`,
        )}`,
      )
    : workerModule;

export class AssessPool {
  private readonly workers: Worker[];
  private readonly pending = new Map<number, Pending>();
  private seq = 0;
  private failure: unknown;
  private closing = false;

  constructor(count: number, setup: WorkerSetup) {
    this.workers = Array.from({ length: count }, () => {
      const w = new Worker(workerEntry(), { workerData: setup });
      w.on('message', (m: BatchResult & { seq: number }) => {
        const p = this.pending.get(m.seq);
        this.pending.delete(m.seq);
        p?.resolve(m);
      });
      w.on('error', (e) => this.fail(e));
      w.on('exit', (code) => {
        if (code !== 0 && !this.closing) this.fail(new Error(`a screen worker stopped (exit code ${code})`));
      });
      return w;
    });
  }

  private fail(e: unknown): void {
    this.failure ??= e;
    for (const p of this.pending.values()) p.reject(this.failure);
    this.pending.clear();
  }

  /** Sends one batch to the next worker in turn; the promise settles with its lines. */
  assess(patients: readonly PatientInput[]): Promise<BatchResult> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const seq = this.seq++;
    const worker = this.workers[seq % this.workers.length] as Worker;
    return new Promise<BatchResult>((resolve, reject) => {
      this.pending.set(seq, { resolve, reject });
      worker.postMessage({ seq, patients });
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
