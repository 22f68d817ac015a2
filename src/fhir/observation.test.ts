import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bundleToRecord } from './index.ts';
import { recordOf, testPatient } from './fixtures.test-support.ts';

const UCUM = 'http://unitsofmeasure.org';
const crpCode = { coding: [{ system: 'http://loinc.org', code: '30522-7' }] };
const obs = (id: string, extra: object) => ({
  resourceType: 'Observation',
  id,
  status: 'final',
  code: crpCode,
  ...extra,
});

test('valueQuantity: UCUM code kept only for the UCUM system; comparator kept; unknown comparator drops the value', () => {
  const record = recordOf(
    obs('o1', {
      effectiveDateTime: '2026-11-06',
      valueQuantity: { value: 0.7, unit: 'mg/dL', system: UCUM, code: 'mg/dL' },
    }),
    obs('o2', { effectiveDateTime: '2026-11-06', valueQuantity: { value: 7, unit: 'mg/L' } }),
    obs('o3', {
      effectiveDateTime: '2026-11-06',
      valueQuantity: { value: 7, unit: 'milligram per litre', system: 'http://snomed.info/sct', code: '258796002' },
    }),
    obs('o4', {
      effectiveDateTime: '2026-11-06',
      valueQuantity: { value: 5, comparator: '<', system: UCUM, code: 'mg/L' },
    }),
    obs('o5', {
      effectiveDateTime: '2026-11-06',
      valueQuantity: { value: 5, comparator: 'ad', system: UCUM, code: 'mg/L' },
    }),
  );
  const q = record.observations.map((o) => (o.value?.kind === 'quantity' ? o.value.quantity : undefined));
  assert.deepEqual(q[0], { value: 0.7, ucum: 'mg/dL', unitText: 'mg/dL' });
  assert.deepEqual(q[1], { value: 7, unitText: 'mg/L' });
  assert.deepEqual(q[2], { value: 7, unitText: 'milligram per litre' });
  assert.deepEqual(q[3], { value: 5, ucum: 'mg/L', comparator: '<' });
  assert.equal(q[4], undefined);
  assert.ok(record.issues.some((i) => i.path === 'Observation/o5.valueQuantity.comparator'));
});

test('effective[x] -> date: dateTime, Period start, instant, else issued', () => {
  const record = recordOf(
    obs('a', { effectivePeriod: { start: '2026-10-01T08:00:00Z', end: '2026-10-01T09:00:00Z' } }),
    obs('b', { effectiveInstant: '2026-10-02T08:00:00.000Z' }),
    obs('c', { issued: '2026-10-03T08:00:00Z' }),
    obs('d', {}),
  );
  assert.deepEqual(
    record.observations.map((o) => o.effective),
    ['2026-10-01T08:00:00Z', '2026-10-02T08:00:00.000Z', '2026-10-03T08:00:00Z', undefined],
  );
});

test('other value[x] forms, dataAbsentReason, interpretation, referenceRange, method', () => {
  const record = recordOf(
    obs('s', { valueString: 'positive' }),
    obs('b', { valueBoolean: true }),
    obs('i', { valueInteger: 14 }),
    obs('bad', { valueInteger: 1.5 }),
    obs('cc', { valueCodeableConcept: { coding: [{ system: 'http://snomed.info/sct', code: '10828004' }] } }),
    obs('absent', {
      dataAbsentReason: { coding: [{ code: 'error' }] },
      interpretation: [{ coding: [{ code: 'H' }] }],
      referenceRange: [
        { low: { value: 7, system: UCUM, code: 'U/L' }, high: { value: 56, system: UCUM, code: 'U/L' } },
        { text: 'see lab' },
      ],
      method: { text: 'high-sensitivity immunoturbidimetry' },
    }),
  );
  const [s, b, i, bad, cc, absent] = record.observations;
  assert.deepEqual(s?.value, { kind: 'string', text: 'positive' });
  assert.deepEqual(b?.value, { kind: 'boolean', value: true });
  assert.deepEqual(i?.value, { kind: 'integer', value: 14 });
  assert.deepEqual(bad?.value, { kind: 'unreadable', form: 'valueInteger' });
  assert.equal(cc?.value?.kind, 'concept');
  assert.equal(absent?.dataAbsentReason, 'error');
  assert.equal(absent?.interpretation[0]?.codings[0]?.code, 'H');
  assert.equal(absent?.referenceRange[0]?.high?.value, 56);
  assert.equal(absent?.referenceRange[1]?.text, 'see lab');
  assert.equal(absent?.method?.text, 'high-sensitivity immunoturbidimetry');
});

test('referenceRange: the type, the populations and the ages a range is for are kept (a sex-specific ULN)', () => {
  const SCT = 'http://snomed.info/sct';
  const record = recordOf(
    obs('ranges', {
      valueQuantity: { value: 45, system: UCUM, code: 'U/L' },
      referenceRange: [
        {
          high: { value: 56, system: UCUM, code: 'U/L' },
          type: {
            coding: [{ system: 'http://terminology.hl7.org/CodeSystem/referencerange-meaning', code: 'normal' }],
          },
          appliesTo: [{ coding: [{ system: SCT, code: '248153007', display: 'Male' }] }],
          age: { low: { value: 18, system: UCUM, code: 'a' }, high: { value: 120, system: UCUM, code: 'a' } },
        },
        { high: { value: 25, system: UCUM, code: 'U/L' }, appliesTo: 'not a list', age: { low: 'x' } },
      ],
    }),
  );
  const [male, other] = record.observations[0]?.referenceRange ?? [];
  assert.equal(male?.type?.codings[0]?.code, 'normal');
  assert.equal(male?.appliesTo?.[0]?.codings[0]?.code, '248153007');
  assert.deepEqual([male?.age?.low?.value, male?.age?.high?.value, male?.age?.high?.ucum], [18, 120, 'a']);
  // Malformed parts are left out (with warnings), the high is kept.
  assert.equal(other?.high?.value, 25);
  assert.equal(other?.appliesTo, undefined);
  assert.equal(other?.age, undefined);
  assert.ok(record.issues.some((i) => /referenceRange\[1\]\.appliesTo/.test(i.path ?? '')));
});

test('components and hasMember (resolved from urn:uuid to the member ref); missing status reads as unknown', () => {
  const result = bundleToRecord({
    resourceType: 'Bundle',
    entry: [
      { resource: testPatient },
      { fullUrl: 'urn:uuid:aaa', resource: obs('member', { valueQuantity: { value: 3, system: UCUM, code: 'mg/L' } }) },
      {
        resource: {
          resourceType: 'Observation',
          id: 'panel',
          code: { text: 'panel' },
          hasMember: [{ reference: 'urn:uuid:aaa' }, { reference: 'Observation/elsewhere' }],
          component: [
            { code: { coding: [{ code: '44250-9' }] }, valueInteger: 2 },
            { code: { text: 'bp' }, valueQuantity: { value: 120, system: UCUM, code: 'mm[Hg]' } },
            { valueInteger: 1 },
          ],
        },
      },
    ],
  });
  assert.ok(result.ok);
  const panel = result.value.observations[1];
  assert.equal(panel?.status, 'unknown');
  assert.deepEqual(panel?.members, ['Observation/member', 'Observation/elsewhere']);
  assert.equal(panel?.components.length, 2);
  assert.deepEqual(panel?.components[0]?.value, { kind: 'integer', value: 2 });
  assert.ok(result.value.issues.some((i) => i.path === 'Observation/panel.component[2].code'));
  assert.ok(result.value.issues.some((i) => i.path === 'Observation/panel.status'));
});
