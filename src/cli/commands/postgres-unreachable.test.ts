/**
 * A PostgreSQL server that is down, as each command that connects to one meets it: `trd trial`, `trd serve
 * --trial-db` and `trd screen` say why in the same words (src/io/postgres-connection.ts), name the host and
 * port, never the password, and exit 2.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { stderrLines, trd, trdProcess, type CliRun } from '../run.test-support.ts';

const dir = mkdtempSync(join(tmpdir(), 'trd-pg-down-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let url = '';
let host = '';

before(async () => {
  // A port nothing listens on: one the system gave and that was closed again.
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  host = `127.0.0.1:${port}`;
  url = `postgres://trial_user:secret-password@${host}/trial`;
});

function assertExplained(run: CliRun): void {
  assert.equal(run.code, 2, run.stderr);
  assert.deepEqual(stderrLines(run), [
    `trd: cannot connect to the PostgreSQL database at ${host} (ECONNREFUSED): nothing listens at that address and port`,
  ]);
  assert.ok(!run.stderr.includes('secret-password'));
}

test('trd trial on a PostgreSQL trial database that is down: the reason in words', async () => {
  assertExplained(await trd(['trial', 'verify-audit', '--db', url]));
  assertExplained(await trd(['trial', 'consort', '--db', url]));
});

test('trd serve --trial-db on a PostgreSQL server that is down: the reason in words, no server left running', async () => {
  assertExplained(
    await trdProcess(['serve', '--port', '0', '--data-dir', join(dir, 'data'), '--trial-db', url], {
      timeoutMs: 30_000,
    }),
  );
});

test('trd screen of a PostgreSQL OMOP database that is down: the same words', async () => {
  assertExplained(await trd(['screen', url, '--as-of', '2026-11-27', '--out', join(dir, 'out.ndjson')]));
});
