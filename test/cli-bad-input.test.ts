/**
 * The real `trd assess` command (bin/trd.js, as a user runs it) on bad input: each case exits non-zero with exactly one
 * line on stderr and nothing on stdout (docs/care-pathway.md "The result": bad input prints no result). And the seed
 * vignette prints refer-to-trial in both the text and the --json forms.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);
const REPO_ROOT = join(import.meta.dirname, '..');
const BIN = join(REPO_ROOT, 'bin', 'trd.js');
const SEED = join(REPO_ROOT, 'examples', 'seed-vignette.json');
const AS_OF = '2026-11-27';

interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function trd(...args: string[]): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number | string; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

const dir = mkdtempSync(join(tmpdir(), 'trd-bad-input-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const patient = (id: string): unknown => ({
  fullUrl: `https://example.org/fhir/Patient/${id}`,
  resource: { resourceType: 'Patient', id, gender: 'female', birthDate: '1981-03-15' },
});
const depression = {
  fullUrl: 'https://example.org/fhir/Condition/depression',
  resource: {
    resourceType: 'Condition',
    id: 'depression',
    code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10', code: 'F33.1' }] },
    subject: { reference: 'Patient/a' },
  },
};
const bundle = (entry: unknown[]): string => JSON.stringify({ resourceType: 'Bundle', type: 'collection', entry });

const BAD_INPUTS: readonly { readonly name: string; readonly path: () => string }[] = [
  { name: 'not JSON', path: () => file('not-json.json', '{"resourceType": "Bundle", "entry": [') },
  { name: 'JSON that is not a Bundle', path: () => file('patient.json', JSON.stringify(patient('a'))) },
  { name: 'a JSON array', path: () => file('array.json', '[]') },
  { name: 'a Bundle with no Patient', path: () => file('no-patient.json', bundle([depression])) },
  { name: 'a Bundle with two Patients', path: () => file('two-patients.json', bundle([patient('a'), patient('b')])) },
  { name: 'a missing file', path: () => join(dir, 'does-not-exist.json') },
];

describe('trd assess on bad input', { concurrency: 2 }, () => {
  for (const c of BAD_INPUTS) {
    test(`${c.name}: non-zero exit, one line on stderr, nothing on stdout`, async () => {
      const result = await trd('assess', c.path(), '--as-of', AS_OF);
      assert.notEqual(result.code, 0, 'exit code');
      assert.equal(result.stdout, '', 'stdout');
      const lines = result.stderr.split('\n').filter((line) => line.trim() !== '');
      assert.equal(lines.length, 1, `stderr should be one line, got: ${JSON.stringify(result.stderr)}`);
      assert.ok(!/^\s+at /m.test(result.stderr), 'no stack trace');
    });
  }
});

describe('trd assess on the seed vignette', () => {
  test('text form names refer-to-trial', async () => {
    const result = await trd('assess', SEED, '--as-of', AS_OF);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /refer-to-trial/);
  });

  test('--json form is an assessment@1 with recommendation refer-to-trial', async () => {
    const result = await trd('assess', SEED, '--as-of', AS_OF, '--json');
    assert.equal(result.code, 0, result.stderr);
    const assessment = JSON.parse(result.stdout) as {
      schema: string;
      asOf: string;
      recommendation: { code: string };
      treatmentResistance: { count: number };
      inflammation: { status: string; crp?: { mgPerL: number } };
    };
    assert.equal(assessment.schema, 'precision-trd/assessment@1');
    assert.equal(assessment.asOf, AS_OF);
    assert.equal(assessment.recommendation.code, 'refer-to-trial');
    assert.equal(assessment.treatmentResistance.count, 2);
    assert.equal(assessment.inflammation.status, 'elevated');
    assert.equal(assessment.inflammation.crp?.mgPerL, 7);
  });
});
