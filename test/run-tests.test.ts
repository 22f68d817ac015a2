/**
 * scripts/run-tests.mjs, which `npm test` runs (`npm run test:unit`): it takes folders and test files, so a
 * contributor runs the tests of one change with `npm run test:unit -- src/stats test/doc-references.test.ts`; a file
 * ended it with a Node stack trace (ENOTDIR), and a path that does not exist is one line, exit 2.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { REPO_ROOT, type CliRun } from '../src/cli/run.test-support.ts';

const dir = mkdtempSync(join(tmpdir(), 'trd-run-tests-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** `node scripts/run-tests.mjs ...args`, as a process of its own (not a child of this test run's reporter). */
function runTests(...args: string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(REPO_ROOT, 'scripts', 'run-tests.mjs'), ...args],
      { cwd: REPO_ROOT, env: { ...process.env, NODE_TEST_CONTEXT: undefined } },
      (e, o, r) => resolve({ code: e === null ? 0 : typeof e.code === 'number' ? e.code : 1, stdout: o, stderr: r }),
    );
  });
}

test('a test file given is run, alone', async () => {
  const file = join(dir, 'one.test.ts');
  writeFileSync(file, "import { test } from 'node:test';\ntest('the only test', () => {});\n");
  const run = await runTests(file);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /the only test/);
  assert.match(run.stdout, /tests 1\b/);
});

test('a path that does not exist is one line and exit 2', async () => {
  const run = await runTests(join(dir, 'missing'));
  assert.equal(run.code, 2);
  assert.equal(run.stderr, `run-tests: no such file or folder: ${join(dir, 'missing')}\n`);
});
