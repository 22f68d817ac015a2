/**
 * The service as `npm start` runs it, in a child process: it prints its address, says that client authentication is
 * off, answers /health, and on SIGTERM closes and exits 0. Bad options are one line and exit 2.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

function startChild(options: Record<string, unknown>) {
  const script = `import('./src/server/start.ts').then((m) => m.startService(${JSON.stringify(options)}))`;
  return spawn(process.execPath, ['--import', 'tsx', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
}

test('starts, prints its address, serves /health, and exits 0 on SIGTERM', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'trd-start-'));
  const child = startChild({ port: '0', host: '127.0.0.1', cdsClient: [], allowUnauthenticated: true, dataDir });
  try {
    let stdout = '';
    const address = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
        if (match !== null && /authentication is OFF/.test(stdout)) resolve(match[1] as string);
      });
      child.once('exit', () => reject(new Error('exited before listening')));
    });
    const health = await fetch(`${address}/health`);
    assert.equal(health.status, 200);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('a bad --port is one line on stderr and exit 2', async () => {
  const child = startChild({ port: 'http', host: '127.0.0.1', cdsClient: [], dataDir: '.' });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  assert.equal(code, 2);
  assert.equal(stderr, 'trd: --port must be an integer 0-65535\n');
});
