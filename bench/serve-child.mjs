/**
 * The timed processes of bench/serve.ts, in plain node on the compiled build (dist/): no tsx hooks.
 *   server JWKS DATADIR WORKERS
 *                         the service as `trd serve --workers WORKERS` runs it: with more than one, a primary
 *                         (dist/server/cluster.js) forking that many server processes (this script again, as cluster
 *                         workers), each built as `trd serve` builds it (dist/server/app.js): logging at info (stdout,
 *                         which the bench sends to /dev/null), a data directory, one trusted CDS client, and
 *                         --allow-unauthenticated. Sends { address } once listening; answers 'cpu' with the CPU time
 *                         of the primary and every server process so far and the number of server processes
 *                         running, 'close' by closing and exiting.
 *   ceiling BODIES JWKS   the in-process ceiling, in a process of its own so that it does not warm the server up:
 *                         answers { op: 'view' | 'assess' } with the engine work alone per second on the bodies in the
 *                         file BODIES ({ hook, assess }: JSON texts), { op: 'verify', tokens, audience } with ES384
 *                         client JWT verifications per CPU-second; 'close' exits.
 */
import cluster from 'node:cluster';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const AS_OF = '2026-11-27';
/** The server's clock, fixed so that every request is judged on the as-of date of the bench population. */
const TODAY = new Date(`${AS_OF}T12:00:00Z`);
const ISSUER = 'https://ehr.bench.example';
const [role, a, b, c] = process.argv.slice(2);
const send = (m) => process.send(m);
const cpuMicros = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

/** The primary of `trd serve --workers N`: the address once, and the CPU time of all the processes. */
async function primary(workers, dataDir) {
  const { runCluster } = await import('../dist/server/cluster.js');
  const { prepareDataDir } = await import('../dist/server/start.js');
  prepareDataDir(dataDir);
  const done = runCluster({
    workers,
    onListening: (address) => send({ address }),
    warn: (line) => process.stderr.write(`${line}\n`),
  });
  process.on('message', async (m) => {
    if (m !== 'cpu') return void process.kill(process.pid, 'SIGTERM');
    const each = Object.values(cluster.workers).map(
      (w) =>
        new Promise((resolve) => {
          w.once('message', (r) => resolve(r.cpuMicros));
          w.send('cpu');
        }),
    );
    send({ cpuMicros: cpuMicros() + (await Promise.all(each)).reduce((s, x) => s + x, 0), processes: each.length });
  });
  process.exit(await done);
}

async function server(jwksPath, dataDir, workers) {
  const { parseWorkers } = await import('../dist/server/cluster.js');
  const n = parseWorkers(workers);
  if (n > 1 && cluster.isPrimary) return primary(n, dataDir);
  const { buildServer } = await import('../dist/server/app.js');
  const { parseCdsClient } = await import('../dist/server/auth/jwks.js');
  const app = await buildServer({
    logLevel: 'info',
    dataDir,
    cdsClients: [parseCdsClient(`${ISSUER}=${jwksPath}`)],
    allowUnauthenticated: true,
    today: () => TODAY,
  });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  if (cluster.isWorker) {
    process.on('message', (m) => m === 'cpu' && send({ cpuMicros: cpuMicros() }));
    process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
    return;
  }
  send({ address });
  process.on('message', (m) => {
    if (m === 'cpu') send({ cpuMicros: cpuMicros(), processes: 1 });
    else void app.close().then(() => process.exit(0));
  });
}

/** A hook body's prefetch as the one collection Bundle the service assembles from it. */
function hookBundle(parsed) {
  const entry = [{ resource: parsed.prefetch.patient }];
  for (const [k, v] of Object.entries(parsed.prefetch)) if (k !== 'patient') entry.push(...v.entry);
  return { resourceType: 'Bundle', type: 'collection', entry };
}

/** Operations per second of `op` over the bodies in this thread, by wall clock and by CPU time. */
function rate(bodies, op, ms) {
  let i = 0;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  while (performance.now() - t0 < ms) op(bodies[i++ % bodies.length]);
  const c = process.cpuUsage(c0);
  return { wall: i / ((performance.now() - t0) / 1000), cpu: i / ((c.user + c.system) / 1e6) };
}

async function ceiling(bodiesPath, jwksPath) {
  const { createEngine } = await import('../dist/engine/index.js');
  const { cdsAuthenticator } = await import('../dist/server/auth/cds-jwt.js');
  const { parseCdsClient } = await import('../dist/server/auth/jwks.js');
  const bodies = JSON.parse(readFileSync(bodiesPath, 'utf8'));
  const engine = createEngine();
  const options = { asOf: AS_OF };
  const work = {
    view: [
      bodies.hook,
      (text) => engine.assessAndMatchRecord(engine.read(hookBundle(JSON.parse(text))), options).matches(),
    ],
    assess: [bodies.assess, (text) => engine.assess(JSON.parse(text), options)],
  };
  const verifier = cdsAuthenticator([parseCdsClient(`${ISSUER}=${jwksPath}`)]);
  process.on('message', async (m) => {
    if (m === 'close') process.exit(0);
    if (m.op === 'verify') {
      const c0 = process.cpuUsage();
      for (const token of m.tokens) await verifier.verify(`Bearer ${token}`, m.audience);
      const c = process.cpuUsage(c0);
      send({ perCpuSecond: m.tokens.length / ((c.user + c.system) / 1e6) });
    } else {
      const [texts, op] = work[m.op];
      rate(texts, op, 1000);
      send(rate(texts, op, 2500));
    }
  });
  send({ ready: true });
}

if (role === 'server') await server(a, b, c);
else if (role === 'ceiling') await ceiling(a, b);
else throw new Error(`unknown role ${role}`);
