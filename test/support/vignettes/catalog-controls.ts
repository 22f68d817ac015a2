/**
 * Negative controls and selection rules: what must NOT change the decision (an inactive allergy, a past biologic, a
 * CRP long after tocilizumab, a stopped statement), which result is "the most recent valid" one, which request
 * statuses count (definition 2: active or completed), and dateTimes counted on their own calendar date
 * (src/record/dates.ts).
 */
import { code, ucum } from '../bundle-builder.ts';
import { AS_OF, basePatient, CODES, daysBefore, ESCITALOPRAM_START, expected, hsCrp } from './base.ts';
import type { Vignette } from './types.ts';

const TOCILIZUMAB = code('rxnorm', '612865', 'tocilizumab');
const ADALIMUMAB = code('rxnorm', '327361', 'adalimumab');
const notTrd = expected({ recommendation: 'not-trd', adequateTrials: 1 });

function escitalopramRequest(id: string, status: string): Vignette['build'] {
  return () =>
    basePatient(id, { omit: ['escitalopram'] })
      .medicationRequest({
        id: 'escitalopram',
        status,
        code: code('rxnorm', '351250', 'escitalopram 20 MG Oral Tablet'),
        authoredOn: ESCITALOPRAM_START,
        supplyDays: 70,
        dose: { value: 20, unit: 'mg' },
      })
      .build();
}

export const CONTROL_VIGNETTES: readonly Vignette[] = [
  {
    id: 'request-stopped',
    asOf: AS_OF,
    tests:
      'A stopped MedicationRequest with a supply but no known end has an unknown duration -> unverified -> ' +
      'confirm-history.',
    build: escitalopramRequest('request-stopped', 'stopped'),
    expected: expected({
      recommendation: 'confirm-history',
      adequateTrials: 1,
      unverifiedTrials: 1,
      cite: 'definition 2 (a stopped request counts only to a known end)',
    }),
  },
  {
    id: 'request-draft',
    asOf: AS_OF,
    tests: 'A draft MedicationRequest is not an exposure -> not-trd.',
    build: escitalopramRequest('request-draft', 'draft'),
    expected: notTrd,
  },
  {
    id: 'request-active-counts',
    asOf: AS_OF,
    tests: 'An active MedicationRequest (authoredOn + 70-day supply) counts as an exposure -> refer-to-trial.',
    build: escitalopramRequest('request-active-counts', 'active'),
    expected: expected(),
  },
  {
    id: 'statement-stopped-counts',
    asOf: AS_OF,
    tests:
      'A stopped MedicationStatement still records a past exposure (only entered-in-error and not-taken are ignored).',
    build: () =>
      basePatient('statement-stopped-counts', { omit: ['escitalopram'] })
        .medicationStatement({
          id: 'escitalopram',
          status: 'stopped',
          code: CODES.escitalopram,
          start: ESCITALOPRAM_START,
          end: '2025-07-13',
          dose: { value: 20, unit: 'mg' },
        })
        .build(),
    expected: expected(),
  },
  {
    id: 'crp-latest-preliminary-older-final',
    asOf: AS_OF,
    tests:
      'A newer preliminary hs-CRP of 25 is not valid; the older final 7 mg/L is the most recent valid one -> refer.',
    build: () =>
      basePatient('crp-latest-preliminary-older-final')
        .observation({ ...hsCrp(25, daysBefore(3)), id: 'crp-preliminary', status: 'preliminary' })
        .build(),
    expected: expected(),
  },
  {
    id: 'crp-datetime-local-date-after-as-of',
    asOf: AS_OF,
    tests: 'The only hs-CRP is dated 2026-11-28T00:30+02:00: its own calendar date is after as-of -> measure-crp.',
    build: () =>
      basePatient('crp-datetime-local-date-after-as-of', { omit: ['crp'] })
        .observation(hsCrp(7, '2026-11-28T00:30:00+02:00'))
        .build(),
    expected: expected({ recommendation: 'measure-crp', inflammation: 'unknown', crpMgPerL: undefined }),
  },
  {
    id: 'crp-datetime-on-as-of',
    asOf: AS_OF,
    tests: 'An hs-CRP dated on the as-of day itself (2026-11-27T08:00:00Z) is inside the window -> refer-to-trial.',
    build: () =>
      basePatient('crp-datetime-on-as-of', { omit: ['crp'] })
        .observation(hsCrp(7, '2026-11-27T08:00:00Z'))
        .build(),
    expected: expected(),
  },
  {
    id: 'crp-long-after-tocilizumab-control',
    asOf: AS_OF,
    tests:
      'Negative control: tocilizumab 200 days before as-of does not invalidate a CRP drawn 179 days later -> refer.',
    build: () =>
      basePatient('crp-long-after-tocilizumab-control')
        .medicationStatement({ id: 'tocilizumab', code: TOCILIZUMAB, start: daysBefore(200), end: daysBefore(200) })
        .build(),
    expected: expected(),
  },
  {
    id: 'allergy-inactive-control',
    asOf: AS_OF,
    tests: 'Negative control: an inactive (resolved) tocilizumab allergy record is not hypersensitivity -> refer.',
    build: () =>
      basePatient('allergy-inactive-control')
        .allergy({ id: 'tocilizumab-allergy', code: TOCILIZUMAB, clinicalStatus: 'inactive', recorded: '2020-02-01' })
        .build(),
    expected: expected(),
  },
  {
    id: 'allergy-refuted-control',
    asOf: AS_OF,
    tests: 'Negative control: a refuted tocilizumab allergy is not hypersensitivity -> refer-to-trial.',
    build: () =>
      basePatient('allergy-refuted-control')
        .allergy({
          id: 'tocilizumab-allergy',
          code: TOCILIZUMAB,
          verificationStatus: 'refuted',
          recorded: '2020-02-01',
        })
        .build(),
    expected: expected(),
  },
  {
    id: 'immunosuppressant-past-control',
    asOf: AS_OF,
    tests: 'Negative control: adalimumab completed 200 days before as-of is not current therapy -> refer-to-trial.',
    build: () =>
      basePatient('immunosuppressant-past-control')
        .medicationStatement({ id: 'adalimumab', code: ADALIMUMAB, start: daysBefore(500), end: daysBefore(200) })
        .build(),
    expected: expected(),
  },
  {
    id: 'crp-mg-per-dl-boundary',
    asOf: AS_OF,
    tests: 'hs-CRP 0.3 mg/dL converts to exactly 3 mg/L (NCT02473289 wording) -> elevated -> refer-to-trial.',
    build: () =>
      basePatient('crp-mg-per-dl-boundary', { omit: ['crp'] })
        .observation({ id: 'crp', code: CODES.hsCrp, date: daysBefore(21), quantity: ucum(0.3, 'mg/dL') })
        .build(),
    expected: expected({ crpMgPerL: 3 }),
  },
];
