/**
 * The "typical" patient for bench/assess.ts: the seed vignette (examples/seed-vignette.json: depression, two adequate
 * SSRI courses, hs-CRP 7 mg/L, ANC, platelets, ALT, AST, PHQ-9) plus what a real extract carries around it: a third
 * antidepressant by medicationReference, TB and hepatitis B screens, older labs, vital signs, an immunization, an
 * allergy and encounters. About 30 resources.
 */
import { readFileSync } from 'node:fs';

const LOINC = 'http://loinc.org';
const SNOMED = 'http://snomed.info/sct';
const UCUM = 'http://unitsofmeasure.org';
const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';
const subject = { reference: 'Patient/seed-patient' };

const lab = (id: string, code: string, display: string, date: string, value: number, unit: string) => ({
  resourceType: 'Observation',
  id,
  status: 'final',
  category: [
    { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] },
  ],
  code: { coding: [{ system: LOINC, code, display }] },
  subject,
  effectiveDateTime: date,
  valueQuantity: { value, unit, system: UCUM, code: unit },
});

const screen = (id: string, code: string, display: string, date: string) => ({
  resourceType: 'Observation',
  id,
  status: 'final',
  code: { coding: [{ system: LOINC, code, display }] },
  subject,
  effectiveDateTime: date,
  valueCodeableConcept: { coding: [{ system: SNOMED, code: '260385009', display: 'Negative (qualifier value)' }] },
});

export function typicalBundle(seedPath: string): { resourceType: 'Bundle'; entry: object[] } {
  const seed = JSON.parse(readFileSync(seedPath, 'utf8')) as { resourceType: 'Bundle'; entry: object[] };
  const extra: object[] = [
    {
      fullUrl: 'urn:uuid:7d1c3f2e-venlafaxine',
      resource: {
        resourceType: 'Medication',
        id: 'venlafaxine-er-150',
        code: {
          coding: [
            { system: RXNORM, code: '313583', display: 'venlafaxine 150 MG 24HR Extended Release Oral Capsule' },
          ],
        },
        ingredient: [
          {
            itemCodeableConcept: { coding: [{ system: RXNORM, code: '39786', display: 'venlafaxine' }] },
            strength: {
              numerator: { value: 150, unit: 'mg', system: UCUM, code: 'mg' },
              denominator: { value: 1, unit: 'capsule' },
            },
          },
        ],
      },
    },
    {
      resource: {
        resourceType: 'MedicationRequest',
        id: 'venlafaxine-2023',
        status: 'completed',
        intent: 'order',
        medicationReference: { reference: 'urn:uuid:7d1c3f2e-venlafaxine' },
        subject,
        authoredOn: '2023-02-01',
        dosageInstruction: [
          {
            timing: { repeat: { frequency: 1, period: 1, periodUnit: 'd' } },
            doseAndRate: [{ doseQuantity: { value: 1, unit: 'capsule' } }],
          },
        ],
        dispenseRequest: {
          expectedSupplyDuration: { value: 30, unit: 'days', system: UCUM, code: 'd' },
          numberOfRepeatsAllowed: 2,
        },
      },
    },
    {
      resource: screen(
        'igra-2026',
        '71774-4',
        'Mycobacterium tuberculosis stimulated gamma interferon [Presence] in Blood',
        '2026-10-20',
      ),
    },
    { resource: screen('hbsag-2026', '5196-1', 'Hepatitis B virus surface Ag [Presence] in Serum', '2026-10-20') },
    {
      resource: lab(
        'crp-2026-05',
        '30522-7',
        'C reactive protein [Mass/volume] in Serum or Plasma by High sensitivity method',
        '2026-05-04',
        5.1,
        'mg/L',
      ),
    },
    { resource: lab('alt-2026-05', '1742-6', 'Alanine aminotransferase', '2026-05-04', 22, 'U/L') },
    { resource: lab('plt-2026-05', '777-3', 'Platelets [#/volume] in Blood', '2026-05-04', 251, '10*9/L') },
    { resource: lab('wbc-2026-11', '6690-2', 'Leukocytes [#/volume] in Blood', '2026-11-06', 6.8, '10*9/L') },
    { resource: lab('hgb-2026-11', '718-7', 'Hemoglobin [Mass/volume] in Blood', '2026-11-06', 13.1, 'g/dL') },
    {
      resource: lab(
        'creat-2026-11',
        '2160-0',
        'Creatinine [Mass/volume] in Serum or Plasma',
        '2026-11-06',
        0.8,
        'mg/dL',
      ),
    },
    { resource: lab('weight-2026-11', '29463-7', 'Body weight', '2026-11-06', 71, 'kg') },
    { resource: lab('bmi-2026-11', '39156-5', 'Body mass index', '2026-11-06', 26.1, 'kg/m2') },
    { resource: lab('hr-2026-11', '8867-4', 'Heart rate', '2026-11-06', 76, '/min') },
    {
      resource: {
        resourceType: 'Immunization',
        id: 'flu-2026',
        status: 'completed',
        vaccineCode: {
          coding: [{ system: 'http://hl7.org/fhir/sid/cvx', code: '140', display: 'Influenza, seasonal, injectable' }],
        },
        patient: subject,
        occurrenceDateTime: '2026-10-01',
      },
    },
    {
      resource: {
        resourceType: 'AllergyIntolerance',
        id: 'penicillin',
        clinicalStatus: { coding: [{ code: 'active' }] },
        code: { coding: [{ system: RXNORM, code: '7980', display: 'penicillin G' }] },
        patient: subject,
      },
    },
    ...['2026-11-06', '2026-10-20', '2026-05-04', '2025-05-05', '2025-01-06'].map((date, i) => ({
      resource: { resourceType: 'Encounter', id: `visit-${i}`, status: 'finished', subject, period: { start: date } },
    })),
  ];
  return { ...seed, entry: [...seed.entry, ...extra] };
}
