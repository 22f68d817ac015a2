/**
 * Absolute contraindications (docs/care-pathway.md definition 6; reference section 5.1-5.2, docs/README.md), their negative controls,
 * lab unit conversions for ANC and platelets, and the cautions of definition 7. Every contraindication vignette is
 * otherwise the refer-to-trial base patient, so `contraindicated` can only come from the one added finding.
 */
import { code, ucum } from '../bundle-builder.ts';
import type { BundleBuilder, ConditionSpec, ObservationSpec } from '../bundle-builder.ts';
import { AS_OF, basePatient, CODES, daysBefore, expected, LAB_DATE, LABS } from './base.ts';
import type { Expected, Vignette } from './types.ts';

const contraindicated = (...codes: string[]): Expected =>
  expected({ recommendation: 'contraindicated', contraindications: codes });

/** A qualitative urine hCG 14 days before as-of (docs/care-pathway.md definition 6: inside the 90-day lab window). */
function pregnancyTest(positive: boolean): ObservationSpec {
  return {
    id: 'hcg',
    code: code('loinc', '2106-3', 'Choriogonadotropin (pregnancy test) [Presence] in Urine'),
    date: daysBefore(14),
    valueCoding: positive ? CODES.positive : CODES.negative,
    interpretation: positive ? 'POS' : 'NEG',
  };
}

function withCondition(id: string, spec: ConditionSpec): BundleBuilder {
  return basePatient(id).condition({ clinicalStatus: 'active', onset: daysBefore(10), ...spec });
}

export const SAFETY_VIGNETTES: readonly Vignette[] = [
  {
    id: 'ci-active-infection',
    asOf: AS_OF,
    tests: 'An active pneumonia (SNOMED 233604007) -> active-infection -> contraindicated.',
    build: () =>
      withCondition('ci-active-infection', { id: 'pneumonia', code: code('snomed', '233604007', 'Pneumonia') }).build(),
    expected: contraindicated('active-infection'),
  },
  {
    id: 'ci-infection-resolved-control',
    asOf: AS_OF,
    tests: 'Negative control: a pneumonia resolved before as-of is not an active infection -> refer-to-trial.',
    build: () =>
      withCondition('ci-infection-resolved-control', {
        id: 'pneumonia',
        code: code('snomed', '233604007', 'Pneumonia'),
        clinicalStatus: 'resolved',
        onset: daysBefore(200),
        abatement: daysBefore(180),
      }).build(),
    expected: expected(),
  },
  {
    id: 'ci-active-tuberculosis',
    asOf: AS_OF,
    tests: 'Active pulmonary tuberculosis (ICD-10 A15.0) -> tuberculosis -> contraindicated.',
    build: () =>
      withCondition('ci-active-tuberculosis', {
        id: 'tb',
        code: code('icd10', 'A15.0', 'Tuberculosis of lung, confirmed by sputum microscopy'),
      }).build(),
    expected: contraindicated('tuberculosis'),
  },
  {
    id: 'ci-igra-positive-untreated',
    asOf: AS_OF,
    tests: 'A positive IGRA with no documented latent-TB treatment -> tuberculosis -> contraindicated.',
    build: () =>
      basePatient('ci-igra-positive-untreated', { omit: ['igra'] })
        .observation(LABS.igra(true))
        .build(),
    expected: contraindicated('tuberculosis'),
  },
  {
    id: 'ci-igra-positive-treated-control',
    asOf: AS_OF,
    tests: 'Negative control: a positive IGRA with completed isoniazid treatment for latent TB -> refer-to-trial.',
    build: () =>
      basePatient('ci-igra-positive-treated-control', { omit: ['igra'] })
        .observation(LABS.igra(true, daysBefore(300)))
        .medicationStatement({
          id: 'isoniazid',
          code: code('rxnorm', '6038', 'isoniazid'),
          start: daysBefore(290),
          end: daysBefore(20),
          dose: { value: 300, unit: 'mg' },
        })
        .build(),
    expected: expected(),
  },
  {
    id: 'ci-hbsag-positive',
    asOf: AS_OF,
    tests: 'HBsAg positive -> hepatitis -> contraindicated.',
    build: () =>
      basePatient('ci-hbsag-positive', { omit: ['hbsag'] })
        .observation(LABS.hbsag(true))
        .build(),
    expected: contraindicated('hepatitis'),
  },
  {
    id: 'ci-chronic-hepatitis-c',
    asOf: AS_OF,
    tests: 'Active chronic viral hepatitis C (ICD-10 B18.2) -> hepatitis -> contraindicated.',
    build: () =>
      withCondition('ci-chronic-hepatitis-c', {
        id: 'hcv',
        code: code('icd10', 'B18.2', 'Chronic viral hepatitis C'),
        onset: '2019-04-01',
      }).build(),
    expected: contraindicated('hepatitis'),
  },
  {
    id: 'ci-hiv-disease',
    asOf: AS_OF,
    tests: 'HIV disease (ICD-10 B20) -> immunodeficiency -> contraindicated.',
    build: () =>
      withCondition('ci-hiv-disease', {
        id: 'hiv',
        code: code('icd10', 'B20', 'HIV disease resulting in infectious and parasitic diseases'),
        onset: '2015-06-01',
      }).build(),
    expected: contraindicated('immunodeficiency'),
  },
  {
    id: 'ci-neutropenia',
    asOf: AS_OF,
    tests: 'ANC 1.5 x10^9/L -> neutropenia -> contraindicated.',
    build: () =>
      basePatient('ci-neutropenia', { omit: ['anc'] })
        .observation(LABS.anc(1.5))
        .build(),
    expected: contraindicated('neutropenia'),
  },
  {
    id: 'ci-neutropenia-per-ul',
    asOf: AS_OF,
    tests: 'ANC 1500 /uL converts to 1.5 x10^9/L -> neutropenia -> contraindicated.',
    build: () =>
      basePatient('ci-neutropenia-per-ul', { omit: ['anc'] })
        .observation({ id: 'anc', code: CODES.anc, date: LAB_DATE, quantity: ucum(1500, '/uL'), low: 2000, high: 7500 })
        .build(),
    expected: contraindicated('neutropenia'),
  },
  {
    id: 'anc-per-ul-normal',
    asOf: AS_OF,
    tests: 'ANC 3800 /uL converts to 3.8 x10^9/L (a raw 3800 is not compared with 2.0) -> refer-to-trial.',
    build: () =>
      basePatient('anc-per-ul-normal', { omit: ['anc'] })
        .observation({ id: 'anc', code: CODES.anc, date: LAB_DATE, quantity: ucum(3800, '/uL'), low: 2000, high: 7500 })
        .build(),
    expected: expected(),
  },
  {
    id: 'ci-thrombocytopenia',
    asOf: AS_OF,
    tests: 'Platelets 85 x10^9/L -> thrombocytopenia -> contraindicated.',
    build: () =>
      basePatient('ci-thrombocytopenia', { omit: ['platelets'] })
        .observation(LABS.platelets(85))
        .build(),
    expected: contraindicated('thrombocytopenia'),
  },
  {
    id: 'ci-thrombocytopenia-10-3-per-ul',
    asOf: AS_OF,
    tests: 'Platelets 85 x10^3/uL (= 85 x10^9/L) -> thrombocytopenia -> contraindicated.',
    build: () =>
      basePatient('ci-thrombocytopenia-10-3-per-ul', { omit: ['platelets'] })
        .observation({
          id: 'platelets',
          code: CODES.platelets,
          date: LAB_DATE,
          quantity: ucum(85, '10*3/uL', '10^3/uL'),
          low: 150,
          high: 400,
        })
        .build(),
    expected: contraindicated('thrombocytopenia'),
  },
  {
    id: 'ci-hepatic-ast',
    asOf: AS_OF,
    tests: "AST 60 U/L with the result's own ULN 35 (> 1.5 x ULN = 52.5) -> hepatic -> contraindicated.",
    build: () =>
      basePatient('ci-hepatic-ast', { omit: ['ast'] })
        .observation(LABS.ast(60, 35))
        .build(),
    expected: contraindicated('hepatic'),
  },
  {
    id: 'hepatic-uln-from-reference-range',
    asOf: AS_OF,
    tests: "ALT 60 U/L is judged against the result's ULN 56 (1.5 x 56 = 84), not a default -> refer-to-trial.",
    build: () =>
      basePatient('hepatic-uln-from-reference-range', { omit: ['alt'] })
        .observation(LABS.alt(60, 56))
        .build(),
    expected: expected(),
  },
  {
    id: 'ci-hepatic-default-uln',
    asOf: AS_OF,
    tests: 'ALT 150 U/L with no reference range is judged against the pathway default ULN -> hepatic.',
    build: () =>
      basePatient('ci-hepatic-default-uln', { omit: ['alt'] })
        .observation(LABS.alt(150, undefined))
        .build(),
    expected: contraindicated('hepatic'),
  },
  {
    id: 'hepatic-default-uln-control',
    asOf: AS_OF,
    tests: 'Negative control: ALT 20 U/L with no reference range is normal against the default ULN -> refer.',
    build: () =>
      basePatient('hepatic-default-uln-control', { omit: ['alt'] })
        .observation(LABS.alt(20, undefined))
        .build(),
    expected: expected(),
  },
  {
    id: 'ci-pregnancy',
    asOf: AS_OF,
    tests: 'An active pregnancy (SNOMED 77386006) -> pregnancy -> contraindicated.',
    build: () =>
      withCondition('ci-pregnancy', {
        id: 'pregnancy',
        code: code('snomed', '77386006', 'Pregnancy'),
        onset: daysBefore(60),
      }).build(),
    expected: contraindicated('pregnancy'),
  },
  {
    id: 'ci-pregnancy-test-positive',
    asOf: AS_OF,
    tests: 'A positive urine hCG (LOINC 2106-3, Positive, POS) 14 days before as-of -> pregnancy -> contraindicated.',
    build: () => basePatient('ci-pregnancy-test-positive').observation(pregnancyTest(true)).build(),
    expected: contraindicated('pregnancy'),
  },
  {
    id: 'pregnancy-test-negative-control',
    asOf: AS_OF,
    tests:
      'Negative control: a negative urine hCG (LOINC 2106-3, Negative, NEG) -> no contraindication -> refer-to-trial.',
    build: () => basePatient('pregnancy-test-negative-control').observation(pregnancyTest(false)).build(),
    expected: expected(),
  },
  {
    id: 'ci-hypersensitivity',
    asOf: AS_OF,
    tests: 'An active, confirmed allergy to tocilizumab -> hypersensitivity -> contraindicated.',
    build: () =>
      basePatient('ci-hypersensitivity')
        .allergy({ id: 'tocilizumab-allergy', code: code('rxnorm', '612865', 'tocilizumab'), recorded: '2023-02-01' })
        .build(),
    expected: contraindicated('hypersensitivity'),
  },
  {
    id: 'ci-immunosuppressant',
    asOf: AS_OF,
    tests: 'Current adalimumab therapy (active, no end, started 100 days ago) -> immunosuppressant -> contraindicated.',
    build: () =>
      basePatient('ci-immunosuppressant')
        .medicationStatement({
          id: 'adalimumab',
          status: 'active',
          code: code('rxnorm', '327361', 'adalimumab'),
          start: daysBefore(100),
        })
        .build(),
    expected: contraindicated('immunosuppressant'),
  },
  {
    id: 'ci-several',
    asOf: AS_OF,
    tests: 'Neutropenia, thrombocytopenia and pregnancy together: every reason is named -> contraindicated.',
    build: () =>
      basePatient('ci-several', { omit: ['anc', 'platelets'] })
        .observation(LABS.anc(1.2))
        .observation(LABS.platelets(60))
        .condition({
          id: 'pregnancy',
          code: code('snomed', '77386006', 'Pregnancy'),
          clinicalStatus: 'active',
          onset: daysBefore(60),
        })
        .build(),
    expected: contraindicated('neutropenia', 'thrombocytopenia', 'pregnancy'),
  },
  {
    id: 'caution-age-65',
    asOf: AS_OF,
    tests: 'Age exactly 65 on the as-of date -> older-age caution, still refer-to-trial.',
    build: () => basePatient('caution-age-65', { birthDate: '1961-11-27' }).build(),
    expected: expected({ cautions: ['older-age'] }),
  },
  {
    id: 'caution-age-64-control',
    asOf: AS_OF,
    tests: 'Age 64 (65th birthday the day after as-of) -> no older-age caution.',
    build: () => basePatient('caution-age-64-control', { birthDate: '1961-11-28' }).build(),
    expected: expected(),
  },
  {
    id: 'caution-live-vaccine',
    asOf: AS_OF,
    tests: 'MMR (live, CVX 03) given 14 days before as-of -> recent-live-vaccine caution.',
    build: () =>
      basePatient('caution-live-vaccine')
        .immunization({ id: 'mmr', vaccine: code('cvx', '03', 'MMR'), date: daysBefore(14) })
        .build(),
    expected: expected({ cautions: ['recent-live-vaccine'] }),
  },
  {
    id: 'caution-live-vaccine-old-control',
    asOf: AS_OF,
    tests: 'Negative control: MMR given 60 days before as-of is outside the 4-week window -> no caution.',
    build: () =>
      basePatient('caution-live-vaccine-old-control')
        .immunization({ id: 'mmr', vaccine: code('cvx', '03', 'MMR'), date: daysBefore(60) })
        .build(),
    expected: expected(),
  },
  {
    id: 'caution-nsaid',
    asOf: AS_OF,
    tests: 'Current ibuprofen (confounds CRP) -> crp-confounding-medication caution.',
    build: () =>
      basePatient('caution-nsaid')
        .medicationStatement({
          id: 'ibuprofen',
          status: 'active',
          code: code('rxnorm', '5640', 'ibuprofen'),
          start: daysBefore(100),
          dose: { value: 400, unit: 'mg', perDay: 3 },
        })
        .build(),
    expected: expected({ cautions: ['crp-confounding-medication'] }),
  },
  {
    id: 'caution-corticosteroid',
    asOf: AS_OF,
    tests: 'Current oral prednisone (confounds CRP) -> crp-confounding-medication caution.',
    build: () =>
      basePatient('caution-corticosteroid')
        .medicationStatement({
          id: 'prednisone',
          status: 'active',
          code: code('rxnorm', '8640', 'prednisone'),
          start: daysBefore(30),
          dose: { value: 10, unit: 'mg' },
        })
        .build(),
    expected: expected({ cautions: ['crp-confounding-medication'] }),
  },
  {
    id: 'caution-diverticulitis',
    asOf: AS_OF,
    tests: 'A past diverticulitis (resolved) -> gi-perforation-risk caution.',
    build: () =>
      basePatient('caution-diverticulitis')
        .condition({
          id: 'diverticulitis',
          code: code('snomed', '307496006', 'Diverticulitis'),
          clinicalStatus: 'resolved',
          onset: '2022-03-10',
          abatement: '2022-04-20',
        })
        .build(),
    expected: expected({ cautions: ['gi-perforation-risk'] }),
  },
  {
    id: 'comorbid-rheumatoid-arthritis',
    asOf: AS_OF,
    tests: 'Comorbid active rheumatoid arthritis is reported (definition 10) but the decision stays refer-to-trial.',
    build: () =>
      basePatient('comorbid-rheumatoid-arthritis')
        .condition({
          id: 'ra',
          code: code('snomed', '69896004', 'Rheumatoid arthritis'),
          clinicalStatus: 'active',
          onset: '2018-05-01',
        })
        .build(),
    expected: expected({ comorbidIl6Disease: ['rheumatoid-arthritis'] }),
  },
];
