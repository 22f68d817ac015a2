/**
 * `npm run bench:trial`: concealed randomization under load. `trd serve --trial-db` runs as its own process on a
 * SQLite trial store (INSIGHT, permuted blocks within hs-CRP band x site, kits for every slot) with N enrolled,
 * unrandomized participants; autocannon sends POST /trial/api/participants/:id/randomize from 50 concurrent
 * connections (one signed-in coordinator session, its CSRF token on every request), each request a different
 * participant, until all N are randomized. Baseline in the same run and against the same process: an authenticated
 * GET /trial/api/session (session lookup, guard, blinding check; no write) for the same 50 connections.
 * Afterwards: exactly N allocations, numbers 1..N without gap or repeat, and the audit hash chain verified.
 * Verdict: correctness (all of the above) plus the randomization rate as a share of the baseline rate.
 * Goal (ours; the issue sets no figure): >= 200 randomizations/s with p99 under 500 ms on this 2-core machine.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
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

const PARTICIPANTS = Number(process.env.BENCH_TRIAL_N ?? 3000);
const CONNECTIONS = 50;
const BASELINE_SECONDS = 5;
const GOAL_PER_SECOND = 200;
const GOAL_P99_MS = 500;

const trd = fileURLToPath(new URL('../src/cli/trd.ts', import.meta.url));

async function prepare(location: string): Promise<string[]> {
  const engine = testEngine();
  const protocol = insightProtocol(engine);
  await (await initTestStore(location, engine, PARTICIPANTS)).close();
  const store = await openTrialStore(location);
  const ctx = {
    actor: { userId: 'setup', role: 'coordinator' as const, site: 'site-a' },
    reason: SETUP_CONTEXT.reason,
  };
  const ids: string[] = [];
  for (let i = 0; i < PARTICIPANTS; i += 1) {
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
  const child = spawn(process.execPath, ['--import', 'tsx', trd, 'serve', '--port', '0', '--trial-db', location], {
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

function run(options: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(options, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

async function main(): Promise<void> {
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

    const baseline = await run({
      url: `${url}/trial/api/session`,
      connections: CONNECTIONS,
      duration: BASELINE_SECONDS,
      headers: headersFor(clients['site-a']),
    });

    let next = 0;
    const randomizations = await run({
      url,
      connections: CONNECTIONS,
      amount: ids.length,
      requests: [
        {
          method: 'POST',
          setupRequest: (req) => {
            const i = next;
            next += 1;
            const id = ids[i % ids.length] as string;
            return {
              ...req,
              path: `/trial/api/participants/${id}/randomize`,
              headers: { ...req.headers, ...headersFor(i % 2 === 0 ? clients['site-a'] : clients['site-b']) },
            };
          },
        },
      ],
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

    // Over the whole run (autocannon's per-second average is coarse for a run of a few seconds).
    const rate = randomizations['2xx'] / randomizations.duration;
    const ok2xx = randomizations['2xx'];
    const lines = [
      `bench:trial  SQLite store, server in its own process, ${CONNECTIONS} connections, load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
      `baseline     GET /trial/api/session      ${(baseline['2xx'] / baseline.duration).toFixed(0)} req/s   p50 ${baseline.latency.p50} ms   p99 ${baseline.latency.p99} ms   (${baseline['2xx']} ok, ${baseline.non2xx} other)`,
      `randomize    POST .../randomize          ${rate.toFixed(0)} req/s   p50 ${randomizations.latency.p50} ms   p99 ${randomizations.latency.p99} ms   (${ok2xx} ok, ${randomizations.non2xx} other, ${randomizations.errors} errors)`,
      `ratio        randomize / baseline        ${(rate / (baseline['2xx'] / baseline.duration)).toFixed(2)}`,
      `check        ${numbers.length} allocations for ${ids.length} participants, numbers 1..${ids.length} consecutive: ${consecutive}; audit chain (${verify.entries} entries) verified: ${verify.ok}`,
    ];
    const correct = consecutive && verify.ok && ok2xx === ids.length;
    const fast = rate >= GOAL_PER_SECOND && randomizations.latency.p99 <= GOAL_P99_MS;
    lines.push(
      `verdict      ${correct && fast ? 'PASS' : 'FAIL'}: ${correct ? 'every randomization once, consecutive, audit verified' : 'CORRECTNESS FAILED'}; ${rate.toFixed(0)}/s (goal >= ${GOAL_PER_SECOND}/s), p99 ${randomizations.latency.p99} ms (goal <= ${GOAL_P99_MS} ms)`,
    );
    process.stdout.write(`${lines.join('\n')}\n`);
    if (!correct) process.exitCode = 1;
  } finally {
    server.child?.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
