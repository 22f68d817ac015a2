import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bundleToRecord } from './index.ts';
import { recordOf, testPatient } from './fixtures.test-support.ts';

const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';
const UCUM = 'http://unitsofmeasure.org';
const sertraline = { coding: [{ system: RXNORM, code: '36437', display: 'sertraline' }] };
const mg = (value: number) => ({ value, unit: 'mg', system: UCUM, code: 'mg' });

function request(dosageInstruction: unknown[], extra: object = {}) {
  return {
    resourceType: 'MedicationRequest',
    id: 'r1',
    status: 'completed',
    intent: 'order',
    medicationCodeableConcept: sertraline,
    authoredOn: '2025-01-01',
    dosageInstruction,
    ...extra,
  };
}

test('timing.repeat: frequency / period in h, d, wk, mo -> administrations per day; daily dose = dose x per day', () => {
  const cases: [object, number][] = [
    [{ frequency: 1, period: 1, periodUnit: 'd' }, 1],
    [{ frequency: 2, period: 1, periodUnit: 'd' }, 2],
    [{ frequency: 1, period: 12, periodUnit: 'h' }, 2],
    [{ frequency: 1, period: 1, periodUnit: 'wk' }, 1 / 7],
    [{ frequency: 1, period: 1, periodUnit: 'mo' }, 1 / 30.4375],
    [{ frequency: 2, frequencyMax: 3, period: 1, periodUnit: 'd' }, 2],
    [{ frequency: 1, period: 1, periodUnit: 'd', dayOfWeek: ['mon', 'wed', 'fri'] }, 3 / 7],
    [{ period: 2, periodUnit: 'd' }, 0.5],
    [{ timeOfDay: ['08:00:00', '20:00:00'] }, 2],
  ];
  for (const [repeat, perDay] of cases) {
    const [m] = recordOf(request([{ timing: { repeat }, doseAndRate: [{ doseQuantity: mg(50) }] }])).medications;
    assert.ok(Math.abs((m?.administrationsPerDay ?? NaN) - perDay) < 1e-12, JSON.stringify(repeat));
    assert.ok(Math.abs((m?.dailyDose?.value ?? NaN) - 50 * perDay) < 1e-9);
    assert.equal(m?.dailyDose?.ucum, 'mg');
  }
});

test('timing.code QD/BID/TID/QID/QOD/Q4H/Q6H/Q8H/Q12H/QAM/QPM/HS', () => {
  const table: Record<string, number> = {
    QD: 1,
    BID: 2,
    TID: 3,
    QID: 4,
    QOD: 0.5,
    Q4H: 6,
    Q6H: 4,
    Q8H: 3,
    Q12H: 2,
    QAM: 1,
    QPM: 1,
    HS: 1,
  };
  for (const [code, perDay] of Object.entries(table)) {
    const timing = { code: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-GTSAbbreviation', code }] } };
    const [m] = recordOf(request([{ timing, doseAndRate: [{ doseQuantity: mg(10) }] }])).medications;
    assert.equal(m?.administrationsPerDay, perDay, code);
    assert.equal(m?.dailyDose?.value, 10 * perDay, code);
  }
});

test('a dose range or a maximum frequency establishes no dose; as-needed gives no daily dose; split doses sum; titration steps do not', () => {
  const range = recordOf(
    request([
      { timing: { code: { coding: [{ code: 'BID' }] } }, doseAndRate: [{ doseRange: { low: mg(25), high: mg(50) } }] },
    ]),
  );
  assert.equal(range.medications[0]?.dailyDose, undefined);
  assert.ok(range.issues.some((i) => i.code === 'fhir.dosage.range'));
  const fixedRange = recordOf(
    request([
      { timing: { code: { coding: [{ code: 'BID' }] } }, doseAndRate: [{ doseRange: { low: mg(25), high: mg(25) } }] },
    ]),
  );
  assert.equal(fixedRange.medications[0]?.dailyDose?.value, 50);
  const upTo = recordOf(
    request([
      { timing: { repeat: { frequencyMax: 2, period: 1, periodUnit: 'd' } }, doseAndRate: [{ doseQuantity: mg(25) }] },
    ]),
  );
  assert.equal(upTo.medications[0]?.dailyDose, undefined);
  assert.ok(upTo.issues.some((i) => i.code === 'fhir.dosage.timing'));

  const prn = recordOf(
    request([
      {
        asNeededBoolean: true,
        timing: { code: { coding: [{ code: 'QD' }] } },
        doseAndRate: [{ doseQuantity: mg(50) }],
      },
    ]),
  );
  assert.equal(prn.medications[0]?.dosePerAdministration?.value, 50);
  assert.equal(prn.medications[0]?.dailyDose, undefined);
  assert.ok(
    prn.issues.some(
      (i) => i.code === 'fhir.dosage.as-needed' && i.path === 'MedicationRequest/r1.dosageInstruction[0]',
    ),
  );

  const split = recordOf(
    request([
      { timing: { code: { coding: [{ code: 'QAM' }] } }, doseAndRate: [{ doseQuantity: mg(50) }] },
      { timing: { code: { coding: [{ code: 'HS' }] } }, doseAndRate: [{ doseQuantity: mg(100) }] },
    ]),
  );
  assert.equal(split.medications[0]?.dailyDose?.value, 150);
  assert.equal(split.medications[0]?.administrationsPerDay, 2);

  const titration = recordOf(
    request([
      { sequence: 1, timing: { code: { coding: [{ code: 'QD' }] } }, doseAndRate: [{ doseQuantity: mg(50) }] },
      { sequence: 2, timing: { code: { coding: [{ code: 'QD' }] } }, doseAndRate: [{ doseQuantity: mg(100) }] },
    ]),
  );
  assert.equal(titration.medications[0]?.dailyDose, undefined);
  assert.ok(titration.issues.some((i) => i.code === 'fhir.dosage.sequential'));
});

test('Synthea-style dose: a unitless count of tablets stays a count (the engine multiplies by strength)', () => {
  const [m] = recordOf(
    request([
      {
        sequence: 1,
        timing: { repeat: { frequency: 1, period: 1.0, periodUnit: 'd' } },
        asNeededBoolean: false,
        doseAndRate: [{ type: { coding: [{ code: 'ordered' }] }, doseQuantity: { value: 1.0 } }],
      },
    ]),
  ).medications;
  assert.deepEqual(m?.dailyDose, { value: 1 });
  assert.equal(m?.periodSource, 'authoredOn');
  assert.deepEqual(m?.period, { start: '2025-01-01' });
});

test('request period: the stated period only (authoredOn, validityPeriod.end, else dosage bounds); supply and refills kept as data', () => {
  // Care pathway 1.1 def 2: one supply per request, refills only when dispensed. The reader no longer turns
  // supply x (1 + refills) into an end date (it used to give 2025-03-31 here); the engine applies the rule.
  const supply = (expectedSupplyDuration: object, numberOfRepeatsAllowed?: number) =>
    recordOf(request([], { dispenseRequest: { expectedSupplyDuration, numberOfRepeatsAllowed } })).medications[0];
  const a = supply({ value: 30, unit: 'days', system: UCUM, code: 'd' }, 2);
  assert.deepEqual(a?.period, { start: '2025-01-01' });
  assert.equal(a?.periodSource, 'authoredOn');
  assert.equal(a?.dispense?.expectedSupplyDays, 30);
  assert.equal(a?.dispense?.numberOfRepeatsAllowed, 2);
  assert.equal(supply({ value: 6, system: UCUM, code: 'wk' })?.dispense?.expectedSupplyDays, 42);
  assert.equal(supply({ value: 1, unit: 'month' })?.dispense?.expectedSupplyDays, 30);
  assert.equal(supply({ value: 2, unit: 'wk', code: 'weeks' })?.dispense?.expectedSupplyDays, 14);
  const validity = recordOf(
    request([], {
      authoredOn: undefined,
      dispenseRequest: { validityPeriod: { start: '2025-02-01', end: '2025-05-01' } },
    }),
  ).medications[0];
  assert.deepEqual(
    [validity?.periodSource, validity?.period],
    ['dispenseRequest', { start: '2025-02-01', end: '2025-05-01' }],
  );
  const bounds = recordOf(
    request(
      [
        {
          timing: {
            repeat: {
              boundsPeriod: { start: '2025-03-01', end: '2025-06-01' },
              frequency: 1,
              period: 1,
              periodUnit: 'd',
            },
          },
        },
      ],
      { authoredOn: undefined },
    ),
  ).medications[0];
  assert.deepEqual(
    [bounds?.periodSource, bounds?.period],
    ['dosageBounds', { start: '2025-03-01', end: '2025-06-01' }],
  );
});

test('statement period: effectivePeriod, or effectiveDateTime as a start only (unknown duration, docs/care-pathway.md, definition 2)', () => {
  const record = recordOf(
    {
      resourceType: 'MedicationStatement',
      id: 's1',
      status: 'active',
      medicationCodeableConcept: sertraline,
      effectivePeriod: { start: '2025-01-06' },
    },
    {
      resourceType: 'MedicationStatement',
      id: 's2',
      status: 'completed',
      medicationCodeableConcept: sertraline,
      effectiveDateTime: '2025-02-01T10:00:00Z',
    },
  );
  assert.deepEqual(
    [record.medications[0]?.kind, record.medications[0]?.periodSource, record.medications[0]?.period],
    ['statement', 'effectivePeriod', { start: '2025-01-06' }],
  );
  assert.deepEqual(record.medications[1]?.period, { start: '2025-02-01T10:00:00Z' });
});

test('medicationReference resolves to contained, Medication/id, urn:uuid fullUrl and absolute URL; ingredients keep strength', () => {
  const medication = {
    resourceType: 'Medication',
    id: 'm1',
    code: { coding: [{ system: RXNORM, code: '312941', display: 'sertraline 50 MG Oral Tablet' }] },
    form: { text: 'tablet' },
    ingredient: [
      {
        itemCodeableConcept: sertraline,
        isActive: true,
        strength: {
          numerator: mg(50),
          denominator: { value: 1, system: 'http://terminology.hl7.org/CodeSystem/v3-orderableDrugForm', code: 'TAB' },
        },
      },
    ],
  };
  for (const reference of ['Medication/m1', 'urn:uuid:0b1c', 'https://ehr.example/fhir/Medication/m1', '#med']) {
    const contained = reference === '#med' ? [{ ...medication, id: 'med' }] : undefined;
    const result = bundleToRecord({
      resourceType: 'Bundle',
      entry: [
        { resource: testPatient },
        { fullUrl: 'urn:uuid:0b1c', resource: medication },
        {
          resource: {
            resourceType: 'MedicationStatement',
            id: 's1',
            status: 'active',
            contained,
            medicationReference: { reference },
          },
        },
      ],
    });
    assert.ok(result.ok);
    const [m] = result.value.medications;
    assert.equal(m?.medication.codings[0]?.code, '312941', reference);
    assert.equal(m?.medicationRef, reference === '#med' ? 'MedicationStatement/s1#med' : 'Medication/m1');
    assert.equal(m?.ingredients[0]?.strength?.numerator.value, 50);
    assert.equal(m?.ingredients[0]?.strength?.denominator?.ucum, undefined);
    assert.equal(m?.ingredients[0]?.strength?.denominator?.unitText, 'TAB');
    assert.equal(m?.form?.text, 'tablet');
  }
  const dangling = recordOf({
    resourceType: 'MedicationStatement',
    id: 's9',
    status: 'active',
    medicationReference: { reference: 'Medication/nope', display: 'Zoloft' },
  });
  assert.equal(dangling.medications[0]?.medication.text, 'Zoloft');
  assert.ok(
    dangling.issues.some(
      (i) => i.code === 'fhir.reference.unresolved' && i.path === 'MedicationStatement/s9.medicationReference',
    ),
  );
});

test('malformed dosage elements warn with the element path and never throw', () => {
  const record = recordOf(
    request(
      [
        {
          timing: { repeat: { frequency: 'twice', period: 1, periodUnit: 'fortnight' } },
          doseAndRate: [{ doseQuantity: { value: '50', unit: 'mg' } }],
        },
        'x',
      ],
      {
        dispenseRequest: { expectedSupplyDuration: { value: 30, code: 'furlong' }, numberOfRepeatsAllowed: -1 },
      },
    ),
  );
  const [m] = record.medications;
  assert.equal(m?.dailyDose, undefined);
  assert.equal(m?.periodSource, 'authoredOn');
  const paths = record.issues.map((i) => i.path);
  for (const p of [
    'MedicationRequest/r1.dosageInstruction[0].timing.repeat.frequency',
    'MedicationRequest/r1.dosageInstruction[0].timing.repeat.periodUnit',
    'MedicationRequest/r1.dosageInstruction[0].doseAndRate[0].doseQuantity.value',
    'MedicationRequest/r1.dosageInstruction[1]',
    'MedicationRequest/r1.dispenseRequest.expectedSupplyDuration',
    'MedicationRequest/r1.dispenseRequest.numberOfRepeatsAllowed',
  ]) {
    assert.ok(paths.includes(p), p);
  }
});
