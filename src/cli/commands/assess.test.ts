/**
 * `trd assess` as a user runs it: the whole command line (runTrd, src/cli/trd.ts) in-process, for the happy path in both output forms
 * and for each kind of bad input (exit 2, one `trd: ` line on stderr, nothing on stdout, no patient data echoed).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { jsonErrorReason } from '../input.ts';
import { REPO_ROOT, trd as run } from '../run.test-support.ts';

const SEED = join(REPO_ROOT, 'examples', 'seed-vignette.json');

const trd = (...args: string[]) => run(['assess', ...args]);
/** The CLI with `text` on standard input. */
const trdStdin = (text: string, ...args: string[]) => run(['assess', '-', ...args], text);

const dir = mkdtempSync(join(tmpdir(), 'trd-assess-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const SECRET = 'Zelda-Secret-Name';
const patient = (id: string) => ({ resource: { resourceType: 'Patient', id, name: [{ family: SECRET }] } });
const bundle = (entry: unknown[]) => JSON.stringify({ resourceType: 'Bundle', type: 'collection', entry });

describe('trd assess', { concurrency: 2 }, () => {
  test('seed vignette, --json: the assessment@1 JSON with refer-to-trial, nothing on stderr', async () => {
    const r = await trd(SEED, '--as-of', '2026-11-27', '--json');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const a = JSON.parse(r.stdout) as { schema: string; asOf: string; recommendation: { code: string; rule: number } };
    assert.equal(a.schema, 'precision-trd/assessment@1');
    assert.equal(a.asOf, '2026-11-27');
    assert.deepEqual([a.recommendation.code, a.recommendation.rule], ['refer-to-trial', 8]);
    assert.match(r.stdout, /^\{\n {2}"schema"/);
  });

  test('seed vignette, text report: headline with the rule, trials table, trace', async () => {
    const r = await trd(SEED, '--as-of', '2026-11-27');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^precision-trd assessment: Patient\/seed-patient \(45 y, female\), as of 2026-11-27/);
    assert.match(r.stdout, /RECOMMENDATION \(rule 8, refer-to-trial\)/);
    assert.match(r.stdout, /sertraline +100 +50 +2025-01-06 +2025-03-30 +84 +adequate/);
    assert.match(r.stdout, /> 8 refer-to-trial/);
  });

  test('- reads the Bundle from stdin; bad JSON there is named stdin', async () => {
    const good = await trdStdin(readFileSync(SEED, 'utf8'), '--as-of', '2026-11-27', '--json');
    assert.equal(good.code, 0, good.stderr);
    assert.equal(
      (JSON.parse(good.stdout) as { recommendation: { code: string } }).recommendation.code,
      'refer-to-trial',
    );
    const bad = await trdStdin('{', '--as-of', '2026-11-27');
    assert.equal(bad.code, 2);
    assert.equal(bad.stdout, '');
    assert.match(bad.stderr, /^trd: stdin is not valid JSON: /);
  });

  const bad: [string, () => string[], RegExp][] = [
    [
      'unreadable file',
      () => [join(dir, 'missing.json')],
      /^trd: cannot read .*missing\.json: no such file or folder$/,
    ],
    ['a directory', () => [dir], /^trd: cannot read .*: is a directory$/],
    ['not JSON', () => [file('bad.json', `{"resourceType": "Bundle", "name": "${SECRET}" x`)], /is not valid JSON: /],
    ['empty file', () => [file('empty.json', '')], /empty\.json is empty$/],
    [
      'not a Bundle',
      () => [file('p.json', JSON.stringify(patient('a').resource))],
      /expected a FHIR Bundle, got another resource type$/,
    ],
    ['no Patient', () => [file('np.json', bundle([]))], /no Patient resource$/],
    [
      'several Patients',
      () => [file('two.json', bundle([patient('a'), patient('b')]))],
      /holds 2 Patients \(Patient\/a, Patient\/b\)/,
    ],
    ['bad --as-of', () => [SEED, '--as-of', '2026-02-30'], /^trd: --as-of must be a calendar date YYYY-MM-DD$/],
    [
      'invalid pathway file',
      () => [SEED, '--pathway', file('pathway.json', '{"schema": 1}')],
      /^trd: invalid pathway: /,
    ],
    ['missing pathway file', () => [SEED, '--pathway', join(dir, 'nope.json')], /^trd: invalid pathway: /],
    [
      // The bundled protocols read the caution; the file given lacks it: its problem, not broken bundled files.
      'a pathway file without a caution a trial protocol reads',
      () => {
        const pathway = JSON.parse(
          readFileSync(join(REPO_ROOT, 'knowledge', 'pathway', 'care-pathway.json'), 'utf8'),
        ) as { cautions: { code: string }[] };
        pathway.cautions = pathway.cautions.filter((c) => c.code !== 'recent-live-vaccine');
        return [SEED, '--pathway', file('no-caution.json', JSON.stringify(pathway))];
      },
      /^trd: invalid pathway: .*no-caution\.json: lacks what a trial protocol reads: knowledge\/trials\/insight\.json: criteria\[\d+\]\.test\.code: the care pathway has no caution "recent-live-vaccine"$/,
    ],
  ];
  for (const [name, args, message] of bad) {
    test(`bad input: ${name} -> exit 2, one line on stderr, empty stdout`, async () => {
      const given = args();
      // An option given twice is refused: the default date only when the case names none.
      const r = await trd(...(given.includes('--as-of') ? [] : ['--as-of', '2026-11-27']), ...given);
      assert.equal(r.code, 2, r.stderr);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr.split('\n').filter((l) => l !== '').length, 1, r.stderr);
      assert.match(r.stderr.trimEnd(), message);
      assert.doesNotMatch(r.stderr, new RegExp(SECRET));
    });
  }
});

test('jsonErrorReason keeps the kind and position of a JSON error, never a character of the text', () => {
  assert.equal(
    jsonErrorReason(`Unexpected token 'x', "{"name": "${SECRET}" x" is not valid JSON`),
    'unexpected character',
  );
  assert.equal(
    jsonErrorReason('Unexpected non-whitespace character after JSON at position 2'),
    'unexpected text after the JSON value at position 2',
  );
  assert.equal(jsonErrorReason('Unexpected end of JSON input'), 'unexpected end of input');
  const long = `{"resourceType": "Bundle", "note": "${SECRET.repeat(20)}" x}`;
  try {
    JSON.parse(long);
    assert.fail('should not parse');
  } catch (error) {
    const reason = jsonErrorReason((error as Error).message);
    assert.doesNotMatch(reason, new RegExp(SECRET));
    assert.match(reason, /^[a-z ,]+ at position \d+$/);
  }
});
