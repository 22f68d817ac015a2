/**
 * Which draft orders of an order-sign / order-select call are IL-6 blocker orders (docs/service.md, CDS Hooks 2.0):
 * the medication is read as the engine reads it, whatever form the EHR sends it in.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sharedEngine } from '../server.test-support.ts';
import { draftIl6Orders, hasDraftMedicationRequest } from './draft-orders.ts';

const knowledge = sharedEngine.knowledge;
const TOCILIZUMAB = {
  coding: [{ system: 'http://www.whocc.no/atc', code: 'L04AC07', display: 'tocilizumab' }],
  text: 'tocilizumab',
};

function order(id: string, medication: Record<string, unknown>): Record<string, unknown> {
  return {
    resourceType: 'MedicationRequest',
    id,
    status: 'draft',
    intent: 'order',
    subject: { reference: 'Patient/p1' },
    ...medication,
  };
}

test('a Medication referenced by urn:uuid fullUrl, absolute URL or versioned reference, or only by display, is read', () => {
  const draftOrders = {
    resourceType: 'Bundle',
    type: 'collection',
    entry: [
      {
        resource: order('by-urn', {
          medicationReference: { reference: 'urn:uuid:5f1c0d3e-0000-4000-8000-000000000001' },
        }),
      },
      {
        resource: order('by-url', { medicationReference: { reference: 'https://ehr.example.org/fhir/Medication/m2' } }),
      },
      { resource: order('by-version', { medicationReference: { reference: 'Medication/m2/_history/3' } }) },
      // Epic-style: the Medication is not sent, its reference names it.
      {
        resource: order('by-display', {
          medicationReference: { reference: 'Medication/eXyZ', display: 'tocilizumab 162 mg/0.9 mL syringe' },
        }),
      },
      {
        fullUrl: 'urn:uuid:5f1c0d3e-0000-4000-8000-000000000001',
        resource: { resourceType: 'Medication', code: TOCILIZUMAB },
      },
      { resource: { resourceType: 'Medication', id: 'm2', code: TOCILIZUMAB } },
    ],
  };
  const orders = draftIl6Orders(knowledge, draftOrders, []);
  assert.deepEqual(
    orders.map((o) => [o.reference, o.medication, o.identifiedBy]),
    [
      ['MedicationRequest/by-urn', 'tocilizumab', 'code'],
      ['MedicationRequest/by-url', 'tocilizumab', 'code'],
      ['MedicationRequest/by-version', 'tocilizumab', 'code'],
      ['MedicationRequest/by-display', 'tocilizumab', 'name'],
    ],
  );
});

test('a contained Medication, one in the record, and text only are read as before; another medicine is not an order', () => {
  const draftOrders = {
    resourceType: 'Bundle',
    entry: [
      {
        resource: order('contained', {
          contained: [{ resourceType: 'Medication', id: 'm', code: TOCILIZUMAB }],
          medicationReference: { reference: '#m' },
        }),
      },
      { resource: order('in-record', { medicationReference: { reference: 'Medication/rec' } }) },
      { resource: order('text', { medicationCodeableConcept: { text: 'tocilizumab 162 mg' } }) },
      { resource: order('ssri', { medicationReference: { reference: 'Medication/x', display: 'sertraline 50 mg' } }) },
    ],
  };
  const record = [{ resourceType: 'Medication', id: 'rec', code: TOCILIZUMAB }];
  assert.deepEqual(
    draftIl6Orders(knowledge, draftOrders, record).map((o) => [o.reference, o.identifiedBy]),
    [
      ['MedicationRequest/contained', 'code'],
      ['MedicationRequest/in-record', 'code'],
      ['MedicationRequest/text', 'name'],
    ],
  );
});

test('a draft not yet stored, without an id, is still an order: named by its fullUrl, else its place in the Bundle', () => {
  const withoutId = (medication: Record<string, unknown>): Record<string, unknown> => {
    const { id: _id, ...rest } = order('x', medication);
    return rest;
  };
  const draftOrders = {
    resourceType: 'Bundle',
    entry: [
      { resource: order('ssri', { medicationCodeableConcept: { text: 'sertraline 50 mg' } }) },
      {
        fullUrl: 'urn:uuid:0d6c7a52-0000-4000-8000-000000000002',
        resource: withoutId({ medicationCodeableConcept: TOCILIZUMAB }),
      },
      { resource: withoutId({ medicationCodeableConcept: { text: 'sarilumab 200 mg pen' } }) },
    ],
  };
  assert.deepEqual(
    draftIl6Orders(knowledge, draftOrders, []).map((o) => [o.reference, o.medication]),
    [
      ['urn:uuid:0d6c7a52-0000-4000-8000-000000000002', 'tocilizumab'],
      ['Bundle.entry[2]', 'sarilumab'],
    ],
  );
  // order-select names such a draft by the same reference.
  const selections = ['urn:uuid:0d6c7a52-0000-4000-8000-000000000002'];
  assert.ok(hasDraftMedicationRequest(draftOrders, selections));
  assert.deepEqual(
    draftIl6Orders(knowledge, draftOrders, [], selections).map((o) => o.reference),
    selections,
  );
});

test('a code only (no text, no display) is read under its system written with a trailing slash, never under another', () => {
  const coded = (system: string, code: string): Record<string, unknown> => ({
    medicationCodeableConcept: { coding: [{ system, code }] },
  });
  const draftOrders = {
    resourceType: 'Bundle',
    entry: [
      { resource: order('rxnorm-slash', coded('http://www.nlm.nih.gov/research/umls/rxnorm/', '612865')) },
      { resource: order('snomed-slash', coded('http://snomed.info/sct/', '444648007')) },
      // The RxNorm code under another system, or under a longer URI, is not RxNorm's: no guess.
      { resource: order('atc', coded('http://www.whocc.no/atc', '612865')) },
      { resource: order('longer', coded('http://www.nlm.nih.gov/research/umls/rxnorm/extra', '612865')) },
    ],
  };
  assert.deepEqual(
    draftIl6Orders(knowledge, draftOrders, []).map((o) => [
      o.reference,
      o.medication,
      o.identifiedBy,
      o.unverifiedCode,
    ]),
    [
      ['MedicationRequest/rxnorm-slash', 'tocilizumab', 'code', 'code set il6-blockers: RxNorm 612865 "tocilizumab"'],
      ['MedicationRequest/snomed-slash', 'tocilizumab', 'code', undefined],
    ],
  );
});
