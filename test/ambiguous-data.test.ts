/**
 * Ambiguous or unreadable data never gives a confident answer (docs/care-pathway.md): each case is the referable
 * vignette `refer-base` (test/fixtures/vignettes) with one change, as an EHR would send it, through the public engine.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { createEngine } from '../src/engine/index.ts';

const engine = createEngine();
const AS_OF = '2026-11-20';
type Resource = Record<string, unknown> & { resourceType: string; id?: string };
type Bundle = { resourceType: 'Bundle'; type: string; entry: { fullUrl?: string; resource: Resource }[] };

function referBase(): Bundle {
  return JSON.parse(readFileSync('test/fixtures/vignettes/refer-base.json', 'utf8')) as Bundle;
}

function withChange(change: (b: Bundle, byId: (id: string) => Resource) => void): Bundle {
  const b = referBase();
  change(b, (id) => {
    const found = b.entry.find((e) => e.resource.id === id)?.resource;
    if (found === undefined) throw new Error(`refer-base has no resource ${id}`);
    return found;
  });
  return b;
}

const issueCodes = (a: { issues: readonly { code: string }[] }): string[] => a.issues.map((i) => i.code);
const workup = (a: { missingWorkup: readonly { code: string }[] }): string[] => a.missingWorkup.map((m) => m.code);

test('the base vignette is referable with a complete work-up (the control)', () => {
  const a = engine.assess(referBase(), { asOf: AS_OF });
  assert.equal(a.recommendation.code, 'refer-to-trial');
  assert.deepEqual(workup(a), []);
});

/** A UCUM quantity, censored when a comparator is given. */
const ucum = (value: number, code: string, comparator?: string): Record<string, unknown> => ({
  value,
  ...(comparator === undefined ? {} : { comparator }),
  unit: code,
  system: 'http://unitsofmeasure.org',
  code,
});
const withLab = (id: string, valueQuantity: Record<string, unknown>): Bundle =>
  withChange((_, r) => void (r(id).valueQuantity = valueQuantity));

test('a censored safety lab that straddles its limit counts as not measured; one on the safe side decides', () => {
  const straddling: [string, Record<string, unknown>][] = [
    ['anc', ucum(2.5, '10*9/L', '<')],
    ['platelets', ucum(150, '10*9/L', '<')],
    ['alt', ucum(40, 'U/L', '>')],
  ];
  for (const [id, valueQuantity] of straddling) {
    const a = engine.assess(withLab(id, valueQuantity), { asOf: AS_OF });
    assert.ok(workup(a).includes(id), `${id}: work-up asks for it again`);
    assert.ok(issueCodes(a).includes('pathway.lab.censored'), id);
    assert.deepEqual(a.contraindications, [], `${id}: no contraindication claimed`);
  }
  assert.deepEqual(workup(engine.assess(withLab('anc', ucum(3, '10*9/L', '>')), { asOf: AS_OF })), []);
  const certain = engine.assess(withLab('anc', ucum(1.5, '10*9/L', '<')), { asOf: AS_OF });
  assert.deepEqual(
    certain.contraindications.map((c) => c.code),
    ['neutropenia'],
  );
});

test('the newest lab or CRP given as text decides (unmeasured, unknown); an older value is not used', () => {
  const newer = (id: string, text: string) =>
    withChange((b, r) => {
      const older = r(id);
      b.entry.push({
        resource: {
          ...older,
          id: `${id}-newer`,
          effectiveDateTime: '2026-11-15',
          valueQuantity: undefined,
          valueString: text,
        },
      });
    });
  const anc = engine.assess(newer('anc', '0.8 x10^9/L'), { asOf: AS_OF });
  assert.ok(workup(anc).includes('anc'));
  assert.ok(issueCodes(anc).includes('pathway.lab.unreadable'));
  const crp = engine.assess(newer('crp', '<0.3 mg/L'), { asOf: AS_OF });
  assert.equal(crp.inflammation.status, 'unknown');
  assert.notEqual(crp.recommendation.code, 'refer-to-trial');
  // A result with no value at all is not a result: the older one stands.
  const absent = withChange((b, r) => {
    b.entry.push({
      resource: {
        ...r('crp'),
        id: 'crp-absent',
        effectiveDateTime: '2026-11-15',
        valueQuantity: undefined,
        dataAbsentReason: { text: 'haemolysed' },
      },
    });
  });
  assert.equal(engine.assess(absent, { asOf: AS_OF }).inflammation.status, 'elevated');
});

test('the newest lab or CRP whose value is a range, a ratio or a malformed quantity decides (unmeasured); an older value is not used', () => {
  const newer = (id: string, value: Record<string, unknown>) =>
    withChange((b, r) => {
      const { valueQuantity: _, ...older } = r(id);
      b.entry.push({ resource: { ...older, id: `${id}-newer`, effectiveDateTime: '2026-11-15', ...value } });
    });
  const per10e9L = (v: number) => ucum(v, '10*9/L');
  const ancForms: Record<string, unknown>[] = [
    // An ANC reported as a range (1.0-1.5, neutropenic) must not let the older 3.8 clear the patient.
    { valueRange: { low: per10e9L(1.0), high: per10e9L(1.5) } },
    { valueRatio: { numerator: per10e9L(1.2), denominator: { value: 1 } } },
    // A number sent as text, and a comparator FHIR does not allow ('ad'): the value is dropped by the reader.
    { valueQuantity: { ...per10e9L(1.2), value: '1.2' } },
    { valueQuantity: { ...per10e9L(1.2), comparator: 'ad' } },
  ];
  for (const form of ancForms) {
    const a = engine.assess(newer('anc', form), { asOf: AS_OF });
    assert.ok(workup(a).includes('anc'), JSON.stringify(form));
    assert.ok(issueCodes(a).includes('pathway.lab.unreadable'), JSON.stringify(form));
  }
  const crp = engine.assess(newer('crp', { valueRange: { low: ucum(0.1, 'mg/L'), high: ucum(1, 'mg/L') } }), {
    asOf: AS_OF,
  });
  assert.equal(crp.inflammation.status, 'unknown');
  assert.match(crp.inflammation.reason, /Observation\/crp-newer/);
  assert.notEqual(crp.recommendation.code, 'refer-to-trial');
  // A broken value beside a reason it is absent is no value (a pending result): the older one stands.
  const pending = newer('crp', { valueQuantity: { unit: 'mg/L' }, dataAbsentReason: { text: 'pending' } });
  assert.equal(engine.assess(pending, { asOf: AS_OF }).inflammation.status, 'elevated');
});

test('a bipolar disorder recorded only as a differential or provisional diagnosis is said to be possible, to the clinician and the patient', () => {
  const withBipolar = (...statuses: (string | undefined)[]) =>
    withChange((b) => {
      statuses.forEach((status, i) =>
        b.entry.push({
          resource: {
            resourceType: 'Condition',
            id: `bipolar-${i}`,
            subject: { reference: 'Patient/patient' },
            code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10-cm', code: 'F31.9' }] },
            clinicalStatus: {
              coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }],
            },
            ...(status === undefined
              ? {}
              : {
                  verificationStatus: {
                    coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: status }],
                  },
                }),
            recordedDate: '2026-10-01',
          },
        }),
      );
    });
  for (const status of ['differential', 'provisional']) {
    const a = engine.assess(withBipolar(status), { asOf: AS_OF });
    assert.equal(a.recommendation.code, 'out-of-scope', status);
    assert.deepEqual(a.scope, {
      inScope: false,
      reason: 'bipolar',
      evidence: ['Condition/bipolar-0'],
      unconfirmed: true,
    });
    assert.match(a.recommendation.clinicianSummary, /possible bipolar disorder/, status);
    assert.doesNotMatch(a.recommendation.clinicianSummary, /A bipolar disorder diagnosis is recorded/, status);
    assert.doesNotMatch(a.recommendation.patientSummary, /diagnosis of bipolar disorder/, status);
  }
  // A confirmed one, or none stated, beside a differential one: a diagnosis on record, as before.
  for (const statuses of [['confirmed'], [undefined], ['differential', 'confirmed']]) {
    const a = engine.assess(withBipolar(...statuses), { asOf: AS_OF });
    assert.equal(a.scope.unconfirmed, undefined, String(statuses));
    assert.match(a.recommendation.clinicianSummary, /A bipolar disorder diagnosis is recorded/, String(statuses));
  }
});

test('"most recent" compares instants across time zones', () => {
  const b = withChange((bundle, r) => {
    const crp = r('crp');
    crp.effectiveDateTime = '2026-11-06T20:00:00-05:00'; // 7 Nov 01:00 UTC: the later one
    bundle.entry.push({
      resource: {
        ...crp,
        id: 'crp-earlier',
        effectiveDateTime: '2026-11-07T01:00:00+10:00',
        valueQuantity: { value: 1.2, unit: 'mg/L', system: 'http://unitsofmeasure.org', code: 'mg/L' },
      },
    });
  });
  assert.equal(engine.assess(b, { asOf: AS_OF }).inflammation.crp?.mgPerL, 7);
});

test('self-harm dated by month counts if any day is in the window; undated self-harm counts', () => {
  const selfHarm = (onset: string | undefined) =>
    withChange((b) => {
      b.entry.push({
        resource: {
          resourceType: 'Condition',
          id: 'self-harm',
          subject: { reference: 'Patient/patient' },
          code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10', code: 'X78' }] },
          ...(onset === undefined ? {} : { onsetDateTime: onset }),
        },
      });
    });
  const alerts = (bundle: Bundle, asOf: string): string[] =>
    engine.assess(bundle, { asOf }).safetyAlerts.map((s) => s.code);
  assert.deepEqual(alerts(selfHarm('2026-06'), '2026-11-30'), ['suicide-risk']); // 3-30 June are inside 180 days
  assert.deepEqual(alerts(selfHarm('2026-04'), '2026-11-30'), []); // all of April is older
  assert.deepEqual(alerts(selfHarm(undefined), '2026-11-30'), ['suicide-risk']);
});

test('a biologic with no known last dose is neither current nor past its washout: confirm it', () => {
  const b = withChange((bundle) => {
    bundle.entry.push({
      resource: {
        resourceType: 'MedicationStatement',
        id: 'infliximab',
        status: 'stopped',
        subject: { reference: 'Patient/patient' },
        medicationCodeableConcept: {
          coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '191831' }],
        },
        effectivePeriod: { start: '2024-01-01' },
      },
    });
  });
  const a = engine.assess(b, { asOf: AS_OF });
  assert.ok(workup(a).includes('confirm-immunosuppressant'));
  assert.ok(issueCodes(a).includes('medication.last-dose-unknown'));
});

test('a CRP after a tocilizumab record whose last dose is unknown may be suppressed: the CRP is unknown', () => {
  const tocilizumab = (extra: Record<string, unknown>) =>
    withChange((bundle) => {
      bundle.entry.push({
        resource: {
          resourceType: 'MedicationStatement',
          id: 'tocilizumab',
          subject: { reference: 'Patient/patient' },
          medicationCodeableConcept: {
            coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '612865' }],
          },
          ...extra,
        },
      });
    });
  const unknownLastDose = [
    { status: 'completed' }, // no date at all
    { status: 'stopped', effectivePeriod: { start: '2024-01-01' } }, // started, last dose unknown
  ];
  for (const extra of unknownLastDose) {
    const a = engine.assess(tocilizumab(extra), { asOf: AS_OF });
    assert.equal(a.inflammation.status, 'unknown', JSON.stringify(extra));
    assert.equal(a.inflammation.crp, undefined);
    assert.match(a.inflammation.rejected[0]?.reason ?? '', /last dose is not known/);
    assert.match(a.inflammation.reason, /confirm it first/);
    assert.notEqual(a.recommendation.code, 'refer-to-trial');
  }
  // A known last dose long before the CRP leaves it valid.
  const past = engine.assess(
    tocilizumab({ status: 'completed', effectivePeriod: { start: '2024-01-01', end: '2024-06-01' } }),
    { asOf: AS_OF },
  );
  assert.equal(past.inflammation.crp?.mgPerL, 7);
});

test("a urn:uuid subject other than the Patient's own fullUrl names another patient", () => {
  const b = withChange((bundle, r) => {
    for (const e of bundle.entry)
      e.fullUrl = `urn:uuid:00000000-0000-4000-8000-${String(bundle.entry.indexOf(e)).padStart(12, '0')}`;
    const own = bundle.entry[0]?.fullUrl as string;
    for (const e of bundle.entry) if (e.resource.subject !== undefined) e.resource.subject = { reference: own };
    r('crp').subject = { reference: 'urn:uuid:22222222-2222-4222-8222-222222222222' };
  });
  const a = engine.assess(b, { asOf: AS_OF });
  assert.ok(issueCodes(a).includes('fhir.resource.other-patient'));
  assert.equal(a.inflammation.status, 'unknown');
});

test('deceasedBoolean given as the text "true" is a death, said once', () => {
  const a = engine.assess(
    withChange((_, r) => void (r('patient').deceasedBoolean = 'true')),
    { asOf: AS_OF },
  );
  assert.equal(a.scope.reason, 'deceased');
  assert.deepEqual(
    a.issues.filter((i) => (i.path ?? '').includes('deceasedBoolean')).map((i) => i.message),
    ['deceasedBoolean is the text "true", not a boolean: the patient is taken as deceased'],
  );
});

test('a deceasedDateTime that cannot be read is a death on an unknown day', () => {
  const a = engine.assess(
    withChange((_, r) => void (r('patient').deceasedDateTime = '2026-13-01')),
    { asOf: AS_OF },
  );
  assert.equal(a.scope.reason, 'deceased');
});

test('a deceasedDateTime after the as-of date is alive on it, and said: never a plain living patient', () => {
  const a = engine.assess(
    withChange((_, r) => void (r('patient').deceasedDateTime = '2027-05-01')),
    { asOf: AS_OF },
  );
  assert.equal(a.scope.inScope, true);
  const issue = a.issues.find((i) => i.code === 'pathway.scope.deceased-later');
  assert.ok(issue, 'the later date of death is named');
  assert.equal(issue.path, 'Patient/patient');
  assert.equal(issue.severity, 'warning');
  assert.match(issue.message, /2027-05-01/);
  // Dead on or before the as-of date: out of scope, as before, with no such issue.
  const dead = engine.assess(
    withChange((_, r) => void (r('patient').deceasedDateTime = '2026-11-01')),
    { asOf: AS_OF },
  );
  assert.equal(dead.scope.reason, 'deceased');
  assert.ok(!dead.issues.some((i) => i.code === 'pathway.scope.deceased-later'));
});

test('a birth date after the as-of date (a mistyped as-of date) is out of scope as a minor, and said: never a plain child', () => {
  const a = engine.assess(
    withChange((_, r) => void (r('patient').birthDate = '1980-06-15')),
    { asOf: '1926-11-27' },
  );
  assert.equal(a.scope.reason, 'minor');
  const issue = a.issues.find((i) => i.code === 'pathway.scope.born-later');
  assert.ok(issue, 'the birth date after the as-of date is named');
  assert.equal(issue.path, 'Patient/patient');
  assert.equal(issue.severity, 'warning');
  assert.match(issue.message, /1980-06-15/);
  assert.match(issue.message, /1926-11-27/);
  // A real minor (born before the as-of date) has no such issue; nor has a birth year that holds the as-of date.
  for (const birthDate of ['2015-06-15', '2026']) {
    const child = engine.assess(
      withChange((_, r) => void (r('patient').birthDate = birthDate)),
      { asOf: AS_OF },
    );
    assert.equal(child.scope.reason, 'minor', birthDate);
    assert.ok(!child.issues.some((i) => i.code === 'pathway.scope.born-later'), birthDate);
  }
});

test('a dose range or a maximum frequency establishes no dose: the trial is unverified, not inadequate', () => {
  const dosed = (dosage: Record<string, unknown>) =>
    withChange((_, r) => {
      r('escitalopram').dosage = [dosage];
    });
  const range = engine.assess(
    dosed({
      timing: { repeat: { frequency: 1, period: 1, periodUnit: 'd' } },
      doseAndRate: [
        {
          doseRange: {
            low: { value: 5, unit: 'mg', system: 'http://unitsofmeasure.org', code: 'mg' },
            high: { value: 20, unit: 'mg', system: 'http://unitsofmeasure.org', code: 'mg' },
          },
        },
      ],
    }),
    { asOf: AS_OF },
  );
  assert.equal(range.recommendation.code, 'confirm-history');
  const upTo = engine.assess(
    dosed({
      timing: { repeat: { frequencyMax: 2, period: 1, periodUnit: 'd' } },
      doseAndRate: [{ doseQuantity: { value: 10, unit: 'mg', system: 'http://unitsofmeasure.org', code: 'mg' } }],
    }),
    { asOf: AS_OF },
  );
  assert.equal(upTo.recommendation.code, 'confirm-history');
});

test('a dose whose unit is given only as UCUM text ("mg", no system) is read, and said; a dose without a single daily amount is not called a unit problem', () => {
  const dosed = (dosage: Record<string, unknown>[]) =>
    withChange((_, r) => {
      r('escitalopram').dosage = dosage;
    });
  const daily = { timing: { repeat: { frequency: 1, period: 1, periodUnit: 'd' } } };
  const textMg = engine.assess(dosed([{ ...daily, doseAndRate: [{ doseQuantity: { value: 20, unit: 'mg' } }] }]), {
    asOf: AS_OF,
  });
  assert.equal(textMg.recommendation.code, 'refer-to-trial');
  assert.equal(textMg.treatmentResistance.count, 2);
  assert.ok(
    textMg.issues.some((i) => i.code === 'pathway.unit.text-only' && i.path === 'MedicationStatement/escitalopram'),
  );
  // A text that is no UCUM expression and no listed label is not read, never guessed.
  const unknown = engine.assess(dosed([{ ...daily, doseAndRate: [{ doseQuantity: { value: 20, unit: 'mgs' } }] }]), {
    asOf: AS_OF,
  });
  assert.equal(unknown.recommendation.code, 'confirm-history');
  // Dosages that follow one another (10 mg for a week, then 20 mg): no single daily dose, and the reason says so.
  const mg = (value: number) => ({ value, unit: 'mg', system: 'http://unitsofmeasure.org', code: 'mg' });
  const titration = engine.assess(
    dosed([
      { ...daily, sequence: 1, doseAndRate: [{ doseQuantity: mg(10) }] },
      { ...daily, sequence: 2, doseAndRate: [{ doseQuantity: mg(20) }] },
    ]),
    { asOf: AS_OF },
  );
  const unverified = titration.treatmentResistance.unverifiedTrials.map((t) => t.reason).join('; ');
  assert.equal(titration.recommendation.code, 'confirm-history');
  assert.doesNotMatch(unverified, /cannot be converted to mg/);
  assert.match(unverified, /no single daily dose/);
});

test('a birth year that allows two ages: a trial age criterion holds or fails only if both agree', () => {
  const born = (birthDate: string) => withChange((_, r) => void (r('patient').birthDate = birthDate));
  const ageCriterion = (birthDate: string) => {
    const [m] = engine.match(born(birthDate), { asOf: AS_OF, trials: ['insight'] });
    return m?.criteria.find((c) => c.test === 'age-between');
  };
  assert.equal(ageCriterion('1960')?.status, 'unknown'); // 65 or 66 against 20-65
  assert.equal(ageCriterion('1960-01')?.status, 'not-met'); // 66 either way
  assert.equal(ageCriterion('1970')?.status, 'met'); // 55 or 56
  assert.deepEqual(engine.assess(born('1960'), { asOf: AS_OF }).patient.ageRange, { youngest: 65, oldest: 66 });
});

test('differing copies of one resource (two versions) are not used; an identical copy is read once', () => {
  const twoVersions = withChange((b, r) => {
    b.entry.push({ resource: { ...r('crp'), status: 'entered-in-error' } });
  });
  const a = engine.assess(twoVersions, { asOf: AS_OF });
  assert.ok(issueCodes(a).includes('fhir.resource.conflicting-copies'));
  assert.equal(a.inflammation.status, 'unknown');
  const copied = withChange((b, r) => void b.entry.push({ resource: structuredClone(r('crp')) }));
  const c = engine.assess(copied, { asOf: AS_OF });
  assert.equal(c.recommendation.code, 'refer-to-trial');
  assert.ok(!issueCodes(c).includes('fhir.resource.conflicting-copies'));
});

test('a unit text that is a UCUM unit other than the code: the value is not converted', () => {
  const conflict = withChange((_, r) => {
    r('crp').valueQuantity = { value: 0.5, unit: 'mg/L', system: 'http://unitsofmeasure.org', code: 'mg/dL' };
  });
  assert.equal(engine.assess(conflict, { asOf: AS_OF }).inflammation.status, 'unknown');
  const agree = withChange((_, r) => {
    r('crp').valueQuantity = { value: 0.7, unit: 'mg/dl', system: 'http://unitsofmeasure.org', code: 'mg/dL' };
  });
  assert.equal(engine.assess(agree, { asOf: AS_OF }).inflammation.crp?.mgPerL, 7);
  // Mass against substance is still two readings of one value: not converted.
  const molar = withChange((_, r) => {
    r('crp').valueQuantity = { value: 7, unit: 'nmol/L', system: 'http://unitsofmeasure.org', code: 'mg/L' };
  });
  assert.equal(engine.assess(molar, { asOf: AS_OF }).inflammation.status, 'unknown');
});

test('a safety lab no patient has (ANC 1500 x10^9/L: a count per microlitre under the wrong unit) is not a normal result', () => {
  for (const [id, value] of [
    ['anc', 1500],
    ['platelets', 250_000],
  ] as const) {
    const a = engine.assess(withLab(id, ucum(value, '10*9/L')), { asOf: AS_OF });
    assert.ok(workup(a).includes(id), `${id} ${value}: counted as not measured`);
    assert.ok(issueCodes(a).includes('pathway.value.implausible'), id);
    assert.ok(
      a.unverified.some((u) => u.item === `${id.toUpperCase()} plausible range`),
      id,
    );
  }
  // A high but possible count is read as given.
  assert.ok(!workup(engine.assess(withLab('anc', ucum(150, '10*9/L')), { asOf: AS_OF })).includes('anc'));
});

test("a count labelled 'K/uL' (kelvin per microlitre to UCUM) beside the code 10*3/uL is read by its code", () => {
  // As Epic sends a platelet count: the display is the lab's "thousands per microlitre", not a competing unit.
  const platelets = withChange((_, r) => {
    r('platelets').valueQuantity = { value: 90, unit: 'K/uL', system: 'http://unitsofmeasure.org', code: '10*3/uL' };
  });
  const a = engine.assess(platelets, { asOf: AS_OF });
  assert.deepEqual(
    a.contraindications.map((c) => c.code),
    ['thrombocytopenia'],
  );
  assert.ok(!workup(a).includes('platelets'));
});

test("a laboratory's unit label that is not UCUM as meant ('K/uL', 'x10E3/uL', 'IU/L', 'MG') is read by the pathway's list [U]", () => {
  const unverifiedItems = (a: { unverified: readonly { item: string }[] }): string[] => a.unverified.map((u) => u.item);
  // Text only, as hand-entered and many exports send a count: "K/uL" is kelvin per microlitre to UCUM.
  const textOnly = engine.assess(withLab('platelets', { value: 90, unit: 'K/uL' }), { asOf: AS_OF });
  assert.deepEqual(
    textOnly.contraindications.map((c) => c.code),
    ['thrombocytopenia'],
  );
  assert.ok(issueCodes(textOnly).includes('pathway.unit.label'));
  assert.ok(unverifiedItems(textOnly).includes('unit labels (definitions.unitLabels)'));
  // A label sent as if it were a UCUM code (LabCorp's "x10E3/uL"), and a count per microlitre in cells.
  const labCorp = { value: 1.2, unit: 'x10E3/uL', system: 'http://unitsofmeasure.org', code: 'x10E3/uL' };
  const cells = { value: 1200, unit: 'cells/uL' };
  for (const valueQuantity of [labCorp, cells]) {
    const a = engine.assess(withLab('anc', valueQuantity), { asOf: AS_OF });
    assert.deepEqual(
      a.contraindications.map((c) => c.code),
      ['neutropenia'],
      String(valueQuantity.unit),
    );
  }
  // ALT in international units (the UCUM code [IU]/L, which UCUM cannot convert to U/L): measured, not asked for again.
  const iu = engine.assess(
    withLab('alt', { value: 22, unit: 'IU/L', system: 'http://unitsofmeasure.org', code: '[IU]/L' }),
    {
      asOf: AS_OF,
    },
  );
  assert.ok(!workup(iu).includes('alt'));
  assert.equal(iu.recommendation.code, 'refer-to-trial');
  // A dose in capitals ("MG" is megagauss to UCUM; milligrams in UCUM's case-insensitive form) still gives an adequate trial.
  const capitals = withChange((_, r) => {
    const dosage = (r('sertraline').dosage as { doseAndRate: { doseQuantity: Record<string, unknown> }[] }[])[0];
    if (dosage !== undefined) dosage.doseAndRate[0] = { doseQuantity: { value: 100, unit: 'MG' } };
  });
  const dosed = engine.assess(capitals, { asOf: AS_OF });
  assert.equal(dosed.recommendation.code, 'refer-to-trial');
  assert.ok(issueCodes(dosed).includes('pathway.unit.label'));
  // A valid UCUM code is never overridden by a label in its text, and a unit no list names stays unconverted.
  const coded = engine.assess(
    withLab('platelets', { value: 90, unit: 'x10E9/L', system: 'http://unitsofmeasure.org', code: 'mg/dL' }),
    {
      asOf: AS_OF,
    },
  );
  assert.ok(workup(coded).includes('platelets'));
  assert.ok(!issueCodes(coded).includes('pathway.unit.label'));
  const unknown = engine.assess(withLab('platelets', { value: 90, unit: 'bricks/uL' }), { asOf: AS_OF });
  assert.ok(workup(unknown).includes('platelets'));
});

test('a preliminary safety lab newer than the final one is not used, and never in silence', () => {
  // A preliminary ANC of 1.0 the day after the final 3.8: the final result decides (definition 6), the clinician is told.
  const preliminary = withChange((bundle, r) => {
    const anc = r('anc');
    const day = String(anc.effectiveDateTime).slice(0, 10);
    const next = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    bundle.entry.push({
      resource: {
        ...anc,
        id: 'anc-preliminary',
        status: 'preliminary',
        effectiveDateTime: next,
        valueQuantity: ucum(1, '10*9/L'),
      },
    });
  });
  const a = engine.assess(preliminary, { asOf: AS_OF });
  assert.deepEqual(a.contraindications, []);
  const note = a.issues.find((i) => i.code === 'pathway.lab.not-final');
  assert.ok(note !== undefined, 'the newer preliminary result is named');
  assert.match(note.message, /anc result \(\d{4}-\d{2}-\d{2}, status preliminary 1 10\*9\/L\) is not used/);
  // An older preliminary result, or one entered in error, says nothing.
  const older = withChange((bundle, r) => {
    const anc = r('anc');
    bundle.entry.push({ resource: { ...anc, id: 'anc-old', status: 'preliminary', effectiveDateTime: '2026-09-01' } });
    bundle.entry.push({
      resource: { ...anc, id: 'anc-void', status: 'entered-in-error', effectiveDateTime: '2026-11-19' },
    });
  });
  assert.ok(!issueCodes(engine.assess(older, { asOf: AS_OF })).includes('pathway.lab.not-final'));
});

test('an infection or pregnancy recorded with neither a status nor an end (an encounter diagnosis, an OMOP row) is not current for ever', () => {
  const withCondition = (id: string, code: string, onset: string) =>
    withChange((bundle) => {
      bundle.entry.push({
        resource: {
          resourceType: 'Condition',
          id,
          code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10', code }] },
          subject: { reference: 'Patient/patient' },
          onsetDateTime: onset,
        },
      });
    });
  const codes = (a: { contraindications: readonly { code: string }[] }): string[] =>
    a.contraindications.map((c) => c.code);
  // A urinary tract infection of 2015: taken as over 28 days [U] after its onset, said, and the CRP is not acute.
  const old = engine.assess(withCondition('uti-2015', 'N39.0', '2015-03-01'), { asOf: AS_OF });
  assert.deepEqual(codes(old), []);
  assert.equal(old.recommendation.code, 'refer-to-trial');
  assert.equal(old.inflammation.status, 'elevated');
  const note = old.issues.find((i) => i.code === 'pathway.condition.statusless');
  assert.match(
    note?.message ?? '',
    /Condition\/uti-2015: no clinical status or end is recorded .* confirm that it has resolved/,
  );
  assert.ok(old.unverified.some((u) => u.item.startsWith('infection-active: days a condition without a status')));
  // The same infection ten days ago is current: a contraindication, as before.
  assert.deepEqual(codes(engine.assess(withCondition('uti-recent', 'N39.0', '2026-11-10'), { asOf: AS_OF })), [
    'active-infection',
  ]);
  // Supervision of a pregnancy two years ago is over after 280 days [U]; one of 100 days ago is current.
  assert.deepEqual(codes(engine.assess(withCondition('pregnancy-2024', 'Z34.0', '2024-10-01'), { asOf: AS_OF })), []);
  assert.deepEqual(codes(engine.assess(withCondition('pregnancy-now', 'Z34.0', '2026-08-12'), { asOf: AS_OF })), [
    'pregnancy',
  ]);
  // A chronic condition without a status stays current: hepatitis B of 2015 is still a contraindication.
  assert.deepEqual(codes(engine.assess(withCondition('hbv-2015', 'B18.1', '2015-03-01'), { asOf: AS_OF })), [
    'hepatitis',
  ]);
});

test('an undated questionnaire is placed in no window, and the result says so; its suicide item still alerts', () => {
  const undatedResponse = (item9: number) =>
    withChange((bundle) => {
      bundle.entry.push({
        resource: {
          resourceType: 'QuestionnaireResponse',
          id: 'phq9-undated',
          status: 'completed',
          questionnaire: 'http://loinc.org/q/44249-1',
          subject: { reference: 'Patient/patient' },
          item: [{ linkId: '44260-8', answer: [{ valueInteger: item9 }] }],
        },
      });
    });
  const positive = engine.assess(undatedResponse(3), { asOf: AS_OF });
  assert.ok(issueCodes(positive).includes('pathway.response.undated'));
  assert.deepEqual(
    positive.safetyAlerts.map((s) => s.code),
    ['suicide-risk'],
  );
  assert.match(positive.safetyAlerts[0]?.detail ?? '', /PHQ-9 item 9 = 3 recorded without a usable date/);
  assert.deepEqual(positive.safetyAlerts[0]?.evidence, ['QuestionnaireResponse/phq9-undated']);
  assert.equal(positive.recommendation.code, 'refer-to-trial', 'the alert never changes the decision');
  const negative = engine.assess(undatedResponse(0), { asOf: AS_OF });
  assert.ok(issueCodes(negative).includes('pathway.response.undated'));
  assert.deepEqual(negative.safetyAlerts, []);
});

test('an undated PHQ-9 item 9 Observation at or above the threshold raises the alert', () => {
  const b = withChange((bundle) => {
    bundle.entry.push({
      resource: {
        resourceType: 'Observation',
        id: 'phq9-item9-undated',
        status: 'final',
        subject: { reference: 'Patient/patient' },
        code: { coding: [{ system: 'http://loinc.org', code: '44260-8' }] },
        valueInteger: 1,
      },
    });
  });
  const a = engine.assess(b, { asOf: AS_OF });
  assert.ok(issueCodes(a).includes('pathway.observation.undated'));
  assert.deepEqual(a.safetyAlerts[0]?.evidence, ['Observation/phq9-item9-undated']);
});
