/**
 * `trd serve --workers 2` as a real process tree: one address printed once; connections served by both server
 * processes; a CDS client JWT replayed to the other process refused (the SQLite replay cache is shared); an upload
 * opened from the other process (the primary holds uploads); a trial session and the sign-in attempts honoured
 * across both (the trial store holds them); a killed server process replaced; SIGTERM ends them all with exit 0; a port in use is one line and
 * exit 2. And --workers's one-line refusals.
 * Run: node --import tsx --test src/server/cluster.test.ts
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { REPO_ROOT, trd, trdCommand, trdProcess } from '../cli/run.test-support.ts';
import { InputError } from '../engine/index.ts';
import { sharedAcrossProcesses } from '../trial/store/open.ts';
import { MAX_AUTO_WORKERS, parseWorkers, SEMI_SPACE_MB } from './cluster.ts';
import { hookRequest, readBundleFile } from './server.test-support.ts';

const ISSUER = 'https://ehr.cluster-test.example';

/** One request on a connection of its own (no keep-alive pool), so the primary hands each to the next process. */
function fresh(url: string, options: { method?: string; headers?: Record<string, string>; body?: Buffer } = {}) {
  return new Promise<{ status: number; location?: string; body: string; cookies: string[] }>((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body,
          cookies: res.headers['set-cookie'] ?? [],
          ...(res.headers.location === undefined ? {} : { location: res.headers.location }),
        }),
      );
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** The pids of the server processes that logged `message` so far (pino's JSON lines on standard output). */
const pidsThatLogged = (stdout: string, message: string): Set<number> =>
  new Set(
    stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { pid: number; msg: string })
      .filter((entry) => entry.msg === message)
      .map((entry) => entry.pid),
  );

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 300; i += 1) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

test('two server processes: one address, both serve, uploads cross processes, a dead one is replaced', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'trd-cluster-'));
  const { publicKey, privateKey } = await generateKeyPair('ES384', { extractable: true });
  const jwks = join(dataDir, 'jwks.json');
  writeFileSync(jwks, JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES384' }] }));
  const trialDb = join(dataDir, 'trial.sqlite');
  const password = 'cluster-test-password-1';
  const added = await trd(
    ['trial-user', 'add', '--trial-db', trialDb, '--username', 'admin', '--role', 'administrator'],
    `${password}\n`,
  );
  assert.equal(added.code, 0, added.stderr);
  const child = spawn(
    process.execPath,
    [
      ...trdCommand(),
      ...['serve', '--port', '0', '--workers', '2', '--allow-unauthenticated', '--data-dir', dataDir],
      ...['--cds-client', `${ISSUER}=${jwks}`, '--trial-db', trialDb],
    ],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    await until(() => /listening on http:\/\/127\.0\.0\.1:\d+, 2 server processes/.test(stdout), 'the address');
    const base = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1] as string;
    await until(() => pidsThatLogged(stdout, 'listening').size === 2, 'both processes to listen');
    // Each server process runs with the larger young generation (SEMI_SPACE_MB): its command line says so (Linux).
    if (existsSync('/proc/self/cmdline')) {
      for (const pid of pidsThatLogged(stdout, 'listening')) {
        const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
        assert.ok(args.includes(`--max-semi-space-size=${SEMI_SPACE_MB}`), `server process ${pid}: ${args.join(' ')}`);
      }
    }
    const plain = stdout.split('\n').filter((line) => line !== '' && !line.startsWith('{'));
    assert.deepEqual(
      plain.map((line) => line.replace(/http:\/\/[\d.:]+\/?/g, 'URL')),
      [
        'Trial operations at /trial/ (store: sqlite).',
        'CDS Hooks client authentication is OFF (--allow-unauthenticated): demo and development only',
        'precision-trd service listening on URL, 2 server processes (open URL in a browser)',
      ],
    );

    // Connections alternate between the two processes.
    for (let i = 0; i < 6; i += 1) assert.equal((await fresh(`${base}/health`)).status, 200);
    await until(() => pidsThatLogged(stdout, 'request completed').size === 2, 'requests logged by both processes');

    // A client JWT is accepted once; replayed on new connections (so to the other process too), it is refused.
    const service = `${base}/cds-services/trd-il6-candidacy`;
    const t = Math.floor(Date.now() / 1000);
    const jwt = await new SignJWT({ iss: ISSUER, aud: service, iat: t, exp: t + 120, jti: 'cluster-once' })
      .setProtectedHeader({ alg: 'ES384', kid: 'k1', typ: 'JWT' })
      .sign(privateKey);
    const resources = readBundleFile(join(REPO_ROOT, 'examples', 'seed-vignette.json')).entry.map((e) => e.resource);
    const call = () =>
      fresh(service, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${jwt}` },
        body: Buffer.from(JSON.stringify(hookRequest('patient-view', resources))),
      });
    assert.equal((await call()).status, 200);
    for (let i = 0; i < 3; i += 1) assert.equal((await call()).status, 401);

    // An upload held by the primary opens from either process, page and handout.
    const file = readFileSync(join(REPO_ROOT, 'examples', 'seed-vignette.json'));
    const boundary = 'trd-cluster-test';
    const body = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="b.json"\r\n` +
          'Content-Type: application/json\r\n\r\n',
      ),
      file,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const upload = await fresh(`${base}/upload`, {
      method: 'POST',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      body,
    });
    assert.equal(upload.status, 303);
    assert.match(upload.location ?? '', /^\/uploads\/[\w-]+$/);
    for (let i = 0; i < 4; i += 1) {
      const page = await fresh(`${base}${upload.location}`);
      assert.equal(page.status, 200);
      assert.match(page.body, /Recommendation/);
      assert.equal((await fresh(`${base}${upload.location}/handout`)).status, 200);
    }
    assert.equal((await fresh(`${base}/uploads/not-a-token`)).status, 404);

    // A trial session started on one process is honoured on new connections, so by both (the trial store holds it).
    const signIn = (username: string, secret: string) =>
      fresh(`${base}/trial/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: Buffer.from(JSON.stringify({ username, password: secret })),
      });
    const signedIn = await signIn('admin', password);
    assert.equal(signedIn.status, 200);
    const cookie = signedIn.cookies.find((c) => c.startsWith('trd_trial_session='))?.split(';')[0] ?? '';
    for (let i = 0; i < 4; i += 1) {
      const session = await fresh(`${base}/trial/api/session`, { headers: { cookie } });
      assert.equal(session.status, 200);
      assert.match(session.body, /"username":"admin"/);
    }

    // The sign-in limit (10 refused attempts per 15 minutes; the sign-in above that succeeded does not count) holds
    // across both processes: the 11th attempt is refused.
    for (let i = 0; i < 10; i += 1) assert.equal((await signIn('nobody', 'not-the-password')).status, 401);
    assert.equal(pidsThatLogged(stdout, 'sign-in refused').size, 2, 'both processes counted attempts');
    assert.equal((await signIn('nobody', 'not-the-password')).status, 429);
    assert.equal((await signIn('admin', password)).status, 429);

    // A server process that dies is replaced; the service goes on answering.
    const first = [...pidsThatLogged(stdout, 'listening')];
    process.kill(first[0] as number, 'SIGKILL');
    await until(() => pidsThatLogged(stdout, 'listening').size === 3, 'a replacement process');
    assert.match(stderr, /^trd: a server process ended \(SIGKILL\): starting another$/m);
    for (let i = 0; i < 4; i += 1) assert.equal((await fresh(`${base}/health`)).status, 200);

    // SIGTERM: every process closes, the primary exits 0.
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    for (const pid of pidsThatLogged(stdout, 'listening'))
      assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' }, `process ${pid} still running`);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('a port in use: one trd: line, exit 2, no server process left behind', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'trd-cluster-'));
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const port = String((taken.address() as AddressInfo).port);
  try {
    const r = await trdProcess(['serve', '--port', port, '--workers', '2', '--data-dir', dataDir], {
      timeoutMs: 30_000,
    });
    assert.equal(r.code, 2, r.stderr);
    assert.equal(
      r.stderr,
      'trd: bind failed: the address is in use (another process listens on that port; choose another --port)\n',
    );
  } finally {
    taken.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('--workers: a number 1-64 or auto; the trial demo and a store held in memory run in one process', async () => {
  const demo = 'the trial demo: use one process';
  assert.equal(parseWorkers('1'), 1);
  assert.equal(parseWorkers('3'), 3);
  assert.equal(parseWorkers('auto'), Math.min(availableParallelism(), MAX_AUTO_WORKERS));
  assert.equal(parseWorkers('auto', demo), 1);
  assert.equal(parseWorkers('1', demo), 1);
  for (const bad of ['0', '65', '-1', '1.5', 'two', '', ' 2'])
    assert.throws(() => parseWorkers(bad), new InputError('--workers must be auto or a whole number 1-64'));
  assert.throws(
    () => parseWorkers('2', demo),
    new InputError('--workers above 1 cannot run the trial demo: use one process'),
  );

  for (const args of [
    ['serve', '--port', '0', '--workers', 'lots'],
    ['serve', '--port', '0', '--workers', '2', '--demo'],
    ['serve', '--port', '0', '--workers', '2', '--trial-db', ':memory:'],
    ['serve', '--port', '0', '--workers', '2', '--trial-db', 'pglite:memory'],
  ]) {
    const r = await trd(args);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^trd: [^\n]+\n$/);
    if (args.includes('--trial-db')) assert.match(r.stderr, /cannot run a trial store kept in one process/);
  }
  // Several processes share a trial only through a SQLite file or a PostgreSQL server.
  assert.equal(sharedAcrossProcesses('trial/insight.sqlite'), true);
  assert.equal(sharedAcrossProcesses('sqlite:trial.sqlite'), true);
  assert.equal(sharedAcrossProcesses('postgres://trd@db.example.org/trial'), true);
  for (const alone of [':memory:', 'sqlite::memory:', 'pglite:memory', 'pglite:some/dir'])
    assert.equal(sharedAcrossProcesses(alone), false, alone);
});
