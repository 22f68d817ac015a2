import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { loadKnowledge } from '../knowledge/load.ts';
import { assess } from '../pathway/index.ts';
import { recordOf } from './fixtures.test-support.ts';

const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';
const UCUM = 'http://unitsofmeasure.org';
const sertraline = { coding: [{ system: RXNORM, code: '36437', display: 'sertraline' }] };

test('MedicationDispense: handover date, daysSupply, quantity and the request it fulfils (docs/care-pathway.md, definition 2)', () => {
  const record = recordOf(
    {
      resourceType: 'MedicationRequest',
      id: 'rx',
      status: 'active',
      intent: 'order',
      medicationCodeableConcept: sertraline,
    },
    {
      resourceType: 'MedicationDispense',
      id: 'd1',
      status: 'completed',
      medicationCodeableConcept: sertraline,
      whenPrepared: '2025-01-01',
      whenHandedOver: '2025-01-02T09:30:00Z',
      daysSupply: { value: 30, unit: 'days', system: UCUM, code: 'd' },
      quantity: { value: 30, unit: 'tablet', system: UCUM, code: '{tbl}' },
      authorizingPrescription: [{ reference: 'MedicationRequest/rx' }],
    },
    {
      resourceType: 'MedicationDispense',
      id: 'd2',
      status: 'completed',
      medicationCodeableConcept: sertraline,
      whenPrepared: '2025-02-01',
    },
  );
  const [d1, d2] = record.medications.filter((m) => m.kind === 'dispense');
  assert.deepEqual(
    [d1?.period, d1?.periodSource, d1?.supply?.days, d1?.supply?.quantity?.value, d1?.basedOn],
    [{ start: '2025-01-02T09:30:00Z' }, 'whenHandedOver', 30, 30, ['MedicationRequest/rx']],
  );
  assert.deepEqual([d2?.period, d2?.periodSource, d2?.supply], [{ start: '2025-02-01' }, 'whenPrepared', undefined]);
});

test('MedicationAdministration: one dose on its effective date, or over its period; the request it fulfils', () => {
  const record = recordOf(
    {
      resourceType: 'MedicationAdministration',
      id: 'a1',
      status: 'completed',
      medicationCodeableConcept: sertraline,
      effectiveDateTime: '2025-03-01T08:00:00Z',
      dosage: { dose: { value: 50, unit: 'mg', system: UCUM, code: 'mg' } },
      request: { reference: 'MedicationRequest/rx' },
    },
    {
      resourceType: 'MedicationAdministration',
      id: 'a2',
      status: 'in-progress',
      medicationCodeableConcept: sertraline,
      effectivePeriod: { start: '2025-03-02' },
    },
  );
  const [a1, a2] = record.medications;
  assert.deepEqual(
    [a1?.kind, a1?.period, a1?.dailyDose?.value, a1?.dailyDose?.ucum, a1?.basedOn],
    [
      'administration',
      { start: '2025-03-01T08:00:00Z', end: '2025-03-01T08:00:00Z' },
      50,
      'mg',
      ['MedicationRequest/rx'],
    ],
  );
  assert.deepEqual(
    [a2?.status, a2?.period, a2?.periodSource],
    ['in-progress', { start: '2025-03-02' }, 'effectivePeriod'],
  );
});

test('malformed dispense and administration elements are warnings, never crashes; the rest is still read', () => {
  const record = recordOf(
    {
      resourceType: 'MedicationDispense',
      id: 'bad-dispense',
      status: 'completed',
      medicationCodeableConcept: sertraline,
      whenHandedOver: 'yesterday',
      whenPrepared: '2025-01-05',
      daysSupply: { value: 'thirty', code: 'd' },
      quantity: 'many',
      authorizingPrescription: 'MedicationRequest/rx',
    },
    {
      resourceType: 'MedicationDispense',
      id: 'century',
      status: 'completed',
      medicationCodeableConcept: sertraline,
      whenHandedOver: '2025-01-05',
      daysSupply: { value: 1e300, unit: 'days', system: UCUM, code: 'd' },
    },
    {
      resourceType: 'MedicationAdministration',
      id: 'bad-administration',
      status: 'completed',
      medicationCodeableConcept: sertraline,
      effectiveDateTime: 42,
      dosage: { dose: { value: 'fifty', unit: 'mg' } },
      request: 7,
    },
    { resourceType: 'MedicationAdministration', id: 'no-drug', status: 'completed', effectiveDateTime: '2025-01-01' },
  );
  const byId = new Map(record.medications.map((m) => [m.ref, m]));
  assert.deepEqual(byId.get('MedicationDispense/bad-dispense')?.period, { start: '2025-01-05' });
  assert.equal(byId.get('MedicationDispense/bad-dispense')?.supply, undefined);
  assert.equal(byId.get('MedicationDispense/century')?.supply, undefined);
  assert.deepEqual(byId.get('MedicationAdministration/bad-administration')?.period, {});
  assert.equal(byId.get('MedicationAdministration/bad-administration')?.dailyDose, undefined);
  assert.equal(byId.has('MedicationAdministration/no-drug'), false);
  const paths = record.issues.map((i) => `${i.path ?? ''}`);
  for (const p of [
    'MedicationDispense/bad-dispense.whenHandedOver',
    'MedicationDispense/bad-dispense.daysSupply',
    'MedicationDispense/century.daysSupply',
  ]) {
    assert.ok(
      paths.some((x) => x.startsWith(p)),
      `${p} is reported (${paths.join(', ')})`,
    );
  }
  assert.ok(record.issues.every((i) => i.severity !== 'error'));
});

test('any value in any dispense or administration field never throws, in the reader or the engine (fast-check)', () => {
  const knowledge = loadKnowledge();
  const field = fc.oneof(
    fc.anything(),
    fc.constantFrom('2025-01-01', '0000-01-01', '9999-12-31T23:59:59Z', 'toString', '__proto__', -1, 1e308, NaN),
    fc.record({
      value: fc.oneof(fc.double(), fc.string()),
      unit: fc.string(),
      code: fc.constantFrom('d', 'wk', 'mo', '{tbl}', 'constructor'),
    }),
  );
  const keys = [
    'status',
    'whenHandedOver',
    'whenPrepared',
    'daysSupply',
    'quantity',
    'effectiveDateTime',
    'effectivePeriod',
    'dosage',
    'dosageInstruction',
    'authorizingPrescription',
    'request',
  ];
  fc.assert(
    fc.property(
      fc.constantFrom('MedicationDispense', 'MedicationAdministration'),
      fc.dictionary(fc.constantFrom(...keys), field),
      (type, fields) => {
        const resource = {
          resourceType: type,
          id: 'x',
          medicationCodeableConcept: sertraline,
          status: 'completed',
          ...fields,
        };
        const record = recordOf(resource);
        for (const asOf of ['2025-06-01', '2026-11-27']) {
          const a = assess(record, knowledge, { asOf });
          assert.ok(Number.isFinite(a.treatmentResistance.count));
        }
      },
    ),
    { seed: 61, numRuns: 300 },
  );
});
