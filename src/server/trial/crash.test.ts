/**
 * Durability: `trd serve --trial-db` runs as a child process; in the middle of a burst of writes (screening entries
 * and randomizations, 16 at a time) it is killed with SIGKILL. After a restart on the same SQLite file every write
 * the server acknowledged (201) is there unchanged, randomization numbers are still consecutive, and the audit
 * chain verifies.
 * Run: node --import tsx --test src/server/trial/crash.test.ts
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { TrialClient } from './client.test-support.ts';
import {
  accountFor,
  eligibleCriteria,
  enrolThroughApi,
  initTestStore,
  insightProtocol,
  testEngine,
} from './harness.test-support.ts';

const trd = fileURLToPath(new URL('../../cli/main.ts', import.meta.url));

async function startServer(location: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', trd, 'serve', '--port', '0', '--trial-db', location], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_ENV: 'test' },
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 60_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m !== null) {
        clearTimeout(timer);
        resolve(m[1] as string);
      }
    });
    child.once('exit', (code) => reject(new Error(`server exited (${code}): ${out}`)));
  });
  return { child, url };
}

/** Resolves when the process has ended (at once if it already has: killed by a signal, exitCode stays null). */
const ended = (child: ChildProcess): Promise<unknown> =>
  child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', r));

async function signIn(url: string, role: 'coordinator' | 'monitor'): Promise<TrialClient> {
  const account = accountFor(role, role === 'coordinator' ? 'site-a' : undefined);
  const client = new TrialClient(url);
  const reply = await client.login(account.username, account.password);
  assert.equal(reply.status, 200, reply.text);
  return client;
}

test('after SIGKILL mid-burst, every acknowledged write survives and the audit chain verifies', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'trd-trial-crash-'));
  const location = `sqlite:${join(dir, 'trial.sqlite')}`;
  const engine = testEngine();
  const protocol = insightProtocol(engine);
  await (await initTestStore(location, engine)).close();
  let server = await startServer(location);
  try {
    const coord = await signIn(server.url, 'coordinator');
    const toRandomize: string[] = [];
    for (let i = 0; i < 30; i += 1) toRandomize.push(await enrolThroughApi(coord, protocol, 'site-a'));

    const ackedScreening = new Map<string, string>();
    const ackedAllocations = new Map<string, { kitCode: string; randomizationNumber: number }>();
    let sent = 0;
    let killed = false;
    let unacknowledged = 0;
    const writeOne = async (i: number): Promise<void> => {
      try {
        if (i % 4 === 0 && toRandomize.length > 0) {
          const id = toRandomize.shift() as string;
          const r = await coord.post(`/trial/api/participants/${id}/randomize`);
          if (r.status === 201) ackedAllocations.set(id, r.json as { kitCode: string; randomizationNumber: number });
          else unacknowledged += 1;
        } else {
          const code = `CRASH-${i}`;
          const r = await coord.post('/trial/api/screening', {
            site: 'site-a',
            screeningCode: code,
            screenedOn: '2026-11-10',
            criteria: eligibleCriteria(protocol),
          });
          if (r.status === 201) ackedScreening.set((r.json as { id: string }).id, code);
          else unacknowledged += 1;
        }
      } catch {
        // The connection died with the server: not acknowledged.
        unacknowledged += 1;
      }
    };
    const worker = async (): Promise<void> => {
      while (!killed && sent < 2000) {
        sent += 1;
        await writeOne(sent);
        if (ackedScreening.size + ackedAllocations.size >= 120 && !killed) {
          killed = true;
          server.child.kill('SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    await ended(server.child);
    assert.equal(server.child.signalCode, 'SIGKILL');
    assert.ok(ackedScreening.size + ackedAllocations.size >= 120);
    assert.ok(ackedAllocations.size > 0, 'randomizations were part of the burst');
    assert.ok(unacknowledged > 0, 'the kill cut requests in flight (the burst was still running)');

    server = await startServer(location);
    const monitor = await signIn(server.url, 'monitor');
    const screening = (await monitor.get('/trial/api/screening')).json as { id: string; screeningCode: string }[];
    const stored = new Map(screening.map((s) => [s.id, s.screeningCode]));
    for (const [id, code] of ackedScreening) assert.equal(stored.get(id), code, `screening ${code} survived`);
    const participants = (await monitor.get('/trial/api/participants')).json as {
      id: string;
      kitCode: string | null;
      randomizationNumber: number | null;
    }[];
    const byId = new Map(participants.map((p) => [p.id, p]));
    for (const [id, allocation] of ackedAllocations) {
      assert.equal(byId.get(id)?.kitCode, allocation.kitCode);
      assert.equal(byId.get(id)?.randomizationNumber, allocation.randomizationNumber);
    }
    const numbers = participants.flatMap((p) => (p.randomizationNumber === null ? [] : [p.randomizationNumber]));
    assert.deepEqual(
      numbers.sort((a, b) => a - b),
      Array.from({ length: numbers.length }, (_, i) => i + 1),
    );
    const verify = await monitor.get('/trial/api/audit/verify');
    assert.equal(verify.status, 200);
    assert.equal((verify.json as { ok: boolean }).ok, true, verify.text.slice(0, 300));
  } finally {
    server.child.kill('SIGTERM');
    await ended(server.child);
    rmSync(dir, { recursive: true, force: true });
  }
});
