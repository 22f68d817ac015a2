/**
 * The synthetic OMOP CDM rows load into the CDM 5.4 tables: every column the CDM 5.4 DDL declares NOT NULL has a
 * value, every drug_strength row names its ingredient (an RxNorm ingredient concept in the shipped vocabulary,
 * the one the antidepressant table gives for the product), and every concept id a row holds is in `concept`.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createEngine } from '../engine/index.ts';
import { OMOP_TABLES } from '../screen/sources/omop-schema.ts';
import { populationOptions } from '../cli/commands/synth.ts';
import { patientRows, vocabularyRows, type Row } from './omop.ts';
import { patientResources } from './fhir.ts';
import { generatePopulation, OTHER_DRUGS, SYSTEM, TOCILIZUMAB_PRODUCTS } from './population.ts';

/** Columns of the tables written that OMOP CDM 5.4 declares NOT NULL. */
const NOT_NULL: Record<string, readonly string[]> = {
  person: ['person_id', 'gender_concept_id', 'year_of_birth', 'race_concept_id', 'ethnicity_concept_id'],
  death: ['person_id', 'death_date'],
  visit_occurrence: [
    'visit_occurrence_id',
    'person_id',
    'visit_concept_id',
    'visit_start_date',
    'visit_end_date',
    'visit_type_concept_id',
  ],
  condition_occurrence: [
    'condition_occurrence_id',
    'person_id',
    'condition_concept_id',
    'condition_start_date',
    'condition_type_concept_id',
  ],
  drug_exposure: [
    'drug_exposure_id',
    'person_id',
    'drug_concept_id',
    'drug_exposure_start_date',
    'drug_exposure_end_date',
    'drug_type_concept_id',
  ],
  measurement: [
    'measurement_id',
    'person_id',
    'measurement_concept_id',
    'measurement_date',
    'measurement_type_concept_id',
  ],
  observation: [
    'observation_id',
    'person_id',
    'observation_concept_id',
    'observation_date',
    'observation_type_concept_id',
  ],
  procedure_occurrence: [
    'procedure_occurrence_id',
    'person_id',
    'procedure_concept_id',
    'procedure_date',
    'procedure_type_concept_id',
  ],
  concept: [
    'concept_id',
    'concept_name',
    'domain_id',
    'vocabulary_id',
    'concept_class_id',
    'concept_code',
    'valid_start_date',
    'valid_end_date',
  ],
  concept_relationship: ['concept_id_1', 'concept_id_2', 'relationship_id', 'valid_start_date', 'valid_end_date'],
  drug_strength: ['drug_concept_id', 'ingredient_concept_id', 'valid_start_date', 'valid_end_date'],
  concept_ancestor: [
    'ancestor_concept_id',
    'descendant_concept_id',
    'min_levels_of_separation',
    'max_levels_of_separation',
  ],
};

const knowledge = createEngine().knowledge;

test('every CDM 5.4 NOT NULL column has a value in every row written', () => {
  const tables: Record<string, Row[]> = {};
  const add = (rows: Record<string, Row[]>): void => {
    for (const [t, r] of Object.entries(rows)) (tables[t] ??= []).push(...r);
  };
  // 300 patients, and among 20,000 every patient with a planted pregnancy record (breastfeeding is in observation),
  // allergy (observation) or ended pregnancy (procedure_occurrence).
  for (const p of generatePopulation(populationOptions(11, '2026-11-30'), 0, 20_000)) {
    const planted =
      p.pregnancyRecord !== undefined || p.pregnancyEnded !== undefined || p.contraindication === 'hypersensitivity';
    if (Number(p.id.slice(1)) < 300 || planted) add({ ...patientRows(p, '2026-11-30') });
  }
  add(vocabularyRows(knowledge));
  for (const [table, required] of Object.entries(NOT_NULL)) {
    const columns = (OMOP_TABLES[table] ?? []).map(([c]) => c);
    assert.ok((tables[table] ?? []).length > 0, `rows in ${table}`);
    for (const column of required) {
      const i = columns.indexOf(column);
      assert.ok(i >= 0, `${table}.${column} is written`);
      const nulls = (tables[table] ?? []).filter((r) => r[i] === null || r[i] === undefined).length;
      assert.equal(nulls, 0, `${table}.${column}: ${nulls} rows without a value`);
    }
  }
});

test("drug_strength names each product's RxNorm ingredient: an antidepressant's as the antidepressant table gives it, the Actemra Branded Drug's tocilizumab", () => {
  const v = vocabularyRows(knowledge);
  const concepts = new Map(v.concept.map((c) => [c[0], c]));
  assert.ok(v.drug_strength.length > 0);
  for (const row of v.drug_strength) {
    const product = concepts.get(row[0] ?? null);
    const ingredient = concepts.get(row[1] ?? null);
    assert.ok(product !== undefined && ingredient !== undefined, `concepts of ${JSON.stringify(row)}`);
    assert.equal(ingredient[3], 'RxNorm');
    assert.equal(ingredient[4], 'Ingredient');
    assert.equal(ingredient[5], 'S');
    const entry = knowledge.antidepressants.products.find((p) => p.system === SYSTEM.rxnorm && p.code === product[6]);
    const expected =
      product[6] === TOCILIZUMAB_PRODUCTS['branded-drug'].code
        ? OTHER_DRUGS.tocilizumab.code
        : knowledge.antidepressants.ingredients
            .find((i) => i.ingredient === entry?.ingredient)
            ?.codes.find((c) => c.system === SYSTEM.rxnorm)?.code;
    assert.ok(expected !== undefined, `a product of the generator: ${String(product[1])}`);
    assert.equal(ingredient[6], expected, `ingredient of ${String(product[1])}`);
  }
});

test('a tocilizumab allergy recorded as a product names the Branded Drug or the brand name, which the vocabulary links to tocilizumab', () => {
  const v = vocabularyRows(knowledge);
  const byCode = new Map(v.concept.map((c) => [c[6], c]));
  const id = (c: { code: string }): unknown => byCode.get(c.code)?.[0];
  const brand = byCode.get(TOCILIZUMAB_PRODUCTS['brand-name'].code);
  assert.equal(brand?.[4], 'Brand Name');
  assert.equal(brand?.[5], null, 'a brand name is not a standard concept');
  assert.ok(
    v.concept_relationship.some(
      (r) => r[0] === brand?.[0] && r[1] === id(OTHER_DRUGS.tocilizumab) && r[2] === 'Brand name of',
    ),
  );
  const asOf = '2026-11-30';
  const seen = new Map<string, number>();
  for (const p of generatePopulation(populationOptions(11, asOf), 0, 20_000)) {
    if (p.contraindication !== 'hypersensitivity') continue;
    const what = p.allergyProduct ?? 'ingredient';
    seen.set(what, (seen.get(what) ?? 0) + 1);
    const substance = p.allergyProduct === undefined ? OTHER_DRUGS.tocilizumab : TOCILIZUMAB_PRODUCTS[p.allergyProduct];
    const allergy = patientRows(p, asOf).observation.filter((r) => r[6] === id(substance));
    assert.equal(allergy.length, 1, `${p.id}: one allergy observation naming ${substance.display}`);
  }
  // One planted allergy in four is a product, half of them each kind.
  assert.ok((seen.get('branded-drug') ?? 0) >= 3 && (seen.get('brand-name') ?? 0) >= 3, JSON.stringify([...seen]));
  assert.ok((seen.get('ingredient') ?? 0) > (seen.get('branded-drug') ?? 0) + (seen.get('brand-name') ?? 0));
});

test('the OMOP vital signs are those of the FHIR export (one set of decisions, two formats)', () => {
  const asOf = '2026-11-30';
  let compared = 0;
  for (const p of generatePopulation(populationOptions(11, asOf), 0, 50)) {
    const fhir = new Map<string, number>();
    for (const r of patientResources(p, asOf) as {
      resourceType: string;
      id: string;
      code?: { coding: { code: string }[] };
      effectiveDateTime?: string;
      valueQuantity?: { value: number };
    }[]) {
      if (r.resourceType === 'Observation' && r.id.includes('-v-'))
        fhir.set(`${r.code?.coding[0]?.code}|${r.effectiveDateTime?.slice(0, 10)}`, r.valueQuantity?.value as number);
    }
    const rows = patientRows(p, asOf).measurement;
    const byId = new Map(vocabularyRows(knowledge).concept.map((c) => [c[0], c[6]]));
    for (const row of rows) {
      const key = `${String(byId.get(row[2] ?? null))}|${String(row[3])}`;
      if (!fhir.has(key)) continue;
      assert.equal(row[5], fhir.get(key), `${p.id} ${key}`);
      compared++;
    }
  }
  assert.ok(compared > 1000, `vital signs compared: ${compared}`);
});

test('row ids fit the CDM 5.4 integer columns up to the largest population trd synth writes (10,000,000)', () => {
  const INT32_MAX = 2 ** 31 - 1;
  for (const p of generatePopulation(populationOptions(11, '2026-11-30'), 9_999_900, 10_000_000)) {
    const rows = patientRows(p, '2026-11-30');
    for (const table of [
      'visit_occurrence',
      'condition_occurrence',
      'drug_exposure',
      'measurement',
      'observation',
    ] as const)
      for (const row of rows[table]) assert.ok((row[0] as number) <= INT32_MAX, `${table} id ${String(row[0])}`);
  }
});

test('every concept id the synthetic rows use is a concept of the synthetic vocabulary (concept 0 included)', () => {
  const asOf = '2026-11-30';
  const v = vocabularyRows(knowledge);
  const concepts = new Set(v.concept.map((c) => c[0]));
  const missing = new Map<string, Set<unknown>>();
  const check = (table: string, rows: readonly Row[]): void => {
    const columns = (OMOP_TABLES[table] ?? []).map(([c]) => c);
    columns.forEach((column, i) => {
      if (!/(^|_)concept_id(_\d)?$/.test(column)) return;
      for (const row of rows) {
        const id = row[i];
        if (id === null || id === undefined || concepts.has(id)) continue;
        const set = missing.get(`${table}.${column}`) ?? new Set();
        set.add(id);
        missing.set(`${table}.${column}`, set);
      }
    });
  };
  let planted = 0;
  for (const p of generatePopulation(populationOptions(11, asOf), 0, 5000)) {
    const rows = patientRows(p, asOf);
    for (const [table, r] of Object.entries(rows)) check(table, r);
    if (p.contraindication !== undefined || p.pregnancyEnded !== undefined) planted++;
  }
  for (const [table, r] of Object.entries(v)) check(table, r);
  assert.ok(planted > 100, `patients with a planted record: ${planted}`);
  assert.deepEqual(
    Object.fromEntries([...missing].map(([k, s]) => [k, [...s].slice(0, 5)])),
    {},
    'concept ids written but not in the concept table',
  );
});
