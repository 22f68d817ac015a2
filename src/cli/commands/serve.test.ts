/**
 * `trd serve --pathway FILE`: the service applies a site's own care-pathway file, as `trd assess --pathway` does (its
 * [U] values are the site's to configure), says so when it starts, and refuses a file that does not load in one line
 * before anything listens.
 * Run: node --import tsx --test src/cli/commands/serve.test.ts
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { REPO_ROOT, trdCommand, trdProcess } from '../run.test-support.ts';

const dir = mkdtempSync(join(tmpdir(), 'trd-serve-pathway-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const bundled = JSON.parse(readFileSync(join(REPO_ROOT, 'knowledge', 'pathway', 'care-pathway.json'), 'utf8')) as {
  version: string;
};

test('--pathway FILE: the service assesses with that file and names it when it starts', async () => {
  const file = join(dir, 'site-pathway.json');
  writeFileSync(file, JSON.stringify({ ...bundled, version: '1.1.77' }));
  const child = spawn(
    process.execPath,
    [...trdCommand(), 'serve', '--port', '0', '--allow-unauthenticated', '--data-dir', join(dir, 'data')].concat([
      '--pathway',
      file,
    ]),
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  try {
    for (let i = 0; i < 300 && !/listening on http/.test(stdout); i += 1) await new Promise((r) => setTimeout(r, 100));
    const base = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1];
    assert.ok(base, stdout);
    assert.match(
      stdout,
      new RegExp(`Care pathway \\S+ 1\\.1\\.77 from ${file.replace(/[.]/g, '\\.')} \\(not the bundled one\\)`),
    );
    const pathways = (await (await fetch(`${base}/api/pathways`)).json()) as { pathways: { version: string }[] };
    assert.equal(pathways.pathways[0]?.version, '1.1.77');
    const bundle = readFileSync(join(REPO_ROOT, 'examples', 'seed-vignette.json'), 'utf8');
    const assessed = await fetch(`${base}/api/assess`, {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json' },
      body: bundle,
    });
    assert.equal(assessed.status, 200);
    assert.equal(((await assessed.json()) as { pathway: { version: string } }).pathway.version, '1.1.77');
  } finally {
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  }
});

test('--pathway FILE that does not load: one line, exit 2, nothing listens', async () => {
  const file = join(dir, 'broken.json');
  writeFileSync(file, JSON.stringify({ ...bundled, definitions: undefined }));
  const r = await trdProcess(['serve', '--port', '0', '--data-dir', join(dir, 'data2'), '--pathway', file]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /^trd: invalid pathway: [^\n]+\n$/);
  assert.doesNotMatch(r.stdout, /listening/);
});
