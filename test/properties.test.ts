/**
 * Properties of the care pathway over the vignette suite (fast-check, fixed seeds, modest run counts):
 * - the order of a Bundle's entries never changes the assessment;
 * - adding any absolute contraindication never yields refer-to-trial (and turns a referral into contraindicated);
 * - moving the CRP within its status band (normal [0, 3), elevated [3, 10], acute (10, 200] mg/L) never changes the
 *   recommendation;
 * - nothing dated after the as-of date changes the result;
 * - a resource about another patient never changes the result (it is reported as an issue);
 * - moving every date of a record and the as-of date by the same number of days changes nothing.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type {
  AllergyIntolerance,
  Bundle,
  BundleEntry,
  Coding,
  Condition,
  Immunization,
  MedicationStatement,
  Observation,
  Quantity,
  Resource,
} from '@medplum/fhirtypes';
import { fromDayNumber, toDayNumber } from '../src/record/index.ts';
import { code, concept, SYSTEM, ucum } from './support/bundle-builder.ts';
import { projectAssessment } from './support/project-assessment.ts';
import { assessBundle, loadVignettes, orderFree, withResources } from './support/vignette-bundles.ts';
import type { LoadedVignette } from './support/vignette-bundles.ts';

const VIGNETTES = loadVignettes();
const RUNS = 60;
const SUBJECT = { reference: 'Patient/patient' };

/** The date `days` after the vignette's as-of date (negative: before). */
function shift(asOf: string, days: number): string {
  return fromDayNumber((toDayNumber(asOf) as number) + days);
}

/** Vignettes are drawn by index so that a counterexample prints as a few numbers, not a whole Bundle. */
const vignette = fc.nat({ max: VIGNETTES.length - 1 }).map((i) => VIGNETTES[i] as LoadedVignette);

/** Up to `limit` paths where two JSON values differ, with both values (truncated): a readable failure message. */
function differences(a: unknown, b: unknown, path = '$', limit = 3): string[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    const out: string[] = [];
    for (const k of keys) {
      out.push(
        ...differences((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`, limit),
      );
      if (out.length >= limit) return out.slice(0, limit);
    }
    return out;
  }
  if (typeof a === 'string' && typeof b === 'string') {
    let at = 0;
    while (a[at] === b[at]) at += 1;
    const from = Math.max(0, at - 60);
    return [`${path} from char ${at}: "...${a.slice(from, at + 100)}" != "...${b.slice(from, at + 100)}"`];
  }
  const show = (x: unknown): string => (JSON.stringify(x) ?? 'undefined').slice(0, 300);
  return [`${path}: ${show(a)} != ${show(b)}`];
}

function condition(id: string, coding: Coding, onset: string): Condition {
  return {
    resourceType: 'Condition',
    id,
    clinicalStatus: { coding: [{ system: SYSTEM.conditionClinical, code: 'active' }] },
    verificationStatus: { coding: [{ system: SYSTEM.conditionVerification, code: 'confirmed' }] },
    code: concept(coding),
    subject: SUBJECT,
    onsetDateTime: onset,
  };
}

function lab(id: string, coding: Coding, date: string, value: Quantity | Coding): Observation {
  const observation: Observation = {
    resourceType: 'Observation',
    id,
    status: 'final',
    code: concept(coding),
    subject: SUBJECT,
    effectiveDateTime: date,
  };
  if (value.system === SYSTEM.ucum) observation.valueQuantity = value as Quantity;
  else observation.valueCodeableConcept = concept(value as Coding);
  return observation;
}

const LOINC_ANC = code('loinc', '751-8', 'Neutrophils [#/volume] in Blood by Automated count');
const LOINC_PLATELETS = code('loinc', '777-3', 'Platelets [#/volume] in Blood by Automated count');
const LOINC_ALT = code('loinc', '1742-6', 'Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma');
const LOINC_HBSAG = code(
  'loinc',
  '5196-1',
  'Hepatitis B virus surface Ag [Presence] in Serum or Plasma by Immunoassay',
);
const LOINC_HSCRP = code(
  'loinc',
  '30522-7',
  'C reactive protein [Mass/volume] in Serum or Plasma by High sensitivity method',
);

/**
 * An absolute contraindication added to a vignette, dated within the last 20 days so that for labs it is the most
 * recent result of its analyte (the vignettes date their labs 21 days before as-of or earlier).
 */
function contraindication(asOf: string): fc.Arbitrary<Resource> {
  const recent = fc.integer({ min: 0, max: 20 }).map((d) => shift(asOf, -d));
  return fc.oneof(
    recent.map((d) => condition('added-pneumonia', code('snomed', '233604007', 'Pneumonia'), d)),
    recent.map((d) => condition('added-pregnancy', code('icd10', 'Z33.1', 'Pregnant state, incidental'), d)),
    recent.map((d) => condition('added-tb', code('icd10', 'A15.0', 'Tuberculosis of lung'), d)),
    recent.map((d) => condition('added-hiv', code('snomed', '86406008', 'HIV infection'), d)),
    fc
      .tuple(recent, fc.integer({ min: 0, max: 199 }))
      .map(([d, anc]) => lab('added-anc', LOINC_ANC, d, ucum(anc / 100, '10*9/L'))),
    fc
      .tuple(recent, fc.integer({ min: 5, max: 99 }))
      .map(([d, plt]) => lab('added-platelets', LOINC_PLATELETS, d, ucum(plt, '10*9/L'))),
    recent.map((d) => lab('added-hbsag', LOINC_HBSAG, d, code('snomed', '10828004', 'Positive'))),
    fc
      .tuple(recent, fc.integer({ min: 53, max: 2000 }))
      // Above 1.5 x the result's own ULN of 35 U/L (52.5), whatever the pathway's default ULN.
      .map(([d, alt]) => ({
        ...lab('added-alt', LOINC_ALT, d, ucum(alt, 'U/L')),
        referenceRange: [{ high: ucum(35, 'U/L') }],
      })),
    recent.map((d): MedicationStatement => ({
      resourceType: 'MedicationStatement',
      id: 'added-adalimumab',
      status: 'active',
      medicationCodeableConcept: concept(code('rxnorm', '327361', 'adalimumab')),
      subject: SUBJECT,
      effectivePeriod: { start: shift(d, -60) },
    })),
    fc.constant<AllergyIntolerance>({
      resourceType: 'AllergyIntolerance',
      id: 'added-allergy',
      clinicalStatus: { coding: [{ system: SYSTEM.allergyClinical, code: 'active' }] },
      code: concept(code('rxnorm', '612865', 'tocilizumab')),
      patient: SUBJECT,
    }),
  );
}

/** Resources dated strictly after as-of, each of which would change the result if it were dated before. */
function futureResource(asOf: string): fc.Arbitrary<Resource> {
  const after = fc.integer({ min: 1, max: 400 }).map((d) => shift(asOf, d));
  return fc.oneof(
    fc
      .tuple(after, fc.integer({ min: 0, max: 5000 }))
      .map(([d, crp]) => lab('future-crp', LOINC_HSCRP, d, ucum(crp / 100, 'mg/L'))),
    after.map((d) => lab('future-anc', LOINC_ANC, d, ucum(0.5, '10*9/L'))),
    after.map((d) => condition('future-pregnancy', code('snomed', '77386006', 'Pregnancy'), d)),
    after.map((d) => condition('future-depression', code('icd10', 'F32.2', 'Severe depressive episode'), d)),
    after.map((d): MedicationStatement => ({
      resourceType: 'MedicationStatement',
      id: 'future-venlafaxine',
      status: 'completed',
      medicationCodeableConcept: concept(code('rxnorm', '39786', 'venlafaxine')),
      subject: SUBJECT,
      effectivePeriod: { start: d, end: shift(d, 90) },
      dosage: [
        {
          timing: { repeat: { frequency: 1, period: 1, periodUnit: 'd' } },
          doseAndRate: [{ doseQuantity: ucum(150, 'mg') }],
        },
      ],
    })),
    after.map((d): Immunization => ({
      resourceType: 'Immunization',
      id: 'future-mmr',
      status: 'completed',
      vaccineCode: concept(code('cvx', '03', 'MMR')),
      patient: SUBJECT,
      occurrenceDateTime: d,
    })),
  );
}

/** Vignettes whose CRP is one plain hs-CRP result in mg/L (id `crp`), with the band its value lies in. */
type Band = 'normal' | 'elevated' | 'acute';
const BAND_HUNDREDTHS: Record<Band, { min: number; max: number }> = {
  normal: { min: 0, max: 299 },
  elevated: { min: 300, max: 1000 },
  acute: { min: 1001, max: 20000 },
};
function plainCrp(v: LoadedVignette): Observation | undefined {
  const crp = v.bundle.entry?.find((e) => e.resource?.resourceType === 'Observation' && e.resource.id === 'crp')
    ?.resource as Observation | undefined;
  const q = crp?.valueQuantity;
  const isHs = crp?.code.coding?.some((c) => c.code === '30522-7') === true;
  return isHs && q?.code === 'mg/L' && q.comparator === undefined ? crp : undefined;
}
const BANDED = VIGNETTES.filter(
  (v) => plainCrp(v) !== undefined && ['normal', 'elevated', 'acute'].includes(v.expected.inflammation),
);

function withCrpValue(bundle: Bundle, mgPerL: number): Bundle {
  return {
    ...bundle,
    entry: (bundle.entry ?? []).map((e) =>
      e.resource?.resourceType === 'Observation' && e.resource.id === 'crp'
        ? { ...e, resource: { ...e.resource, valueQuantity: ucum(mgPerL, 'mg/L') } }
        : e,
    ),
  };
}

describe('care-pathway properties over the vignettes', () => {
  test('shuffling bundle entries never changes the assessment', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: VIGNETTES.length - 1 }).chain((i) => {
          const n = VIGNETTES[i]?.bundle.entry?.length ?? 0;
          const order = Array.from({ length: n }, (_, k) => k);
          return fc.tuple(fc.constant(i), fc.shuffledSubarray(order, { minLength: n }));
        }),
        ([i, order]) => {
          const v = VIGNETTES[i] as LoadedVignette;
          const entries = v.bundle.entry ?? [];
          const shuffled = order.map((k) => entries[k] as BundleEntry);
          const original = orderFree(assessBundle(v.bundle, v.asOf));
          const reordered = orderFree(assessBundle({ ...v.bundle, entry: shuffled }, v.asOf));
          const diff = differences(original, reordered);
          assert.deepEqual(diff, [], `${v.id}: the result depends on entry order`);
        },
      ),
      { seed: 20261127, numRuns: RUNS, includeErrorInReport: true },
    );
  });

  test('adding an absolute contraindication never yields refer-to-trial', () => {
    fc.assert(
      fc.property(
        vignette.chain((v) => fc.tuple(fc.constant(v), contraindication(v.asOf))),
        ([v, added]) => {
          const result = assessBundle(withResources(v.bundle, [added]), v.asOf);
          assert.notEqual(result.recommendation.code, 'refer-to-trial', `${v.id} + ${added.resourceType}/${added.id}`);
          if (v.expected.recommendation === 'refer-to-trial') {
            assert.equal(result.recommendation.code, 'contraindicated', `${v.id} + ${added.resourceType}/${added.id}`);
          }
        },
      ),
      { seed: 4242, numRuns: RUNS * 2, includeErrorInReport: true },
    );
  });

  test('moving the CRP within its status band never changes the recommendation', () => {
    assert.ok(BANDED.length >= 10, 'enough vignettes with a plain hs-CRP');
    fc.assert(
      fc.property(
        fc.constantFrom(...BANDED).chain((v) => {
          const band = v.expected.inflammation as Band;
          return fc.tuple(fc.constant(v), fc.integer(BAND_HUNDREDTHS[band]));
        }),
        ([v, hundredths]) => {
          const result = assessBundle(withCrpValue(v.bundle, hundredths / 100), v.asOf);
          assert.equal(result.recommendation.code, v.expected.recommendation, `${v.id} with CRP ${hundredths / 100}`);
          assert.equal(result.inflammation.status, v.expected.inflammation);
        },
      ),
      { seed: 7, numRuns: RUNS * 2, includeErrorInReport: true },
    );
  });

  test('nothing dated after the as-of date changes the result', () => {
    fc.assert(
      fc.property(
        vignette.chain((v) =>
          fc.tuple(fc.constant(v), fc.array(futureResource(v.asOf), { minLength: 1, maxLength: 3 })),
        ),
        ([v, future]) => {
          const unique = future.map((r, i) => ({ ...r, id: `${r.id ?? 'future'}-${i}` }));
          const original = projectAssessment(assessBundle(v.bundle, v.asOf));
          const withFuture = projectAssessment(assessBundle(withResources(v.bundle, unique), v.asOf));
          assert.deepEqual(withFuture, original);
        },
      ),
      { seed: 1101, numRuns: RUNS, includeErrorInReport: true },
    );
  });

  test('adding a resource about another patient never changes the result (only an issue says it was not used)', () => {
    fc.assert(
      fc.property(
        vignette.chain((v) =>
          fc.tuple(
            fc.constant(v),
            fc.oneof(contraindication(v.asOf), futureResource(shift(v.asOf, -200))),
            fc.constantFrom('Patient/someone-else', 'https://example.org/fhir/Patient/p2', 'Patient/patient2'),
          ),
        ),
        ([v, resource, other]) => {
          const aboutOther = {
            ...resource,
            id: `other-${resource.id ?? 'resource'}`,
            ...('patient' in resource ? { patient: { reference: other } } : { subject: { reference: other } }),
          } as Resource;
          const original = assessBundle(v.bundle, v.asOf);
          const withOther = assessBundle(withResources(v.bundle, [aboutOther]), v.asOf);
          const { issues: before, ...rest } = original;
          const { issues: after, ...restWithOther } = withOther;
          assert.deepEqual(differences(orderFree(rest), orderFree(restWithOther)), [], v.id);
          const added = after.filter((i) => !before.some((b) => b.code === i.code && b.path === i.path));
          assert.deepEqual(
            added.map((i) => [i.code, i.path]),
            [['fhir.resource.other-patient', `${aboutOther.resourceType}/${aboutOther.id ?? ''}`]],
          );
        },
      ),
      { seed: 2611, numRuns: RUNS, includeErrorInReport: true },
    );
  });

  test('moving every date of a record and the as-of date by the same number of days changes nothing', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SHIFTABLE), fc.integer({ min: -3000, max: 3000 }), (v, days) => {
        const shifted = shiftDates(v.bundle, days) as Bundle;
        const original = projectAssessment(assessBundle(v.bundle, v.asOf));
        const moved = projectAssessment(assessBundle(shifted, shift(v.asOf, days)));
        assert.deepEqual(moved, original, `${v.id} moved by ${days} days`);
      }),
      { seed: 1129, numRuns: RUNS, includeErrorInReport: true },
    );
  });
});

const FULL_DATE = /^(\d{4}-\d{2}-\d{2})(T.*)?$/;
const PARTIAL_DATE = /^\d{4}(-\d{2})?$/;

/** Every full date (and the date part of every dateTime) in a JSON value moved by `days`. */
function shiftDates(value: unknown, days: number): unknown {
  if (typeof value === 'string') {
    const m = FULL_DATE.exec(value);
    const day = m?.[1] === undefined ? undefined : toDayNumber(m[1]);
    return day === undefined ? value : `${fromDayNumber(day + days)}${m?.[2] ?? ''}`;
  }
  if (Array.isArray(value)) return value.map((x) => shiftDates(x, days));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, x]) => [k, shiftDates(x, days)]));
  }
  return value;
}

function hasPartialDate(value: unknown): boolean {
  if (typeof value === 'string') return PARTIAL_DATE.test(value);
  if (Array.isArray(value)) return value.some(hasPartialDate);
  if (value !== null && typeof value === 'object') return Object.values(value).some(hasPartialDate);
  return false;
}

/**
 * Vignettes whose dates can all be moved by days: no year- or month-only dates (which a shift in days cannot move),
 * and no birth date within two days of its anniversary on the as-of date. Age is counted in calendar years, and moving
 * two dates by the same number of days across different leap years can move a birthday by one day.
 */
const SHIFTABLE = VIGNETTES.filter((v) => {
  if (hasPartialDate(v.bundle)) return false;
  const patient = v.bundle.entry?.find((e) => e.resource?.resourceType === 'Patient')?.resource as
    { birthDate?: string } | undefined;
  const birth = patient?.birthDate;
  if (birth === undefined || birth.length < 10) return true;
  const asOfYear = Number(v.asOf.slice(0, 4));
  const anniversary = toDayNumber(`${asOfYear}${birth.slice(4, 10)}`);
  const asOfDay = toDayNumber(v.asOf) as number;
  return anniversary === undefined || Math.abs(anniversary - asOfDay) > 2;
});
