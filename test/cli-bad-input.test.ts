/**
 * The `trd assess` command line (runTrd, src/cli/trd.ts, in-process) on bad input: each case exits non-zero with exactly one
 * line on stderr and nothing on stdout (docs/care-pathway.md "The result": bad input prints no result). And the seed
 * vignette prints refer-to-trial in both the text and the --json forms.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { REPO_ROOT, trd as run, type CliRun } from '../src/cli/run.test-support.ts';
import { MAX_REASON_CHARS } from '../src/record/index.ts';

const SEED = join(REPO_ROOT, 'examples', 'seed-vignette.json');
const AS_OF = '2026-11-27';

const trd = (...args: string[]): Promise<CliRun> => run(args);

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

test('a reason longer than MAX_REASON_CHARS loses its middle: trd: and at most that many characters, its end kept', async () => {
  const result = await trd('assess', join(dir, `${'a'.repeat(600)}.json`), '--as-of', AS_OF);
  assert.equal(result.code, 2);
  const line = result.stderr.replace(/\n$/, '');
  assert.ok(line.startsWith('trd: '), line);
  assert.equal(line.length, 'trd: '.length + MAX_REASON_CHARS);
  assert.match(line, /a\.json: name too long$/);
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
