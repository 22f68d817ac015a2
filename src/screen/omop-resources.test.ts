/**
 * OMOP rows to FHIR-shaped resources (src/screen/sources/omop.ts): a combination product's exposure comes as one row
 * per ingredient (one drug_strength row each), and each must stay a record of its own for the engine; an allergy
 * observation is an AllergyIntolerance of the substance it names; a procedure row is a completed Procedure; an
 * exposure whose end is the CDM's fallback (its start) lasts its days_supply.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createEngine } from '../engine/index.ts';
import type { PROJECTION_COLUMNS } from './dialect.ts';
import { AS_OF } from './fixtures.test-support.ts';
import { personResources } from './sources/omop.ts';

type Row = Record<(typeof PROJECTION_COLUMNS)[number], string | number | null>;

const base: Row = {
  person_id: '7',
  domain: 'drug',
  row_id: '41',
  concept_vocabulary: 'RxNorm',
  concept_code: '403969', // a combination clinical drug
  source_vocabulary: null,
  source_code: null,
  start_date: '2026-01-05',
  end_date: '2026-04-30',
  value_number: null,
  value_vocabulary: null,
  value_code: null,
  unit_code: null,
  range_high: null,
  quantity: 116,
  days_supply: 116,
  strength_mg: 25,
  ingredient_vocabulary: 'RxNorm',
  ingredient_code: '4493', // fluoxetine
  operator_concept_id: null,
  qualifier_vocabulary: null,
  qualifier_code: null,
  concept_name: null,
  unit_text: null,
  value_text: null,
  visit_end_date: null,
};

test('a combination product gives one MedicationStatement per ingredient, with distinct ids', () => {
  const rows: Row[] = [base, { ...base, strength_mg: 6, ingredient_code: '61381' /* olanzapine */ }];
  const statements = personResources(rows, { byStandard: new Map(), isAllergyRecord: () => false }, '2026-11-27') as {
    id: string;
    medicationCodeableConcept: { coding: { code: string }[] };
  }[];
  assert.deepEqual(
    statements.map((s) => s.id),
    ['d41-4493', 'd41-61381'],
  );
  assert.deepEqual(
    statements.map((s) => s.medicationCodeableConcept.coding.map((c) => c.code)),
    [
      ['403969', '4493'],
      ['403969', '61381'],
    ],
  );
});

/** A SNOMED-coded row of no drug: the drug columns empty. */
const undrugged: Row = {
  ...base,
  concept_vocabulary: 'SNOMED',
  start_date: '2026-03-02',
  end_date: null,
  quantity: null,
  days_supply: null,
  strength_mg: null,
  ingredient_vocabulary: null,
  ingredient_code: null,
};

test('an allergy observation names its substance by its value, else its qualifier; other observations stay Observations', () => {
  const allergy: Row = {
    ...undrugged,
    domain: 'observation',
    row_id: '42',
    concept_code: '416098002', // Allergy to drug
    start_date: '2025-02-01',
  };
  const vocab = {
    byStandard: new Map([['RxNorm|612865', [{ vocabulary: 'ATC', code: 'L04AC07' }]]]),
    isAllergyRecord: (c: { system: string; code: string }) => c.code === '416098002',
  };
  const rows: Row[] = [
    { ...allergy, value_vocabulary: 'RxNorm', value_code: '612865' },
    { ...allergy, row_id: '43', qualifier_vocabulary: 'RxNorm', qualifier_code: '612865' },
    { ...allergy, row_id: '44' },
    {
      ...allergy,
      row_id: '45',
      concept_vocabulary: 'LOINC',
      concept_code: '63895-7',
      value_vocabulary: 'LOINC',
      value_code: 'LA33-6',
    },
  ];
  const out = personResources(rows, vocab, '2026-11-27') as {
    resourceType: string;
    id: string;
    code: { coding: { code: string }[] };
    clinicalStatus?: { coding: { code: string }[] };
    recordedDate?: string;
  }[];
  assert.deepEqual(
    out.map((r) => [r.resourceType, r.id, r.code.coding.map((c) => c.code)]),
    [
      ['AllergyIntolerance', 'a42', ['612865', 'L04AC07']],
      ['AllergyIntolerance', 'a43', ['612865', 'L04AC07']],
      ['AllergyIntolerance', 'a44', ['416098002']],
      ['Observation', 'o45', ['63895-7']],
    ],
  );
  assert.equal(out[0]?.clinicalStatus?.coding[0]?.code, 'active');
  assert.equal(out[0]?.recordedDate, '2025-02-01');
});

test("an allergy to a drug product is an allergy to the product's pathway ingredients, one record however many", () => {
  const allergy: Row = {
    ...undrugged,
    domain: 'observation',
    row_id: '46',
    concept_code: '416098002', // Allergy to drug
    value_vocabulary: 'RxNorm',
    value_code: 'synth-combination', // a product of two pathway ingredients: the projection gives one row each
    ingredient_vocabulary: 'RxNorm',
    ingredient_code: '4493', // fluoxetine
  };
  const other: Row = { ...allergy, domain: 'observation', concept_code: '63895-7', row_id: '47' };
  const vocab = {
    byStandard: new Map([['RxNorm|612865', [{ vocabulary: 'ATC', code: 'L04AC07' }]]]),
    isAllergyRecord: (c: { system: string; code: string }) => c.code === '416098002',
  };
  const rows: Row[] = [
    allergy,
    { ...allergy, ingredient_code: '612865' },
    other,
    { ...other, ingredient_code: '612865' },
  ];
  const out = personResources(rows, vocab, '2026-11-27') as {
    resourceType: string;
    id: string;
    code: { coding: { code: string }[] };
  }[];
  assert.deepEqual(
    out.map((r) => [r.resourceType, r.id, r.code.coding.map((c) => c.code)]),
    [
      ['AllergyIntolerance', 'a46', ['synth-combination', '4493', '612865', 'L04AC07']],
      ['Observation', 'o47', ['63895-7']],
    ],
  );
});

test('a procedure row is a completed Procedure, over its period when it has an end date', () => {
  const procedure: Row = { ...undrugged, domain: 'procedure', row_id: '50', concept_code: '23835007' };
  const out = personResources(
    [procedure, { ...procedure, row_id: '51', end_date: '2026-03-09' }],
    { byStandard: new Map(), isAllergyRecord: () => false },
    '2026-11-27',
  );
  assert.deepEqual(out, [
    {
      resourceType: 'Procedure',
      id: 'p50',
      status: 'completed',
      subject: { reference: 'Patient/7' },
      code: { coding: [{ system: 'http://snomed.info/sct', code: '23835007' }] },
      performedDateTime: '2026-03-02',
    },
    {
      resourceType: 'Procedure',
      id: 'p51',
      status: 'completed',
      subject: { reference: 'Patient/7' },
      code: { coding: [{ system: 'http://snomed.info/sct', code: '23835007' }] },
      performedPeriod: { start: '2026-03-02', end: '2026-03-09' },
    },
  ]);
});

test('a drug exposure ending on the day it starts while its days_supply says more lasts its days_supply', () => {
  // An ETL that writes the start as the end (the CDM's fallback when it cannot infer one) beside the days supply it
  // had: by the OMOP convention the exposure ends on start + days_supply - 1 (docs/screening.md, drug_exposure).
  const rows: Row[] = [
    { ...base, end_date: base.start_date }, // 116 days supplied
    { ...base, row_id: '46', end_date: base.start_date, days_supply: 1 }, // one day: an administration
    { ...base, row_id: '47', end_date: base.start_date, days_supply: null }, // no supply known
    { ...base, row_id: '48', end_date: '2026-02-01' }, // stopped before the supply ran out: the stated end stands
  ];
  const statements = personResources(rows, { byStandard: new Map(), isAllergyRecord: () => false }, '2026-11-27') as {
    id: string;
    status: string;
    effectivePeriod: { start: string; end: string };
  }[];
  assert.deepEqual(
    statements.map((s) => [s.id, s.effectivePeriod.start, s.effectivePeriod.end, s.status]),
    [
      ['d41-4493', '2026-01-05', '2026-04-30', 'completed'],
      ['d46-4493', '2026-01-05', '2026-01-05', 'completed'],
      ['d47-4493', '2026-01-05', '2026-01-05', 'completed'],
      ['d48-4493', '2026-01-05', '2026-02-01', 'completed'],
    ],
  );
  // The engine then reads the 116 days at 25 mg of fluoxetine a day as an adequate trial (42 days at 20 mg or more).
  const person: Row = { ...undrugged, domain: 'person', row_id: '7', concept_code: '8532', start_date: '1980-5-17' };
  const bundle = (drug: Row) => ({
    resourceType: 'Bundle',
    type: 'collection',
    entry: personResources([person, drug], { byStandard: new Map(), isAllergyRecord: () => false }, AS_OF).map(
      (resource) => ({ resource }),
    ),
  });
  const engine = createEngine();
  const trials = (drug: Row) => engine.assess(bundle(drug), { asOf: AS_OF }).treatmentResistance.adequateTrials.length;
  assert.equal(trials({ ...base, end_date: base.start_date }), 1);
  assert.equal(trials({ ...base, end_date: base.start_date, days_supply: null }), 0);
});
