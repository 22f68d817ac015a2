/**
 * The reference patient most vignettes vary: the seed article's vignette made complete. A 45-year-old woman with an
 * active recurrent depressive disorder, two adequate antidepressant trials inside the 2-year lookback, hs-CRP 7 mg/L
 * three weeks before the as-of date and every safety lab and screen normal, so the base assessment is
 * `refer-to-trial` with no contraindication, caution or missing work-up. Each vignette removes or adds one thing.
 */
import { fromDayNumber, toDayNumber } from '../../../src/record/index.ts';
import { BundleBuilder, code, ucum } from '../bundle-builder.ts';
import type { ObservationSpec } from '../bundle-builder.ts';
import type { Expected } from './types.ts';

export const AS_OF = '2026-11-27';
const AS_OF_DAY = toDayNumber(AS_OF) as number;

/** The calendar date `days` before the as-of date (negative: after it). */
export function daysBefore(days: number, asOf: string = AS_OF): string {
  return fromDayNumber((asOf === AS_OF ? AS_OF_DAY : (toDayNumber(asOf) as number)) - days);
}

/** The inclusive end date of an exposure of `days` days starting on `start` (end - start + 1 = days). */
export function endAfter(start: string, days: number): string {
  return fromDayNumber((toDayNumber(start) as number) + days - 1);
}

export const LAB_DATE = daysBefore(21);
export const BIRTH_DATE_45 = '1981-03-15';

export const CODES = {
  recurrentModerate: code('icd10', 'F33.1', 'Recurrent depressive disorder, current episode moderate'),
  sertraline: code('rxnorm', '36437', 'sertraline'),
  escitalopram: code('rxnorm', '321988', 'escitalopram'),
  hsCrp: code('loinc', '30522-7', 'C reactive protein [Mass/volume] in Serum or Plasma by High sensitivity method'),
  crp: code('loinc', '1988-5', 'C reactive protein [Mass/volume] in Serum or Plasma'),
  hsCrpMolar: code(
    'loinc',
    '76486-0',
    'C reactive protein [Moles/volume] in Serum or Plasma by High sensitivity method',
  ),
  anc: code('loinc', '751-8', 'Neutrophils [#/volume] in Blood by Automated count'),
  platelets: code('loinc', '777-3', 'Platelets [#/volume] in Blood by Automated count'),
  alt: code('loinc', '1742-6', 'Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma'),
  ast: code('loinc', '1920-8', 'Aspartate aminotransferase [Enzymatic activity/volume] in Serum or Plasma'),
  igra: code('loinc', '71773-6', 'Mycobacterium tuberculosis stimulated gamma interferon [Presence] in Blood'),
  hbsag: code('loinc', '5196-1', 'Hepatitis B virus surface Ag [Presence] in Serum or Plasma by Immunoassay'),
  negative: code('snomed', '260385009', 'Negative'),
  positive: code('snomed', '10828004', 'Positive'),
} as const;

/** Parts of the reference patient a vignette can leave out (and usually replace). */
export type BasePart =
  'depression' | 'sertraline' | 'escitalopram' | 'crp' | 'anc' | 'platelets' | 'alt' | 'ast' | 'igra' | 'hbsag';

export interface BaseOptions {
  readonly omit?: readonly BasePart[];
  /** null: no birth date recorded. */
  readonly birthDate?: string | null;
  readonly gender?: 'male' | 'female';
  readonly deceasedBoolean?: boolean;
  readonly deceasedDateTime?: string;
}

/** hs-CRP in mg/L, dated like the base labs unless a date is given. */
export function hsCrp(mgPerL: number, date: string = LAB_DATE): ObservationSpec {
  return { id: 'crp', code: CODES.hsCrp, date, quantity: ucum(mgPerL, 'mg/L') };
}

export const LABS = {
  anc: (value: number, date: string = LAB_DATE): ObservationSpec => ({
    id: 'anc',
    code: CODES.anc,
    date,
    quantity: ucum(value, '10*9/L', '10^9/L'),
    low: 2.0,
    high: 7.5,
  }),
  platelets: (value: number, date: string = LAB_DATE): ObservationSpec => ({
    id: 'platelets',
    code: CODES.platelets,
    date,
    quantity: ucum(value, '10*9/L', '10^9/L'),
    low: 150,
    high: 400,
  }),
  alt: (value: number, uln: number | undefined = 35, date: string = LAB_DATE): ObservationSpec => ({
    id: 'alt',
    code: CODES.alt,
    date,
    quantity: ucum(value, 'U/L'),
    ...(uln !== undefined && { low: 7, high: uln }),
  }),
  ast: (value: number, uln: number | undefined = 35, date: string = LAB_DATE): ObservationSpec => ({
    id: 'ast',
    code: CODES.ast,
    date,
    quantity: ucum(value, 'U/L'),
    ...(uln !== undefined && { low: 10, high: uln }),
  }),
  igra: (positive: boolean, date: string = LAB_DATE): ObservationSpec => ({
    id: 'igra',
    code: CODES.igra,
    date,
    valueCoding: positive ? CODES.positive : CODES.negative,
    interpretation: positive ? 'POS' : 'NEG',
  }),
  hbsag: (positive: boolean, date: string = LAB_DATE): ObservationSpec => ({
    id: 'hbsag',
    code: CODES.hbsag,
    date,
    valueCoding: positive ? CODES.positive : CODES.negative,
    interpretation: positive ? 'POS' : 'NEG',
  }),
} as const;

export const SERTRALINE_START = '2025-01-06';
export const ESCITALOPRAM_START = '2025-05-05';

/** The reference patient, minus the omitted parts. */
export function basePatient(id: string, options: BaseOptions = {}): BundleBuilder {
  const omit = new Set(options.omit ?? []);
  const b = new BundleBuilder(id).patient({
    ...(options.birthDate !== null && { birthDate: options.birthDate ?? BIRTH_DATE_45 }),
    gender: options.gender ?? 'female',
    ...(options.deceasedBoolean !== undefined && { deceasedBoolean: options.deceasedBoolean }),
    ...(options.deceasedDateTime !== undefined && { deceasedDateTime: options.deceasedDateTime }),
  });
  if (!omit.has('depression')) {
    b.condition({ id: 'depression', code: CODES.recurrentModerate, clinicalStatus: 'active', onset: '2024-09-02' });
  }
  if (!omit.has('sertraline')) {
    b.medicationStatement({
      id: 'sertraline',
      code: CODES.sertraline,
      start: SERTRALINE_START,
      end: endAfter(SERTRALINE_START, 84),
      dose: { value: 100, unit: 'mg' },
    });
  }
  if (!omit.has('escitalopram')) {
    b.medicationStatement({
      id: 'escitalopram',
      code: CODES.escitalopram,
      start: ESCITALOPRAM_START,
      end: endAfter(ESCITALOPRAM_START, 70),
      dose: { value: 20, unit: 'mg' },
    });
  }
  if (!omit.has('crp')) b.observation(hsCrp(7));
  if (!omit.has('anc')) b.observation(LABS.anc(3.8));
  if (!omit.has('platelets')) b.observation(LABS.platelets(245));
  if (!omit.has('alt')) b.observation(LABS.alt(22));
  if (!omit.has('ast')) b.observation(LABS.ast(25));
  if (!omit.has('igra')) b.observation(LABS.igra(false));
  if (!omit.has('hbsag')) b.observation(LABS.hbsag(false));
  return b;
}

/** The base patient's expected result; vignettes override what they change. */
export function expected(overrides: Partial<Expected> = {}): Expected {
  return {
    recommendation: 'refer-to-trial',
    adequateTrials: 2,
    unverifiedTrials: 0,
    inflammation: 'elevated',
    crpMgPerL: 7,
    contraindications: [],
    cautions: [],
    missingWorkup: [],
    ...overrides,
  };
}
