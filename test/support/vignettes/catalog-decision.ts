/**
 * Vignettes for each decision-table row, each inflammation status and the CRP unit conversions
 * (docs/care-pathway.md "The decision" and definition 5; reference section 3.2, docs/README.md, 3.4).
 */
import { code, ucum } from '../bundle-builder.ts';
import { AS_OF, basePatient, CODES, daysBefore, expected, hsCrp, LAB_DATE } from './base.ts';
import type { Vignette } from './types.ts';

const ALL_WORKUP = ['anc', 'platelets', 'alt', 'ast', 'latent-tb-screen', 'hepatitis-b-serology'];

export const DECISION_VIGNETTES: readonly Vignette[] = [
  {
    id: 'refer-base',
    asOf: AS_OF,
    tests: 'Row 8: depression, 2 adequate trials, hs-CRP 7 mg/L, complete normal work-up -> refer-to-trial.',
    build: () => basePatient('refer-base').build(),
    expected: expected(),
  },
  {
    id: 'refer-missing-workup',
    asOf: AS_OF,
    tests: 'Row 8 with no safety labs or screens: refer-to-trial listing all six missing work-up items.',
    build: () =>
      basePatient('refer-missing-workup', { omit: ['anc', 'platelets', 'alt', 'ast', 'igra', 'hbsag'] }).build(),
    expected: expected({ missingWorkup: ALL_WORKUP }),
  },
  {
    id: 'refer-no-igra',
    asOf: AS_OF,
    tests: 'Seed-like: no IGRA -> refer-to-trial with the latent TB screen as missing work-up.',
    build: () => basePatient('refer-no-igra', { omit: ['igra'] }).build(),
    expected: expected({ missingWorkup: ['latent-tb-screen'] }),
  },
  {
    id: 'refer-stale-labs',
    asOf: AS_OF,
    tests: 'Safety labs 91 days old are outside the 90-day lab window -> listed as missing work-up.',
    build: () => {
      const b = basePatient('refer-stale-labs', { omit: ['anc', 'platelets', 'alt', 'ast'] });
      const stale = daysBefore(91);
      b.observation({ code: CODES.anc, date: stale, quantity: ucum(3.8, '10*9/L', '10^9/L') });
      b.observation({ code: CODES.platelets, date: stale, quantity: ucum(245, '10*9/L', '10^9/L') });
      b.observation({ code: CODES.alt, date: stale, quantity: ucum(22, 'U/L'), high: 35 });
      b.observation({ code: CODES.ast, date: stale, quantity: ucum(25, 'U/L'), high: 35 });
      return b.build();
    },
    expected: expected({ missingWorkup: ['anc', 'platelets', 'alt', 'ast'] }),
  },
  {
    id: 'out-of-scope-no-depression',
    asOf: AS_OF,
    tests: 'Row 1: no depression Condition at all -> out-of-scope even with 2 adequate trials and raised CRP.',
    build: () => basePatient('out-of-scope-no-depression', { omit: ['depression'] }).build(),
    expected: expected({ recommendation: 'out-of-scope' }),
  },
  {
    id: 'confirm-history-no-dose',
    asOf: AS_OF,
    tests: 'Row 2: one adequate trial plus one escitalopram exposure without a dose (unverified) -> confirm-history.',
    build: () =>
      basePatient('confirm-history-no-dose', { omit: ['escitalopram'] })
        .medicationStatement({
          id: 'escitalopram-no-dose',
          code: CODES.escitalopram,
          start: '2025-05-05',
          end: '2025-07-13',
        })
        .build(),
    expected: expected({ recommendation: 'confirm-history', adequateTrials: 1, unverifiedTrials: 1 }),
  },
  {
    id: 'not-trd-one-trial',
    asOf: AS_OF,
    tests: 'Row 3: a single adequate trial -> not-trd.',
    build: () => basePatient('not-trd-one-trial', { omit: ['escitalopram'] }).build(),
    expected: expected({ recommendation: 'not-trd', adequateTrials: 1 }),
  },
  {
    id: 'not-trd-no-antidepressant',
    asOf: AS_OF,
    tests: 'Row 3: depression with no antidepressant exposure at all -> not-trd with 0 trials.',
    build: () => basePatient('not-trd-no-antidepressant', { omit: ['sertraline', 'escitalopram'] }).build(),
    expected: expected({ recommendation: 'not-trd', adequateTrials: 0 }),
  },
  {
    id: 'measure-crp-no-crp',
    asOf: AS_OF,
    tests: 'Row 5: TRD with no CRP at all -> inflammation unknown -> measure-crp.',
    build: () => basePatient('measure-crp-no-crp', { omit: ['crp'] }).build(),
    expected: expected({ recommendation: 'measure-crp', inflammation: 'unknown', crpMgPerL: undefined }),
  },
  {
    id: 'repeat-crp-acute',
    asOf: AS_OF,
    tests: 'Row 6: hs-CRP 25 mg/L is acute (> 10) -> repeat-crp.',
    build: () =>
      basePatient('repeat-crp-acute', { omit: ['crp'] })
        .observation(hsCrp(25))
        .build(),
    expected: expected({ recommendation: 'repeat-crp', inflammation: 'acute', crpMgPerL: 25 }),
  },
  {
    id: 'repeat-crp-indeterminate',
    asOf: AS_OF,
    tests: 'Row 6: standard-assay CRP "<5 mg/L" cannot be placed against 3 mg/L -> indeterminate -> repeat-crp.',
    build: () =>
      basePatient('repeat-crp-indeterminate', { omit: ['crp'] })
        .observation({ id: 'crp', code: CODES.crp, date: LAB_DATE, quantity: ucum(5, 'mg/L'), comparator: '<' })
        .build(),
    expected: expected({
      recommendation: 'repeat-crp',
      inflammation: 'indeterminate',
      crpMgPerL: 5,
      cautions: ['standard-crp-assay'],
    }),
  },
  {
    id: 'not-inflamed-normal',
    asOf: AS_OF,
    tests: 'Row 7: hs-CRP 1.2 mg/L is normal -> not-inflamed.',
    build: () =>
      basePatient('not-inflamed-normal', { omit: ['crp'] })
        .observation(hsCrp(1.2))
        .build(),
    expected: expected({ recommendation: 'not-inflamed', inflammation: 'normal', crpMgPerL: 1.2 }),
  },
  {
    id: 'not-inflamed-censored-hs',
    asOf: AS_OF,
    tests: 'Censored hs-CRP "<0.3 mg/L" is below the cut-off -> normal -> not-inflamed.',
    build: () =>
      basePatient('not-inflamed-censored-hs', { omit: ['crp'] })
        .observation({ ...hsCrp(0.3), comparator: '<' })
        .build(),
    expected: expected({ recommendation: 'not-inflamed', inflammation: 'normal', crpMgPerL: 0.3 }),
  },
  {
    id: 'crp-unit-mg-per-dl',
    asOf: AS_OF,
    tests: 'hs-CRP 0.7 mg/dL converts to 7 mg/L (x10) -> elevated -> refer-to-trial.',
    build: () =>
      basePatient('crp-unit-mg-per-dl', { omit: ['crp'] })
        .observation({ id: 'crp', code: CODES.hsCrp, date: LAB_DATE, quantity: ucum(0.7, 'mg/dL') })
        .build(),
    expected: expected(),
  },
  {
    id: 'crp-unit-ug-per-ml',
    asOf: AS_OF,
    tests: 'hs-CRP 7 ug/mL equals 7 mg/L -> elevated -> refer-to-trial.',
    build: () =>
      basePatient('crp-unit-ug-per-ml', { omit: ['crp'] })
        .observation({ id: 'crp', code: CODES.hsCrp, date: LAB_DATE, quantity: ucum(7, 'ug/mL') })
        .build(),
    expected: expected(),
  },
  {
    id: 'crp-unit-nmol-per-l',
    asOf: AS_OF,
    tests: 'Molar hs-CRP (LOINC 76486-0) 66.668 nmol/L / 9.524 = 7 mg/L -> elevated -> refer-to-trial.',
    build: () =>
      basePatient('crp-unit-nmol-per-l', { omit: ['crp'] })
        .observation({ id: 'crp', code: CODES.hsCrpMolar, date: LAB_DATE, quantity: ucum(66.668, 'nmol/L') })
        .build(),
    expected: expected(),
  },
  {
    id: 'crp-unit-molar-standard',
    asOf: AS_OF,
    tests: 'Molar standard CRP (LOINC 76485-2) 66.668 nmol/L = 7 mg/L -> elevated, with the standard-assay caution.',
    build: () =>
      basePatient('crp-unit-molar-standard', { omit: ['crp'] })
        .observation({
          id: 'crp',
          code: code('loinc', '76485-2', 'C reactive protein [Moles/volume] in Serum or Plasma'),
          date: LAB_DATE,
          quantity: ucum(66.668, 'nmol/L'),
        })
        .build(),
    expected: expected({ cautions: ['standard-crp-assay'] }),
  },
  {
    id: 'crp-unit-molar-low',
    asOf: AS_OF,
    tests: 'Molar hs-CRP 19.048 nmol/L = 2.0 mg/L: normal although the number exceeds 3 -> not-inflamed.',
    build: () =>
      basePatient('crp-unit-molar-low', { omit: ['crp'] })
        .observation({ id: 'crp', code: CODES.hsCrpMolar, date: LAB_DATE, quantity: ucum(19.048, 'nmol/L') })
        .build(),
    expected: expected({ recommendation: 'not-inflamed', inflammation: 'normal', crpMgPerL: 2 }),
  },
  {
    id: 'crp-unit-unconvertible',
    asOf: AS_OF,
    tests: 'hs-CRP in a unit that is not a concentration ("%") cannot be converted -> unknown -> measure-crp.',
    build: () =>
      basePatient('crp-unit-unconvertible', { omit: ['crp'] })
        .observation({ id: 'crp', code: CODES.hsCrp, date: LAB_DATE, quantity: ucum(7, '%') })
        .build(),
    expected: expected({ recommendation: 'measure-crp', inflammation: 'unknown', crpMgPerL: undefined }),
  },
  {
    id: 'standard-crp-elevated',
    asOf: AS_OF,
    tests: 'Standard-assay CRP (1988-5) 7 mg/L is elevated but carries the standard-assay caution -> refer-to-trial.',
    build: () =>
      basePatient('standard-crp-elevated', { omit: ['crp'] })
        .observation({ id: 'crp', code: CODES.crp, date: LAB_DATE, quantity: ucum(7, 'mg/L') })
        .build(),
    expected: expected({ cautions: ['standard-crp-assay'] }),
  },
];
