/**
 * A confirm-history card says why each unverified trial is to be confirmed (the engine's reason), not only what:
 * "sertraline (confirm a separate trial)" left the psychiatrist to guess which medicine it was taken with
 * (docs/service.md, Cards).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readBundleFile, sharedEngine } from '../server.test-support.ts';
import { patientViewCards } from './cards.ts';

test('an antidepressant taken together with another: the card names the other and why it is not counted', () => {
  const bundle = readBundleFile('examples/demo/refer-to-trial.json');
  for (const { resource } of bundle.entry) {
    // Escitalopram started the same day as sertraline: sertraline has 14 of its 84 days alone.
    if (resource.id === 'demo-refer-escitalopram') resource.authoredOn = '2025-01-06';
  }
  const assessment = sharedEngine.assess(bundle, { asOf: '2026-11-27' });
  assert.equal(assessment.recommendation.code, 'confirm-history');
  const card = patientViewCards(sharedEngine.knowledge, assessment, () => [], 'demo-refer-patient').at(-1);
  assert.match(
    card?.detail ?? '',
    /Unverified: sertraline \(confirm a separate trial: taken together with escitalopram \(14 of its 84 days without it\): a combination or augmentation, not a separate trial unless confirmed\)/,
  );
});
