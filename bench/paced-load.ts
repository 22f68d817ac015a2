/**
 * An open-loop load at a constant rate, for bench/serve.ts: request k is due at start + k / rate and is sent then over
 * a pool of keep-alive connections (queued in the pool when every connection is busy), and its latency counts from
 * when it was due, so that a slow server cannot hide its queue by slowing the sender (coordinated omission). This is
 * wrk2's model. Written here because autocannon's `overallRate` is not it: each connection sends its share of a second
 * back to back when the second starts and then waits for the next (autocannon lib/httpClient.js, reqsMadeThisSecond),
 * so a "rate" phase is a burst at full speed each second; and no other load generator for Node is a dependency.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';

/** What a load phase gives, whichever generator ran it. */
export interface LoadResult {
  /** Requests answered (or failed). */
  readonly requests: number;
  /** From the first request's due time to the last answer. */
  readonly durationS: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly non2xx: number;
  readonly errors: number;
}

export interface PacedLoadOptions {
  /** The endpoint's absolute URL (http). */
  readonly url: string;
  /** Requests per second offered. */
  readonly rate: number;
  readonly durationS: number;
  /** Keep-alive connections at most (the pool size). */
  readonly connections: number;
  /** Request bodies, sent in turn (POST). */
  readonly bodies: readonly string[];
  readonly headers: Readonly<Record<string, string>>;
}

/** The q-quantile (0-1) of sorted values, nearest rank. */
function quantile(sorted: Float64Array, q: number): number {
  return sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

export function pacedLoad(options: PacedLoadOptions): Promise<LoadResult> {
  const target = new URL(options.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections });
  const bodies = options.bodies.map((b) => Buffer.from(b));
  const total = Math.round(options.rate * options.durationS);
  const intervalMs = 1000 / options.rate;
  const latencies = new Float64Array(total);
  let sent = 0;
  let done = 0;
  let non2xx = 0;
  let errors = 0;
  // The first request is due a little after the call, once the timer runs.
  const start = performance.now() + 20;

  return new Promise((resolve) => {
    const answered = (k: number): void => {
      latencies[k] = performance.now() - (start + k * intervalMs);
      if (++done < total) return;
      agent.destroy();
      const sorted = latencies.slice().sort();
      resolve({
        requests: total,
        durationS: (performance.now() - start) / 1000,
        p50Ms: quantile(sorted, 0.5),
        p99Ms: quantile(sorted, 0.99),
        non2xx,
        errors,
      });
    };
    const send = (k: number): void => {
      const body = bodies[k % bodies.length]!;
      const request = http.request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: `${target.pathname}${target.search}`,
          method: 'POST',
          headers: { ...options.headers, 'content-length': body.length },
        },
        (response) => {
          if (response.statusCode === undefined || response.statusCode < 200 || response.statusCode >= 300) non2xx++;
          response.resume();
          response.once('end', () => answered(k));
        },
      );
      request.once('error', () => {
        errors++;
        answered(k);
      });
      request.end(body);
    };
    // Every millisecond or so, send each request that has fallen due (timers do not fire more finely).
    const tick = (): void => {
      const now = performance.now();
      while (sent < total && start + sent * intervalMs <= now) send(sent++);
      if (sent < total) setTimeout(tick, 1);
    };
    setTimeout(tick, 1);
  });
}
