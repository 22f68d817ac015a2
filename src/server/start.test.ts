/**
 * The service as `npm start` runs it, in a child process: it prints its address, says that client authentication is
 * off, answers /health, and on SIGTERM closes and exits 0. Bad options throw a one-line InputError before anything
 * starts.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { InputError } from '../engine/index.ts';
import { parseFhirServer, parseTrustProxy, startService } from './start.ts';

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

test('bad options are a one-line InputError before anything starts', async () => {
  const base = { port: '0', host: '127.0.0.1', cdsClient: [], dataDir: '.' };
  await assert.rejects(startService({ ...base, port: 'http' }), new InputError('--port must be an integer 0-65535'));
  await assert.rejects(startService({ ...base, port: '70000' }), InputError);
  await assert.rejects(
    startService({ ...base, publicUrl: 'ftp://x' }),
    /--public-url must be an absolute http\(s\) URL/,
  );
  await assert.rejects(startService({ ...base, cdsClient: ['no-equals-sign'] }), /--cds-client must be ISS=JWKS/);
  await assert.rejects(startService({ ...base, cdsClient: ['iss=http://plain.example/jwks'] }), /file or an https URL/);
  await assert.rejects(startService({ ...base, trustProxy: ['proxy.example.org'] }), /--trust-proxy takes IP/);
  await assert.rejects(startService({ ...base, fhirServer: ['http://ehr.example.org/fhir'] }), /--fhir-server must/);
  await assert.rejects(startService({ ...base, fhirServer: ['https://ehr.example.org/fhir?x=1'] }), /--fhir-server/);
  assert.equal(parseFhirServer('https://ehr.example.org/fhir/r4/'), 'https://ehr.example.org/fhir/r4');
  await assert.rejects(startService({ ...base, trustProxy: ['10.0.0.0/33'] }), /--trust-proxy takes IP/);
  assert.deepEqual(parseTrustProxy(['10.0.0.1, 10.1.0.0/16', 'loopback', '::1']), [
    '10.0.0.1',
    '10.1.0.0/16',
    'loopback',
    '::1',
  ]);
});
