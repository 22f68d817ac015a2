/**
 * The handout follows the result: the recommendation's patient summary always leads; the explanation of
 * inflammation testing and trials is there for a patient in the pathway's scope, not for one outside it; a safety
 * alert adds the safety paragraph, first. Patient data in the page is escaped.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readBundleFile, sharedEngine } from '../server.test-support.ts';
import { withEvidenceDates } from '../../pathway/index.ts';
import { handoutPage, patientPage } from './pages.ts';
import { timelineData } from './timeline.ts';
import { UNDECIDED_HCG } from '../../../test/support/undecided-hcg.ts';

const asOf = '2026-11-27';

test('in scope: summary, explanation and questions; out of scope: the summary only', () => {
  const seed = readBundleFile('examples/seed-vignette.json');
  const inScope = sharedEngine.assess(seed, { asOf });
  const page = handoutPage(undefined, inScope, '/back');
  assert.ok(page.includes('Why a trial comes first'));
  assert.ok(page.includes(`A result of ${inScope.inflammation.cutOffMgPerL} mg/L or more`));
  assert.ok(!page.includes('Your safety comes before'));

  const noDepression = { ...seed, entry: seed.entry.filter((e) => e.resource.resourceType !== 'Condition') };
  const outOfScope = sharedEngine.assess(noDepression, { asOf });
  assert.equal(outOfScope.recommendation.code, 'out-of-scope');
  const other = handoutPage(undefined, outOfScope, '/back');
  assert.ok(!other.includes('Why a trial comes first'));
  assert.ok(other.includes(outOfScope.recommendation.patientSummary.replace(/'/g, '&#39;')));
});

test('a safety alert adds the safety paragraph, before the recommendation', () => {
  const risk = sharedEngine.assess(readBundleFile('examples/demo/suicide-risk.json'), { asOf });
  const page = handoutPage(undefined, risk, '/back');
  const safety = page.indexOf('Your safety comes before any test or trial');
  assert.ok(safety > 0);
  const summary = page.indexOf(risk.recommendation.patientSummary.slice(0, 40));
  assert.ok(summary > 0);
  assert.ok(safety < summary, 'the safety paragraph comes before the trial advice');
});

test('a referral whose assessment met a data issue is not shown as settled: the box is a warning naming the issues', () => {
  const bundle = readBundleFile('examples/demo/refer-to-trial.json');
  bundle.entry.push({ resource: UNDECIDED_HCG });
  const record = sharedEngine.read(bundle);
  const a = sharedEngine.assess(bundle, { asOf });
  assert.equal(a.recommendation.code, 'refer-to-trial');
  const chart = { svg: '', data: timelineData(sharedEngine.knowledge, record, a) };
  const page = patientPage('Test', a, sharedEngine.knowledge.citations, [], chart, '/handout');
  const box = /<section class="alert (\w+)" aria-labelledby="rec-title">([\s\S]*?)<\/section>/.exec(page);
  assert.equal(box?.[1], 'warning');
  assert.match(box?.[2] ?? '', /1 data issue\b[\s\S]*pregnancy test on 2026-11-20 is neither positive nor negative/);
  assert.match(box?.[2] ?? '', /href="#issues-title"/);

  const clean = sharedEngine.assess(readBundleFile('examples/demo/refer-to-trial.json'), { asOf });
  const plain = patientPage('Test', clean, sharedEngine.knowledge.citations, [], chart, '/handout');
  assert.match(plain, /<section class="alert ok" aria-labelledby="rec-title">/);
});

test('a referral beside a safety alert is not shown in the green of a settled referral', () => {
  const bundle = readBundleFile('examples/demo/suicide-risk.json');
  const a = sharedEngine.assess(bundle, { asOf });
  assert.equal(a.recommendation.code, 'refer-to-trial');
  assert.equal(a.safetyAlerts.length, 1);
  const chart = { svg: '', data: timelineData(sharedEngine.knowledge, sharedEngine.read(bundle), a) };
  const page = patientPage('Test', a, sharedEngine.knowledge.citations, [], chart, '/handout');
  assert.match(
    page,
    /<section class="alert warning" aria-labelledby="rec-title">\s*<h2 id="rec-title">Recommendation: /,
  );
  assert.ok(page.indexOf('Safety alert: ') < page.indexOf('rec-title'), 'the alert comes first');
});

test('each finding names its evidence with the date of the record, as the trd assess report does', () => {
  const check = (file: string, list: 'contraindications' | 'cautions' | 'safetyAlerts') => {
    const bundle = readBundleFile(file);
    const a = sharedEngine.assess(bundle, { asOf });
    const finding = a[list][0];
    assert.ok(finding, `${file}: a finding in ${list}`);
    const ref = finding.evidence[0] ?? '';
    const date = a.evidenceDates[ref];
    assert.ok(date, `${file}: ${ref} is dated`);
    const chart = { svg: '', data: timelineData(sharedEngine.knowledge, sharedEngine.read(bundle), a) };
    const page = patientPage('Test', a, sharedEngine.knowledge.citations, [], chart, '/handout');
    assert.ok(page.includes(`${ref} (${date})`), `${file}: ${ref} (${date}) on the page`);
  };
  check('test/fixtures/vignettes/ci-pregnancy.json', 'contraindications');
  check('test/fixtures/vignettes/caution-nsaid.json', 'cautions');
  check('examples/demo/suicide-risk.json', 'safetyAlerts');
});

test('a CRP or a medication record the assessment set aside is named on the page with why', () => {
  const page = (file: string) => {
    const bundle = readBundleFile(file);
    const a = sharedEngine.assess(bundle, { asOf });
    const chart = { svg: '', data: timelineData(sharedEngine.knowledge, sharedEngine.read(bundle), a) };
    return {
      a,
      page: patientPage('Test', a, sharedEngine.knowledge.citations, [], chart, '/handout').replace(/&#39;/g, "'"),
    };
  };
  const suppressed = page('test/fixtures/vignettes/crp-after-tocilizumab.json');
  const [rejected] = suppressed.a.inflammation.rejected;
  assert.ok(rejected, 'the CRP after tocilizumab is set aside');
  assert.match(rejected.reason, /after tocilizumab/);
  const why = /<h2 id="why-title">Why<\/h2>([\s\S]*?)<details>/.exec(suppressed.page)?.[1] ?? '';
  // The resources the reason names carry their dates, as in trd assess.
  const reason = withEvidenceDates(suppressed.a.evidenceDates, rejected.reason);
  assert.ok(why.includes(`Not used: ${rejected.source} (2026-11-06): ${reason}`), 'in the reasons');
  const table = /<summary>The timeline's results as a table<\/summary>([\s\S]*?)<\/details>/.exec(suppressed.page)?.[1];
  assert.ok(table?.includes(`7 (not used: ${rejected.reason})`), "in the timeline's table");

  const cancelled = page('test/fixtures/vignettes/request-cancelled.json');
  const [ignored] = cancelled.a.treatmentResistance.ignored;
  assert.ok(ignored, 'the cancelled order is set aside');
  assert.match(
    cancelled.page,
    new RegExp(`<li>Not used: ${ignored.source} \\([^)]*\\): MedicationRequest status is cancelled`),
  );
});

test('the handout dates its content by the record it was made from, in words, not by the day it was printed', () => {
  const a = sharedEngine.assess(readBundleFile('examples/demo/refer-to-trial.json'), { asOf: '2026-06-01' });
  const page = handoutPage(undefined, a, '/back');
  assert.match(page, /Based on your health record as it was on 1 June 2026 \(care pathway /);
  assert.doesNotMatch(page, /Prepared 2026-06-01/, 'not "prepared" on a day that may be long past');
});

test("the patient's age and sex head the page, each said to be not recorded when it is not", () => {
  const line = (edit: (patient: Record<string, unknown>) => void): string => {
    const bundle = readBundleFile('examples/demo/refer-to-trial.json');
    const patient = bundle.entry.find((e) => e.resource.resourceType === 'Patient')?.resource;
    assert.ok(patient);
    edit(patient);
    const a = sharedEngine.assess(bundle, { asOf });
    const chart = { svg: '', data: timelineData(sharedEngine.knowledge, sharedEngine.read(bundle), a) };
    const page = patientPage('Test', a, sharedEngine.knowledge.citations, [], chart, '/handout');
    return (/<h1>Test<\/h1>\s*<p class="muted">\s*([^<]*?)\s*·/.exec(page)?.[1] ?? '').replace(/\s+/g, ' ');
  };
  assert.equal(
    line(() => undefined),
    '45 years, female',
  );
  assert.equal(
    line((p) => delete p['birthDate']),
    'age not recorded, female',
  );
  assert.equal(
    line((p) => delete p['gender']),
    '45 years, sex not recorded',
  );
});

test('each trial criterion names the records it rests on with their dates, as `trd match` does', () => {
  const bundle = readBundleFile('examples/demo/refer-to-trial.json');
  const both = sharedEngine.assessAndMatchRecord(sharedEngine.read(bundle), { asOf });
  const chart = { svg: '', data: timelineData(sharedEngine.knowledge, sharedEngine.read(bundle), both.assessment) };
  const matches = both.matches();
  const page = patientPage('Test', both.assessment, sharedEngine.knowledge.citations, matches, chart, '/handout');
  const insight = matches.find((m) => m.trial.id === 'insight');
  const hsCrp = insight?.criteria.find((c) => c.id === 'insight-in-hscrp');
  assert.ok(insight && hsCrp && hsCrp.evidence.length === 1);
  const ref = hsCrp.evidence[0] as string;
  const dated = `${ref} (${insight.evidenceDates[ref] ?? ''})`;
  assert.ok(insight.evidenceDates[ref] !== undefined);
  const row = page.slice(page.indexOf(hsCrp.reason.replace(/>/g, '&gt;')));
  assert.ok(row.length < page.length, 'the criterion row is on the page');
  assert.match(row.slice(0, row.indexOf('</tr>')), new RegExp(dated.replace(/[()/]/g, '\\$&')));
});

test('a trial criterion tagged unverified says why, as `trd match` lists it (INSIGHT: 20-65, or 20-55 [U])', () => {
  const bundle = readBundleFile('examples/demo/refer-to-trial.json');
  const both = sharedEngine.assessAndMatchRecord(sharedEngine.read(bundle), { asOf });
  const chart = { svg: '', data: timelineData(sharedEngine.knowledge, sharedEngine.read(bundle), both.assessment) };
  const matches = both.matches();
  const page = patientPage('Test', both.assessment, sharedEngine.knowledge.citations, matches, chart, '/handout');
  const age = matches.find((m) => m.trial.id === 'insight')?.criteria.find((c) => c.id === 'insight-in-age');
  assert.ok(age && !age.verified && age.unverifiedNotes.length > 0);
  const row = page.slice(page.indexOf(age.reason));
  assert.ok(row.length < page.length, 'the criterion row is on the page');
  assert.match(
    row.slice(0, row.indexOf('</tr>')),
    /Unverified: The protocol \(BMJ Open 2018\) says 20-65 inclusive; the recruitment page later said 20-55/,
  );
});
