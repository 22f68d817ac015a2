/**
 * Synthea-shape bundles of ~2,000 resources (test/synthea/generate.ts) through the adapter and the engine: no crash,
 * every generated fact parsed (counts match the generator's), skipped types counted, and a sensible decision.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { bundleToRecord } from '../../src/fhir/index.ts';
import { loadKnowledge } from '../../src/knowledge/load.ts';
import { assess } from '../../src/pathway/index.ts';
import type { PatientRecord } from '../../src/record/index.ts';
import { generateSyntheaBundle } from './generate.ts';
import type { SyntheaBundle, SyntheaScenario } from './generate.ts';

const AS_OF = '2026-11-27';

function read(scenario: SyntheaScenario, seed: number): { generated: SyntheaBundle; record: PatientRecord } {
  const generated = generateSyntheaBundle({ seed, targetResources: 2000, scenario, asOf: AS_OF });
  // Through JSON text, as a file would arrive.
  const result = bundleToRecord(JSON.parse(JSON.stringify(generated.bundle)));
  assert.ok(result.ok, JSON.stringify(result.issues));
  return { generated, record: result.value };
}

function assertCountsMatch({ generated, record }: { generated: SyntheaBundle; record: PatientRecord }): void {
  const c = generated.counts;
  assert.ok(c.resources > 1800 && c.resources < 2200, `bundle size ${c.resources}`);
  assert.equal(record.patient.ref, `Patient/${generated.patientId}`);
  assert.equal(record.patient.sex, 'female');
  assert.equal(record.conditions.length, c.conditions);
  assert.equal(record.observations.length, c.observations);
  assert.equal(record.medications.length, c.medications);
  assert.equal(record.immunizations.length, c.immunizations);
  assert.equal(record.procedures.length, c.procedures);
  assert.equal(record.allergies.length, c.allergies);
  // Nothing malformed: the only issue is the count of skipped resource types.
  assert.deepEqual(
    record.issues.map((i) => i.code),
    ['fhir.resource.skipped'],
  );
  assert.match(record.issues[0]?.message ?? '', new RegExp(`^skipped ${c.skipped} resources .*ExplanationOfBenefit`));
  const bp = record.observations.find((o) => o.code.codings[0]?.code === '85354-9');
  assert.equal(bp?.components.length, 2);
  const platelets = record.observations.find((o) => o.code.codings[0]?.code === '777-3');
  assert.equal(platelets?.value?.kind === 'quantity' && platelets.value.quantity.ucum, '10*3/uL');
}

test('Synthea-shape patient without depression: all facts parsed; out-of-scope', () => {
  const read1 = read('no-depression', 11);
  assertCountsMatch(read1);
  const a = assess(read1.record, loadKnowledge(), { asOf: AS_OF });
  assert.equal(a.recommendation.code, 'out-of-scope');
  assert.equal(a.recommendation.rule, 1);
});

test('Synthea-shape depressed patient with one SSRI (sertraline, durations unknown): not TRD or confirm history', () => {
  const read2 = read('one-ssri', 12);
  assertCountsMatch(read2);
  const { record, generated } = read2;
  assert.equal(generated.counts.depressionConditions, 1);
  const requests = record.medications.filter((m) => m.medication.codings[0]?.code === '312941');
  assert.equal(requests.length, generated.counts.antidepressantRequests);
  for (const m of requests) {
    // Synthea's dose is one tablet a day with no unit and no dispense: a count, and a start without an end.
    assert.deepEqual(m.dailyDose, { value: 1 });
    assert.equal(m.periodSource, 'authoredOn');
    assert.equal(m.period.end, undefined);
  }
  const a = assess(record, loadKnowledge(), { asOf: AS_OF });
  assert.ok(['not-trd', 'confirm-history'].includes(a.recommendation.code), a.recommendation.code);
  assert.ok(a.treatmentResistance.count < 2);
  assert.ok(a.treatmentResistance.exposures.every((e) => e.ingredient === 'sertraline'));
  assert.ok(a.treatmentResistance.exposures.length >= 1);
});

test('the generator is deterministic: same seed, same bundle; another seed, other ids', () => {
  const one = JSON.stringify(
    generateSyntheaBundle({ seed: 5, targetResources: 300, scenario: 'one-ssri', asOf: AS_OF }),
  );
  const two = JSON.stringify(
    generateSyntheaBundle({ seed: 5, targetResources: 300, scenario: 'one-ssri', asOf: AS_OF }),
  );
  const other = JSON.stringify(
    generateSyntheaBundle({ seed: 6, targetResources: 300, scenario: 'one-ssri', asOf: AS_OF }),
  );
  assert.equal(one, two);
  assert.notEqual(one, other);
});

test('a real Synthea excerpt (test/fixtures/synthea) parses: patient, immunization, skipped Encounter and Provenance', () => {
  const path = join(import.meta.dirname, '..', 'fixtures', 'synthea', 'Flavia315_Walker122-excerpt.json');
  const result = bundleToRecord(JSON.parse(readFileSync(path, 'utf8')));
  assert.ok(result.ok);
  const record = result.value;
  assert.deepEqual(record.patient, {
    ref: 'Patient/e781e193-43ef-e822-b01b-0b8a15c21ad5',
    birthDate: '1988-05-08',
    sex: 'female',
  });
  assert.deepEqual(record.immunizations, [
    {
      ref: 'Immunization/2c598a04-d7a5-095c-c748-1b45f87a1cb9',
      vaccine: {
        codings: [
          {
            system: 'http://hl7.org/fhir/sid/cvx',
            code: '140',
            display: 'Influenza, seasonal, injectable, preservative free',
          },
        ],
        text: 'Influenza, seasonal, injectable, preservative free',
      },
      status: 'completed',
      occurrence: '2016-07-17T23:23:38-05:00',
    },
  ]);
  assert.deepEqual(
    record.issues.map((i) => i.message),
    ['skipped 2 resources the pathway does not use (Encounter 1, Provenance 1)'],
  );
  assert.equal(assess(record, loadKnowledge(), { asOf: AS_OF }).recommendation.code, 'out-of-scope');
});
