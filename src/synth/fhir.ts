/**
 * A synthetic patient as FHIR R4 resources, the way a Bulk Data export ($export) lays them out: each resource stands
 * alone and points at its patient with `Patient/<id>`. Besides what the decision reads, each patient carries the
 * unrelated bulk of a real export (encounters with their vital signs) and some dirt: a problem-list entry in a local
 * code system, entered-in-error records, vital signs without units and encounters with impossible dates.
 */
import type { Resource } from '@medplum/fhirtypes';
import { fromDayNumber, toDayNumber } from '../record/index.ts';
import {
  ANSWER_YES,
  BREASTFEEDING_STATUS,
  DELIVERY,
  DIAGNOSES,
  LABS,
  OTHER_DRUGS,
  TOCILIZUMAB_PRODUCTS,
  POSITIVE,
  PREGNANCY_TEST,
  SCREEN_CODES,
  SYSTEM,
  VITAL_SIGNS,
  vitalSignValue,
} from './population.ts';
import type { AntidepressantCourse, CrpResult, LabResult, ScreenTest, SynthCode, SynthPatient } from './population.ts';

const coding = (c: SynthCode): { system: string; code: string; display: string } => ({
  system: c.system,
  code: c.code,
  display: c.display,
});
const concept = (c: SynthCode): { coding: { system: string; code: string; display: string }[]; text: string } => ({
  coding: [coding(c)],
  text: c.display,
});
const clinical = (status: string) => ({
  coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: status }],
});
const verification = (status: string) => ({
  coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: status }],
});
const labCategory = [
  { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] },
];
const vitalCategory = [
  { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] },
];

const CRP_UCUM: Record<Exclude<CrpResult['unit'], 'none'>, string> = {
  'mg/L': 'mg/L',
  'mg/dL': 'mg/dL',
  'nmol/L': 'nmol/L',
};

function condition(p: SynthPatient, n: string, c: SynthCode, onset: string, status = 'active', ver = 'confirmed') {
  return {
    resourceType: 'Condition',
    id: `${p.id}-c-${n}`,
    clinicalStatus: clinical(status),
    verificationStatus: verification(ver),
    category: [
      {
        coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-category', code: 'problem-list-item' }],
      },
    ],
    code: concept(c),
    subject: { reference: `Patient/${p.id}` },
    onsetDateTime: onset,
    recordedDate: onset,
  };
}

function crpObservation(p: SynthPatient, n: string, crp: CrpResult, status: string) {
  const quantity = {
    ...(crp.comparator === undefined ? {} : { comparator: crp.comparator }),
    value: crp.value,
    ...(crp.unit === 'none' ? {} : { unit: crp.unit, system: SYSTEM.ucum, code: CRP_UCUM[crp.unit] }),
  };
  return {
    resourceType: 'Observation',
    id: `${p.id}-o-${n}`,
    status,
    category: labCategory,
    code: concept(crp.loinc),
    subject: { reference: `Patient/${p.id}` },
    effectiveDateTime: `${crp.date}T08:30:00Z`,
    valueQuantity: quantity,
  };
}

/** A qualitative laboratory result, its answer coded. */
function codedResult(p: SynthPatient, n: string, c: SynthCode, effectiveDateTime: string, answer: SynthCode) {
  return {
    resourceType: 'Observation',
    id: `${p.id}-o-${n}`,
    status: 'final',
    category: labCategory,
    code: concept(c),
    subject: { reference: `Patient/${p.id}` },
    effectiveDateTime,
    valueCodeableConcept: concept(answer),
  };
}

/** A qualitative laboratory result reported positive. */
const positiveResult = (p: SynthPatient, n: string, c: SynthCode, date: string) => codedResult(p, n, c, date, POSITIVE);

/** A planted IGRA or hepatitis B serology result, its answer coded as the pathway's code sets list it. */
const screenObservation = (p: SynthPatient, n: string, c: SynthCode, t: ScreenTest) =>
  codedResult(p, n, c, `${t.date}T09:00:00Z`, SCREEN_CODES.answers[t.answer]);

function labObservation(p: SynthPatient, n: string, l: LabResult) {
  return {
    resourceType: 'Observation',
    id: `${p.id}-o-${n}`,
    status: 'final',
    category: labCategory,
    code: concept(l.code),
    subject: { reference: `Patient/${p.id}` },
    effectiveDateTime: `${l.date}T09:00:00Z`,
    valueQuantity: { value: l.value, unit: l.ucum, system: SYSTEM.ucum, code: l.ucum },
    ...(l.referenceHigh === undefined
      ? {}
      : { referenceRange: [{ high: { value: l.referenceHigh, unit: l.ucum, system: SYSTEM.ucum, code: l.ucum } }] }),
  };
}

function antidepressant(p: SynthPatient, n: string, c: AntidepressantCourse) {
  const dosage =
    c.unitsPerDay === undefined
      ? []
      : [
          {
            text: `${c.unitsPerDay * c.product.strengthMg} mg once daily`,
            timing: { repeat: { frequency: 1, period: 1, periodUnit: 'd' } },
            doseAndRate: [
              {
                doseQuantity: {
                  value: c.unitsPerDay * c.product.strengthMg,
                  unit: 'mg',
                  system: SYSTEM.ucum,
                  code: 'mg',
                },
              },
            ],
          },
        ];
  const common = {
    id: `${p.id}-m-${n}`,
    medicationCodeableConcept: concept(c.product.code),
    subject: { reference: `Patient/${p.id}` },
  };
  if (c.kind === 'statement') {
    return {
      resourceType: 'MedicationStatement',
      ...common,
      status: 'completed',
      effectivePeriod: { start: c.start, end: c.end },
      dosage,
    };
  }
  return {
    resourceType: 'MedicationRequest',
    ...common,
    status: 'completed',
    intent: 'order',
    authoredOn: c.start,
    dosageInstruction: dosage,
    dispenseRequest: { validityPeriod: { start: c.start, end: c.end } },
  };
}

/** Encounters and their vital signs: deterministic from the patient's id and dates, so they need no random draws. */
function unrelated(p: SynthPatient): Resource[] {
  const out: Resource[] = [];
  p.encounterDates.forEach((date, i) => {
    const encounterId = `${p.id}-e-${i}`;
    const malformed = i === 3 && p.hasUnknownCode;
    out.push({
      resourceType: 'Encounter',
      id: encounterId,
      status: 'finished',
      class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB', display: 'ambulatory' },
      type: [
        {
          coding: [{ system: SYSTEM.snomed, code: '185349003', display: 'Encounter for check up (procedure)' }],
          text: 'Encounter for check up (procedure)',
        },
      ],
      subject: { reference: `Patient/${p.id}` },
      participant: [
        {
          type: [
            {
              coding: [
                {
                  system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType',
                  code: 'PPRF',
                  display: 'primary performer',
                },
              ],
              text: 'primary performer',
            },
          ],
          period: { start: `${date}T10:00:00Z`, end: `${date}T10:30:00Z` },
          individual: { reference: 'Practitioner/pr-0001', display: 'Dr. General Practice' },
        },
      ],
      // One encounter in ten patients carries an impossible date, as exports sometimes do.
      period: malformed
        ? { start: '2023-13-45T25:61:00Z', end: `${date}T10:30:00Z` }
        : { start: `${date}T10:00:00Z`, end: `${date}T10:30:00Z` },
      reasonCode: [{ coding: [coding(DIAGNOSES.hypertension)], text: DIAGNOSES.hypertension.display }],
      serviceProvider: { reference: 'Organization/org-0001', display: 'General Hospital' },
    } as Resource);
    VITAL_SIGNS.forEach((v, k) => {
      const value = vitalSignValue(date, i, k);
      const missingUnit = p.hasUnknownCode && i === 1 && k === 0;
      out.push({
        resourceType: 'Observation',
        id: `${p.id}-v-${i}-${k}`,
        status: 'final',
        category: vitalCategory,
        code: concept(v.code),
        subject: { reference: `Patient/${p.id}` },
        encounter: { reference: `Encounter/${encounterId}` },
        effectiveDateTime: `${date}T10:05:00Z`,
        issued: `${date}T10:05:00.000Z`,
        valueQuantity: missingUnit ? { value } : { value, unit: v.unit, system: SYSTEM.ucum, code: v.unit },
      } as Resource);
    });
  });
  return out;
}

/** Every resource of one patient, Patient first. */
export function patientResources(p: SynthPatient, asOf: string): Resource[] {
  const out: Resource[] = [];
  out.push({
    resourceType: 'Patient',
    id: p.id,
    meta: { profile: ['http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient'] },
    identifier: [{ system: 'http://example.org/fhir/mrn', value: `MRN-${p.id.slice(1)}` }],
    name: [{ use: 'official', family: `Synthetic${p.id.slice(-4)}`, given: ['Test'] }],
    gender: p.sex,
    birthDate: p.birthDate,
    ...(p.deceasedDate === undefined ? {} : { deceasedDateTime: p.deceasedDate }),
    address: [{ city: 'Springfield', country: 'US' }],
  } as Resource);
  const push = (r: object): void => void out.push(r as Resource);
  if (p.depression !== undefined) push(condition(p, 'dep', p.depression.code, p.depression.onset));
  if (p.remissionDate !== undefined) push(condition(p, 'rem', DIAGNOSES.remission, p.remissionDate));
  if (p.bipolarOnset !== undefined) push(condition(p, 'bip', DIAGNOSES.bipolar, p.bipolarOnset));
  if (p.bipolarEnteredInError !== undefined) {
    push(condition(p, 'bipx', DIAGNOSES.bipolar, p.bipolarEnteredInError, 'active', 'entered-in-error'));
  }
  if (p.psychoticOnset !== undefined) push(condition(p, 'psy', DIAGNOSES.psychotic, p.psychoticOnset));
  if (p.hasUnknownCode)
    push(condition(p, 'loc', DIAGNOSES.unknownLocal, fromDayNumber((toDayNumber(asOf) as number) - 400)));
  p.courses.forEach((c, i) => push(antidepressant(p, `ad${i}`, c)));
  const at = p.contraindicationDate as string;
  switch (p.contraindication) {
    case 'active-infection':
      push(condition(p, 'ci', DIAGNOSES.pneumonia, at));
      break;
    case 'tuberculosis':
      push(condition(p, 'ci', DIAGNOSES.tuberculosis, at));
      break;
    case 'hepatitis':
      push(condition(p, 'ci', DIAGNOSES.hepatitisB, at));
      push(positiveResult(p, 'hbsag', LABS.hbsag, at));
      break;
    case 'immunodeficiency':
      push(condition(p, 'ci', DIAGNOSES.hiv, at));
      break;
    case 'pregnancy':
      if (p.pregnancyRecord === 'test' || p.pregnancyRecord === 'breastfeeding') {
        const breastfeeding = p.pregnancyRecord === 'breastfeeding';
        push({
          resourceType: 'Observation',
          id: `${p.id}-o-${breastfeeding ? 'bf' : 'hcg'}`,
          status: 'final',
          category: breastfeeding
            ? [
                {
                  coding: [
                    { system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'social-history' },
                  ],
                },
              ]
            : labCategory,
          code: concept(breastfeeding ? BREASTFEEDING_STATUS : PREGNANCY_TEST),
          subject: { reference: `Patient/${p.id}` },
          effectiveDateTime: at,
          valueCodeableConcept: concept(breastfeeding ? ANSWER_YES : POSITIVE),
        });
      } else {
        push(condition(p, 'ci', DIAGNOSES.pregnancy, at));
      }
      break;
    case 'hypersensitivity':
      push({
        resourceType: 'AllergyIntolerance',
        id: `${p.id}-al-toc`,
        clinicalStatus: {
          coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active' }],
        },
        verificationStatus: {
          coding: [
            { system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-verification', code: 'confirmed' },
          ],
        },
        type: 'allergy',
        category: ['medication'],
        code: concept(
          p.allergyProduct === undefined ? OTHER_DRUGS.tocilizumab : TOCILIZUMAB_PRODUCTS[p.allergyProduct],
        ),
        patient: { reference: `Patient/${p.id}` },
        recordedDate: at,
      });
      break;
    case 'immunosuppressant': {
      const startDay = toDayNumber(at) as number;
      push({
        resourceType: 'MedicationStatement',
        id: `${p.id}-m-bio`,
        status: 'active',
        medicationCodeableConcept: concept(OTHER_DRUGS.adalimumab),
        subject: { reference: `Patient/${p.id}` },
        effectivePeriod: { start: at, end: fromDayNumber(startDay + 84) },
        dosage: [{ text: '40 mg every other week' }],
      });
      break;
    }
    default:
      break;
  }
  if (p.pregnancyEnded !== undefined) {
    push(positiveResult(p, 'hcg-ended', PREGNANCY_TEST, p.pregnancyEnded.testDate));
    push({
      resourceType: 'Procedure',
      id: `${p.id}-pr-delivery`,
      status: 'completed',
      code: concept(DELIVERY),
      subject: { reference: `Patient/${p.id}` },
      performedDateTime: p.pregnancyEnded.deliveryDate,
    });
  }
  if (p.igra !== undefined) push(screenObservation(p, 'igra', SCREEN_CODES.igra, p.igra));
  if (p.tbTreatment !== undefined) {
    push({
      resourceType: 'MedicationStatement',
      id: `${p.id}-m-ltbi`,
      status: 'completed',
      medicationCodeableConcept: concept(SCREEN_CODES.tbTreatment),
      subject: { reference: `Patient/${p.id}` },
      effectivePeriod: { start: p.tbTreatment.start, end: p.tbTreatment.end },
      dosage: [{ text: '300 mg once daily' }],
    });
  }
  if (p.hbsag !== undefined) push(screenObservation(p, 'hbsag-screen', SCREEN_CODES.hbsag, p.hbsag));
  if (p.antiHbc !== undefined) push(screenObservation(p, 'antihbc', SCREEN_CODES.antiHbc, p.antiHbc));
  p.labs.forEach((l, i) => push(labObservation(p, `lab${i}`, l)));
  if (p.crp !== undefined) push(crpObservation(p, 'crp', p.crp, 'final'));
  if (p.crpEnteredInError !== undefined) push(crpObservation(p, 'crpx', p.crpEnteredInError, 'entered-in-error'));
  if (p.staleNaproxenDate !== undefined) {
    push({
      resourceType: 'MedicationRequest',
      id: `${p.id}-m-nsaid`,
      status: 'active',
      intent: 'order',
      medicationCodeableConcept: concept(OTHER_DRUGS.naproxen),
      subject: { reference: `Patient/${p.id}` },
      authoredOn: p.staleNaproxenDate,
      dosageInstruction: [{ text: '500 mg twice daily as needed' }],
    });
  }
  out.push(...unrelated(p));
  return out;
}

/** The patient's own Bundle (what `trd assess` reads). */
export function patientBundle(
  p: SynthPatient,
  asOf: string,
): { resourceType: 'Bundle'; type: 'collection'; entry: { resource: Resource }[] } {
  return {
    resourceType: 'Bundle',
    type: 'collection',
    entry: patientResources(p, asOf).map((resource) => ({ resource })),
  };
}
