/**
 * `npm run bench:trial`: concealed randomization under load. `trd serve --trial-db` runs as its own process on a
 * SQLite trial store (INSIGHT, permuted blocks within hs-CRP band x site, kits for every slot, synchronous=FULL: each
 * commit is on disk before it is acknowledged) with N enrolled, unrandomized participants; 50 concurrent clients
 * (keep-alive connections, parallel fetch) send POST /trial/api/participants/:id/randomize, each request a different
 * participant taken from one shared queue, until all N are randomized (one coordinator session per site, its CSRF
 * token on every request). Measured in the same run:
 * - baseline: an authenticated GET /trial/api/session (session lookup, role guard, blinding check; no write) from the
 *   same 50 clients against the same process;
 * - ceiling: the store's own randomize() called in-process, one after another, on a copy of the same trial: what the
 *   durable SQLite write costs without HTTP, sessions, CSRF and the guard.
 * The server (bin/trd.js) and the ceiling (bench/trial-child.mjs) run the compiled build in dist/ in plain node, as
 * users run it (rebuilt first if older than the sources: bench/compiled.ts); this process, under tsx, only prepares
 * the trials with the test support and drives the clients.
 * Afterwards: exactly N allocations, numbers 1..N without gap or repeat, and the audit hash chain verified.
 * (autocannon is not used here: its setupRequest hook is called more often than requests are sent, which repeats
 * and skips participants.)
 * Verdict: correct (all of the above) and the HTTP randomization rate at least half the in-process ceiling, i.e. the
 * server adds at most as much as the durable write itself; the absolute rate is bound by fsync on this machine.
 */
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { SETUP_CONTEXT } from '../src/server/trial/accounts.ts';
import { TrialClient } from '../src/server/trial/client.test-support.ts';
import {
  accountFor,
  eligibleCriteria,
  initTestStore,
  insightProtocol,
  testEngine,
} from '../src/server/trial/harness.test-support.ts';
import { openTrialStore } from '../src/trial/store/open.ts';
import { ensureBuild, ROOT, runChild } from './compiled.ts';

const PARTICIPANTS = Number(process.env.BENCH_TRIAL_N ?? 1000);
const CONNECTIONS = 50;
const BASELINE_SECONDS = 5;
const GOAL_CEILING_SHARE = 0.5;

const trd = join(ROOT, 'bin', 'trd.js');

async function prepare(location: string, count: number = PARTICIPANTS): Promise<string[]> {
  const engine = testEngine();
  const protocol = insightProtocol(engine);
  await (await initTestStore(location, engine, count)).close();
  const store = await openTrialStore(location);
  const ctx = {
    actor: { userId: 'setup', role: 'coordinator' as const, site: 'site-a' },
    reason: SETUP_CONTEXT.reason,
  };
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const site = i % 2 === 0 ? 'site-a' : 'site-b';
    const siteCtx = { ...ctx, actor: { ...ctx.actor, site } };
    const s = await store.addScreening(siteCtx, {
      site,
      screeningCode: `B-${i}`,
      screenedOn: '2026-11-02',
      criteria: eligibleCriteria(protocol).map((c) => ({ ...c, source: 'entered' as const })),
    });
    await store.recordConsent(siteCtx, { screeningId: s.id, consentedOn: '2026-11-03', formVersion: 'v1' });
    const p = await store.enrol(siteCtx, {
      screeningId: s.id,
      participantCode: `BP-${i}`,
      strata: { crp: i % 3 === 0 ? 'low' : 'high', site },
      baselineCrpMgPerL: i % 3 === 0 ? 1.5 : 6,
      enrolledOn: '2026-11-04',
    });
    ids.push(p.id);
  }
  await store.close();
  return ids;
}

function startServer(location: string) {
  const child = spawn(process.execPath, [trd, 'serve', '--port', '0', '--trial-db', location], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m !== null) resolve(m[1] as string);
    });
    child.once('exit', (code) => reject(new Error(`server exited (${code})`)));
  });
  return { child, url };
}

interface LoadResult {
  readonly ok: number;
  readonly other: Record<string, number>;
  readonly errors: number;
  readonly seconds: number;
  readonly p50: number;
  readonly p99: number;
}

const percentile = (sorted: readonly number[], q: number): number =>
  sorted.length === 0 ? Number.NaN : (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number);

/** `clients` workers; each takes the next job until `next()` gives undefined; latency per request in ms. */
async function load(
  clients: number,
  next: () => { url: string; init: RequestInit; okStatus: number } | undefined,
): Promise<LoadResult> {
  const latencies: number[] = [];
  const other: Record<string, number> = {};
  let ok = 0;
  let errors = 0;
  const t0 = performance.now();
  const worker = async (): Promise<void> => {
    for (let job = next(); job !== undefined; job = next()) {
      const start = performance.now();
      try {
        const response = await fetch(job.url, job.init);
        await response.arrayBuffer();
        latencies.push(performance.now() - start);
        if (response.status === job.okStatus) ok += 1;
        else other[response.status] = (other[response.status] ?? 0) + 1;
      } catch {
        errors += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: clients }, worker));
  const seconds = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  return { ok, other, errors, seconds, p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99) };
}

/** The store's randomize() in-process, serially, on its own copy of the trial (bench/trial-child.mjs): the ceiling. */
async function storeCeiling(dir: string, count: number): Promise<number> {
  const location = `sqlite:${join(dir, 'ceiling.sqlite')}`;
  const idsPath = join(dir, 'ceiling-ids.json');
  writeFileSync(idsPath, JSON.stringify(await prepare(location, count)));
  return (JSON.parse(runChild('trial-child.mjs', [location, idsPath])) as { perSecond: number }).perSecond;
}

async function main(): Promise<void> {
  ensureBuild('bench:trial');
  const dir = mkdtempSync(join(tmpdir(), 'trd-bench-trial-'));
  const location = `sqlite:${join(dir, 'trial.sqlite')}`;
  const server = { child: undefined as ReturnType<typeof startServer>['child'] | undefined };
  try {
    process.stdout.write(`preparing ${PARTICIPANTS} enrolled participants ...\n`);
    const ids = await prepare(location);
    const started = startServer(location);
    server.child = started.child;
    const url = await started.url;
    const coordinator = accountFor('coordinator', 'site-a');
    // One coordinator session of each site: the participants are split over both sites.
    const clients = { 'site-a': new TrialClient(url), 'site-b': new TrialClient(url) };
    await clients['site-a'].login(coordinator.username, coordinator.password);
    const coordB = accountFor('coordinator', 'site-b');
    await clients['site-b'].login(coordB.username, coordB.password);
    const headersFor = (c: TrialClient) => ({ cookie: c.cookie, 'x-csrf-token': c.csrf });

    const baselineEnd = performance.now() + BASELINE_SECONDS * 1000;
    const baseline = await load(CONNECTIONS, () =>
      performance.now() < baselineEnd
        ? { url: `${url}/trial/api/session`, init: { headers: headersFor(clients['site-a']) }, okStatus: 200 }
        : undefined,
    );

    let next = 0;
    const randomizations = await load(CONNECTIONS, () => {
      const i = next;
      next += 1;
      const id = ids[i];
      if (id === undefined) return undefined;
      const client = i % 2 === 0 ? clients['site-a'] : clients['site-b'];
      return {
        url: `${url}/trial/api/participants/${id}/randomize`,
        init: { method: 'POST', headers: headersFor(client) },
        okStatus: 201,
      };
    });
    const monitor = new TrialClient(url);
    const m = accountFor('monitor');
    await monitor.login(m.username, m.password);
    const participants = (await monitor.get('/trial/api/participants')).json as {
      randomizationNumber: number | null;
    }[];
    const numbers = participants.flatMap((p) => (p.randomizationNumber === null ? [] : [p.randomizationNumber]));
    numbers.sort((a, b) => a - b);
    const consecutive = numbers.length === ids.length && numbers.every((n, i) => n === i + 1);
    const verify = (await monitor.get('/trial/api/audit/verify')).json as { ok: boolean; entries: number };

    server.child.kill('SIGTERM');
    const ceiling = await storeCeiling(dir, Math.min(PARTICIPANTS, 500));
    const rate = randomizations.ok / randomizations.seconds;
    const baseRate = baseline.ok / baseline.seconds;
    const other = (r: LoadResult) =>
      Object.entries(r.other)
        .map(([status, n]) => `${n} x ${status}`)
        .join(', ') || 'none';
    const lines = [
      `bench:trial  SQLite store (synchronous=FULL), server in its own process, ${CONNECTIONS} clients, load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
      `baseline     GET /trial/api/session              ${baseRate.toFixed(0)} req/s   p50 ${baseline.p50.toFixed(1)} ms   p99 ${baseline.p99.toFixed(1)} ms   (${baseline.ok} ok; other: ${other(baseline)}; ${baseline.errors} errors)`,
      `ceiling      store.randomize() in-process, serial ${ceiling.toFixed(0)} /s`,
      `randomize    POST .../randomize                  ${rate.toFixed(0)} req/s   p50 ${randomizations.p50.toFixed(1)} ms   p99 ${randomizations.p99.toFixed(1)} ms   (${randomizations.ok} ok; other: ${other(randomizations)}; ${randomizations.errors} errors)`,
      `ratios       randomize / ceiling ${(rate / ceiling).toFixed(2)}   randomize / baseline ${(rate / baseRate).toFixed(3)}`,
      `check        ${numbers.length} allocations for ${ids.length} participants, numbers 1..${ids.length} consecutive: ${consecutive}; audit chain (${verify.entries} entries) verified: ${verify.ok}`,
    ];
    const correct = consecutive && verify.ok && randomizations.ok === ids.length;
    const fast = rate >= GOAL_CEILING_SHARE * ceiling;
    lines.push(
      `verdict      ${correct && fast ? 'PASS' : 'FAIL'}: ${correct ? 'every participant randomized once, numbers consecutive, audit chain verified' : 'CORRECTNESS FAILED'}; ${rate.toFixed(0)} randomizations/s over HTTP = ${((100 * rate) / ceiling).toFixed(0)}% of the store's in-process rate (goal >= ${100 * GOAL_CEILING_SHARE}%), p99 ${randomizations.p99.toFixed(0)} ms`,
    );
    process.stdout.write(`${lines.join('\n')}\n`);
    if (!correct) process.exitCode = 1;
  } finally {
    server.child?.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
