/**
 * Record shapes and statuses: which resources count (docs/care-pathway.md definitions 1, 2 and 5), how a dose and a period
 * are read from MedicationStatement and MedicationRequest, contained vs referenced Medication, alternative depression
 * codings, and a CRP made invalid by a recent tocilizumab dose.
 */
import { code, ucum } from '../bundle-builder.ts';
import type { ConditionSpec } from '../bundle-builder.ts';
import { AS_OF, basePatient, CODES, daysBefore, ESCITALOPRAM_START, expected, LAB_DATE } from './base.ts';
import type { Vignette } from './types.ts';

const ESCITALOPRAM_20_SCD = code('rxnorm', '351250', 'escitalopram 20 MG Oral Tablet');
const SERTRALINE_50_SCD = code('rxnorm', '312941', 'sertraline 50 MG Oral Tablet');

const notTrd = expected({ recommendation: 'not-trd', adequateTrials: 1 });
const outOfScope = expected({ recommendation: 'out-of-scope' });

/** The base patient with its depression Condition replaced. */
function depressionAs(id: string, spec: ConditionSpec): Vignette['build'] {
  return () =>
    basePatient(id, { omit: ['depression'] })
      .condition({ id: 'depression', ...spec })
      .build();
}

/** The base patient with escitalopram as a MedicationStatement of the given status. */
function escitalopramStatement(id: string, status: string): Vignette['build'] {
  return () =>
    basePatient(id, { omit: ['escitalopram'] })
      .medicationStatement({
        id: 'escitalopram',
        status,
        code: CODES.escitalopram,
        start: ESCITALOPRAM_START,
        end: '2025-07-13',
        dose: { value: 20, unit: 'mg' },
      })
      .build();
}

export const RECORD_VIGNETTES: readonly Vignette[] = [
  {
    id: 'depression-icd10cm-f32a',
    asOf: AS_OF,
    tests: 'Depression coded in ICD-10-CM (F32.A, depression unspecified) qualifies -> refer-to-trial.',
    build: depressionAs('depression-icd10cm-f32a', {
      code: code('icd10cm', 'F32.A', 'Depression, unspecified'),
      clinicalStatus: 'active',
      onset: '2024-09-02',
    }),
    expected: expected(),
  },
  {
    id: 'depression-snomed',
    asOf: AS_OF,
    tests: 'Depression coded in SNOMED CT (370143000 major depressive disorder) qualifies -> refer-to-trial.',
    build: depressionAs('depression-snomed', {
      code: code('snomed', '370143000', 'Major depressive disorder'),
      clinicalStatus: 'active',
      onset: '2024-09-02',
    }),
    expected: expected(),
  },
  {
    id: 'depression-no-clinical-status',
    asOf: AS_OF,
    tests: 'A depression Condition without clinicalStatus counts as active (definition 1) -> refer-to-trial.',
    build: depressionAs('depression-no-clinical-status', { code: CODES.recurrentModerate, onset: '2024-09-02' }),
    expected: expected(),
  },
  {
    id: 'depression-remission-only',
    asOf: AS_OF,
    tests: 'Only a remission code (ICD-10 F33.4) -> no current depression -> out-of-scope.',
    build: depressionAs('depression-remission-only', {
      code: code('icd10', 'F33.4', 'Recurrent depressive disorder, currently in remission'),
      clinicalStatus: 'active',
      onset: '2024-09-02',
    }),
    expected: outOfScope,
  },
  {
    id: 'depression-refuted',
    asOf: AS_OF,
    tests: 'A refuted depression diagnosis does not count -> out-of-scope.',
    build: depressionAs('depression-refuted', {
      code: CODES.recurrentModerate,
      clinicalStatus: 'active',
      verificationStatus: 'refuted',
      onset: '2024-09-02',
    }),
    expected: outOfScope,
  },
  {
    id: 'depression-entered-in-error',
    asOf: AS_OF,
    tests: 'A depression Condition entered in error does not count -> out-of-scope.',
    build: depressionAs('depression-entered-in-error', {
      code: CODES.recurrentModerate,
      clinicalStatus: 'active',
      verificationStatus: 'entered-in-error',
      onset: '2024-09-02',
    }),
    expected: outOfScope,
  },
  {
    id: 'depression-resolved',
    asOf: AS_OF,
    tests: 'A resolved depression Condition does not count -> out-of-scope.',
    build: depressionAs('depression-resolved', {
      code: CODES.recurrentModerate,
      clinicalStatus: 'resolved',
      onset: '2024-09-02',
      abatement: daysBefore(30),
    }),
    expected: outOfScope,
  },
  {
    id: 'depression-abated-before-as-of',
    asOf: AS_OF,
    tests: 'A depression Condition (no clinicalStatus) abated 10 days before as-of does not count -> out-of-scope.',
    build: depressionAs('depression-abated-before-as-of', {
      code: CODES.recurrentModerate,
      onset: '2024-09-02',
      abatement: daysBefore(10),
    }),
    expected: outOfScope,
  },
  {
    id: 'depression-onset-after-as-of',
    asOf: AS_OF,
    tests: 'A depression Condition with onset after as-of is not yet present -> out-of-scope.',
    build: depressionAs('depression-onset-after-as-of', {
      code: CODES.recurrentModerate,
      clinicalStatus: 'active',
      onset: daysBefore(-5),
    }),
    expected: outOfScope,
  },
  {
    id: 'statement-entered-in-error',
    asOf: AS_OF,
    tests: 'An escitalopram MedicationStatement entered in error is ignored -> 1 adequate trial -> not-trd.',
    build: escitalopramStatement('statement-entered-in-error', 'entered-in-error'),
    expected: notTrd,
  },
  {
    id: 'statement-not-taken',
    asOf: AS_OF,
    tests: 'An escitalopram MedicationStatement with status not-taken is ignored -> not-trd.',
    build: escitalopramStatement('statement-not-taken', 'not-taken'),
    expected: notTrd,
  },
  {
    id: 'request-cancelled',
    asOf: AS_OF,
    tests: 'A cancelled escitalopram MedicationRequest is not an exposure -> not-trd.',
    build: () =>
      basePatient('request-cancelled', { omit: ['escitalopram'] })
        .medicationRequest({
          id: 'escitalopram',
          status: 'cancelled',
          code: ESCITALOPRAM_20_SCD,
          authoredOn: ESCITALOPRAM_START,
          supplyDays: 70,
          dose: { value: 20, unit: 'mg' },
        })
        .build(),
    expected: notTrd,
  },
  {
    id: 'request-authored-plus-supply',
    asOf: AS_OF,
    tests:
      'MedicationRequest (RxNorm SCD) period from authoredOn + 70-day expectedSupplyDuration -> adequate -> refer.',
    build: () =>
      basePatient('request-authored-plus-supply', { omit: ['escitalopram'] })
        .medicationRequest({
          id: 'escitalopram',
          code: ESCITALOPRAM_20_SCD,
          authoredOn: ESCITALOPRAM_START,
          supplyDays: 70,
          dose: { value: 20, unit: 'mg' },
        })
        .build(),
    expected: expected(),
  },
  {
    id: 'medication-contained',
    asOf: AS_OF,
    tests: 'Escitalopram given as a contained Medication (#med) with its ingredient and strength -> refer-to-trial.',
    build: () =>
      basePatient('medication-contained', { omit: ['escitalopram'] })
        .medicationRequest({
          id: 'escitalopram',
          code: ESCITALOPRAM_20_SCD,
          ingredient: CODES.escitalopram,
          strengthMg: 20,
          as: 'contained',
          authoredOn: ESCITALOPRAM_START,
          supplyDays: 70,
          dose: { value: 20, unit: 'mg' },
        })
        .build(),
    expected: expected(),
  },
  {
    id: 'medication-referenced',
    asOf: AS_OF,
    tests: 'Escitalopram given as a referenced Medication resource in the Bundle -> refer-to-trial.',
    build: () =>
      basePatient('medication-referenced', { omit: ['escitalopram'] })
        .medicationStatement({
          id: 'escitalopram',
          code: ESCITALOPRAM_20_SCD,
          ingredient: CODES.escitalopram,
          strengthMg: 20,
          as: 'referenced',
          start: ESCITALOPRAM_START,
          end: '2025-07-13',
          dose: { value: 20, unit: 'mg' },
        })
        .build(),
    expected: expected(),
  },
  {
    id: 'dose-strength-times-tablets',
    asOf: AS_OF,
    tests: 'Sertraline dose 2 tablets daily x 50 mg/tablet (contained Medication strength) = 100 mg/day -> refer.',
    build: () =>
      basePatient('dose-strength-times-tablets', { omit: ['sertraline'] })
        .medicationStatement({
          id: 'sertraline',
          code: SERTRALINE_50_SCD,
          ingredient: CODES.sertraline,
          strengthMg: 50,
          as: 'contained',
          start: '2025-01-06',
          end: '2025-03-30',
          dose: { value: 2, unit: '{tbl}' },
        })
        .build(),
    expected: expected(),
  },
  {
    id: 'dose-strength-times-tablets-low',
    asOf: AS_OF,
    tests: 'Sertraline half-strength check: 1 tablet daily x 25 mg/tablet = 25 mg/day, below 50 -> not-trd.',
    build: () =>
      basePatient('dose-strength-times-tablets-low', { omit: ['sertraline'] })
        .medicationStatement({
          id: 'sertraline',
          code: code('rxnorm', '312940', 'sertraline 25 MG Oral Tablet'),
          ingredient: CODES.sertraline,
          strengthMg: 25,
          as: 'contained',
          start: '2025-01-06',
          end: '2025-03-30',
          dose: { value: 1, unit: '{tbl}' },
        })
        .build(),
    expected: notTrd,
  },
  {
    id: 'unverified-no-end',
    asOf: AS_OF,
    tests: 'A completed escitalopram statement with a dose but no end date has no established duration -> confirm.',
    build: () =>
      basePatient('unverified-no-end', { omit: ['escitalopram'] })
        .medicationStatement({
          id: 'escitalopram',
          code: CODES.escitalopram,
          start: ESCITALOPRAM_START,
          dose: { value: 20, unit: 'mg' },
        })
        .build(),
    expected: expected({ recommendation: 'confirm-history', adequateTrials: 1, unverifiedTrials: 1 }),
  },
  {
    id: 'crp-entered-in-error',
    asOf: AS_OF,
    tests: 'The only hs-CRP is entered-in-error -> not valid -> unknown -> measure-crp.',
    build: () =>
      basePatient('crp-entered-in-error', { omit: ['crp'] })
        .observation({
          id: 'crp',
          code: CODES.hsCrp,
          status: 'entered-in-error',
          date: LAB_DATE,
          quantity: ucum(7, 'mg/L'),
        })
        .build(),
    expected: expected({ recommendation: 'measure-crp', inflammation: 'unknown', crpMgPerL: undefined }),
  },
  {
    id: 'crp-preliminary',
    asOf: AS_OF,
    tests: 'The only hs-CRP is preliminary (not final, amended or corrected) -> unknown -> measure-crp.',
    build: () =>
      basePatient('crp-preliminary', { omit: ['crp'] })
        .observation({ id: 'crp', code: CODES.hsCrp, status: 'preliminary', date: LAB_DATE, quantity: ucum(7, 'mg/L') })
        .build(),
    expected: expected({ recommendation: 'measure-crp', inflammation: 'unknown', crpMgPerL: undefined }),
  },
  {
    id: 'crp-amended-latest-wins',
    asOf: AS_OF,
    tests: 'The most recent valid hs-CRP (amended, 1.5 mg/L) supersedes an older 7 mg/L -> normal -> not-inflamed.',
    build: () =>
      basePatient('crp-amended-latest-wins')
        .observation({
          id: 'crp-latest',
          code: CODES.hsCrp,
          status: 'amended',
          date: daysBefore(7),
          quantity: ucum(1.5, 'mg/L'),
        })
        .build(),
    expected: expected({ recommendation: 'not-inflamed', inflammation: 'normal', crpMgPerL: 1.5 }),
  },
  {
    id: 'crp-after-tocilizumab',
    asOf: AS_OF,
    tests:
      'hs-CRP drawn 39 days after a tocilizumab dose (within 12 weeks) is not valid; the dose 60 days ago is within ' +
      'the 84-day tocilizumab washout, so the IL-6 blocker is current -> immunosuppressant -> contraindicated.',
    build: () =>
      basePatient('crp-after-tocilizumab')
        .medicationStatement({
          id: 'tocilizumab',
          code: code('rxnorm', '612865', 'tocilizumab'),
          start: daysBefore(60),
          end: daysBefore(60),
        })
        .build(),
    expected: expected({
      recommendation: 'contraindicated',
      inflammation: 'unknown',
      crpMgPerL: undefined,
      contraindications: ['immunosuppressant'],
      cite: 'definition 3a (tocilizumab washout), definitions 5 and 6',
    }),
  },
];
