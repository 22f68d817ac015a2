/**
 * Boundary pairs (the opioid-cds "six vs seven days" pattern): each threshold of the contracts' counting rules, once on
 * the boundary and once just past it. Exposure days are inclusive (end - start + 1); a gap is the days strictly
 * between two exposures; the lookback keeps exposures ending on or after asOf - 730; the CRP window is
 * asOf - 90 <= date <= asOf.
 */
import { ucum } from '../bundle-builder.ts';
import type { BundleBuilder } from '../bundle-builder.ts';
import {
  AS_OF,
  basePatient,
  CODES,
  daysBefore,
  endAfter,
  ESCITALOPRAM_START,
  expected,
  hsCrp,
  LABS,
  SERTRALINE_START,
} from './base.ts';
import type { Vignette } from './types.ts';

/** The base patient with escitalopram 20 mg/day replaced by a run of `days` days starting on `start`. */
function withEscitalopram(id: string, start: string, days: number): BundleBuilder {
  return basePatient(id, { omit: ['escitalopram'] }).medicationStatement({
    id: 'escitalopram',
    code: CODES.escitalopram,
    start,
    end: endAfter(start, days),
    dose: { value: 20, unit: 'mg' },
  });
}

/** The base patient with sertraline 100 mg/day as two 30-day runs separated by `gapDays` days without drug. */
function withSplitSertraline(id: string, gapDays: number): BundleBuilder {
  const firstEnd = endAfter(SERTRALINE_START, 30);
  const secondStart = endAfter(firstEnd, gapDays + 2);
  return basePatient(id, { omit: ['sertraline'] })
    .medicationStatement({
      id: 'sertraline-1',
      code: CODES.sertraline,
      start: SERTRALINE_START,
      end: firstEnd,
      dose: { value: 100, unit: 'mg' },
    })
    .medicationStatement({
      id: 'sertraline-2',
      code: CODES.sertraline,
      start: secondStart,
      end: endAfter(secondStart, 30),
      dose: { value: 100, unit: 'mg' },
    });
}

function withSertralineDose(id: string, doseMg: number): BundleBuilder {
  return basePatient(id, { omit: ['sertraline'] }).medicationStatement({
    id: 'sertraline',
    code: CODES.sertraline,
    start: SERTRALINE_START,
    end: endAfter(SERTRALINE_START, 84),
    dose: { value: doseMg, unit: 'mg' },
  });
}

const notTrd = expected({ recommendation: 'not-trd', adequateTrials: 1 });

export const BOUNDARY_VIGNETTES: readonly Vignette[] = [
  {
    id: 'crp-exactly-3',
    asOf: AS_OF,
    tests: 'hs-CRP exactly 3 mg/L is at the cut-off, which is inclusive -> elevated -> refer-to-trial.',
    build: () =>
      basePatient('crp-exactly-3', { omit: ['crp'] })
        .observation(hsCrp(3))
        .build(),
    expected: expected({ crpMgPerL: 3 }),
  },
  {
    id: 'crp-2-99',
    asOf: AS_OF,
    tests: 'hs-CRP 2.99 mg/L is just below the cut-off -> normal -> not-inflamed.',
    build: () =>
      basePatient('crp-2-99', { omit: ['crp'] })
        .observation(hsCrp(2.99))
        .build(),
    expected: expected({ recommendation: 'not-inflamed', inflammation: 'normal', crpMgPerL: 2.99 }),
  },
  {
    id: 'crp-exactly-10',
    asOf: AS_OF,
    tests: 'hs-CRP exactly 10 mg/L is still elevated (acute is strictly above 10) -> refer-to-trial.',
    build: () =>
      basePatient('crp-exactly-10', { omit: ['crp'] })
        .observation(hsCrp(10))
        .build(),
    expected: expected({ crpMgPerL: 10 }),
  },
  {
    id: 'crp-10-01',
    asOf: AS_OF,
    tests: 'hs-CRP 10.01 mg/L is acute -> repeat-crp.',
    build: () =>
      basePatient('crp-10-01', { omit: ['crp'] })
        .observation(hsCrp(10.01))
        .build(),
    expected: expected({ recommendation: 'repeat-crp', inflammation: 'acute', crpMgPerL: 10.01 }),
  },
  {
    id: 'crp-90-days-old',
    asOf: AS_OF,
    tests: 'hs-CRP dated exactly 90 days before as-of is inside the window -> refer-to-trial.',
    build: () =>
      basePatient('crp-90-days-old', { omit: ['crp'] })
        .observation(hsCrp(7, daysBefore(90)))
        .build(),
    expected: expected(),
  },
  {
    id: 'crp-91-days-old',
    asOf: AS_OF,
    tests: 'hs-CRP dated 91 days before as-of is outside the window -> unknown -> measure-crp.',
    build: () =>
      basePatient('crp-91-days-old', { omit: ['crp'] })
        .observation(hsCrp(7, daysBefore(91)))
        .build(),
    expected: expected({ recommendation: 'measure-crp', inflammation: 'unknown', crpMgPerL: undefined }),
  },
  {
    id: 'crp-after-as-of-ignored',
    asOf: AS_OF,
    tests:
      'A later hs-CRP of 25 mg/L dated the day after as-of is ignored; the 7 mg/L result stands -> refer-to-trial.',
    build: () =>
      basePatient('crp-after-as-of-ignored')
        .observation({ ...hsCrp(25, daysBefore(-1)), id: 'crp-future' })
        .build(),
    expected: expected(),
  },
  {
    id: 'crp-only-after-as-of',
    asOf: AS_OF,
    tests: 'The only hs-CRP is dated after as-of -> not used -> unknown -> measure-crp.',
    build: () =>
      basePatient('crp-only-after-as-of', { omit: ['crp'] })
        .observation(hsCrp(7, daysBefore(-3)))
        .build(),
    expected: expected({ recommendation: 'measure-crp', inflammation: 'unknown', crpMgPerL: undefined }),
  },
  {
    id: 'alt-exactly-1-5-uln',
    asOf: AS_OF,
    tests: 'ALT 52.5 U/L with ULN 35 is exactly 1.5 x ULN: not a contraindication (> is required) -> refer-to-trial.',
    build: () =>
      basePatient('alt-exactly-1-5-uln', { omit: ['alt'] })
        .observation(LABS.alt(52.5, 35))
        .build(),
    expected: expected(),
  },
  {
    id: 'alt-above-1-5-uln',
    asOf: AS_OF,
    tests: 'ALT 52.6 U/L with ULN 35 is above 1.5 x ULN -> hepatic -> contraindicated.',
    build: () =>
      basePatient('alt-above-1-5-uln', { omit: ['alt'] })
        .observation(LABS.alt(52.6, 35))
        .build(),
    expected: expected({ recommendation: 'contraindicated', contraindications: ['hepatic'] }),
  },
  {
    id: 'anc-exactly-2',
    asOf: AS_OF,
    tests: 'ANC exactly 2.0 x10^9/L is not neutropenia (< 2.0 is) -> refer-to-trial.',
    build: () =>
      basePatient('anc-exactly-2', { omit: ['anc'] })
        .observation(LABS.anc(2.0))
        .build(),
    expected: expected(),
  },
  {
    id: 'anc-1-99',
    asOf: AS_OF,
    tests: 'ANC 1.99 x10^9/L is neutropenia -> contraindicated.',
    build: () =>
      basePatient('anc-1-99', { omit: ['anc'] })
        .observation(LABS.anc(1.99))
        .build(),
    expected: expected({ recommendation: 'contraindicated', contraindications: ['neutropenia'] }),
  },
  {
    id: 'platelets-exactly-100',
    asOf: AS_OF,
    tests: 'Platelets exactly 100 x10^9/L is not thrombocytopenia -> refer-to-trial.',
    build: () =>
      basePatient('platelets-exactly-100', { omit: ['platelets'] })
        .observation(LABS.platelets(100))
        .build(),
    expected: expected(),
  },
  {
    id: 'exposure-41-days',
    asOf: AS_OF,
    tests: 'Escitalopram 20 mg/day for 41 days (inclusive) is one day short of 42 -> inadequate -> not-trd.',
    build: () => withEscitalopram('exposure-41-days', ESCITALOPRAM_START, 41).build(),
    expected: notTrd,
  },
  {
    id: 'exposure-42-days',
    asOf: AS_OF,
    tests: 'Escitalopram 20 mg/day for exactly 42 days (Jan 1 - Feb 11 style inclusive count) -> adequate -> refer.',
    build: () => withEscitalopram('exposure-42-days', ESCITALOPRAM_START, 42).build(),
    expected: expected(),
  },
  {
    id: 'lookback-ends-730-days-before',
    asOf: AS_OF,
    tests: 'An adequate escitalopram trial ending exactly 730 days before as-of is inside the lookback -> refer.',
    build: () => withEscitalopram('lookback-ends-730-days-before', daysBefore(730 + 69), 70).build(),
    expected: expected(),
  },
  {
    id: 'lookback-ends-731-days-before',
    asOf: AS_OF,
    tests: 'An adequate escitalopram trial ending 731 days before as-of is outside the lookback -> not-trd.',
    build: () => withEscitalopram('lookback-ends-731-days-before', daysBefore(731 + 69), 70).build(),
    expected: notTrd,
  },
  {
    id: 'dose-below-minimum',
    asOf: AS_OF,
    tests: 'Sertraline 25 mg/day for 84 days is below the 50 mg/day minimum -> inadequate -> not-trd.',
    build: () => withSertralineDose('dose-below-minimum', 25).build(),
    expected: notTrd,
  },
  {
    id: 'dose-at-minimum',
    asOf: AS_OF,
    tests: 'Sertraline 50 mg/day (the minimum, inclusive) for 84 days -> adequate -> refer-to-trial.',
    build: () => withSertralineDose('dose-at-minimum', 50).build(),
    expected: expected(),
  },
  {
    id: 'gap-30-days-joins',
    asOf: AS_OF,
    tests: 'Two 30-day sertraline runs with 30 days between them join into one adequate trial -> refer-to-trial.',
    build: () => withSplitSertraline('gap-30-days-joins', 30).build(),
    expected: expected(),
  },
  {
    id: 'gap-31-days-splits',
    asOf: AS_OF,
    tests: 'Two 30-day sertraline runs with 31 days between them stay separate, neither adequate -> not-trd.',
    build: () => withSplitSertraline('gap-31-days-splits', 31).build(),
    expected: notTrd,
  },
  {
    id: 'active-exposure-runs-to-as-of',
    asOf: AS_OF,
    tests: 'An active escitalopram statement started 41 days before as-of with no end runs to as-of: 42 days -> refer.',
    build: () =>
      basePatient('active-exposure-runs-to-as-of', { omit: ['escitalopram'] })
        .medicationStatement({
          id: 'escitalopram',
          status: 'active',
          code: CODES.escitalopram,
          start: daysBefore(41),
          dose: { value: 20, unit: 'mg' },
        })
        .build(),
    expected: expected(),
  },
  {
    id: 'active-exposure-too-short',
    asOf: AS_OF,
    tests: 'An active escitalopram statement started 40 days before as-of: 41 days to as-of -> inadequate -> not-trd.',
    build: () =>
      basePatient('active-exposure-too-short', { omit: ['escitalopram'] })
        .medicationStatement({
          id: 'escitalopram',
          status: 'active',
          code: CODES.escitalopram,
          start: daysBefore(40),
          dose: { value: 20, unit: 'mg' },
        })
        .build(),
    expected: notTrd,
  },
  {
    id: 'same-ingredient-counts-once',
    asOf: AS_OF,
    tests: 'Two separate adequate sertraline trials (8 months apart) count as one ingredient -> not-trd.',
    build: () =>
      basePatient('same-ingredient-counts-once', { omit: ['escitalopram'] })
        .medicationStatement({
          id: 'sertraline-again',
          code: CODES.sertraline,
          start: '2025-12-01',
          end: endAfter('2025-12-01', 70),
          dose: { value: 150, unit: 'mg' },
        })
        .build(),
    expected: notTrd,
  },
  {
    id: 'lab-after-as-of-ignored',
    asOf: AS_OF,
    tests: 'An ANC of 1.0 x10^9/L dated after as-of is ignored; the earlier normal ANC stands -> refer-to-trial.',
    build: () =>
      basePatient('lab-after-as-of-ignored')
        .observation({ code: CODES.anc, date: daysBefore(-2), quantity: ucum(1.0, '10*9/L', '10^9/L') })
        .build(),
    expected: expected(),
  },
];
