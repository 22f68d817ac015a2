/**
 * Hostile and impossible input at the engine door (issue 6, item 7): each class fixed at its root must neither crash
 * nor yield a confident decision, and a refusal is one short printable line that echoes nothing of the input.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { createEngine, InputError } from '../src/engine/index.ts';

const engine = createEngine();
const AS_OF = '2026-11-27';
const seedText = readFileSync(join(import.meta.dirname, '..', 'examples', 'seed-vignette.json'), 'utf8');
type Bundle = { resourceType: string; entry: { fullUrl?: string; resource: Record<string, unknown> }[] };
const seed = (): Bundle => JSON.parse(seedText) as Bundle;
const withEntries = (...resources: Record<string, unknown>[]): Bundle => {
  const b = seed();
  for (const resource of resources) b.entry.push({ resource });
  return b;
};
const both = (bundle: unknown) => ({
  assess: engine.assess(bundle, { asOf: AS_OF }),
  match: engine.match(bundle, { asOf: AS_OF }),
});
const ucum = (value: number, code: string) => ({ value, unit: code, system: 'http://unitsofmeasure.org', code });

describe('hostile input never crashes assess or match', () => {
  const dispense = (daysSupply: unknown, quantity: unknown) => ({
    resourceType: 'MedicationDispense',
    id: 'hostile-dispense',
    status: 'completed',
    subject: { reference: 'Patient/seed-patient' },
    medicationCodeableConcept: {
      coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '321988', display: 'escitalopram' }],
    },
    whenHandedOver: '2026-06-01',
    daysSupply,
    quantity,
  });
  for (const [name, days, quantity] of [
    ['a duration of 1e308 days', ucum(1e308, 'd'), ucum(30, '{tablet}')],
    ['a negative duration', ucum(-30, 'd'), ucum(30, '{tablet}')],
    ['a duration in toString units', ucum(30, 'toString'), ucum(30, 'constructor')],
    ['a duration of 2^53 days', ucum(2 ** 53, 'd'), ucum(2 ** 53, '{tablet}')],
  ] as const) {
    test(`a dispense with ${name}`, () => {
      const { assess, match } = both(withEntries(dispense(days, quantity)));
      assert.ok(assess.recommendation.code.length > 0);
      assert.ok(match.length > 0);
    });
  }
  test('a CRP and a dose in units named like object members', () => {
    const b = seed();
    const crp = b.entry.find((e) => e.resource['id'] === 'seed-hscrp')!.resource;
    crp['valueQuantity'] = ucum(7, 'constructor');
    const { assess } = both(b);
    assert.equal(assess.recommendation.code, 'measure-crp');
  });
  test('a 120,000-character unit is rejected quickly', () => {
    const b = seed();
    const crp = b.entry.find((e) => e.resource['id'] === 'seed-hscrp')!.resource;
    crp['valueQuantity'] = ucum(7, 'm'.repeat(120_000));
    const started = performance.now();
    assert.equal(engine.assess(b, { asOf: AS_OF }).recommendation.code, 'measure-crp');
    assert.ok(performance.now() - started < 2000);
  });
  test('a birth date in year 0045 is not read as 1945', () => {
    const b = seed();
    const patient = b.entry.find((e) => e.resource['resourceType'] === 'Patient')!.resource;
    patient['birthDate'] = '0045-03-15';
    const a = engine.assess(b, { asOf: AS_OF });
    assert.notEqual(a.patient.age, 81);
  });
});

describe('refusals are one short line that echoes nothing', () => {
  const refuse = (bundle: unknown): string => {
    try {
      engine.assess(bundle, { asOf: AS_OF });
    } catch (error) {
      assert.ok(error instanceof InputError, String(error));
      return error.message;
    }
    assert.fail('accepted');
  };
  test('a duplicate Patient id with different content is refused, whatever the entry order', () => {
    const b = seed();
    const patient = b.entry.find((e) => e.resource['resourceType'] === 'Patient')!;
    const twin = structuredClone(patient);
    twin.resource['birthDate'] = '1990-01-01';
    b.entry.push(twin);
    assert.match(refuse(b), /2 differing copies of Patient\/seed-patient/);
    b.entry.reverse();
    assert.match(refuse(b), /differing copies/);
  });
  test('every duplicate or extra Patient is not listed: the line stays short', () => {
    const b = seed();
    for (let k = 0; k < 2000; k++) b.entry.push({ resource: { resourceType: 'Patient', id: `x${k}` } });
    const message = refuse(b);
    assert.ok(message.length < 200, message);
  });
  test('an id with escape characters never reaches a message', () => {
    const b = seed();
    b.entry.push({ resource: { resourceType: 'Patient', id: '\u001b]0;owned\u0007' } });
    const message = refuse(b);
    assert.ok(!message.includes('\u001b') && !message.includes('owned'), message);
  });
});
