/**
 * The trial plugin as `trd serve --trial-db ... --public-url ...` builds it: served behind HTTPS (an https public URL,
 * the address browsers use), the session cookie carries the Secure flag, so a browser never sends it over plain HTTP.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildServer } from '../app.ts';
import { testEngine } from './harness.test-support.ts';
import { trialPlugin } from './start.ts';

/**
 * Signs in as the demo's coordinator-a on a server built from `publicUrl`; the Set-Cookie header of the answer, after
 * checking that the cookie is honoured by the trial's API and cleared by signing out.
 */
async function sessionCookie(publicUrl: string | undefined): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'trd-trial-start-'));
  const lines: string[] = [];
  const plugin = await trialPlugin(
    { trialDb: `sqlite:${join(dir, 'trial.sqlite')}`, demo: true, ...(publicUrl === undefined ? {} : { publicUrl }) },
    testEngine(),
    (line) => lines.push(line),
  );
  assert.ok(plugin !== undefined);
  const app = await buildServer({ engine: testEngine(), plugins: [plugin], logLevel: false });
  try {
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    const account = lines.map((l) => /^\s+coordinator-a\s+(\S+)/.exec(l)).find((m) => m !== null);
    assert.ok(account != null, 'the demo prints the coordinator account');
    const response = await fetch(`${address}/trial/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'coordinator-a', password: account[1] }),
    });
    assert.equal(response.status, 200);
    const setCookie = response.headers.getSetCookie().join('\n');
    const cookie = setCookie.split(';')[0] ?? '';
    const session = await fetch(`${address}/trial/api/session`, { headers: { cookie } });
    assert.equal(session.status, 200, 'the cookie is the session');
    const { csrfToken } = (await response.json()) as { csrfToken: string };
    const out = await fetch(`${address}/trial/logout`, {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': csrfToken, 'content-type': 'application/json' },
      body: '{}',
    });
    const cleared = out.headers.getSetCookie().join('\n');
    assert.ok(cleared.startsWith(`${cookie.split('=')[0]}=;`), cleared);
    // Cleared with the scope it was set with, or the browser would keep it.
    assert.equal(/Path=[^;]*/i.exec(cleared)?.[0], /Path=[^;]*/i.exec(setCookie)?.[0]);
    return setCookie;
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('behind an https public URL the session cookie is Secure; on plain http it is not', async () => {
  assert.match(await sessionCookie('https://trial.example.org'), /;\s*Secure/i);
  assert.doesNotMatch(await sessionCookie('http://127.0.0.1:8787'), /;\s*Secure/i);
  assert.doesNotMatch(await sessionCookie(undefined), /;\s*Secure/i);
});

test('the session cookie is scoped to /trial over http, and __Host- (host-only, Secure, Path=/) behind https', async () => {
  const https = await sessionCookie('https://trial.example.org');
  assert.match(https, /^__Host-trd_trial_session=[^;]+;/);
  assert.match(https, /;\s*Path=\/(;|$)/i);
  assert.doesNotMatch(https, /Domain=/i);
  for (const publicUrl of ['http://127.0.0.1:8787', undefined]) {
    const http = await sessionCookie(publicUrl);
    assert.match(http, /^trd_trial_session=[^;]+;/);
    assert.match(http, /;\s*Path=\/trial(;|$)/i);
  }
});

test('serving the trial over plain HTTP on a network interface is warned about at start', async () => {
  const linesFor = async (options: { host: string; publicUrl?: string }): Promise<string[]> => {
    const dir = mkdtempSync(join(tmpdir(), 'trd-trial-start-'));
    const lines: string[] = [];
    try {
      const plugin = await trialPlugin(
        { trialDb: `sqlite:${join(dir, 'trial.sqlite')}`, ...options },
        testEngine(),
        (l) => lines.push(l),
      );
      assert.ok(plugin !== undefined);
      return lines;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const warned = (lines: string[]) => lines.some((l) => /plain HTTP on a network interface/.test(l));
  assert.ok(warned(await linesFor({ host: '0.0.0.0' })));
  assert.ok(warned(await linesFor({ host: '10.1.2.3', publicUrl: 'http://10.1.2.3:8787' })));
  assert.ok(!warned(await linesFor({ host: '0.0.0.0', publicUrl: 'https://trial.example.org' })));
  assert.ok(!warned(await linesFor({ host: '127.0.0.1' })));
});
