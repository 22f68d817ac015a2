/**
 * The engine reads only the resources its knowledge can use (engine.read, docs/care-pathway.md, "What goes in"): a
 * Condition, Observation, Immunization, AllergyIntolerance or Procedure coded outside every code set of the pathway
 * and the trials is counted as skipped, not read. Skipping must never change a result: over every vignette, every
 * demo patient and distinct bench patients (typical and Synthea-shape), `assess` and `match` through the door equal
 * the same decisions over a full read (readBundle without relevance), apart from the skipped-resources issue.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { syntheaPatients, typicalPatients } from '../bench/population.ts';
import { createEngine } from '../src/engine/index.ts';
import { readBundle } from '../src/engine/engine.ts';
import { loadVignettes, REPO_ROOT } from './support/vignette-bundles.ts';

const engine = createEngine();
const SKIPPED = 'fhir.resource.skipped';

/** The result as JSON without the skipped-resources issue (its counts are what differs by design). */
function comparable(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value), (_k, v: unknown) =>
    Array.isArray(v) ? v.filter((x) => (x as { code?: unknown } | null)?.code !== SKIPPED) : v,
  ) as unknown;
}

function sameAsFullRead(bundle: unknown, asOf: string): void {
  const full = readBundle(bundle);
  assert.deepEqual(comparable(engine.assess(bundle, { asOf })), comparable(engine.assessRecord(full, { asOf })));
  assert.deepEqual(comparable(engine.match(bundle, { asOf })), comparable(engine.matchRecord(full, { asOf })));
}

describe('the knowledge-aware read changes no assessment and no match', () => {
  test('every vignette', () => {
    for (const v of loadVignettes()) sameAsFullRead(v.bundle, v.asOf);
  });

  test('every demo patient', () => {
    const dir = join(REPO_ROOT, 'examples', 'demo');
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as {
      asOf: string;
      patients: { file: string }[];
    };
    for (const p of index.patients) sameAsFullRead(JSON.parse(readFileSync(join(dir, p.file), 'utf8')), index.asOf);
  });

  test('distinct typical and Synthea-shape bench patients', () => {
    const seedPath = join(REPO_ROOT, 'examples', 'seed-vignette.json');
    for (const p of [...typicalPatients(seedPath, 40, 3), ...syntheaPatients(8, 300, '2026-11-27', 5)]) {
      sameAsFullRead(JSON.parse(p.text), '2026-11-27');
    }
  });
});

describe('what is skipped', () => {
  const seed = JSON.parse(readFileSync(join(REPO_ROOT, 'examples', 'seed-vignette.json'), 'utf8')) as {
    entry: { resource: Record<string, unknown> }[];
  };
  const subject = { reference: 'Patient/seed-patient' };
  const withEntries = (resources: Record<string, unknown>[]): unknown => ({
    ...seed,
    entry: [...seed.entry, ...resources.map((resource) => ({ resource }))],
  });
  const heartRate = {
    resourceType: 'Observation',
    id: 'heart-rate',
    status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] },
    subject,
    effectiveDateTime: 'not a date',
    valueQuantity: { value: 70, unit: '/min' },
  };

  test('an Observation coded outside every code set is counted, not read (so its bad date is not warned about)', () => {
    const record = engine.read(withEntries([heartRate]));
    assert.equal(
      record.observations.some((o) => o.ref === 'Observation/heart-rate'),
      false,
    );
    assert.equal(
      record.issues.some((i) => i.path?.startsWith('Observation/heart-rate') === true),
      false,
    );
    const skipped = record.issues.find((i) => i.code === SKIPPED);
    assert.match(skipped?.message ?? '', /coded outside every code set: Observation 1/);
    // The full read (a timeline shows every result) still reads it and warns about its date.
    const full = readBundle(withEntries([heartRate]));
    assert.ok(full.observations.some((o) => o.ref === 'Observation/heart-rate'));
    assert.ok(full.issues.some((i) => i.path === 'Observation/heart-rate.effectiveDateTime'));
  });

  test('read: a used code in odd case or spacing, a component code, a coding without a system, or a malformed code', () => {
    const variants: [string, Record<string, unknown>][] = [
      // hs-CRP (LOINC 30522-7) with spaces around it: normalizeCode trims, so the code is used.
      ['spaced', { code: { coding: [{ system: ' http://loinc.org ', code: ' 30522-7 ' }] } }],
      ['component', { component: [{ code: { coding: [{ system: 'http://loinc.org', code: '30522-7' }] } }] }],
      ['no-system', { code: { coding: [{ code: '8867-4' }] } }],
      ['malformed', { code: { coding: [{ system: 'http://loinc.org', code: 8867 }] } }],
      ['no-code', { code: 'heart rate' }],
    ];
    for (const [id, change] of variants) {
      const record = engine.read(withEntries([{ ...heartRate, id, ...change }]));
      const read =
        record.observations.some((o) => o.ref === `Observation/${id}`) ||
        record.issues.some((i) => i.path?.startsWith(`Observation/${id}`) === true);
      assert.ok(read, id);
    }
  });

  test('read: an allergy coded outside every code set whose text or display names the drug (Actemra, tocilizumab) is an allergy to it', () => {
    const allergy = (id: string, code: Record<string, unknown>): Record<string, unknown> => ({
      resourceType: 'AllergyIntolerance',
      id,
      clinicalStatus: {
        coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active' }],
      },
      code,
      patient: subject,
      recordedDate: '2026-10-01',
    });
    const rxnorm = 'http://www.nlm.nih.gov/research/umls/rxnorm';
    const asOf = '2026-11-27';
    for (const resource of [
      // A brand name or a branded product as the code, whose RxNorm code no code set lists.
      allergy('brand', { coding: [{ system: rxnorm, code: 'unlisted-bn', display: 'Actemra' }] }),
      allergy('product', {
        coding: [{ system: rxnorm, code: 'unlisted-sbd', display: 'tocilizumab 20 MG/ML Injection [Actemra]' }],
      }),
      allergy('local', { coding: [{ system: 'http://example.org/allergens', code: 'A-17' }], text: 'ACTEMRA' }),
    ]) {
      const bundle = withEntries([resource]);
      const result = engine.assess(bundle, { asOf });
      assert.deepEqual(
        result.contraindications.map((c) => c.code),
        ['hypersensitivity'],
        String(resource['id']),
      );
      sameAsFullRead(bundle, asOf);
    }
  });

  test('an ICD-10 code written in lower case without its dot is used (bipolar F31.9 as "f319" keeps the patient out of scope)', () => {
    const bipolar = {
      resourceType: 'Condition',
      id: 'bipolar',
      clinicalStatus: {
        coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }],
      },
      code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10-cm', code: 'f319' }] },
      subject,
      onsetDateTime: '2020-01-01',
    };
    const record = engine.read(withEntries([bipolar]));
    assert.ok(record.conditions.some((c) => c.ref === 'Condition/bipolar'));
    assert.equal(engine.assess(withEntries([bipolar]), { asOf: '2026-11-27' }).scope.inScope, false);
  });

  test('property: a resource coded outside every code set never changes a result (fast-check, fixed seed)', () => {
    const unusedCode = fc.constantFrom('8867-4', '9279-1', '8302-2', '2345-7', '72514-3');
    fc.assert(
      fc.property(unusedCode, fc.constantFrom('Observation', 'Condition', 'Procedure'), (code, type) => {
        const resource = {
          resourceType: type,
          id: `extra-${type}`,
          status: 'final',
          code: { coding: [{ system: 'http://loinc.org', code }] },
          subject,
          effectiveDateTime: '2026-11-01',
        };
        const asOf = '2026-11-27';
        assert.deepEqual(
          comparable(engine.assess(withEntries([resource]), { asOf })),
          comparable(engine.assess(seed, { asOf })),
        );
      }),
      { seed: 6, numRuns: 30 },
    );
  });
});
