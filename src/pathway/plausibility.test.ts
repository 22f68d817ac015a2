/**
 * Impossible values never drive a decision (definitions.plausibility, knowledge/pathway/care-pathway.json): the seed
 * vignette (refer-to-trial) with its hs-CRP or an antidepressant dose replaced by an impossible number.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { createEngine } from '../engine/index.ts';

const engine = createEngine();
const AS_OF = '2026-11-27';
const seedText = readFileSync(new URL('../../examples/seed-vignette.json', import.meta.url), 'utf8');
type Resource = { resourceType: string; id: string; [k: string]: unknown };
const seedWith = (id: string, change: (r: Resource) => void): unknown => {
  const bundle = JSON.parse(seedText) as { entry: { resource: Resource }[] };
  const entry = bundle.entry.find((e) => e.resource.id === id);
  assert.ok(entry, id);
  change(entry.resource);
  return bundle;
};
const crp = (value: number) =>
  seedWith('seed-hscrp', (r) => {
    r['valueQuantity'] = { value, unit: 'mg/L', system: 'http://unitsofmeasure.org', code: 'mg/L' };
  });

describe('plausibility ranges: an impossible value is an issue, never a confident decision', () => {
  test('the seed itself is referred and notes no implausible value', () => {
    const a = engine.assess(JSON.parse(seedText), { asOf: AS_OF });
    assert.equal(a.recommendation.code, 'refer-to-trial');
    assert.ok(!a.issues.some((i) => i.code === 'pathway.value.implausible'));
  });
  for (const value of [-3, 1e-300, 0, 5000, 1e308]) {
    test(`hs-CRP ${value} mg/L -> measure-crp, with the issue and the unverified range`, () => {
      const a = engine.assess(crp(value), { asOf: AS_OF });
      assert.equal(a.recommendation.code, 'measure-crp');
      assert.equal(a.inflammation.status, 'unknown');
      assert.ok(a.issues.some((i) => i.code === 'pathway.value.implausible' && i.path === 'Observation/seed-hscrp'));
      assert.ok(a.unverified.some((u) => u.item === 'CRP plausible range'));
    });
  }
  test('the edges of the range are plausible: 0.01 and 1000 mg/L', () => {
    assert.equal(engine.assess(crp(0.01), { asOf: AS_OF }).recommendation.code, 'not-inflamed');
    assert.equal(engine.assess(crp(1000), { asOf: AS_OF }).inflammation.status, 'acute');
  });
  test('escitalopram 2e301 mg/day is not an adequate trial: the patient is not counted as treatment-resistant', () => {
    const bundle = seedWith('seed-escitalopram', (r) => {
      const dosage = r['dosageInstruction'] as { doseAndRate: { doseQuantity: { value: number } }[] }[];
      dosage[0]!.doseAndRate[0]!.doseQuantity.value = 2e301;
    });
    const a = engine.assess(bundle, { asOf: AS_OF });
    assert.notEqual(a.recommendation.code, 'refer-to-trial');
    assert.ok(
      a.issues.some((i) => i.code === 'pathway.value.implausible' && /escitalopram daily dose/.test(i.message)),
    );
    assert.ok(a.treatmentResistance.count < 2);
  });
});
