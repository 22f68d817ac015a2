/**
 * OMOP rows to FHIR-shaped resources (src/screen/sources/omop.ts): a combination product's exposure comes as one row
 * per ingredient (one drug_strength row each), and each must stay a record of its own for the engine.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PROJECTION_COLUMNS } from './dialect.ts';
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
