/**
 * A screen line tells a caution that rests only on records to confirm (a medicine named without a listed code) from a
 * confirmed one (docs/screening.md, `cautionsToConfirm`), so a population count of CRP-confounding medication can
 * leave out the unconfirmed ones.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { createEngine } from '../engine/index.ts';
import { screenLine } from './result-line.ts';

const engine = createEngine();
const AS_OF = '2026-11-27';
const seed = JSON.parse(readFileSync(new URL('../../examples/seed-vignette.json', import.meta.url), 'utf8')) as {
  entry: { resource: Record<string, unknown> }[];
};

function withIbuprofen(medicationCodeableConcept: Record<string, unknown>): unknown {
  const statement = {
    resourceType: 'MedicationStatement',
    id: 'ibuprofen',
    status: 'active',
    subject: { reference: 'Patient/seed-patient' },
    medicationCodeableConcept,
    effectivePeriod: { start: '2026-10-01' },
  };
  return { ...seed, entry: [...seed.entry, { resource: statement }] };
}

test('a caution resting on a text-only ibuprofen is listed to confirm; a coded one is not', () => {
  const named = screenLine(
    'Patient/seed-patient',
    engine.assess(withIbuprofen({ text: 'Ibuprofen 400 mg tablet' }), { asOf: AS_OF }),
  );
  assert.deepEqual(named.cautions, ['crp-confounding-medication']);
  assert.deepEqual(named.cautionsToConfirm, ['crp-confounding-medication']);
  const coded = screenLine(
    'Patient/seed-patient',
    engine.assess(
      withIbuprofen({ coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '5640' }] }),
      { asOf: AS_OF },
    ),
  );
  assert.deepEqual(coded.cautions, ['crp-confounding-medication']);
  assert.equal(coded.cautionsToConfirm, undefined);
});
