/**
 * The demo patients of examples/demo/ are what scripts/make-demo-patients.ts writes, byte for byte: running the
 * script as its header says changes no file, and leaves files that `npm test`'s format check accepts (it wrote
 * JSON.stringify's layout, which prettier --check refused in all five bundles).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { check, resolveConfig } from 'prettier';
import { REPO_ROOT } from '../src/cli/run.test-support.ts';
import { demoPatientFiles } from '../scripts/make-demo-patients.ts';

test('scripts/make-demo-patients.ts writes the committed demo patients, in the format prettier checks', async () => {
  const files = await demoPatientFiles();
  assert.equal(files.size, 6);
  for (const [path, text] of files) {
    assert.equal(text, readFileSync(join(REPO_ROOT, path), 'utf8'), `${path} differs from what the script writes`);
    const options = (await resolveConfig(join(REPO_ROOT, path))) ?? {};
    assert.ok(await check(text, { ...options, filepath: path }), `${path} fails prettier --check`);
  }
});
