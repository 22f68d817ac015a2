/**
 * `trd match` as a user runs it (the whole command line, runTrd in src/cli/trd.ts, in-process): the seed vignette in text and --json forms, trial
 * selection, and bad input (exit 2, one line `trd: <reason>` on stderr, nothing on stdout).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { REPO_ROOT, trd as run } from '../run.test-support.ts';

const ROOT = REPO_ROOT;
const SEED = join(ROOT, 'examples', 'seed-vignette.json');
const trd = (...args: string[]) => run(args);

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

describe('trd match text names the evidence of each decided criterion with its date', () => {
  it('an active infection: the first reason and the criterion line show Condition/pneumonia and its onset', async () => {
    const vignette = join(ROOT, 'test', 'fixtures', 'vignettes', 'ci-active-infection.json');
    const { code, stdout, stderr } = await trd('match', vignette, '--as-of', '2026-11-27');
    assert.equal(code, 0, stderr);
    const [, ...overview] = stdout.split('\n');
    const nct = overview.find((l) => l.trimStart().startsWith('NCT07052058'));
    assert.match(
      nct ?? '',
      /NOT ELIGIBLE: .*active condition recorded: 233604007 Pneumonia \[Condition\/pneumonia \(2026-11-17\)\]$/,
    );
    assert.match(stdout, /met +excl +\S? ?nct07052058-ex-infection: .* \[Condition\/pneumonia \(2026-11-17\)\]\n/);
    const json = await trd('match', vignette, '--as-of', '2026-11-27', '--json');
    const results = JSON.parse(json.stdout) as { evidenceDates: Record<string, string> }[];
    for (const r of results) assert.equal(r.evidenceDates['Condition/pneumonia'], '2026-11-17');
  });
});

describe('trd match --pathway FILE: the criteria read the pathway file given, as trd assess --pathway does', () => {
  it("a naproxen order 181 days old: stale under the bundled 180 days, current under a site's 365, so INSIGHT excludes", async () => {
    const vignette = join(ROOT, 'test', 'fixtures', 'vignettes', 'med-open-order-181-days.json');
    const pathway = JSON.parse(readFileSync(join(ROOT, 'knowledge', 'pathway', 'care-pathway.json'), 'utf8')) as {
      definitions: { currentMedication: { openEndedWindowDays: { value: number } } };
    };
    pathway.definitions.currentMedication.openEndedWindowDays.value = 365;
    const site = file('site-pathway.json', JSON.stringify(pathway));
    const nsaids = async (...extra: string[]): Promise<string | undefined> => {
      const r = await trd('match', vignette, '--as-of', '2026-11-27', '--trial', 'insight', '--json', ...extra);
      assert.equal(r.code, 0, r.stderr);
      const [insight] = JSON.parse(r.stdout) as { criteria: { id: string; status: string }[] }[];
      return insight?.criteria.find((c) => c.id === 'insight-ex-nsaids')?.status;
    };
    assert.equal(await nsaids(), 'unknown');
    assert.equal(await nsaids('--pathway', site), 'met');
    const assessed = await trd('assess', vignette, '--as-of', '2026-11-27', '--pathway', site, '--json');
    const cautions = (JSON.parse(assessed.stdout) as { cautions: { code: string }[] }).cautions.map((c) => c.code);
    assert.ok(cautions.includes('crp-confounding-medication'), 'assess with the same file agrees');
    const broken = await trd('match', vignette, '--as-of', '2026-11-27', '--pathway', file('p.json', '{"schema": 1}'));
    assert.equal(broken.code, 2);
    assert.match(broken.stderr, /^trd: invalid pathway: /);
  });
});

describe('trd match text leads with the care pathway safety alerts, as every report does', () => {
  it('a suicide risk is shown before the verdicts, even for a trial none of whose criteria reads it', async () => {
    const risk = join(ROOT, 'examples', 'demo', 'suicide-risk.json');
    const { code, stdout, stderr } = await trd('match', risk, '--as-of', '2026-11-27', '--trial', 'NCT07052058');
    assert.equal(code, 0, stderr);
    const lines = stdout.split('\n');
    assert.match(lines[0] ?? '', /^Trial matching for Patient\/demo-risk-patient/);
    assert.deepEqual(lines.slice(1, 5), [
      '',
      'SAFETY ALERT [suicide-risk]: Suicide risk: assess and manage first',
      '  PHQ-9 item 9 = 2 on 2026-11-06',
      '  evidence: QuestionnaireResponse/demo-risk-phq9 (2026-11-06); source: phq9-kroenke-2001',
    ]);
    assert.ok(stdout.indexOf('SAFETY ALERT') < stdout.indexOf('NCT07052058 '), 'before the verdict');
    const json = await trd('match', risk, '--as-of', '2026-11-27', '--trial', 'NCT07052058', '--json');
    assert.ok(Array.isArray(JSON.parse(json.stdout)), 'the JSON form stays one result per trial');
    const seed = await trd('match', SEED, '--as-of', '2026-11-27');
    assert.doesNotMatch(seed.stdout, /SAFETY ALERT/);
  });
});
