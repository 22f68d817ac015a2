/**
 * `trd match` as a user runs it (bin/trd.js in a subprocess): the seed vignette in text and --json forms, trial
 * selection, and bad input (exit 2, one line `trd: <reason>` on stderr, nothing on stdout).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..', '..');
const BIN = join(ROOT, 'bin', 'trd.js');
const SEED = join(ROOT, 'examples', 'seed-vignette.json');

async function trd(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { cwd: ROOT, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number | string; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

const dir = mkdtempSync(join(tmpdir(), 'trd-match-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('trd match on the seed vignette', { concurrency: true }, () => {
  it('--json prints one trial-match result per protocol, NCT07052058 with TRD and CRP met', async () => {
    const { code, stdout, stderr } = await trd('match', SEED, '--as-of', '2026-11-27', '--json');
    assert.equal(code, 0, stderr);
    const results = JSON.parse(stdout) as {
      schema: string;
      trial: { id: string };
      verdict: string;
      criteria: { id: string; status: string }[];
    }[];
    assert.deepEqual(
      results.map((r) => r.trial.id),
      ['insight', 'nct07052058', 'nct07493317'],
    );
    for (const r of results) assert.equal(r.schema, 'precision-trd/trial-match@1');
    const brazil = results[1];
    assert.ok(brazil?.verdict === 'eligible' || brazil?.verdict === 'needs-data');
    const status = (id: string) => brazil?.criteria.find((c) => c.id === id)?.status;
    assert.equal(status('nct07052058-in-trd'), 'met');
    assert.equal(status('nct07052058-in-hscrp'), 'met');
  });
  it('the text form shows the verdict, each criterion and what to collect; --trial takes a registry id', async () => {
    const { code, stdout } = await trd('match', SEED, '--as-of', '2026-11-27', '--trial', 'NCT07052058');
    assert.equal(code, 0);
    assert.match(stdout, /Verdict: NEEDS DATA/);
    assert.match(stdout, /met {5}incl {3}nct07052058-in-trd: 2 adequate trials/);
    assert.match(stdout, /To collect:/);
    assert.doesNotMatch(stdout, /INSIGHT/);
  });
});

// Each case is a Node process start (~3 s of CPU under tsx), so they run concurrently and stay few.
describe('trd match on bad input: exit 2, one line on stderr, nothing on stdout', { concurrency: true }, () => {
  const cases: [string, () => string[]][] = [
    ['not JSON', () => ['match', file('bad.json', '{ not json')]],
    [
      'a Bundle without a Patient',
      () => ['match', file('empty.json', JSON.stringify({ resourceType: 'Bundle', type: 'collection', entry: [] }))],
    ],
    ['an impossible --as-of', () => ['match', SEED, '--as-of', '2026-02-30']],
    ['an unknown --trial', () => ['match', SEED, '--trial', 'NCT00000000']],
  ];
  for (const [name, args] of cases) {
    it(name, async () => {
      const { code, stdout, stderr } = await trd(...args());
      assert.equal(code, 2, stderr);
      assert.equal(stdout, '');
      assert.match(stderr, /^trd: [^\n]+\n$/);
    });
  }
});
