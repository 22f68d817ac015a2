/**
 * `trd serve --workers N`: N server processes share one port through node:cluster (the primary accepts the
 * connections and hands them round-robin to the processes), so the service uses more than one core. Each server
 * process is a whole `trd serve` (its own engine, every route); what they must share lives outside them: CDS
 * feedback and the JWT replay cache in SQLite under --data-dir, the web app's uploads in this primary process
 * (web/upload-shelf.ts), and the trial pages' sessions and sign-in attempts in the trial store. The trial demo
 * (--demo) makes a database of its own at start, and an in-memory store belongs to one process, so those run in one
 * process (docs/service.md, "Several server processes").
 *
 * The primary loads no engine. It starts one server process first and the others once it listens, so that a start
 * that fails (port in use, an unreadable JWKS) is reported once, by that process, and ends the service. It reports
 * the address once, replaces a process that ends after it started serving, and on SIGTERM or SIGINT closes every
 * process gracefully.
 */
import cluster from 'node:cluster';
import type { Worker } from 'node:cluster';
import type { AddressInfo } from 'node:net';
import { availableParallelism } from 'node:os';
import { InputError } from '../engine/index.ts';
import { MemoryShelf, serveShelf } from './web/upload-shelf.ts';

/** `auto` never starts more processes than this: each holds its own engine and heap. */
export const MAX_AUTO_WORKERS = 8;
/**
 * The young generation of each server process, in MB per semi-space (V8's --max-semi-space-size; Node 20's default
 * is 16). A patient-view request allocates its parsed body, record, facts and cards, and with 50 requests in flight
 * much of that is still alive at each minor collection, so with the default it was copied and promoted to the old
 * generation, whose collections then paused a process for tens of milliseconds. bench:serve, two server processes,
 * patient-view offered at 2,000/s: p99 24.6-37.1 ms with the default, 7.8-9.4 ms with 32 MB (docs/service.md). A flag
 * given to node (NODE_OPTIONS or the command line) wins.
 */
export const SEMI_SPACE_MB = 32;
/** More restarts than this within RESTART_WINDOW_MS is a crash loop: the service ends instead. */
const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 60_000;

/**
 * The number of server processes for --workers: a whole number 1-64, or `auto` (one per core, at most 8).
 * `oneProcessOnly` names what the service was asked to run that only one process can (the trial demo, a trial store
 * held in one process's memory), with the advice to give: `auto` then gives 1, and a number above 1 is refused with it.
 */
export function parseWorkers(value: string, oneProcessOnly?: string): number {
  const workers = value === 'auto' ? Math.min(availableParallelism(), MAX_AUTO_WORKERS) : Number(value);
  if (value !== 'auto' && (!/^\d{1,2}$/.test(value) || workers < 1 || workers > 64))
    throw new InputError('--workers must be auto or a whole number 1-64');
  if (oneProcessOnly !== undefined) {
    if (value !== 'auto' && workers > 1) throw new InputError(`--workers above 1 cannot run ${oneProcessOnly}`);
    return 1;
  }
  return workers;
}

export interface ClusterOptions {
  readonly workers: number;
  /** Called once, when the first server process listens, with the service's base URL. */
  readonly onListening: (url: string) => void;
  /** One line for the operator (standard error); never patient data. */
  readonly warn: (line: string) => void;
}

/**
 * Forks the server processes (each runs this same command line with cluster.isWorker true) and resolves with the
 * exit code once they have all ended.
 */
export function runCluster(options: ClusterOptions): Promise<number> {
  const shelf = new MemoryShelf();
  const running = new Set<Worker>();
  const listened = new WeakSet<Worker>();
  const restarts: number[] = [];
  let closing = false;
  let announced = false;
  let exitCode = 0;

  const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  if (!given.some((a) => /^--max-semi-space-size(=|$)/.test(a)))
    cluster.setupPrimary({ execArgv: [...process.execArgv, `--max-semi-space-size=${SEMI_SPACE_MB}`] });
  const fork = (): void => {
    const worker = cluster.fork();
    running.add(worker);
    serveShelf(worker, shelf);
  };

  return new Promise((resolve) => {
    const closeAll = (code: number): void => {
      exitCode = Math.max(exitCode, code);
      if (closing) return;
      closing = true;
      for (const worker of running) worker.process.kill('SIGTERM');
    };
    cluster.on('listening', (worker, address: AddressInfo | string) => {
      listened.add(worker);
      if (announced || typeof address === 'string') return;
      announced = true;
      for (let i = 1; i < options.workers; i += 1) fork();
      const a = address as AddressInfo & { addressType?: number | string };
      const host = a.addressType === 6 || a.address.includes(':') ? `[${a.address}]` : a.address;
      options.onListening(`http://${host}:${a.port}`);
    });
    cluster.on('exit', (worker, code, signal) => {
      running.delete(worker);
      if (!closing) {
        if (!listened.has(worker)) {
          // It failed to start (it printed its own one-line reason): the others would fail the same way.
          closeAll(code === 0 || code === null ? 1 : code);
        } else {
          const now = Date.now();
          restarts.push(now);
          while ((restarts[0] ?? now) < now - RESTART_WINDOW_MS) restarts.shift();
          if (restarts.length > MAX_RESTARTS) {
            options.warn(`server processes keep ending (${restarts.length} in a minute): stopping the service`);
            closeAll(1);
          } else {
            options.warn(`a server process ended (${signal ?? `exit code ${code}`}): starting another`);
            fork();
          }
        }
      }
      if (closing && running.size === 0) resolve(exitCode);
    });
    process.once('SIGTERM', () => closeAll(0));
    process.once('SIGINT', () => closeAll(0));
    fork();
  });
}
