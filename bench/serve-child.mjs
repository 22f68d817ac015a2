/**
 * The timed processes of bench/serve.ts, in plain node on the compiled build (dist/): no tsx hooks.
 *   server JWKS DATADIR   the service as `trd serve` builds it (dist/server/app.js): logging at info (stdout, which
 *                         the bench sends to /dev/null), a data directory, one trusted CDS client, and
 *                         --allow-unauthenticated; sends { address } once listening; answers 'cpu' with the
 *                         process's CPU time so far, 'close' by closing and exiting.
 *   ceiling BODIES JWKS   the in-process ceiling, in a process of its own so that it does not warm the server up:
 *                         answers { op: 'view' | 'assess' } with the engine work alone per second on the bodies in the
 *                         file BODIES ({ hook, assess }: JSON texts), { op: 'verify', tokens, audience } with ES384
 *                         client JWT verifications per CPU-second; 'close' exits.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const AS_OF = '2026-11-27';
const ISSUER = 'https://ehr.bench.example';
const [role, a, b] = process.argv.slice(2);
const send = (m) => process.send(m);

async function server(jwksPath, dataDir) {
  const { buildServer } = await import('../dist/server/app.js');
  const { parseCdsClient } = await import('../dist/server/auth/jwks.js');
  const app = await buildServer({
    logLevel: 'info',
    dataDir,
    cdsClients: [parseCdsClient(`${ISSUER}=${jwksPath}`)],
    allowUnauthenticated: true,
    today: () => new Date(`${AS_OF}T12:00:00Z`),
  });
  send({ address: await app.listen({ port: 0, host: '127.0.0.1' }) });
  process.on('message', (m) => {
    if (m === 'cpu') {
      const u = process.cpuUsage();
      send({ cpuMicros: u.user + u.system });
    } else void app.close().then(() => process.exit(0));
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
      for (const token of m.tokens) await verifier.verify(`Bearer ${token}`, [m.audience]);
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

if (role === 'server') await server(a, b);
else if (role === 'ceiling') await ceiling(a, b);
else throw new Error(`unknown role ${role}`);
