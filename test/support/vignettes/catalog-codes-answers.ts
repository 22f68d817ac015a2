/**
 * Code sets and coded answers (care pathway 1.1): answers coded with LOINC answer codes and no ordinal
 * value (definition 7a), ICD-10-CM self-harm codes (7a), pregnancy and hepatitis codes (6), SNOMED CT bipolar and
 * schizophrenia codes (0), breastfeeding-status answers given as text (6) and a MedicationRequest without an intent
 * (2). Each vignette is the refer-to-trial base patient with one change; the expectation comes from the definition it
 * cites, not from running the engine.
 */
import type { MedicationRequest, Observation, QuestionnaireResponse } from '@medplum/fhirtypes';
import { code, SYSTEM } from '../bundle-builder.ts';
import type { BundleBuilder } from '../bundle-builder.ts';
import { AS_OF, basePatient, daysBefore, expected } from './base.ts';
import type { BaseOptions } from './base.ts';
import type { Vignette } from './types.ts';

const PHQ9 = 'http://loinc.org/q/44249-1';
const PHQ9_ITEM9 = code('loinc', '44260-8', 'Thoughts that you would be better off dead, or of hurting yourself');

function base(id: string, options: BaseOptions = {}): BundleBuilder {
  return basePatient(id, options);
}

/** A PHQ-9 QuestionnaireResponse whose item 9 answer is a bare coding (no ordinalValue extension). */
function phq9Item9Coded(id: string, answerCode: string, authored: string): QuestionnaireResponse {
  return {
    resourceType: 'QuestionnaireResponse',
    id,
    questionnaire: PHQ9,
    status: 'completed',
    subject: { reference: 'Patient/patient' },
    authored,
    item: [{ linkId: '/44260-8', answer: [{ valueCoding: { system: SYSTEM.loinc, code: answerCode } }] }],
  };
}

/** A PHQ-9 item 9 Observation answered with a LOINC answer code (valueCodeableConcept). */
function phq9Item9Observation(id: string, answerCode: string, date: string): Observation {
  return {
    resourceType: 'Observation',
    id,
    status: 'final',
    code: { coding: [PHQ9_ITEM9] },
    subject: { reference: 'Patient/patient' },
    effectiveDateTime: date,
    valueCodeableConcept: { coding: [{ system: SYSTEM.loinc, code: answerCode }] },
  };
}

const contraindicated = (...codes: string[]) =>
  expected({ recommendation: 'contraindicated', contraindications: codes });

/** A breastfeeding-status Observation (LOINC 63895-7) answered as text: a valueString, or a concept with text only. */
function breastfeedingText(id: string, text: string, as: 'string' | 'concept', date: string): Observation {
  const observation: Observation = {
    resourceType: 'Observation',
    id,
    status: 'final',
    code: { coding: [code('loinc', '63895-7', 'Breastfeeding status')] },
    subject: { reference: 'Patient/patient' },
    effectiveDateTime: date,
  };
  if (as === 'string') observation.valueString = text;
  else observation.valueCodeableConcept = { text };
  return observation;
}

/** Escitalopram 20 mg once daily for 90 days, authored on `authoredOn`, as a MedicationRequest with the given intent. */
function escitalopramRequest(authoredOn: string, intent?: MedicationRequest['intent']): MedicationRequest {
  const request: Omit<MedicationRequest, 'intent'> & { intent?: MedicationRequest['intent'] } = {
    resourceType: 'MedicationRequest',
    id: 'escitalopram-request',
    status: 'completed',
    ...(intent !== undefined && { intent }),
    subject: { reference: 'Patient/patient' },
    medicationCodeableConcept: { coding: [code('rxnorm', '321988', 'escitalopram')] },
    authoredOn,
    dosageInstruction: [
      {
        timing: { repeat: { frequency: 1, period: 1, periodUnit: 'd' } },
        doseAndRate: [{ doseQuantity: { value: 20, unit: 'mg', system: SYSTEM.ucum, code: 'mg' } }],
      },
    ],
    dispenseRequest: { expectedSupplyDuration: { value: 90, unit: 'days', system: SYSTEM.ucum, code: 'd' } },
  };
  // A request without intent is invalid R4, which is what the vignette tests.
  return request as MedicationRequest;
}

/** A vignette with the definition its expectation tests (`Expected.cite`), written next to the test sentence. */
type Cited = Vignette & { readonly cites: string };

const CITED: readonly Cited[] = [
  // Definition 7a: PHQ-9 item 9 answered with a LOINC answer code (LL358-3) and no ordinal value.
  {
    id: 'phq9-item9-loinc-answer-qr',
    asOf: AS_OF,
    cites: 'definition 7a (safety alert): the most recent PHQ-9 item 9 within 90 days is 1 or more',
    tests:
      'PHQ-9 QuestionnaireResponse 7 days before, item 9 answered LA6571-9 "Nearly every day" (= 3) with no ordinal value -> suicide-risk alert; refer-to-trial.',
    build: () =>
      base('phq9-item9-loinc-answer-qr')
        .raw(phq9Item9Coded('phq9', 'LA6571-9', daysBefore(7)))
        .build(),
    expected: expected({ safetyAlerts: ['suicide-risk'] }),
  },
  {
    id: 'phq9-item9-loinc-answer-observation-1',
    asOf: AS_OF,
    cites: 'definition 7a (safety alert): PHQ-9 item 9 of 1 or more (the boundary, "Several days" = 1)',
    tests:
      'PHQ-9 item 9 Observation 7 days before valued LA6569-3 "Several days" (= 1) -> suicide-risk alert; refer-to-trial.',
    build: () =>
      base('phq9-item9-loinc-answer-observation-1')
        .raw(phq9Item9Observation('phq9-item9', 'LA6569-3', daysBefore(7)))
        .build(),
    expected: expected({ safetyAlerts: ['suicide-risk'] }),
  },
  {
    id: 'phq9-item9-loinc-answer-0-control',
    asOf: AS_OF,
    cites: 'definition 7a (safety alert): PHQ-9 item 9 of 0 is no suicide-risk signal',
    tests:
      'Negative control: PHQ-9 item 9 Observation 7 days before valued LA6568-5 "Not at all" (= 0) -> no alert; refer-to-trial.',
    build: () =>
      base('phq9-item9-loinc-answer-0-control')
        .raw(phq9Item9Observation('phq9-item9', 'LA6568-5', daysBefore(7)))
        .build(),
    expected: expected({ safetyAlerts: [] }),
  },
  {
    id: 'phq9-item9-unknown-answer-code',
    asOf: AS_OF,
    cites:
      'definition 7a (safety alert) and docs/care-pathway.md 7a: an item 9 answer with no known score is not read as 0; as the newest answer it may be 1 or more, so the alert asks for the risk to be assessed',
    tests:
      'PHQ-9 item 9 answered with a code outside the answer list (LA9999-9) and no ordinal -> suicide-risk alert (assess the risk directly), issue pathway.scale.unreadable; refer-to-trial.',
    build: () =>
      base('phq9-item9-unknown-answer-code')
        .raw(phq9Item9Coded('phq9', 'LA9999-9', daysBefore(7)))
        .build(),
    expected: expected({ safetyAlerts: ['suicide-risk'], issuesInclude: ['pathway.scale.unreadable'] }),
  },
  {
    id: 'phq9-item9-unknown-after-positive',
    asOf: AS_OF,
    cites:
      'definition 7a (safety alert) and docs/care-pathway.md 7a: an unreadable newer answer never undoes an older item 9 of 1 or more',
    tests:
      'PHQ-9 item 9 = 2 30 days before, then an unreadable item 9 answer 7 days before -> suicide-risk alert stands, issue pathway.scale.unreadable; refer-to-trial.',
    build: () =>
      base('phq9-item9-unknown-after-positive')
        .questionnaireResponse({
          id: 'phq9-old',
          questionnaire: PHQ9,
          authored: daysBefore(30),
          answers: { '44260-8': 2 },
        })
        .raw(phq9Item9Coded('phq9-new', 'LA9999-9', daysBefore(7)))
        .build(),
    expected: expected({ safetyAlerts: ['suicide-risk'], issuesInclude: ['pathway.scale.unreadable'] }),
  },
  // Definition 7a: self-harm or a suicide attempt in the last 180 days, coded in ICD-10-CM.
  {
    id: 'self-harm-icd10cm-ssri-overdose',
    asOf: AS_OF,
    cites: 'definition 7a (safety alert): self-harm or a suicide attempt recorded in the last 180 days',
    tests:
      'ICD-10-CM T43.222A (SSRI poisoning, intentional self-harm) with onset 30 days before -> suicide-risk alert; refer-to-trial.',
    build: () =>
      base('self-harm-icd10cm-ssri-overdose')
        .condition({
          id: 'overdose',
          code: code(
            'icd10cm',
            'T43.222A',
            'Poisoning by selective serotonin reuptake inhibitors, intentional self-harm, initial encounter',
          ),
          clinicalStatus: 'resolved',
          onset: daysBefore(30),
        })
        .build(),
    expected: expected({ safetyAlerts: ['suicide-risk'] }),
  },
  {
    id: 'self-harm-icd10cm-ssri-accidental-control',
    asOf: AS_OF,
    cites: 'definition 7a (safety alert): a poisoning coded as accidental is not self-harm',
    tests:
      'Negative control: ICD-10-CM T43.221A (SSRI poisoning, accidental) with onset 30 days before -> no alert; refer-to-trial.',
    build: () =>
      base('self-harm-icd10cm-ssri-accidental-control')
        .condition({
          id: 'overdose',
          code: code(
            'icd10cm',
            'T43.221A',
            'Poisoning by selective serotonin reuptake inhibitors, accidental, initial encounter',
          ),
          clinicalStatus: 'resolved',
          onset: daysBefore(30),
        })
        .build(),
    expected: expected({ safetyAlerts: [] }),
  },
  {
    id: 'self-harm-icd10cm-paracetamol-overdose',
    asOf: AS_OF,
    cites: 'definition 7a (safety alert): self-harm or a suicide attempt recorded in the last 180 days',
    tests:
      'ICD-10-CM T39.1X2A (paracetamol poisoning, intentional self-harm) with onset 100 days before -> suicide-risk alert; refer-to-trial.',
    build: () =>
      base('self-harm-icd10cm-paracetamol-overdose')
        .condition({
          id: 'overdose',
          code: code(
            'icd10cm',
            'T39.1X2A',
            'Poisoning by 4-Aminophenol derivatives, intentional self-harm, initial encounter',
          ),
          clinicalStatus: 'resolved',
          onset: daysBefore(100),
        })
        .build(),
    expected: expected({ safetyAlerts: ['suicide-risk'] }),
  },
  {
    id: 'self-harm-icd10cm-nonsuicidal',
    asOf: AS_OF,
    cites: 'definition 7a (safety alert): self-harm recorded in the last 180 days',
    tests: 'ICD-10-CM R45.88 (nonsuicidal self-harm) with onset 60 days before -> suicide-risk alert; refer-to-trial.',
    build: () =>
      base('self-harm-icd10cm-nonsuicidal')
        .condition({
          id: 'self-harm',
          code: code('icd10cm', 'R45.88', 'Nonsuicidal self-harm'),
          clinicalStatus: 'active',
          onset: daysBefore(60),
        })
        .build(),
    expected: expected({ safetyAlerts: ['suicide-risk'] }),
  },
  // Definition 6, pregnancy: an active pregnancy Condition in ICD-10-CM and SNOMED CT.
  {
    id: 'pregnancy-icd10cm-mental-disorder-first-trimester',
    asOf: AS_OF,
    cites: 'definition 6 (pregnancy): an active pregnancy Condition',
    tests:
      'Active ICD-10-CM O99.341 (mental disorder complicating pregnancy, first trimester) -> contraindicated: pregnancy.',
    build: () =>
      base('pregnancy-icd10cm-mental-disorder-first-trimester')
        .condition({
          id: 'pregnancy',
          code: code('icd10cm', 'O99.341', 'Other mental disorders complicating pregnancy, first trimester'),
          clinicalStatus: 'active',
          onset: daysBefore(40),
        })
        .build(),
    expected: contraindicated('pregnancy'),
  },
  {
    id: 'pregnancy-icd10cm-puerperium-control',
    asOf: AS_OF,
    cites: 'definition 6 (pregnancy): a puerperium code is not a pregnancy Condition',
    tests:
      'Negative control: active ICD-10-CM O99.345 (mental disorder complicating the puerperium) -> not pregnancy -> refer-to-trial.',
    build: () =>
      base('pregnancy-icd10cm-puerperium-control')
        .condition({
          id: 'pregnancy',
          code: code('icd10cm', 'O99.345', 'Other mental disorders complicating the puerperium'),
          clinicalStatus: 'active',
          onset: daysBefore(40),
        })
        .build(),
    expected: expected({ contraindications: [] }),
  },
  {
    id: 'pregnancy-icd10cm-weeks-of-gestation',
    asOf: AS_OF,
    cites: 'definition 6 (pregnancy): an active pregnancy Condition',
    tests: 'Active ICD-10-CM Z3A.12 (12 weeks gestation) -> contraindicated: pregnancy.',
    build: () =>
      base('pregnancy-icd10cm-weeks-of-gestation')
        .condition({
          id: 'pregnancy',
          code: code('icd10cm', 'Z3A.12', '12 weeks gestation of pregnancy'),
          clinicalStatus: 'active',
          onset: daysBefore(40),
        })
        .build(),
    expected: contraindicated('pregnancy'),
  },
  {
    id: 'pregnancy-icd10cm-gestational-diabetes',
    asOf: AS_OF,
    cites: 'definition 6 (pregnancy): an active pregnancy Condition',
    tests: 'Active ICD-10-CM O24.410 (gestational diabetes in pregnancy) -> contraindicated: pregnancy.',
    build: () =>
      base('pregnancy-icd10cm-gestational-diabetes')
        .condition({
          id: 'pregnancy',
          code: code('icd10cm', 'O24.410', 'Gestational diabetes mellitus in pregnancy, diet controlled'),
          clinicalStatus: 'active',
          onset: daysBefore(40),
        })
        .build(),
    expected: contraindicated('pregnancy'),
  },
  {
    id: 'pregnancy-snomed-high-risk',
    asOf: AS_OF,
    cites: 'definition 6 (pregnancy): an active pregnancy Condition',
    tests: 'Active SNOMED CT 47200007 (high risk pregnancy) -> contraindicated: pregnancy.',
    build: () =>
      base('pregnancy-snomed-high-risk')
        .condition({
          id: 'pregnancy',
          code: code('snomed', '47200007', 'High risk pregnancy'),
          clinicalStatus: 'active',
          onset: daysBefore(40),
        })
        .build(),
    expected: contraindicated('pregnancy'),
  },
  // Definition 6: viral hepatitis B and C are hepatitis; the other viral hepatitides are active infections.
  {
    id: 'hepatitis-icd10cm-unspecified-hepatitis-b',
    asOf: AS_OF,
    cites: 'definition 6 (hepatitis): active chronic hepatitis B or C; unspecified hepatitis B is hepatitis B',
    tests:
      'Active ICD-10-CM B19.10 (unspecified viral hepatitis B), onset 400 days before -> contraindicated: hepatitis only.',
    build: () =>
      base('hepatitis-icd10cm-unspecified-hepatitis-b')
        .condition({
          id: 'hepatitis',
          code: code('icd10cm', 'B19.10', 'Unspecified viral hepatitis B without hepatic coma'),
          clinicalStatus: 'active',
          onset: daysBefore(400),
        })
        .build(),
    expected: contraindicated('hepatitis'),
  },
  {
    id: 'hepatitis-icd10cm-hbv-carrier',
    asOf: AS_OF,
    cites: 'definition 6 (hepatitis): HBsAg positive; a hepatitis B carrier is HBsAg positive',
    tests: 'Active ICD-10-CM Z22.51 (carrier of viral hepatitis B) -> contraindicated: hepatitis.',
    build: () =>
      base('hepatitis-icd10cm-hbv-carrier')
        .condition({
          id: 'hepatitis',
          code: code('icd10cm', 'Z22.51', 'Carrier of viral hepatitis B'),
          clinicalStatus: 'active',
          onset: daysBefore(400),
        })
        .build(),
    expected: contraindicated('hepatitis'),
  },
  {
    id: 'hepatitis-icd10-chronic-hepatitis-c',
    asOf: AS_OF,
    cites: 'definition 6 (hepatitis): active chronic hepatitis C',
    tests: 'Active ICD-10 B18.2 (chronic viral hepatitis C) -> contraindicated: hepatitis only, not active-infection.',
    build: () =>
      base('hepatitis-icd10-chronic-hepatitis-c')
        .condition({
          id: 'hepatitis',
          code: code('icd10', 'B18.2', 'Chronic viral hepatitis C'),
          clinicalStatus: 'active',
          onset: daysBefore(400),
        })
        .build(),
    expected: contraindicated('hepatitis'),
  },
  {
    id: 'infection-icd10-acute-hepatitis-a',
    asOf: AS_OF,
    cites: 'definition 6 (active-infection): the infectious chapter A00-B99; hepatitis A is not hepatitis B or C',
    tests:
      'Active ICD-10 B15.9 (acute hepatitis A), onset 5 days before -> contraindicated: active-infection, not hepatitis.',
    build: () =>
      base('infection-icd10-acute-hepatitis-a')
        .condition({
          id: 'hepatitis',
          code: code('icd10', 'B15.9', 'Hepatitis A without hepatic coma'),
          clinicalStatus: 'active',
          onset: daysBefore(5),
        })
        .build(),
    expected: contraindicated('active-infection'),
  },
  {
    id: 'infection-icd10-unspecified-viral-hepatitis',
    asOf: AS_OF,
    cites:
      'definition 6 (active-infection): the infectious chapter A00-B99; unspecified viral hepatitis is not known to be B or C',
    tests:
      'Active ICD-10 B19.9 (unspecified viral hepatitis), onset 5 days before -> contraindicated: active-infection, not hepatitis.',
    build: () =>
      base('infection-icd10-unspecified-viral-hepatitis')
        .condition({
          id: 'hepatitis',
          code: code('icd10', 'B19.9', 'Unspecified viral hepatitis without hepatic coma'),
          clinicalStatus: 'active',
          onset: daysBefore(5),
        })
        .build(),
    expected: contraindicated('active-infection'),
  },
  // Definition 0: SNOMED CT bipolar and schizophrenia-spectrum codes put the patient out of scope.
  {
    id: 'scope-bipolar-snomed-current-episode-depression',
    asOf: AS_OF,
    cites: 'definition 0 (scope): a bipolar disorder Condition at any time (SNOMED CT bipolar disorder codes)',
    tests:
      'SNOMED CT 191627008 (bipolar affective disorder, current episode depression) beside the active F33.1 -> out-of-scope: bipolar.',
    build: () =>
      base('scope-bipolar-snomed-current-episode-depression')
        .condition({
          id: 'bipolar',
          code: code('snomed', '191627008', 'Bipolar affective disorder, current episode depression'),
          clinicalStatus: 'active',
          onset: '2023-04-01',
        })
        .build(),
    expected: expected({ recommendation: 'out-of-scope', scope: 'bipolar' }),
  },
  {
    id: 'scope-bipolar-snomed-refuted-control',
    asOf: AS_OF,
    cites: 'definition 0 (scope): a refuted bipolar disorder Condition does not count',
    tests:
      'Negative control: SNOMED CT 767631007 (bipolar disorder, most recent episode depression) with verificationStatus refuted -> in scope -> refer-to-trial.',
    build: () =>
      base('scope-bipolar-snomed-refuted-control')
        .condition({
          id: 'bipolar',
          code: code('snomed', '767631007', 'Bipolar disorder, most recent episode depression'),
          clinicalStatus: 'inactive',
          verificationStatus: 'refuted',
          onset: '2023-04-01',
        })
        .build(),
    expected: expected({ scope: 'in-scope' }),
  },
  {
    id: 'scope-paranoid-schizophrenia-snomed',
    asOf: AS_OF,
    cites: 'definition 0 (scope): a schizophrenia-spectrum disorder at any time (SNOMED CT equivalents of F20-F29)',
    tests:
      'SNOMED CT 64905009 (paranoid schizophrenia), resolved, beside the active F33.1 -> out-of-scope: psychotic-disorder.',
    build: () =>
      base('scope-paranoid-schizophrenia-snomed')
        .condition({
          id: 'schizophrenia',
          code: code('snomed', '64905009', 'Paranoid schizophrenia'),
          clinicalStatus: 'resolved',
          onset: '2015-06-01',
        })
        .build(),
    expected: expected({ recommendation: 'out-of-scope', scope: 'psychotic-disorder' }),
  },
  // Definition 6, pregnancy: the breastfeeding-status observation answered as text.
  {
    id: 'breastfeeding-valuestring-yes',
    asOf: AS_OF,
    cites:
      'definition 6 (pregnancy): a breastfeeding-status Observation (LOINC 63895-7) answered yes in the last 90 days',
    tests: 'Breastfeeding status valueString "Yes" 10 days before -> contraindicated: pregnancy.',
    build: () =>
      base('breastfeeding-valuestring-yes')
        .raw(breastfeedingText('breastfeeding', 'Yes', 'string', daysBefore(10)))
        .build(),
    expected: contraindicated('pregnancy'),
  },
  {
    id: 'breastfeeding-text-only-concept-yes',
    asOf: AS_OF,
    cites: 'definition 6 (pregnancy): a breastfeeding-status Observation answered yes in the last 90 days',
    tests:
      'Breastfeeding status as a concept with text only, "Yes - exclusively", 10 days before -> contraindicated: pregnancy.',
    build: () =>
      base('breastfeeding-text-only-concept-yes')
        .raw(breastfeedingText('breastfeeding', 'Yes - exclusively', 'concept', daysBefore(10)))
        .build(),
    expected: contraindicated('pregnancy'),
  },
  {
    id: 'breastfeeding-valuestring-no-control',
    asOf: AS_OF,
    cites: 'definition 6 (pregnancy): a breastfeeding-status answer of no is not breastfeeding',
    tests: 'Negative control: breastfeeding status valueString "No" 10 days before -> refer-to-trial.',
    build: () =>
      base('breastfeeding-valuestring-no-control')
        .raw(breastfeedingText('breastfeeding', 'No', 'string', daysBefore(10)))
        .build(),
    expected: expected({ contraindications: [] }),
  },
  {
    id: 'breastfeeding-unreadable-text',
    asOf: AS_OF,
    cites:
      'definition 6 (pregnancy) and docs/care-pathway.md: an answer that reads as neither yes nor no is not read as "not breastfeeding" in silence',
    tests:
      'Breastfeeding status valueString "occasionally" 10 days before -> no contraindication from it, issue pathway.breastfeeding.unreadable; refer-to-trial.',
    build: () =>
      base('breastfeeding-unreadable-text')
        .raw(breastfeedingText('breastfeeding', 'occasionally', 'string', daysBefore(10)))
        .build(),
    expected: expected({ issuesInclude: ['pathway.breastfeeding.unreadable'] }),
  },
  // Definition 2: a MedicationRequest counts only with an order intent.
  {
    id: 'request-without-intent',
    asOf: AS_OF,
    cites:
      'definition 2 (exposure): a MedicationRequest counts with intent order, original-order, reflex-order, filler-order or instance-order',
    tests:
      'Escitalopram 20 mg daily for 90 days as a completed MedicationRequest with no intent (instead of the statement) -> not an exposure, 1 adequate trial -> not-trd.',
    build: () =>
      base('request-without-intent', { omit: ['escitalopram'] })
        .raw(escitalopramRequest('2025-05-05'))
        .build(),
    expected: expected({ recommendation: 'not-trd', adequateTrials: 1, issuesInclude: ['fhir.element.malformed'] }),
  },
  {
    id: 'request-intent-order-control',
    asOf: AS_OF,
    cites: 'definition 2 (exposure): a completed MedicationRequest with intent order is an exposure',
    tests:
      'Control: the same escitalopram request with intent order -> 90 days at 20 mg, 2 adequate trials -> refer-to-trial.',
    build: () =>
      base('request-intent-order-control', { omit: ['escitalopram'] })
        .raw(escitalopramRequest('2025-05-05', 'order'))
        .build(),
    expected: expected(),
  },
];

export const CODES_ANSWERS_VIGNETTES: readonly Vignette[] = CITED.map(({ cites, ...v }) => ({
  ...v,
  expected: { ...v.expected, cite: cites },
}));
