/**
 * The patient-view card of a patient whose NSAID is recorded by text only ("Ibuprofen 400 mg tablet", no listed code)
 * says the caution is to confirm and names the medicine, and INSIGHT is not called eligible on the record's silence
 * about NSAIDs (docs/care-pathway.md, "Medications named without a listed code"; docs/service.md).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readBundleFile, sharedEngine } from '../server.test-support.ts';
import { patientViewCards } from './cards.ts';

const asOf = '2026-11-27';

test('a text-only ibuprofen: the card shows the caution to confirm, naming the medicine', () => {
  const seed = readBundleFile('examples/seed-vignette.json');
  const bundle = {
    ...seed,
    entry: [
      ...seed.entry,
      {
        resource: {
          resourceType: 'MedicationStatement',
          id: 'ibuprofen-text',
          status: 'active',
          subject: { reference: 'Patient/seed-patient' },
          medicationCodeableConcept: { text: 'Ibuprofen 400 mg tablet' },
          effectivePeriod: { start: '2026-10-01' },
        },
      },
    ],
  };
  const { assessment, matches } = sharedEngine.assessAndMatchRecord(sharedEngine.read(bundle), { asOf });
  const cards = patientViewCards(sharedEngine.knowledge, assessment, matches, 'seed-patient');
  const detail = cards.at(-1)?.detail ?? '';
  assert.match(
    detail,
    /\*\*Cautions:\*\*\n- Possible current NSAID or systemic corticosteroid \(may lower CRP\): confirm the medicine:/,
  );
  assert.match(detail, /MedicationStatement\/ibuprofen-text named "ibuprofen" without a code the pathway lists/);
  assert.match(detail, /confirm the medicine, that it is taken by mouth or injected and is current/);
  const insight = matches().find((m) => m.trial.id === 'insight');
  assert.equal(insight?.criteria.find((c) => c.id === 'insight-ex-nsaids')?.status, 'unknown');
  assert.notEqual(insight?.verdict, 'eligible');
});
