/**
 * Care pathway 1.1, the non-medication changes (docs/care-pathway.md, "Definitions"): scope (definition 0), the
 * remission code (1), CRP during an infection, same-day CRPs and units given as text (5), pregnancy tests, outcomes
 * and breastfeeding, hepatitis serology and the broader infection set (6), the age-unknown and hbv-exposure cautions
 * (7), the suicide-risk alert (7a), the work-up only on the referral track (8) and resources about another patient
 * ("What goes in"). Each vignette is the refer-to-trial base patient with one change, usually in a boundary pair.
 */
import type { Quantity } from '@medplum/fhirtypes';
import { code, ucum } from '../bundle-builder.ts';
import type { BundleBuilder, ConditionSpec, ObservationSpec } from '../bundle-builder.ts';
import { AS_OF, basePatient, CODES, daysBefore, expected, hsCrp, LAB_DATE, LABS } from './base.ts';
import type { BaseOptions } from './base.ts';
import type { Vignette } from './types.ts';

const PHQ9 = 'http://loinc.org/q/44249-1';
const MADRS = 'http://precision-trd.org/fhir/Questionnaire/madrs';
const BDI2 = 'http://precision-trd.org/fhir/Questionnaire/bdi-ii';

const PREGNANCY_TEST = code('loinc', '2106-3', 'Choriogonadotropin (pregnancy test) [Presence] in Urine');
const BREASTFEEDING = code('loinc', '63895-7', 'Breastfeeding status');
const ANTI_HBC = code('loinc', '16933-4', 'Hepatitis B virus core Ab [Presence] in Serum');
const PNEUMONIA = code('snomed', '233604007', 'Pneumonia');

function base(id: string, options: BaseOptions = {}): BundleBuilder {
  return basePatient(id, options);
}

function qualitative(id: string, coding: ObservationSpec['code'], positive: boolean, date: string): ObservationSpec {
  return {
    id,
    code: coding,
    date,
    valueCoding: positive ? CODES.positive : CODES.negative,
    interpretation: positive ? 'POS' : 'NEG',
  };
}

function condition(id: string, spec: ConditionSpec): ConditionSpec {
  return { id, clinicalStatus: 'active', ...spec };
}

/** A resolved pneumonia that abated `abatedDaysBefore` days before the as-of date (the base CRP is 21 days before). */
function resolvedPneumonia(abatedDaysBefore: number): ConditionSpec {
  return {
    id: 'pneumonia',
    code: PNEUMONIA,
    clinicalStatus: 'resolved',
    onset: daysBefore(abatedDaysBefore + 10),
    abatement: daysBefore(abatedDaysBefore),
  };
}

/** A quantity with a unit given only as text (no UCUM system or code). */
function textUnit(value: number, unit: string): Quantity {
  return { value, unit };
}

const contraindicated = (...codes: string[]) =>
  expected({ recommendation: 'contraindicated', contraindications: codes });

/** A vignette with the definition its expectation tests (`Expected.cite`), written next to the test sentence. */
type Cited = Vignette & { readonly cites: string };

const CITED: readonly Cited[] = [
  // Definition 0: scope.
  {
    id: 'scope-minor-day-before-18th-birthday',
    asOf: AS_OF,
    cites: 'definition 0 (scope): minor, age under 18 at the as-of date',
    tests: 'Born 2008-11-28, assessed 2026-11-27 (17 years, the day before the 18th birthday) -> out-of-scope: minor.',
    build: () => base('scope-minor-day-before-18th-birthday', { birthDate: '2008-11-28' }).build(),
    expected: expected({ recommendation: 'out-of-scope', scope: 'minor' }),
  },
  {
    id: 'scope-adult-on-18th-birthday',
    asOf: AS_OF,
    cites: 'definition 0 (scope): the 18th birthday on the as-of date is an adult',
    tests: 'Born 2008-11-27, assessed on the 18th birthday -> in scope -> refer-to-trial.',
    build: () => base('scope-adult-on-18th-birthday', { birthDate: '2008-11-27' }).build(),
    expected: expected({ scope: 'in-scope' }),
  },
  {
    id: 'scope-age-unknown',
    asOf: AS_OF,
    cites: 'definition 0 (scope) and 7 (cautions): an unknown birth date is the caution age-unknown, not out of scope',
    tests: 'No birth date recorded -> in scope, caution age-unknown -> refer-to-trial.',
    build: () => base('scope-age-unknown', { birthDate: null }).build(),
    expected: expected({ scope: 'in-scope', cautions: ['age-unknown'] }),
  },
  {
    id: 'scope-deceased-before-as-of',
    asOf: AS_OF,
    cites: 'definition 0 (scope): deceasedDateTime on or before the as-of date',
    tests: 'deceasedDateTime 2026-11-01, before the as-of date -> out-of-scope: deceased.',
    build: () => base('scope-deceased-before-as-of', { deceasedDateTime: '2026-11-01' }).build(),
    expected: expected({ recommendation: 'out-of-scope', scope: 'deceased' }),
  },
  {
    id: 'scope-deceased-after-as-of-control',
    asOf: AS_OF,
    cites: 'definition 0 (scope): a death dated after the as-of date had not happened on it',
    tests: 'Negative control: deceasedDateTime 2026-12-15, after the as-of date -> in scope -> refer-to-trial.',
    build: () => base('scope-deceased-after-as-of-control', { deceasedDateTime: '2026-12-15' }).build(),
    expected: expected({ scope: 'in-scope' }),
  },
  {
    id: 'scope-deceased-boolean',
    asOf: AS_OF,
    cites: 'definition 0 (scope): deceasedBoolean true',
    tests: 'deceasedBoolean true -> out-of-scope: deceased.',
    build: () => base('scope-deceased-boolean', { deceasedBoolean: true }).build(),
    expected: expected({ recommendation: 'out-of-scope', scope: 'deceased' }),
  },
  {
    id: 'scope-bipolar-beside-f33',
    asOf: AS_OF,
    cites: 'definition 0 (scope): bipolar disorder at any time, even beside a recurrent depressive disorder',
    tests: 'Bipolar affective disorder (ICD-10 F31.3, resolved) beside the active F33.1 -> out-of-scope: bipolar.',
    build: () =>
      base('scope-bipolar-beside-f33')
        .condition(
          condition('bipolar', {
            code: code('icd10', 'F31.3', 'Bipolar affective disorder, current episode mild or moderate depression'),
            clinicalStatus: 'resolved',
            onset: '2019-03-01',
            abatement: '2019-09-01',
          }),
        )
        .build(),
    expected: expected({ recommendation: 'out-of-scope', scope: 'bipolar' }),
  },
  {
    id: 'scope-bipolar-snomed',
    asOf: AS_OF,
    cites: 'definition 0 (scope): SNOMED CT bipolar disorder',
    tests: 'Bipolar disorder coded in SNOMED CT (13746004) beside F33.1 -> out-of-scope: bipolar.',
    build: () =>
      base('scope-bipolar-snomed')
        .condition(condition('bipolar', { code: code('snomed', '13746004', 'Bipolar disorder'), onset: '2021-05-01' }))
        .build(),
    expected: expected({ recommendation: 'out-of-scope', scope: 'bipolar' }),
  },
  {
    id: 'scope-bipolar-refuted-control',
    asOf: AS_OF,
    cites: 'definition 0 (scope): a refuted bipolar diagnosis does not count',
    tests: 'Negative control: F31.3 with verificationStatus refuted -> in scope -> refer-to-trial.',
    build: () =>
      base('scope-bipolar-refuted-control')
        .condition(
          condition('bipolar', {
            code: code('icd10', 'F31.3', 'Bipolar affective disorder, current episode mild or moderate depression'),
            verificationStatus: 'refuted',
            onset: '2021-05-01',
          }),
        )
        .build(),
    expected: expected({ scope: 'in-scope' }),
  },
  {
    id: 'scope-schizoaffective',
    asOf: AS_OF,
    cites: 'definition 0 (scope): schizophrenia-spectrum disorder F20-F29',
    tests: 'Schizoaffective disorder (ICD-10 F25.1) beside F33.1 -> out-of-scope: psychotic-disorder.',
    build: () =>
      base('scope-schizoaffective')
        .condition(
          condition('schizoaffective', {
            code: code('icd10', 'F25.1', 'Schizoaffective disorder, depressive type'),
            onset: '2018-02-01',
          }),
        )
        .build(),
    expected: expected({ recommendation: 'out-of-scope', scope: 'psychotic-disorder' }),
  },
  {
    id: 'scope-psychotic-depression-in-scope',
    asOf: AS_OF,
    cites: 'definition 0 (scope) and 1: depression with psychotic features (F33.3) stays in scope',
    tests: 'Recurrent depressive disorder, current episode severe with psychotic symptoms (F33.3) -> in scope.',
    build: () =>
      base('scope-psychotic-depression-in-scope', { omit: ['depression'] })
        .condition(
          condition('depression', {
            code: code(
              'icd10',
              'F33.3',
              'Recurrent depressive disorder, current episode severe with psychotic symptoms',
            ),
            onset: '2024-09-02',
          }),
        )
        .build(),
    expected: expected({ scope: 'in-scope' }),
  },
  {
    id: 'scope-remission-after-episode',
    asOf: AS_OF,
    cites: 'definition 1: a remission Condition recorded after the latest active episode ends it',
    tests:
      'F33.4 (in remission) with onset 2026-06-01, after the F33.1 onset 2024-09-02 -> out-of-scope: no-depression.',
    build: () =>
      base('scope-remission-after-episode')
        .condition(
          condition('remission', {
            code: code('icd10', 'F33.4', 'Recurrent depressive disorder, currently in remission'),
            onset: '2026-06-01',
          }),
        )
        .build(),
    expected: expected({ recommendation: 'out-of-scope', scope: 'no-depression' }),
  },
  {
    id: 'scope-remission-before-episode-control',
    asOf: AS_OF,
    cites: 'definition 1: a remission recorded before the latest active episode does not end it',
    tests: 'Negative control: F33.4 with onset 2023-01-10, before the F33.1 onset -> in scope -> refer-to-trial.',
    build: () =>
      base('scope-remission-before-episode-control')
        .condition(
          condition('remission', {
            code: code('icd10', 'F33.4', 'Recurrent depressive disorder, currently in remission'),
            clinicalStatus: 'resolved',
            onset: '2023-01-10',
            abatement: '2024-03-01',
          }),
        )
        .build(),
    expected: expected({ scope: 'in-scope' }),
  },

  // Definition 6: pregnancy.
  {
    id: 'pregnancy-test-279-days',
    asOf: AS_OF,
    cites: 'definition 6 (pregnancy): a positive test within 280 days [U]',
    tests: 'Positive urine hCG 279 days before the as-of date, nothing after it -> pregnancy -> contraindicated.',
    build: () =>
      base('pregnancy-test-279-days')
        .observation(qualitative('hcg', PREGNANCY_TEST, true, daysBefore(279)))
        .build(),
    expected: contraindicated('pregnancy'),
  },
  {
    id: 'pregnancy-test-281-days-control',
    asOf: AS_OF,
    cites: 'definition 6 (pregnancy): a positive test older than 280 days [U] is not a current pregnancy (reported)',
    tests: 'Negative control: positive hCG 281 days before -> not a contraindication, issue stale -> refer-to-trial.',
    build: () =>
      base('pregnancy-test-281-days-control')
        .observation(qualitative('hcg', PREGNANCY_TEST, true, daysBefore(281)))
        .build(),
    expected: expected({ issuesInclude: ['pathway.pregnancy-test.stale'] }),
  },
  {
    id: 'pregnancy-test-then-negative',
    asOf: AS_OF,
    cites: 'definition 6 (pregnancy): a positive test followed by a negative test does not count',
    tests: 'Positive hCG 100 days before, negative hCG 40 days before -> refer-to-trial.',
    build: () =>
      base('pregnancy-test-then-negative')
        .observation(qualitative('hcg-positive', PREGNANCY_TEST, true, daysBefore(100)))
        .observation(qualitative('hcg-negative', PREGNANCY_TEST, false, daysBefore(40)))
        .build(),
    expected: expected(),
  },
  {
    id: 'pregnancy-test-then-delivery',
    asOf: AS_OF,
    cites: 'definition 6 (pregnancy): a positive test followed by a recorded outcome (delivery) does not count',
    tests: 'Positive hCG 250 days before, single spontaneous delivery (ICD-10 O80) 60 days before -> refer-to-trial.',
    build: () =>
      base('pregnancy-test-then-delivery')
        .observation(qualitative('hcg', PREGNANCY_TEST, true, daysBefore(250)))
        .condition(
          condition('delivery', {
            code: code('icd10', 'O80', 'Single spontaneous delivery'),
            clinicalStatus: 'resolved',
            onset: daysBefore(60),
            abatement: daysBefore(60),
          }),
        )
        .build(),
    expected: expected(),
  },
  {
    id: 'breastfeeding-observation-yes',
    asOf: AS_OF,
    cites: 'definition 6 (pregnancy): breastfeeding status (LOINC 63895-7) "yes" in the last 90 days',
    tests: 'Breastfeeding status answered yes (LA33-6) 30 days before -> pregnancy -> contraindicated.',
    build: () =>
      base('breastfeeding-observation-yes')
        .observation({
          id: 'breastfeeding',
          code: BREASTFEEDING,
          date: daysBefore(30),
          valueCoding: code('loinc', 'LA33-6', 'Yes'),
        })
        .build(),
    expected: contraindicated('pregnancy'),
  },
  {
    id: 'breastfeeding-observation-old-control',
    asOf: AS_OF,
    cites: 'definition 6 (pregnancy): a breastfeeding answer older than 90 days does not count',
    tests: 'Negative control: breastfeeding status yes 120 days before -> refer-to-trial.',
    build: () =>
      base('breastfeeding-observation-old-control')
        .observation({
          id: 'breastfeeding',
          code: BREASTFEEDING,
          date: daysBefore(120),
          valueCoding: code('loinc', 'LA33-6', 'Yes'),
        })
        .build(),
    expected: expected(),
  },

  // Definition 6 and 7: hepatitis.
  {
    id: 'anti-hbc-isolated',
    asOf: AS_OF,
    cites: 'definition 6 (hepatitis) and 7: isolated anti-HBc with HBsAg negative is the caution hbv-exposure',
    tests: 'Anti-HBc positive and HBsAg negative -> caution hbv-exposure, no contraindication -> refer-to-trial.',
    build: () =>
      base('anti-hbc-isolated')
        .observation(qualitative('anti-hbc', ANTI_HBC, true, LAB_DATE))
        .build(),
    expected: expected({ cautions: ['hbv-exposure'] }),
  },
  {
    id: 'anti-hbc-with-hbsag-positive',
    asOf: AS_OF,
    cites: 'definition 6 (hepatitis): HBsAg positive is a contraindication, whatever the anti-HBc',
    tests: 'Anti-HBc positive and HBsAg positive -> hepatitis -> contraindicated (no hbv-exposure caution).',
    build: () =>
      base('anti-hbc-with-hbsag-positive', { omit: ['hbsag'] })
        .observation(LABS.hbsag(true))
        .observation(qualitative('anti-hbc', ANTI_HBC, true, LAB_DATE))
        .build(),
    expected: contraindicated('hepatitis'),
  },
  {
    id: 'hbsag-positive-three-years-ago',
    asOf: AS_OF,
    cites: 'definition 6: serology results do not expire unless a later result of the same test is negative',
    tests: 'HBsAg positive in 2023 and no later HBsAg -> hepatitis -> contraindicated.',
    build: () =>
      base('hbsag-positive-three-years-ago', { omit: ['hbsag'] })
        .observation(LABS.hbsag(true, '2023-10-02'))
        .build(),
    expected: contraindicated('hepatitis'),
  },
  {
    id: 'hbsag-positive-then-negative-control',
    asOf: AS_OF,
    cites: 'definition 6: a later negative result of the same test ends an old positive',
    tests: 'Negative control: HBsAg positive in 2023, negative 21 days before the as-of date -> refer-to-trial.',
    build: () =>
      base('hbsag-positive-then-negative-control')
        .observation({ ...LABS.hbsag(true, '2023-10-02'), id: 'hbsag-2023' })
        .build(),
    expected: expected(),
  },

  // Definition 6: the infection set.
  {
    id: 'infection-generic-a49-9',
    asOf: AS_OF,
    cites: 'definition 6 (active-infection): generic infection code A49.9',
    tests: 'Active bacterial infection, unspecified (ICD-10 A49.9) -> active-infection -> contraindicated.',
    build: () =>
      base('infection-generic-a49-9')
        .condition(
          condition('infection', {
            code: code('icd10', 'A49.9', 'Bacterial infection, unspecified'),
            onset: daysBefore(5),
          }),
        )
        .build(),
    expected: contraindicated('active-infection'),
  },
  {
    id: 'infection-snomed-generic',
    asOf: AS_OF,
    cites: 'definition 6 (active-infection): SNOMED CT 40733004 infectious disease',
    tests: 'Active infectious disease (SNOMED 40733004) -> active-infection -> contraindicated.',
    build: () =>
      base('infection-snomed-generic')
        .condition(
          condition('infection', { code: code('snomed', '40733004', 'Infectious disease'), onset: daysBefore(3) }),
        )
        .build(),
    expected: contraindicated('active-infection'),
  },
  {
    id: 'infection-sequelae-control',
    asOf: AS_OF,
    cites: 'definition 6 (active-infection): sequelae of infectious diseases (B90-B94) are not active infections',
    tests: 'Negative control: sequelae of other infectious diseases (ICD-10 B94.8), active -> refer-to-trial.',
    build: () =>
      base('infection-sequelae-control')
        .condition(
          condition('sequelae', {
            code: code('icd10', 'B94.8', 'Sequelae of other specified infectious and parasitic diseases'),
            onset: '2020-01-01',
          }),
        )
        .build(),
    expected: expected(),
  },

  // Definition 5: CRP during an infection, same-day CRPs, units given as text.
  {
    id: 'crp-10-days-after-infection-resolved',
    asOf: AS_OF,
    cites: 'definition 5: a CRP at or above the cut-off within 14 days [U] after an infection resolved is acute',
    tests: 'hs-CRP 7 mg/L drawn 10 days after a pneumonia abated -> acute -> repeat-crp.',
    build: () => base('crp-10-days-after-infection-resolved').condition(resolvedPneumonia(31)).build(),
    expected: expected({ recommendation: 'repeat-crp', inflammation: 'acute' }),
  },
  {
    id: 'crp-15-days-after-infection-resolved-control',
    asOf: AS_OF,
    cites: 'definition 5: a CRP drawn more than 14 days [U] after the infection resolved is read as usual',
    tests: 'Negative control: hs-CRP 7 mg/L drawn 15 days after a pneumonia abated -> elevated -> refer-to-trial.',
    build: () => base('crp-15-days-after-infection-resolved-control').condition(resolvedPneumonia(36)).build(),
    expected: expected(),
  },
  {
    id: 'same-day-crps-without-times',
    asOf: AS_OF,
    cites: 'definition 5: same-day valid CRPs without distinguishing times in different statuses -> indeterminate',
    tests: 'hs-CRP 2 and 7 mg/L on one date without times (normal vs elevated) -> indeterminate -> repeat-crp.',
    build: () =>
      base('same-day-crps-without-times', { omit: ['crp'] })
        .observation({ ...hsCrp(2), id: 'crp-a' })
        .observation({ ...hsCrp(7), id: 'crp-b' })
        .build(),
    expected: expected({ recommendation: 'repeat-crp', inflammation: 'indeterminate', crpMgPerL: 7 }),
  },
  {
    id: 'same-day-crps-with-times-later-elevated',
    asOf: AS_OF,
    cites: 'definition 5: "most recent" is the latest effective instant',
    tests: 'hs-CRP 2 mg/L at 08:00 (id crp-b) and 7 mg/L at 14:00 (id crp-a) on one date -> 7 elevated -> refer.',
    build: () =>
      base('same-day-crps-with-times-later-elevated', { omit: ['crp'] })
        .observation({ ...hsCrp(2, `${LAB_DATE}T08:00:00Z`), id: 'crp-b' })
        .observation({ ...hsCrp(7, `${LAB_DATE}T14:00:00Z`), id: 'crp-a' })
        .build(),
    expected: expected(),
  },
  {
    id: 'same-day-crps-with-times-later-normal',
    asOf: AS_OF,
    cites: 'definition 5: "most recent" is the latest effective instant, never the resource id',
    tests: 'hs-CRP 7 mg/L at 08:00 (id crp-a) and 2 mg/L at 14:00 (id crp-b) on one date -> 2 normal -> not-inflamed.',
    build: () =>
      base('same-day-crps-with-times-later-normal', { omit: ['crp'] })
        .observation({ ...hsCrp(7, `${LAB_DATE}T08:00:00Z`), id: 'crp-a' })
        .observation({ ...hsCrp(2, `${LAB_DATE}T14:00:00Z`), id: 'crp-b' })
        .build(),
    expected: expected({ recommendation: 'not-inflamed', inflammation: 'normal', crpMgPerL: 2 }),
  },
  {
    id: 'same-day-crps-agree',
    asOf: AS_OF,
    cites: 'definition 5: same-day CRPs in the same status are not a conflict',
    tests: 'hs-CRP 5 and 7 mg/L on one date without times (both elevated; the higher is reported) -> refer-to-trial.',
    build: () =>
      base('same-day-crps-agree', { omit: ['crp'] })
        .observation({ ...hsCrp(5), id: 'crp-a' })
        .observation({ ...hsCrp(7), id: 'crp-b' })
        .build(),
    expected: expected(),
  },
  {
    id: 'crp-unit-text-valid-ucum',
    asOf: AS_OF,
    cites: 'definition 5: a unit given only as text is accepted when it is a valid UCUM expression, and reported',
    tests: 'hs-CRP 0.7 with unit text "mg/dL" and no code -> 7 mg/L elevated -> refer-to-trial, issue text-only.',
    build: () =>
      base('crp-unit-text-valid-ucum', { omit: ['crp'] })
        .observation({ id: 'crp', code: CODES.hsCrp, date: LAB_DATE, quantity: textUnit(0.7, 'mg/dL') })
        .build(),
    expected: expected({ issuesInclude: ['pathway.unit.text-only'] }),
  },
  {
    id: 'crp-unit-text-not-ucum',
    asOf: AS_OF,
    cites: 'definition 5: a unit text that is not UCUM cannot be converted -> unknown',
    tests: 'hs-CRP 7 with unit text "milligrams per litre" and no code -> unknown -> measure-crp.',
    build: () =>
      base('crp-unit-text-not-ucum', { omit: ['crp'] })
        .observation({ id: 'crp', code: CODES.hsCrp, date: LAB_DATE, quantity: textUnit(7, 'milligrams per litre') })
        .build(),
    expected: expected({ recommendation: 'measure-crp', inflammation: 'unknown', crpMgPerL: undefined }),
  },
  {
    id: 'same-day-anc-conflict-worse-value',
    asOf: AS_OF,
    cites:
      'definition 6: same-day lab results without ordering times are read at the worse value (docs/care-pathway.md)',
    tests: 'ANC 3.8 and 1.5 x10^9/L on one date without times -> the lower, 1.5 -> neutropenia -> contraindicated.',
    build: () =>
      base('same-day-anc-conflict-worse-value', { omit: ['anc'] })
        .observation({ ...LABS.anc(3.8), id: 'anc-a' })
        .observation({ ...LABS.anc(1.5), id: 'anc-b' })
        .build(),
    expected: { ...contraindicated('neutropenia'), issuesInclude: ['pathway.lab.same-day'] },
  },

  // Inputs: resources about another patient.
  {
    id: 'other-patient-resource-ignored',
    asOf: AS_OF,
    cites: 'Inputs: a resource whose subject names another patient is never used, and is reported',
    tests: 'An active pneumonia whose subject is Patient/someone-else -> not used (issue) -> refer-to-trial.',
    build: () =>
      base('other-patient-resource-ignored')
        .raw({
          resourceType: 'Condition',
          id: 'other-pneumonia',
          clinicalStatus: {
            coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }],
          },
          code: { coding: [PNEUMONIA] },
          subject: { reference: 'Patient/someone-else' },
          onsetDateTime: daysBefore(5),
        })
        .build(),
    expected: expected({ issuesInclude: ['fhir.resource.other-patient'] }),
  },

  // Definition 7a: the suicide-risk alert.
  {
    id: 'suicide-risk-phq9-item9-1',
    asOf: AS_OF,
    cites: 'definition 7a: PHQ-9 item 9 >= 1 within 90 days -> suicide-risk (decision unchanged)',
    tests: 'PHQ-9 30 days before with item 9 = 1 -> safety alert suicide-risk, still refer-to-trial.',
    build: () =>
      base('suicide-risk-phq9-item9-1')
        .questionnaireResponse({
          questionnaire: PHQ9,
          authored: daysBefore(30),
          answers: { '44254-1': 2, '44260-8': 1 },
        })
        .build(),
    expected: expected({ safetyAlerts: ['suicide-risk'] }),
  },
  {
    id: 'suicide-risk-phq9-item9-0-control',
    asOf: AS_OF,
    cites: 'definition 7a: PHQ-9 item 9 = 0 raises no alert',
    tests: 'Negative control: PHQ-9 30 days before with item 9 = 0 -> no safety alert.',
    build: () =>
      base('suicide-risk-phq9-item9-0-control')
        .questionnaireResponse({
          questionnaire: PHQ9,
          authored: daysBefore(30),
          answers: { '44254-1': 2, '44260-8': 0 },
        })
        .build(),
    expected: expected({ safetyAlerts: [] }),
  },
  {
    id: 'suicide-risk-phq9-later-0-control',
    asOf: AS_OF,
    cites: 'definition 7a: the most recent PHQ-9 decides',
    tests: 'Negative control: PHQ-9 item 9 = 2 60 days before, item 9 = 0 10 days before -> no safety alert.',
    build: () =>
      base('suicide-risk-phq9-later-0-control')
        .questionnaireResponse({
          id: 'phq9-old',
          questionnaire: PHQ9,
          authored: daysBefore(60),
          answers: { '44260-8': 2 },
        })
        .questionnaireResponse({
          id: 'phq9-new',
          questionnaire: PHQ9,
          authored: daysBefore(10),
          answers: { '44260-8': 0 },
        })
        .build(),
    expected: expected({ safetyAlerts: [] }),
  },
  {
    id: 'suicide-risk-madrs-item10-2',
    asOf: AS_OF,
    cites: 'definition 7a: MADRS item 10 >= 2 within 90 days -> suicide-risk',
    tests: 'MADRS 20 days before with item 10 = 2 -> safety alert suicide-risk.',
    build: () =>
      base('suicide-risk-madrs-item10-2')
        .questionnaireResponse({ questionnaire: MADRS, authored: daysBefore(20), answers: { 'madrs-10': 2 } })
        .build(),
    expected: expected({ safetyAlerts: ['suicide-risk'] }),
  },
  {
    id: 'suicide-risk-madrs-item10-1-control',
    asOf: AS_OF,
    cites: 'definition 7a: MADRS item 10 = 1 is below the alert score of 2',
    tests: 'Negative control: MADRS 20 days before with item 10 = 1 -> no safety alert.',
    build: () =>
      base('suicide-risk-madrs-item10-1-control')
        .questionnaireResponse({ questionnaire: MADRS, authored: daysBefore(20), answers: { 'madrs-10': 1 } })
        .build(),
    expected: expected({ safetyAlerts: [] }),
  },
  {
    id: 'suicide-risk-bdi2-item9-1',
    asOf: AS_OF,
    cites: 'definition 7a: BDI-II item 9 >= 1 within 90 days -> suicide-risk',
    tests: 'BDI-II 15 days before with item 9 = 1 -> safety alert suicide-risk.',
    build: () =>
      base('suicide-risk-bdi2-item9-1')
        .questionnaireResponse({ questionnaire: BDI2, authored: daysBefore(15), answers: { 'bdi2-9': 1 } })
        .build(),
    expected: expected({ safetyAlerts: ['suicide-risk'] }),
  },
  {
    id: 'suicide-risk-self-harm-179-days',
    asOf: AS_OF,
    cites: 'definition 7a: self-harm in the last 180 days -> suicide-risk',
    tests: 'Intentional self-harm by sharp object (ICD-10 X78) 179 days before -> safety alert suicide-risk.',
    build: () =>
      base('suicide-risk-self-harm-179-days')
        .condition(
          condition('self-harm', {
            code: code('icd10', 'X78', 'Intentional self-harm by sharp object'),
            clinicalStatus: 'resolved',
            onset: daysBefore(179),
            abatement: daysBefore(170),
          }),
        )
        .build(),
    expected: expected({ safetyAlerts: ['suicide-risk'] }),
  },
  {
    id: 'suicide-risk-self-harm-181-days-control',
    asOf: AS_OF,
    cites: 'definition 7a: self-harm older than 180 days raises no alert',
    tests: 'Negative control: intentional self-harm (X78) 181 days before -> no safety alert.',
    build: () =>
      base('suicide-risk-self-harm-181-days-control')
        .condition(
          condition('self-harm', {
            code: code('icd10', 'X78', 'Intentional self-harm by sharp object'),
            clinicalStatus: 'resolved',
            onset: daysBefore(181),
            abatement: daysBefore(175),
          }),
        )
        .build(),
    expected: expected({ safetyAlerts: [] }),
  },
  {
    id: 'suicide-risk-ideation-condition',
    asOf: AS_OF,
    cites: 'definition 7a: an active suicidal-ideation Condition -> suicide-risk',
    tests: 'Active suicidal ideation (ICD-10-CM R45.851) -> safety alert suicide-risk.',
    build: () =>
      base('suicide-risk-ideation-condition')
        .condition(
          condition('ideation', { code: code('icd10cm', 'R45.851', 'Suicidal ideations'), onset: daysBefore(12) }),
        )
        .build(),
    expected: expected({ safetyAlerts: ['suicide-risk'] }),
  },
  {
    id: 'suicide-risk-on-not-trd',
    asOf: AS_OF,
    cites: 'definition 7a: the alert is shown whatever the recommendation; 8: no work-up off the referral track',
    tests: 'One adequate trial, PHQ-9 item 9 = 3, no ANC -> not-trd with suicide-risk and no missing work-up listed.',
    build: () =>
      base('suicide-risk-on-not-trd', { omit: ['escitalopram', 'anc'] })
        .questionnaireResponse({ questionnaire: PHQ9, authored: daysBefore(7), answers: { '44260-8': 3 } })
        .build(),
    expected: expected({
      recommendation: 'not-trd',
      adequateTrials: 1,
      safetyAlerts: ['suicide-risk'],
      missingWorkup: [],
    }),
  },
  {
    id: 'workup-listed-on-measure-crp',
    asOf: AS_OF,
    cites: 'definition 8: the missing work-up is listed on the referral track (rule 5 measure-crp)',
    tests: 'TRD without a CRP and without platelets -> measure-crp listing the platelet count.',
    build: () => base('workup-listed-on-measure-crp', { omit: ['crp', 'platelets'] }).build(),
    expected: expected({
      recommendation: 'measure-crp',
      inflammation: 'unknown',
      crpMgPerL: undefined,
      missingWorkup: ['platelets'],
    }),
  },
  {
    id: 'workup-not-listed-when-contraindicated',
    asOf: AS_OF,
    cites: 'definition 8: the missing work-up is listed only on the referral track (not rule 4)',
    tests: 'HBsAg positive and no ANC or platelets -> contraindicated, no missing work-up listed.',
    build: () =>
      base('workup-not-listed-when-contraindicated', { omit: ['hbsag', 'anc', 'platelets'] })
        .observation(LABS.hbsag(true))
        .build(),
    expected: { ...contraindicated('hepatitis'), missingWorkup: [] },
  },
  {
    id: 'crp-unit-ucum-coded-control',
    asOf: AS_OF,
    cites: 'definition 5: a UCUM-coded unit raises no text-unit issue',
    tests: 'Negative control: hs-CRP 0.7 mg/dL with its UCUM code -> 7 mg/L elevated -> refer-to-trial.',
    build: () =>
      base('crp-unit-ucum-coded-control', { omit: ['crp'] })
        .observation({ id: 'crp', code: CODES.hsCrp, date: LAB_DATE, quantity: ucum(0.7, 'mg/dL') })
        .build(),
    expected: expected(),
  },
];

export const CLINICAL_1_1_VIGNETTES: readonly Vignette[] = CITED.map(({ cites, ...v }) => ({
  ...v,
  expected: { ...v.expected, cite: cites },
}));
