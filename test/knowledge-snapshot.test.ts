/**
 * scripts/knowledge-snapshot.mjs, the build step that records the validated bundled knowledge, run as `npm run build`
 * runs it on a copy of the repository's layout (package.json, dist/, knowledge/, scripts/): valid knowledge gives the
 * snapshot as before; a knowledge file that fails its schema, or a protocol that fails the loader's cross-check,
 * fails the build with the loader's own message (file, field, reason), never a build that succeeds and a `trd` that
 * fails. Needs the build (`npm test` runs it first).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { after, before, test } from 'node:test';
import { builtCliIsCurrent, REPO_ROOT, type CliRun } from '../src/cli/run.test-support.ts';

const work = mkdtempSync(join(tmpdir(), 'trd-knowledge-snapshot-'));
after(() => rmSync(work, { recursive: true, force: true }));

interface Snapshot {
  readonly files: Record<string, { sha256: string }>;
}

/** A copy of the repository's layout the script reads, with `edit` applied to its knowledge folder. */
function layout(name: string, edit: (knowledge: string) => void = () => undefined): string {
  const root = join(work, name);
  mkdirSync(join(root, 'scripts'), { recursive: true });
  cpSync(join(REPO_ROOT, 'package.json'), join(root, 'package.json'));
  cpSync(join(REPO_ROOT, 'scripts', 'knowledge-snapshot.mjs'), join(root, 'scripts', 'knowledge-snapshot.mjs'));
  cpSync(join(REPO_ROOT, 'dist'), join(root, 'dist'), {
    recursive: true,
    filter: (src) => !src.includes(`${sep}cli-bundle`) && !src.endsWith('knowledge-validated.json'),
  });
  cpSync(join(REPO_ROOT, 'knowledge'), join(root, 'knowledge'), { recursive: true });
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
  edit(join(root, 'knowledge'));
  return root;
}

/** `node scripts/knowledge-snapshot.mjs` in `root`, as `npm run build` runs it. */
function snapshot(root: string): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(root, 'scripts', 'knowledge-snapshot.mjs')],
      { cwd: root, timeout: 60_000 },
      (error, stdout, stderr) =>
        resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr }),
    );
  });
}

function editJson(file: string, edit: (json: Record<string, unknown>) => void): void {
  const json = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  edit(json);
  writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
}

before(() => {
  assert.ok(builtCliIsCurrent(), 'dist/ is missing or older than src/: run `npm run build`');
});

test('valid bundled knowledge: the snapshot of every validated file, as the build writes it', async () => {
  const root = layout('valid');
  const run = await snapshot(root);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stderr, '');
  assert.match(run.stdout, /^knowledge-snapshot: \d+ files validated into dist\/knowledge-validated\.json/);
  const written = JSON.parse(readFileSync(join(root, 'dist', 'knowledge-validated.json'), 'utf8')) as Snapshot;
  const built = JSON.parse(readFileSync(join(REPO_ROOT, 'dist', 'knowledge-validated.json'), 'utf8')) as Snapshot;
  assert.deepEqual(written.files, built.files, 'the same files, values and hashes as the build of this checkout');
  assert.ok(Object.keys(written.files).includes('knowledge/codesets/crp.json'));
});

test('a bundled code set that fails its schema fails the build with the loader message: file, field, reason', async () => {
  const root = layout('broken-codeset', (knowledge) =>
    editJson(join(knowledge, 'codesets', 'crp.json'), (json) => {
      (json.codes as Record<string, unknown>[])[0]!.system = 42;
    }),
  );
  const run = await snapshot(root);
  assert.equal(run.code, 1, run.stdout);
  assert.match(
    run.stderr,
    /^knowledge-snapshot: broken knowledge files: knowledge\/codesets\/crp\.json: codes\[0\]\.system: Invalid input: expected string, received number/,
  );
  assert.ok(!run.stderr.includes('    at '), 'no stack trace');
});

test('a protocol that names a code set no file defines fails the build (the loader cross-check)', async () => {
  const root = layout('broken-protocol', (knowledge) => {
    const file = join(knowledge, 'trials', 'insight.json');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace('"codeSet": "bipolar-disorder"', '"codeSet": "no-such-set"'),
    );
  });
  const run = await snapshot(root);
  assert.equal(run.code, 1, run.stdout);
  assert.match(
    run.stderr,
    /^knowledge-snapshot: broken knowledge files: knowledge\/trials\/insight\.json: .*no-such-set/,
  );
});

test('a protocol whose outcome names an instrument no file defines fails the build, not `trd trial init` only', async () => {
  const root = layout('unknown-instrument', (knowledge) => {
    // Collected at its visits and the outcome's instrument, consistently: only the instrument files lack it.
    const file = join(knowledge, 'trials', 'insight.json');
    writeFileSync(file, readFileSync(file, 'utf8').replaceAll('"bdi-ii"', '"bdi-2"'));
  });
  const run = await snapshot(root);
  assert.equal(run.code, 1, run.stdout);
  assert.match(
    run.stderr,
    /^knowledge-snapshot: broken knowledge files: knowledge\/trials: protocol insight: visit screening: unknown instrument bdi-2; /,
  );
  assert.match(run.stderr, /knowledge\/trials: protocol insight: outcome bdi-somatic-day-14: unknown instrument bdi-2/);
});
