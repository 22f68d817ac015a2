/**
 * The built command line (bin/trd.js -> dist/cli-bundle/, scripts/bundle-cli.mjs) against the sources: the same
 * output and exit code for the same arguments, the same error boundary (a fault is one line, exit 1; TRD_DEBUG=1
 * shows a stack that names src/ files through the source maps), files found relative to a module resolve as from the
 * compiled module, and `trd assess` loads none of the packages only other commands need. Needs the build
 * (`npm test` runs it first).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { BUILT_CLI, builtCliIsCurrent, REPO_ROOT, trd, type CliRun } from '../src/cli/run.test-support.ts';
import { COMMANDS } from '../src/cli/trd.ts';

const BIN = join(REPO_ROOT, 'bin', 'trd.js');
const SEED = join(REPO_ROOT, 'examples', 'seed-vignette.json');
const AS_OF = ['--as-of', '2026-11-27'];

/** bin/trd.js as a process; `nodeArgs` go to node before it (an --import for a test hook). */
function built(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
  nodeArgs: readonly string[] = [],
): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...nodeArgs, BIN, ...args],
      { cwd: REPO_ROOT, env: { ...process.env, TRD_DEBUG: '', ...env }, maxBuffer: 1 << 26, timeout: 60_000 },
      (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
      },
    );
  });
}

before(() => {
  assert.ok(builtCliIsCurrent(), `${BUILT_CLI} is missing or older than src/: run \`npm run build\``);
});

describe('bin/trd.js gives what the sources give', () => {
  const cases: string[][] = [
    ['--help'],
    ['--version'],
    ['assess', SEED, ...AS_OF],
    ['assess', SEED, ...AS_OF, '--json'],
    ['match', SEED, ...AS_OF],
    ['match', SEED, ...AS_OF, '--json'],
    // A CRP in mg/dL: the unit conversion loads the UCUM package on first use.
    ['assess', join(REPO_ROOT, 'test', 'fixtures', 'vignettes', 'crp-unit-mg-per-dl.json'), ...AS_OF, '--json'],
    ['design', 'ttest', '--delta', '3', '--sd', '8', '--power', '0.8', '--json'],
    ['assess', join(REPO_ROOT, 'no-such-file.json'), ...AS_OF],
    ['assess', SEED, '--as-of', '2026-02-30'],
    ['assess', SEED, '--no-such-option'],
    ['no-such-command'],
    // Every command's own chunk loads and registers its options.
    ...Object.keys(COMMANDS).map((name) => [name, '--help']),
  ];
  for (const args of cases) {
    test(`trd ${args.map((a) => a.replace(REPO_ROOT, '.')).join(' ')}`, async () => {
      const [fromBuild, fromSource] = await Promise.all([built(args), trd(args)]);
      assert.equal(fromBuild.code, fromSource.code, fromBuild.stderr);
      assert.equal(fromBuild.stdout, fromSource.stdout);
      assert.equal(fromBuild.stderr, fromSource.stderr);
    });
  }
});

test('trd design enrichment --simulate: worker threads started from the build give the single-thread result', async () => {
  // Reads knowledge/design/ relative to its module, and starts its workers from dist/ (their own module URL).
  const args = ['design', 'enrichment', '--simulate', '--beta0', '3', '--beta1', '1.5', '--sd', '8'].concat([
    '--n-per-arm',
    '40',
    '--trials',
    '200',
    '--seed',
    '7',
    '--json',
  ]);
  const [fromBuild, inProcess] = await Promise.all([
    built([...args, '--workers', '2']),
    trd([...args, '--workers', '1']),
  ]);
  assert.equal(fromBuild.code, 0, fromBuild.stderr);
  assert.equal(inProcess.code, 0, inProcess.stderr);
  const result = (run: CliRun): unknown => (JSON.parse(run.stdout) as { result: unknown }).result;
  assert.deepEqual(result(fromBuild), result(inProcess));
});

describe('a fault in trd, from the build', () => {
  // Makes the JSON rendering of an assessment throw, as a bug in trd would: the error rises through the command.
  const fault = [
    '--import',
    'data:text/javascript,const s = JSON.stringify; JSON.stringify = function (v, ...r) { ' +
      "if (v !== null && typeof v === 'object' && v.schema === 'precision-trd/assessment@1') " +
      "throw new TypeError('injected'); return s.call(this, v, ...r); };",
  ];
  const args = ['assess', SEED, ...AS_OF, '--json'];

  test('is one line and exit 1', async () => {
    const run = await built(args, {}, fault);
    assert.equal(run.code, 1);
    assert.equal(run.stdout, '');
    assert.equal(run.stderr, 'trd: internal error (TypeError); TRD_DEBUG=1 shows the details\n');
  });

  test('with TRD_DEBUG=1, shows a stack that names the src/ file and line', async () => {
    const run = await built(args, { TRD_DEBUG: '1' }, fault);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /^TypeError: injected$/m);
    assert.match(run.stderr, /\bsrc[\\/]cli[\\/]commands[\\/]assess\.ts:\d+:\d+/);
    assert.doesNotMatch(run.stderr, /cli-bundle[\\/]chunk-/);
  });
});

test('trd assess loads its bundle only: none of the server, database, plotting or logging packages', async () => {
  // Reports every module the run resolves, from Node's module hooks (run off the main thread).
  const hook =
    'data:text/javascript,import { register } from "node:module"; register("data:text/javascript," + ' +
    'encodeURIComponent("export async function resolve(s, c, next) { const r = await next(s, c); ' +
    "process.stderr.write('resolved ' + r.url + '\\\\n'); return r; }\"));";
  const run = await built(['assess', SEED, ...AS_OF], {}, ['--import', hook]);
  assert.equal(run.code, 0, run.stderr);
  const urls = run.stderr
    .split('\n')
    .filter((line) => line.startsWith('resolved '))
    .map((line) => line.slice('resolved '.length));
  const fromBundle = [...new Set(urls.filter((u) => u.includes('/dist/cli-bundle/')))];
  assert.ok(fromBundle.some((u) => u.endsWith('/main.js')));
  assert.deepEqual(
    urls.filter((u) => u.startsWith('file:') && !u.includes('/dist/cli-bundle/') && !u.endsWith('/bin/trd.js')),
    [],
    'every module of trd assess comes from the bundle',
  );
  // A handful of chunks, where the compiled sources were some two hundred modules.
  assert.ok(fromBundle.length <= 20, `${fromBundle.length} files loaded`);
  for (const pkg of ['fastify', 'duckdb', 'pg', 'pglite', 'vega', 'better-sqlite3', 'pino', 'ml-matrix']) {
    assert.ok(!urls.some((u) => u.includes(pkg)), `${pkg} loaded`);
  }
});

test('every file the bundle finds relative to a module is found from that module compiled (dist/)', () => {
  const dir = join(REPO_ROOT, 'dist', 'cli-bundle');
  const targets = new Set<string>();
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.js'))) {
    const code = readFileSync(join(dir, name), 'utf8');
    for (const m of code.matchAll(/new URL\("(\.\.\/[^"]+)",import\.meta\.url\)/g)) targets.add(m[1]!);
  }
  // The modules that read knowledge/, the snapshot, package.json, the demo patients and the worker entry point.
  for (const module of ['knowledge/load.js', 'trials/load.js', 'cli/version.js', 'cli/commands/design.js']) {
    assert.ok(targets.has(`../${module}`), `${module}: no module-relative URL in the bundle`);
  }
  for (const target of targets) assert.ok(existsSync(join(dir, target)), `${target} is not in dist/`);
});
