import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { bundleToRecord } from './index.ts';
import { bundleOf, recordOf, testPatient } from './fixtures.test-support.ts';

const patient = testPatient;

test('fatal: not a Bundle, no Patient, several Patients, each with one code and a one-line message', () => {
  const cases: [unknown, string][] = [
    [null, 'fhir.bundle.not-a-bundle'],
    ['text', 'fhir.bundle.not-a-bundle'],
    [[], 'fhir.bundle.not-a-bundle'],
    [patient, 'fhir.bundle.not-a-bundle'],
    [{ resourceType: 'Bundle', entry: {} }, 'fhir.bundle.not-a-bundle'],
    [{ resourceType: 'Bundle' }, 'fhir.bundle.no-patient'],
    [bundleOf({ resourceType: 'Condition', id: 'c' }), 'fhir.bundle.no-patient'],
    [bundleOf(patient, { ...patient, id: 'p2' }), 'fhir.bundle.several-patients'],
    [bundleOf(patient, { ...patient, birthDate: '1990-01-01' }), 'fhir.bundle.duplicate-patient'],
  ];
  for (const [input, code] of cases) {
    const result = bundleToRecord(input);
    assert.equal(result.ok, false, code);
    assert.equal(result.issues.length, 1);
    assert.equal(result.issues[0]?.code, code);
    assert.equal(result.issues[0]?.severity, 'error');
    assert.doesNotMatch(result.issues[0]?.message ?? '\n', /\n/);
  }
  // The resourceType found is input: never echoed.
  assert.equal(bundleToRecord(patient).issues[0]?.message, 'expected a FHIR Bundle, got another resource type');
  // JSON that is no resource (a list, an object without resourceType) is said in words that read as a sentence.
  for (const notAResource of [[1, 2], { entry: [] }]) {
    assert.equal(
      bundleToRecord(notAResource).issues[0]?.message,
      'expected a FHIR Bundle, got JSON that is not a FHIR resource (no resourceType)',
    );
  }
  const escape = bundleToRecord({ resourceType: '\u001b]0;pwned\u0007' }).issues[0]?.message ?? '';
  assert.ok(!escape.includes('pwned') && !escape.includes('\u001b'), escape);
});

test('50,000 Patient entries: refused in linear time with a short message', () => {
  const many = bundleOf(...Array.from({ length: 50_000 }, (_, k) => ({ ...patient, id: `p${k}` })));
  const result = bundleToRecord(many);
  assert.equal(result.ok, false);
  const message = result.issues[0]?.message ?? '';
  assert.match(message, /^the Bundle holds 50000 Patients \(Patient\/p0, Patient\/p1, Patient\/p2 and 49997 more\)/);
  assert.ok(message.length < 200, `${message.length} characters`);
});

test('the same Patient listed twice (transaction + search include) is one patient', () => {
  const result = bundleToRecord(bundleOf(patient, patient));
  assert.ok(result.ok);
  assert.equal(result.value.patient.ref, 'Patient/p1');
  assert.equal(result.value.patient.sex, 'female');
  assert.equal(result.value.patient.birthDate, '1981-03-15');
});

test('unused resource types are skipped silently and counted in one information issue', () => {
  const record = recordOf(
    { resourceType: 'Encounter', id: 'e1' },
    { resourceType: 'Encounter', id: 'e2' },
    { resourceType: 'Claim', id: 'c1' },
    { resourceType: 'Medication', id: 'm1' },
  );
  const skipped = record.issues.filter((i) => i.code === 'fhir.resource.skipped');
  assert.equal(skipped.length, 1);
  assert.equal(skipped[0]?.severity, 'information');
  assert.match(skipped[0]?.message ?? '', /skipped 3 resources .*Encounter 2, Claim 1/);
  assert.equal(record.issues.length, 1);
});

test('entries without a resource are warnings, not failures; refs fall back to fullUrl', () => {
  const result = bundleToRecord({
    resourceType: 'Bundle',
    entry: [
      { resource: patient },
      { fullUrl: 'urn:uuid:x' },
      7,
      { fullUrl: 'urn:uuid:c-1', resource: { resourceType: 'Condition', code: { text: 'Depression' } } },
    ],
  });
  assert.ok(result.ok);
  assert.equal(result.value.issues.filter((i) => i.code === 'fhir.entry.malformed').length, 2);
  assert.equal(result.value.conditions[0]?.ref, 'urn:uuid:c-1');
});

test('Condition: status codes, onset and abatement forms, categories', () => {
  const record = recordOf(
    {
      resourceType: 'Condition',
      id: 'c1',
      clinicalStatus: {
        coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'recurrence' }],
      },
      verificationStatus: { coding: [{ code: 'confirmed' }] },
      category: [{ coding: [{ code: 'encounter-diagnosis' }] }],
      code: { coding: [{ system: 'http://snomed.info/sct', code: '370143000' }] },
      onsetPeriod: { start: '2019-03' },
      abatementString: 'last spring',
      recordedDate: '2019-04-01',
    },
    {
      resourceType: 'Condition',
      id: 'c2',
      code: { text: 'x' },
      onsetString: 'childhood',
      abatementDateTime: '2020-01-02T10:00:00Z',
    },
    {
      resourceType: 'Condition',
      id: 'c3',
      code: { text: 'x' },
      onsetDateTime: 'yesterday',
      abatementPeriod: { start: '2021-06-01' },
    },
    { resourceType: 'Condition', id: 'c4' },
  );
  const [c1, c2, c3] = record.conditions;
  assert.equal(record.conditions.length, 3);
  assert.deepEqual(
    [c1?.clinicalStatus, c1?.verificationStatus, c1?.onset, c1?.abatement, c1?.recordedDate, c1?.categories],
    ['recurrence', 'confirmed', '2019-03', 'abated', '2019-04-01', ['encounter-diagnosis']],
  );
  assert.equal(c2?.onset, undefined);
  assert.equal(c2?.abatement, '2020-01-02T10:00:00Z');
  assert.equal(c3?.onset, undefined);
  assert.equal(c3?.abatement, '2021-06-01');
  const paths = record.issues.filter((i) => i.severity === 'warning').map((i) => i.path);
  assert.deepEqual(paths, ['Condition/c3.onsetDateTime', 'Condition/c4.code']);
});

test('AllergyIntolerance, Immunization and Procedure', () => {
  const record = recordOf(
    {
      resourceType: 'AllergyIntolerance',
      id: 'a1',
      clinicalStatus: { coding: [{ code: 'active' }] },
      code: { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '612865' }] },
      onsetDateTime: '2020-01-01',
    },
    {
      resourceType: 'Immunization',
      id: 'i1',
      status: 'completed',
      vaccineCode: { coding: [{ code: '94' }] },
      occurrenceDateTime: '2026-11-01',
    },
    {
      resourceType: 'Immunization',
      id: 'i2',
      status: 'completed',
      vaccineCode: { text: 'MMR' },
      occurrenceString: 'as a child',
    },
    {
      resourceType: 'Procedure',
      id: 'pr1',
      status: 'completed',
      code: { text: 'colectomy' },
      performedPeriod: { start: '2010-05-01', end: '2010-05-02' },
    },
  );
  assert.equal(record.allergies[0]?.clinicalStatus, 'active');
  assert.equal(record.allergies[0]?.code.codings[0]?.code, '612865');
  assert.equal(record.immunizations[0]?.occurrence, '2026-11-01');
  assert.equal(record.immunizations[1]?.occurrence, undefined);
  assert.equal(record.procedures[0]?.performed, '2010-05-01');
});

test('never throws on arbitrary JSON, and any success has one patient', () => {
  const resourceLike = fc.record(
    {
      resourceType: fc.constantFrom(
        'Patient',
        'Condition',
        'Observation',
        'MedicationRequest',
        'MedicationStatement',
        'QuestionnaireResponse',
        'Medication',
        'Immunization',
      ),
      id: fc.oneof(fc.string(), fc.integer()),
      status: fc.anything(),
      code: fc.anything(),
      valueQuantity: fc.anything(),
      dosageInstruction: fc.anything(),
      dosage: fc.anything(),
      medicationReference: fc.anything(),
      item: fc.anything(),
      effectivePeriod: fc.anything(),
      dispenseRequest: fc.anything(),
    },
    { requiredKeys: ['resourceType'] },
  );
  fc.assert(
    fc.property(fc.array(fc.oneof(fc.record({ resource: resourceLike }), fc.anything()), { maxLength: 8 }), (entry) => {
      const result = bundleToRecord({ resourceType: 'Bundle', entry });
      if (result.ok) assert.match(result.value.patient.ref, /Patient|urn|Bundle/);
    }),
    { numRuns: 300, seed: 20261127 },
  );
});
