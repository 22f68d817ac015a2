/**
 * A synthetic patient as OMOP CDM 5.4 rows (src/screen/sources/omop-schema.ts column order), and the vocabulary
 * rows (concept, concept_relationship "Maps to", drug_strength, concept_ancestor) for every concept used. As in a real ETL, diagnoses
 * keep their ICD-10 source concept and map to a SNOMED CT standard concept; labs are LOINC, drugs RxNorm, units UCUM;
 * records marked entered-in-error never reach the CDM; an allergy is an "Allergy to drug" observation whose value
 * names the substance (the OHDSI convention: an ingredient, a Branded Drug or a brand name, linked to the ingredient
 * by drug_strength or "Brand name of"), a procedure a procedure_occurrence row. The vocabulary is synthetic:
 * concepts carry their real codes but site-local ids (above 2,000,000,000), so the screen must resolve them by code
 * through the vocabulary tables; the structural concepts a CDM row names by id (concept 0, sex, visit, type and
 * operator concepts) are there with their real OMOP ids, so that every concept id a row holds is in `concept`.
 */
import type { Knowledge } from '../knowledge/index.ts';
import { fromDayNumber, toDayNumber } from '../record/index.ts';
import {
  GENDER_CONCEPTS,
  LOCAL_CONCEPT_BASE,
  OPERATOR_COMPARATORS,
  TYPE_CONCEPTS,
  vocabularyOf,
} from '../screen/sources/omop-vocabulary.ts';
import {
  ANSWER_YES,
  ANTIDEPRESSANT_PRODUCTS,
  BREASTFEEDING_STATUS,
  DELIVERY,
  DIAGNOSES,
  LABS,
  OTHER_DRUGS,
  POSITIVE,
  TOCILIZUMAB_PRODUCTS,
  PREGNANCY_TEST,
  SCREEN_CODES,
  SYSTEM,
  VITAL_SIGNS,
  vitalSignValue,
} from './population.ts';
import type { SynthCode, SynthPatient } from './population.ts';

export type Cell = string | number | null;
export type Row = Cell[];

interface ConceptSpec {
  readonly code: SynthCode;
  readonly domain: string;
  readonly conceptClass: string;
  readonly standard: boolean;
  /** The standard concept it maps to (for a non-standard source concept). */
  readonly mapsTo?: SynthCode;
}

const sct = (c: string, display: string): SynthCode => ({ system: SYSTEM.snomed, code: c, display });

/**
 * The observation concept of an allergy whose substance is the row's value
 * (knowledge/codesets/allergy-record.json).
 */
const ALLERGY_TO_DRUG = sct('416098002', 'Allergy to drug');

/** OMOP's outpatient visit concept (Visit vocabulary). */
const OUTPATIENT_VISIT = 9202;

/** SNOMED codes of the OMOP operator concepts (Meas Value Operator domain), by comparator. */
const OPERATOR_CODES: Readonly<Record<string, string>> = {
  '<': '276139006',
  '<=': '276137008',
  '>=': '276138003',
  '>': '276140008',
};

/**
 * The concepts rows name by their real OMOP id rather than by code, as the OMOP vocabulary (Athena) has them:
 * concept_id, concept_name, domain_id, vocabulary_id, concept_class_id, standard_concept, concept_code.
 */
const STRUCTURAL_CONCEPTS: readonly (readonly [number, string, string, string, string, string | null, string])[] = [
  [0, 'No matching concept', 'Metadata', 'None', 'Undefined', null, 'No matching concept'],
  [GENDER_CONCEPTS.male, 'MALE', 'Gender', 'Gender', 'Gender', 'S', 'M'],
  [GENDER_CONCEPTS.female, 'FEMALE', 'Gender', 'Gender', 'Gender', 'S', 'F'],
  [OUTPATIENT_VISIT, 'Outpatient Visit', 'Visit', 'Visit', 'Visit', 'S', 'OP'],
  [TYPE_CONCEPTS.ehr, 'EHR', 'Type Concept', 'Type Concept', 'Type Concept', 'S', 'OMOP4976890'],
  [
    TYPE_CONCEPTS.ehrPrescription,
    'EHR prescription',
    'Type Concept',
    'Type Concept',
    'Type Concept',
    'S',
    'OMOP4976911',
  ],
  [
    TYPE_CONCEPTS.patientReported,
    'Patient self-report',
    'Type Concept',
    'Type Concept',
    'Type Concept',
    'S',
    'OMOP4976938',
  ],
  [TYPE_CONCEPTS.lab, 'Lab', 'Type Concept', 'Type Concept', 'Type Concept', 'S', 'OMOP4976929'],
  ...Object.entries(OPERATOR_COMPARATORS).map(
    ([id, comparator]) =>
      [
        Number(id),
        comparator,
        'Meas Value Operator',
        'SNOMED',
        'Qualifier Value',
        'S',
        OPERATOR_CODES[comparator] as string,
      ] as const,
  ),
];
const UNITS = ['mg/L', 'mg/dL', 'nmol/L', '10*9/L', 'U/L', 'mg', '/min', 'Cel', 'cm'];

/** SNOMED CT standard concepts the ICD-10 source codes map to (OMOP "Maps to"). */
const MAPS: ReadonlyArray<readonly [SynthCode, SynthCode]> = [
  [DIAGNOSES.depression[0], sct('370143000', 'Major depressive disorder')],
  [DIAGNOSES.depression[1], sct('370143000', 'Major depressive disorder')],
  [DIAGNOSES.depression[2], sct('370143000', 'Major depressive disorder')],
  [DIAGNOSES.remission, sct('46244001', 'Recurrent major depression in full remission')],
  [DIAGNOSES.bipolar, sct('83225003', 'Bipolar II disorder')],
  [DIAGNOSES.psychotic, sct('58214004', 'Schizophrenia')],
  [DIAGNOSES.pneumonia, sct('233604007', 'Pneumonia')],
  [DIAGNOSES.tuberculosis, sct('56717001', 'Tuberculosis')],
  [DIAGNOSES.hepatitisB, sct('61977001', 'Chronic type B viral hepatitis')],
  [DIAGNOSES.hiv, sct('86406008', 'Human immunodeficiency virus infection')],
  [DIAGNOSES.pregnancy, sct('77386006', 'Pregnancy')],
  [DIAGNOSES.hypertension, sct('59621000', 'Essential hypertension')],
];

function conceptSpecs(): ConceptSpec[] {
  const specs: ConceptSpec[] = [];
  const seen = new Set<string>();
  const add = (s: ConceptSpec): void => {
    const key = `${s.code.system}|${s.code.code}`;
    if (!seen.has(key)) {
      seen.add(key);
      specs.push(s);
    }
  };
  for (const [source, target] of MAPS) {
    add({ code: target, domain: 'Condition', conceptClass: 'Disorder', standard: true });
    add({ code: source, domain: 'Condition', conceptClass: 'ICD10 code', standard: false, mapsTo: target });
  }
  add({ code: DIAGNOSES.depression[3], domain: 'Condition', conceptClass: 'Disorder', standard: true });
  add({ code: DIAGNOSES.unknownLocal, domain: 'Condition', conceptClass: 'Local', standard: false });
  for (const lab of [...Object.values(LABS), ...VITAL_SIGNS.map((v) => v.code)]) {
    add({ code: lab, domain: 'Measurement', conceptClass: 'Lab Test', standard: true });
  }
  for (const p of ANTIDEPRESSANT_PRODUCTS)
    add({ code: p.code, domain: 'Drug', conceptClass: 'Clinical Drug', standard: true });
  for (const d of Object.values(OTHER_DRUGS))
    add({ code: d, domain: 'Drug', conceptClass: 'Ingredient', standard: true });
  add({ code: POSITIVE, domain: 'Meas Value', conceptClass: 'Qualifier Value', standard: true });
  for (const u of UNITS)
    add({ code: { system: SYSTEM.ucum, code: u, display: u }, domain: 'Unit', conceptClass: 'Unit', standard: true });
  add({ code: PREGNANCY_TEST, domain: 'Measurement', conceptClass: 'Lab Test', standard: true });
  add({ code: BREASTFEEDING_STATUS, domain: 'Observation', conceptClass: 'Clinical Observation', standard: true });
  add({ code: ANSWER_YES, domain: 'Meas Value', conceptClass: 'Answer', standard: true });
  add({ code: ALLERGY_TO_DRUG, domain: 'Observation', conceptClass: 'Clinical Finding', standard: true });
  add({ code: DELIVERY, domain: 'Procedure', conceptClass: 'Procedure', standard: true });
  // Last, so that the concepts before keep their ids. A brand name is not a standard concept in the OMOP vocabulary
  // (no "Maps to"; linked to its ingredient instead).
  add({ code: TOCILIZUMAB_PRODUCTS['branded-drug'], domain: 'Drug', conceptClass: 'Branded Drug', standard: true });
  add({ code: TOCILIZUMAB_PRODUCTS['brand-name'], domain: 'Drug', conceptClass: 'Brand Name', standard: false });
  // The latent-TB and hepatitis B screens (codes read from the pathway's code sets), after the concepts above.
  for (const test of [SCREEN_CODES.igra, SCREEN_CODES.hbsag, SCREEN_CODES.antiHbc])
    add({ code: test, domain: 'Measurement', conceptClass: 'Lab Test', standard: true });
  for (const answer of Object.values(SCREEN_CODES.answers))
    add({ code: answer, domain: 'Meas Value', conceptClass: 'Answer', standard: true });
  add({ code: SCREEN_CODES.tbTreatment, domain: 'Drug', conceptClass: 'Ingredient', standard: true });
  return specs;
}

const SPECS = conceptSpecs();
const IDS = new Map(SPECS.map((s, i) => [`${s.code.system}|${s.code.code}`, LOCAL_CONCEPT_BASE + 1 + i]));
const idOf = (c: SynthCode): number => IDS.get(`${c.system}|${c.code}`) as number;
const unitId = (u: string): number => IDS.get(`${SYSTEM.ucum}|${u}`) as number;

/**
 * The RxNorm ingredient of each antidepressant product, from the antidepressant table (knowledge/codesets/
 * antidepressants.json): drug_strength.ingredient_concept_id is NOT NULL in the CDM 5.4.
 */
function productIngredients(k: Knowledge): Map<string, SynthCode> {
  const out = new Map<string, SynthCode>();
  for (const p of ANTIDEPRESSANT_PRODUCTS) {
    const product = k.antidepressants.products.find((x) => x.system === SYSTEM.rxnorm && x.code === p.code.code);
    const ingredient = k.antidepressants.ingredients.find((i) => i.ingredient === product?.ingredient);
    const code = ingredient?.codes.find((c) => c.system === SYSTEM.rxnorm)?.code;
    if (ingredient === undefined || code === undefined) {
      throw new Error(`the antidepressant table gives no RxNorm ingredient for ${p.code.display}`);
    }
    out.set(p.code.code, { system: SYSTEM.rxnorm, code, display: ingredient.ingredient });
  }
  return out;
}

/** concept, concept_relationship and drug_strength rows for every concept the generator uses. */
export function vocabularyRows(k: Knowledge): {
  concept: Row[];
  concept_relationship: Row[];
  drug_strength: Row[];
  concept_ancestor: Row[];
} {
  const ingredients = productIngredients(k);
  // Ingredient concepts get ids after the generator's own concepts, so that those keep theirs.
  const specs = [...SPECS];
  const ids = new Map(IDS);
  for (const code of ingredients.values()) {
    const key = `${code.system}|${code.code}`;
    if (ids.has(key)) continue;
    specs.push({ code, domain: 'Drug', conceptClass: 'Ingredient', standard: true });
    ids.set(key, LOCAL_CONCEPT_BASE + specs.length);
  }
  const id = (c: SynthCode): number => ids.get(`${c.system}|${c.code}`) as number;
  const vocab = (c: SynthCode): string => (c.system === SYSTEM.local ? 'Local' : (vocabularyOf(c.system) as string));
  const concept: Row[] = [
    ...STRUCTURAL_CONCEPTS.map((c) => [...c, '1970-01-01', '2099-12-31', null]),
    ...specs.map((s) => [
      id(s.code),
      s.code.display,
      s.domain,
      vocab(s.code),
      s.conceptClass,
      s.standard ? 'S' : null,
      s.code.code,
      '1970-01-01',
      '2099-12-31',
      null,
    ]),
  ];
  const relationship: Row[] = STRUCTURAL_CONCEPTS.filter((c) => c[5] === 'S').map((c) => [
    c[0],
    c[0],
    'Maps to',
    '1970-01-01',
    '2099-12-31',
    null,
  ]);
  for (const s of specs) {
    // Standard concepts map to themselves; source concepts to their standard concept (OMOP convention).
    const target = s.standard ? s.code : s.mapsTo;
    if (target !== undefined) relationship.push([id(s.code), id(target), 'Maps to', '1970-01-01', '2099-12-31', null]);
  }
  // The brand name and its ingredient, both ways, as the OMOP vocabulary links them ("Brand name of", "Has brand name").
  const brand = id(TOCILIZUMAB_PRODUCTS['brand-name']);
  const tocilizumab = id(OTHER_DRUGS.tocilizumab);
  relationship.push([brand, tocilizumab, 'Brand name of', '1970-01-01', '2099-12-31', null]);
  relationship.push([tocilizumab, brand, 'Has brand name', '1970-01-01', '2099-12-31', null]);
  const strength: Row[] = ANTIDEPRESSANT_PRODUCTS.map((p) => [
    id(p.code),
    id(ingredients.get(p.code.code) as SynthCode),
    p.strengthMg,
    unitId('mg'),
    '1970-01-01',
    '2099-12-31',
  ]);
  // A solution's strength is a concentration (20 mg/mL), which this table's amount columns do not hold: no amount.
  strength.push([id(TOCILIZUMAB_PRODUCTS['branded-drug']), tocilizumab, null, null, '1970-01-01', '2099-12-31']);
  // The hierarchy of the standard drug concepts, as the OMOP vocabulary has it: each its own ancestor (level 0), and
  // each product one level under its ingredient (the brand name is not standard, so not in the hierarchy).
  const ancestor: Row[] = specs
    .filter((s) => s.standard && s.domain === 'Drug')
    .map((s) => [id(s.code), id(s.code), 0, 0]);
  for (const row of strength) ancestor.push([row[1] ?? null, row[0] ?? null, 1, 1]);
  return { concept, concept_relationship: relationship, drug_strength: strength, concept_ancestor: ancestor };
}

export interface OmopRows {
  person: Row[];
  death: Row[];
  visit_occurrence: Row[];
  condition_occurrence: Row[];
  drug_exposure: Row[];
  measurement: Row[];
  observation: Row[];
  procedure_occurrence: Row[];
}

export const personId = (p: SynthPatient): number => Number(p.id.slice(1));

/** The OMOP operator concept of a comparator (one table, src/screen/sources/omop-vocabulary.ts, read backwards). */
const operatorConcept = (comparator: string): number =>
  Number(Object.entries(OPERATOR_COMPARATORS).find(([, c]) => c === comparator)?.[0]);

/**
 * One patient's rows; row ids are the person id times 100 plus a running number, unique in the population and within
 * the CDM 5.4's integer ids up to 21 million persons (a patient has at most about 70 rows).
 */
export function patientRows(p: SynthPatient, asOf: string): OmopRows {
  const pid = personId(p);
  let n = 0;
  const rowId = (): number => {
    if (n >= 100) throw new Error(`${p.id}: more than 100 OMOP rows`);
    return pid * 100 + n++;
  };
  const rows: OmopRows = {
    person: [],
    death: [],
    visit_occurrence: [],
    condition_occurrence: [],
    drug_exposure: [],
    measurement: [],
    observation: [],
    procedure_occurrence: [],
  };
  const [y, m, d] = p.birthDate.split('-').map(Number);
  rows.person.push([
    pid,
    GENDER_CONCEPTS[p.sex],
    y ?? null,
    m ?? null,
    d ?? null,
    `${p.birthDate} 00:00:00`,
    0,
    0,
    p.id,
    p.sex,
  ]);
  if (p.deceasedDate !== undefined) rows.death.push([pid, p.deceasedDate, TYPE_CONCEPTS.ehr]);
  const standardOf = (c: SynthCode): SynthCode | undefined =>
    MAPS.find(([source]) => source === c)?.[1] ?? (c === DIAGNOSES.depression[3] ? c : undefined);
  const condition = (c: SynthCode, start: string): void => {
    const standard = standardOf(c);
    const source = c.system === SYSTEM.snomed ? 0 : idOf(c);
    rows.condition_occurrence.push([
      rowId(),
      pid,
      standard === undefined ? 0 : idOf(standard),
      start,
      null,
      TYPE_CONCEPTS.ehr,
      c.code,
      source,
      null,
    ]);
  };
  if (p.depression !== undefined) condition(p.depression.code, p.depression.onset);
  if (p.remissionDate !== undefined) condition(DIAGNOSES.remission, p.remissionDate);
  if (p.bipolarOnset !== undefined) condition(DIAGNOSES.bipolar, p.bipolarOnset);
  if (p.psychoticOnset !== undefined) condition(DIAGNOSES.psychotic, p.psychoticOnset);
  if (p.hasUnknownCode) condition(DIAGNOSES.unknownLocal, fromDayNumber((toDayNumber(asOf) as number) - 400));
  for (const c of p.courses) {
    const days = (toDayNumber(c.end) as number) - (toDayNumber(c.start) as number) + 1;
    const quantity = c.unitsPerDay === undefined ? null : c.unitsPerDay * days;
    rows.drug_exposure.push([
      rowId(),
      pid,
      idOf(c.product.code),
      c.start,
      c.end,
      c.kind === 'request' ? TYPE_CONCEPTS.ehrPrescription : TYPE_CONCEPTS.patientReported,
      quantity,
      c.unitsPerDay === undefined ? null : days,
      null,
      c.product.code.code,
      idOf(c.product.code),
    ]);
  }
  const measure = (
    c: SynthCode,
    date: string,
    value: number | null,
    unit: string | null,
    valueConcept: number | null,
    high: number | null,
    comparator?: '<',
  ): void => {
    rows.measurement.push([
      rowId(),
      pid,
      idOf(c),
      date,
      TYPE_CONCEPTS.lab,
      value,
      valueConcept,
      unit === null ? 0 : unitId(unit),
      null,
      high,
      c.code,
      idOf(c),
      unit,
      comparator === undefined ? null : operatorConcept(comparator),
      null,
    ]);
  };
  const at = p.contraindicationDate as string;
  const diagnosis: Partial<Record<string, SynthCode>> = {
    'active-infection': DIAGNOSES.pneumonia,
    tuberculosis: DIAGNOSES.tuberculosis,
    hepatitis: DIAGNOSES.hepatitisB,
    immunodeficiency: DIAGNOSES.hiv,
    pregnancy: DIAGNOSES.pregnancy,
  };
  const planted = p.contraindication === undefined ? undefined : diagnosis[p.contraindication];
  if (planted !== undefined && p.pregnancyRecord !== 'test' && p.pregnancyRecord !== 'breastfeeding')
    condition(planted, at);
  if (p.pregnancyRecord === 'test') measure(PREGNANCY_TEST, at, null, null, idOf(POSITIVE), null);
  if (p.pregnancyRecord === 'breastfeeding') {
    // Breastfeeding status is an observation-domain concept: the OMOP observation table, not measurement.
    rows.observation.push([
      rowId(),
      pid,
      idOf(BREASTFEEDING_STATUS),
      at,
      TYPE_CONCEPTS.ehr,
      null,
      idOf(ANSWER_YES),
      0,
      BREASTFEEDING_STATUS.code,
      idOf(BREASTFEEDING_STATUS),
      null,
      null,
    ]);
  }
  if (p.contraindication === 'hepatitis') measure(LABS.hbsag, at, null, null, idOf(POSITIVE), null);
  if (p.contraindication === 'hypersensitivity') {
    // OHDSI convention: the allergy is the observation concept, the substance its value (no source concept of its own):
    // tocilizumab, or a product of it (the screen reaches the ingredient through the vocabulary).
    const substance = p.allergyProduct === undefined ? OTHER_DRUGS.tocilizumab : TOCILIZUMAB_PRODUCTS[p.allergyProduct];
    rows.observation.push([
      rowId(),
      pid,
      idOf(ALLERGY_TO_DRUG),
      at,
      TYPE_CONCEPTS.ehr,
      null,
      idOf(substance),
      0,
      substance.display,
      0,
      null,
      null,
    ]);
  }
  if (p.pregnancyEnded !== undefined) {
    measure(PREGNANCY_TEST, p.pregnancyEnded.testDate, null, null, idOf(POSITIVE), null);
    rows.procedure_occurrence.push([
      rowId(),
      pid,
      idOf(DELIVERY),
      p.pregnancyEnded.deliveryDate,
      null,
      TYPE_CONCEPTS.ehr,
      DELIVERY.code,
      idOf(DELIVERY),
    ]);
  }
  if (p.contraindication === 'immunosuppressant') {
    const end = fromDayNumber((toDayNumber(at) as number) + 84);
    rows.drug_exposure.push([
      rowId(),
      pid,
      idOf(OTHER_DRUGS.adalimumab),
      at,
      end,
      TYPE_CONCEPTS.patientReported,
      null,
      null,
      '40 mg every other week',
      '327361',
      idOf(OTHER_DRUGS.adalimumab),
    ]);
  }
  // Qualitative screens: the answer in value_as_concept_id, no number, no unit.
  if (p.igra !== undefined)
    measure(SCREEN_CODES.igra, p.igra.date, null, null, idOf(SCREEN_CODES.answers[p.igra.answer]), null);
  if (p.tbTreatment !== undefined) {
    const treatment = SCREEN_CODES.tbTreatment;
    rows.drug_exposure.push([
      rowId(),
      pid,
      idOf(treatment),
      p.tbTreatment.start,
      p.tbTreatment.end,
      TYPE_CONCEPTS.ehrPrescription,
      null,
      null,
      '300 mg once daily',
      treatment.code,
      idOf(treatment),
    ]);
  }
  for (const [test, result] of [
    [SCREEN_CODES.hbsag, p.hbsag],
    [SCREEN_CODES.antiHbc, p.antiHbc],
  ] as const) {
    if (result !== undefined) measure(test, result.date, null, null, idOf(SCREEN_CODES.answers[result.answer]), null);
  }
  for (const l of p.labs) measure(l.code, l.date, l.value, l.ucum, null, l.referenceHigh ?? null);
  if (p.crp !== undefined)
    measure(
      p.crp.loinc,
      p.crp.date,
      p.crp.value,
      p.crp.unit === 'none' ? null : p.crp.unit,
      null,
      null,
      p.crp.comparator,
    );
  if (p.staleNaproxenDate !== undefined) {
    const end = fromDayNumber((toDayNumber(p.staleNaproxenDate) as number) + 29);
    rows.drug_exposure.push([
      rowId(),
      pid,
      idOf(OTHER_DRUGS.naproxen),
      p.staleNaproxenDate,
      end,
      TYPE_CONCEPTS.ehrPrescription,
      60,
      30,
      '500 mg twice daily as needed',
      '7258',
      idOf(OTHER_DRUGS.naproxen),
    ]);
  }
  p.encounterDates.forEach((date, i) => {
    rows.visit_occurrence.push([rowId(), pid, OUTPATIENT_VISIT, date, date, TYPE_CONCEPTS.ehr]);
    VITAL_SIGNS.forEach((v, k) => measure(v.code, date, vitalSignValue(date, i, k), v.unit, null, null));
  });
  return rows;
}
