#!/usr/bin/env node
// Runs every *.test.ts under src/ and test/ with node:test through tsx, or under the folders given, and the test files
// given (`npm run test:unit -- src/stats test/doc-references.test.ts`). Node 20's test runner does not expand globs,
// so the files are listed here; the runner's own summary (tests/pass/fail) is what CI reads.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const roots = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['src', 'test'];
const files = roots.flatMap((root) => {
  let stats;
  try {
    stats = statSync(root);
  } catch {
    console.error(`run-tests: no such file or folder: ${root}`);
    process.exit(2);
  }
  if (!stats.isDirectory()) return root.endsWith('.test.ts') ? [root] : [];
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.test.ts'))
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name));
});
files.sort();
if (files.length === 0) {
  console.error('run-tests: no *.test.ts files found');
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
