/**
 * The patient-view card shows the data issues the assessment met (docs/service.md, CDS Hooks): a quantitative hCG
 * with no interpretation is "not used" by the engine (issue pathway.pregnancy-test.undecided), so a card that says
 * "no absolute contraindication found" without it would read as confident where the record is undecided. A warning
 * issue raises an info card to a warning.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readBundleFile, sharedEngine } from '../server.test-support.ts';
import { patientViewCards } from './cards.ts';
import { UNDECIDED_HCG } from '../../../test/support/undecided-hcg.ts';

const asOf = '2026-11-27';

test('an hCG the engine cannot decide on is named on the referral card, which is a warning', () => {
  const bundle = readBundleFile('examples/demo/refer-to-trial.json');
  bundle.entry.push({ resource: UNDECIDED_HCG });
  const assessment = sharedEngine.assess(bundle, { asOf });
  assert.equal(assessment.recommendation.code, 'refer-to-trial');
  assert.deepEqual(
    assessment.issues.map((i) => i.code),
    ['pathway.pregnancy-test.undecided'],
  );
  const card = patientViewCards(sharedEngine.knowledge, assessment, () => [], 'demo-refer-patient').at(-1);
  assert.equal(card?.indicator, 'warning');
  assert.match(
    card?.detail ?? '',
    /\*\*Data issues:\*\*\n- pregnancy test on 2026-11-20 is neither positive nor negative \(a quantitative hCG needs an interpretation\): not used \(evidence: `Observation\/hcg-quantitative`/,
  );
});

test('a record with no data issues keeps its info card and no issues section', () => {
  const assessment = sharedEngine.assess(readBundleFile('examples/demo/refer-to-trial.json'), { asOf });
  const card = patientViewCards(sharedEngine.knowledge, assessment, () => [], 'demo-refer-patient').at(-1);
  assert.equal(card?.indicator, 'info');
  assert.doesNotMatch(card?.detail ?? '', /Data issues/);
});
