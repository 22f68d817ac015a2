/**
 * Care pathway 1.1, the medication changes: one definition of a current medication (definition 3a: stale open-ended
 * orders, biologic washouts, JAK inhibitors, an IL-6 blocker already taken), exposure durations (definition 2: one
 * supply per request, refills only when dispensed, stopped requests, single dates, intended statements, gap days,
 * MedicationDispense and MedicationAdministration), ingredients without a minimum dose (definition 3), latent TB with
 * documented treatment (definition 6) and the conventional-immunosuppressant caution (definition 7).
 */
import type {
  MedicationAdministration,
  MedicationDispense,
  MedicationRequest,
  MedicationStatement,
} from '@medplum/fhirtypes';
import { code, concept, SYSTEM } from '../bundle-builder.ts';
import type { BundleBuilder } from '../bundle-builder.ts';
import {
  AS_OF,
  basePatient,
  CODES,
  daysBefore,
  endAfter,
  ESCITALOPRAM_START,
  expected,
  LABS,
  SERTRALINE_START,
} from './base.ts';
import type { Expected, Vignette } from './types.ts';

const SUBJECT = { reference: 'Patient/patient' };
const NAPROXEN = code('rxnorm', '7258', 'naproxen');
const ISONIAZID = code('rxnorm', '6038', 'isoniazid');
const TRAZODONE = code('rxnorm', '10737', 'trazodone');
const MIRTAZAPINE = code('rxnorm', '15996', 'mirtazapine');
const TOFACITINIB = code('rxnorm', '1357536', 'tofacitinib');
const RITUXIMAB = code('rxnorm', '121191', 'rituximab');
const TOCILIZUMAB = code('rxnorm', '612865', 'tocilizumab');
const ADALIMUMAB = code('rxnorm', '327361', 'adalimumab');
const METHOTREXATE = code('rxnorm', '6851', 'methotrexate');
const HYDROCORTISONE = code('rxnorm', '5492', 'hydrocortisone');

const DEF2 = 'definition 2 (exposure duration)';
const DEF3 = 'definition 3 (no minimum dose: unverified)';
const DEF3A = 'definition 3a (current medication)';
const DEF6_TB = 'definition 6 (tuberculosis: documented latent-TB treatment), definition 2';
const DEF6_IS = 'definition 6 (immunosuppressant), definition 3a (washout)';
const DEF7_NAMED = 'definition 7 (medication cautions), "Medications named without a listed code"';

const refer = (more: Partial<Expected> = {}): Expected => expected(more);
const notTrd = (): Expected => expected({ recommendation: 'not-trd', adequateTrials: 1 });
const confirmHistory = (): Expected =>
  expected({ recommendation: 'confirm-history', adequateTrials: 1, unverifiedTrials: 1 });
const contraindicated = (code: string, more: Partial<Expected> = {}): Expected =>
  expected({ recommendation: 'contraindicated', contraindications: [code], ...more });

const dose20 = [
  {
    text: '20 mg by mouth once daily',
    timing: { repeat: { frequency: 1, period: 1, periodUnit: 'd' as const } },
    doseAndRate: [{ doseQuantity: { value: 20, unit: 'mg', system: SYSTEM.ucum, code: 'mg' } }],
  },
];

function request(id: string, fields: Partial<MedicationRequest>): MedicationRequest {
  return {
    resourceType: 'MedicationRequest',
    id,
    status: 'active',
    intent: 'order',
    subject: SUBJECT,
    medicationCodeableConcept: concept(CODES.escitalopram),
    dosageInstruction: dose20,
    ...fields,
  };
}

function dispense(id: string, handedOver: string, days: number, prescription?: string): MedicationDispense {
  return {
    resourceType: 'MedicationDispense',
    id,
    status: 'completed',
    subject: SUBJECT,
    medicationCodeableConcept: concept(CODES.escitalopram),
    whenHandedOver: handedOver,
    daysSupply: { value: days, unit: 'days', system: SYSTEM.ucum, code: 'd' },
    quantity: { value: days, unit: 'tablet', system: SYSTEM.ucum, code: '{tbl}' },
    dosageInstruction: dose20,
    ...(prescription !== undefined && { authorizingPrescription: [{ reference: prescription }] }),
  };
}

function statement(id: string, coding: typeof NAPROXEN, fields: Partial<MedicationStatement>): MedicationStatement {
  return {
    resourceType: 'MedicationStatement',
    id,
    status: 'active',
    subject: SUBJECT,
    medicationCodeableConcept: concept(coding),
    ...fields,
  };
}

function administration(id: string, coding: typeof NAPROXEN, day: string, mg?: number): MedicationAdministration {
  return {
    resourceType: 'MedicationAdministration',
    id,
    status: 'completed',
    subject: SUBJECT,
    medicationCodeableConcept: concept(coding),
    effectiveDateTime: day,
    ...(mg !== undefined && { dosage: { dose: { value: mg, unit: 'mg', system: SYSTEM.ucum, code: 'mg' } } }),
  };
}

/** An active statement started 30 days ago whose medicine is named by text only (no code any set lists). */
function namedStatement(id: string, text: string): MedicationStatement {
  return {
    resourceType: 'MedicationStatement',
    id,
    status: 'active',
    subject: SUBJECT,
    medicationCodeableConcept: { text },
    effectivePeriod: { start: daysBefore(30) },
  };
}

/** The base patient without its escitalopram statement, plus the given resources. */
function withoutEscitalopram(id: string, add: (b: BundleBuilder) => BundleBuilder): Vignette['build'] {
  return () => add(basePatient(id, { omit: ['escitalopram'] })).build();
}

/** The base patient plus the given resources. */
function base(id: string, add: (b: BundleBuilder) => BundleBuilder): Vignette['build'] {
  return () => add(basePatient(id)).build();
}

/** The base patient with a positive IGRA `igraDaysAgo` days before the as-of date, plus the given resources. */
function positiveIgra(id: string, igraDaysAgo: number, add: (b: BundleBuilder) => BundleBuilder): Vignette['build'] {
  return () => add(basePatient(id, { omit: ['igra'] }).observation(LABS.igra(true, daysBefore(igraDaysAgo)))).build();
}

const isoniazidActive = (id: string, startDaysAgo: number): MedicationStatement =>
  statement(id, ISONIAZID, { effectivePeriod: { start: daysBefore(startDaysAgo) } });

/** A vignette with the definition its expectation tests (`Expected.cite`), written next to the test sentence. */
type Cited = Vignette & { readonly cites: string };

const CITED: readonly Cited[] = [
  // Definition 3a: open-ended orders, 179 / 181 days old.
  {
    id: 'med-open-order-179-days',
    asOf: AS_OF,
    tests: 'An active naproxen order authored 179 days ago, no end, is current -> crp-confounding-medication caution.',
    build: base('med-open-order-179-days', (b) =>
      b.raw(request('naproxen', { authoredOn: daysBefore(179), medicationCodeableConcept: concept(NAPROXEN) })),
    ),
    cites: DEF3A,
    expected: refer({ cautions: ['crp-confounding-medication'] }),
  },
  {
    id: 'med-open-order-181-days',
    asOf: AS_OF,
    tests: 'An active naproxen order authored 181 days ago, no end, is stale: not current -> no caution.',
    build: base('med-open-order-181-days', (b) =>
      b.raw(request('naproxen', { authoredOn: daysBefore(181), medicationCodeableConcept: concept(NAPROXEN) })),
    ),
    cites: DEF3A,
    expected: refer(),
  },
  {
    id: 'med-naproxen-2010-active',
    asOf: AS_OF,
    tests: 'A naproxen request left active since 2010 (Synthea shape) is stale -> no caution, no trial exclusion.',
    build: base('med-naproxen-2010-active', (b) =>
      b.raw(request('naproxen', { authoredOn: '2010-04-12', medicationCodeableConcept: concept(NAPROXEN) })),
    ),
    cites: DEF3A,
    expected: refer(),
  },
  {
    id: 'med-nsaid-on-hold',
    asOf: AS_OF,
    tests: 'An on-hold naproxen statement started 30 days ago is current in assess and match -> caution.',
    build: base('med-nsaid-on-hold', (b) =>
      b.raw(statement('naproxen', NAPROXEN, { status: 'on-hold', effectivePeriod: { start: daysBefore(30) } })),
    ),
    cites: DEF3A,
    expected: refer({ cautions: ['crp-confounding-medication'] }),
  },
  // Definition 2: one supply per request; refills only when dispensed.
  {
    id: 'med-refills-allowed-not-dispensed',
    asOf: AS_OF,
    tests: 'Escitalopram request: 30-day supply with 2 refills allowed and none dispensed is 30 days -> not-trd.',
    build: withoutEscitalopram('med-refills-allowed-not-dispensed', (b) =>
      b.raw(
        request('escitalopram', {
          status: 'completed',
          authoredOn: ESCITALOPRAM_START,
          dispenseRequest: {
            numberOfRepeatsAllowed: 2,
            expectedSupplyDuration: { value: 30, unit: 'days', system: SYSTEM.ucum, code: 'd' },
          },
        }),
      ),
    ),
    cites: DEF2,
    expected: notTrd(),
  },
  {
    id: 'med-refills-dispensed',
    asOf: AS_OF,
    tests: 'The same request with its 2 refills dispensed (3 x 30 days) is 90 days -> adequate -> refer-to-trial.',
    build: withoutEscitalopram('med-refills-dispensed', (b) =>
      b
        .raw(
          request('escitalopram', {
            status: 'completed',
            authoredOn: ESCITALOPRAM_START,
            dispenseRequest: {
              numberOfRepeatsAllowed: 2,
              expectedSupplyDuration: { value: 30, unit: 'days', system: SYSTEM.ucum, code: 'd' },
            },
          }),
        )
        .raw(dispense('refill-1', endAfter(ESCITALOPRAM_START, 31), 30, 'MedicationRequest/escitalopram'))
        .raw(dispense('refill-2', endAfter(ESCITALOPRAM_START, 61), 30, 'MedicationRequest/escitalopram')),
    ),
    cites: DEF2,
    expected: refer(),
  },
  {
    id: 'med-stopped-request-known-end',
    asOf: AS_OF,
    tests: 'A stopped request (70-day supply) with validityPeriod.end after 50 days counts 50 days -> adequate.',
    build: withoutEscitalopram('med-stopped-request-known-end', (b) =>
      b.raw(
        request('escitalopram', {
          status: 'stopped',
          authoredOn: ESCITALOPRAM_START,
          dispenseRequest: {
            validityPeriod: { start: ESCITALOPRAM_START, end: endAfter(ESCITALOPRAM_START, 50) },
            expectedSupplyDuration: { value: 70, unit: 'days', system: SYSTEM.ucum, code: 'd' },
          },
        }),
      ),
    ),
    cites: DEF2,
    expected: refer(),
  },
  {
    id: 'med-request-no-supply',
    asOf: AS_OF,
    tests:
      'An escitalopram request with no supply and no end has an unknown duration -> unverified -> confirm-history.',
    build: withoutEscitalopram('med-request-no-supply', (b) =>
      b.raw(request('escitalopram', { status: 'completed', authoredOn: ESCITALOPRAM_START })),
    ),
    cites: DEF2,
    expected: confirmHistory(),
  },
  {
    id: 'med-single-date-statement',
    asOf: AS_OF,
    tests: 'An escitalopram statement with only effectiveDateTime has an unknown duration -> confirm-history.',
    build: withoutEscitalopram('med-single-date-statement', (b) =>
      b.raw(
        statement('escitalopram', CODES.escitalopram, {
          status: 'completed',
          effectiveDateTime: ESCITALOPRAM_START,
          dosage: dose20,
        }),
      ),
    ),
    cites: DEF2,
    expected: confirmHistory(),
  },
  {
    id: 'med-month-only-dates',
    asOf: AS_OF,
    tests:
      'An escitalopram statement from "2025-01" to "2025-03" (patient-reported months) may be 30 or 90 days -> unverified, not inadequate -> confirm-history.',
    build: withoutEscitalopram('med-month-only-dates', (b) =>
      b.raw(
        statement('escitalopram', CODES.escitalopram, {
          status: 'completed',
          effectivePeriod: { start: '2025-01', end: '2025-03' },
          dosage: dose20,
        }),
      ),
    ),
    cites: DEF2,
    expected: confirmHistory(),
  },
  {
    id: 'med-mirtazapine-added-to-sertraline',
    asOf: AS_OF,
    tests:
      'Mirtazapine 30 mg added for the last 56 days of the 84-day sertraline course (no escitalopram) is a combination, not a second trial -> unverified -> confirm-history.',
    build: withoutEscitalopram('med-mirtazapine-added-to-sertraline', (b) =>
      b.raw(
        statement('mirtazapine', MIRTAZAPINE, {
          status: 'completed',
          effectivePeriod: { start: endAfter(SERTRALINE_START, 29), end: endAfter(SERTRALINE_START, 84) },
          dosage: [
            {
              text: '30 mg by mouth at night',
              timing: { repeat: { frequency: 1, period: 1, periodUnit: 'd' } },
              doseAndRate: [{ doseQuantity: { value: 30, unit: 'mg', system: SYSTEM.ucum, code: 'mg' } }],
            },
          ],
        }),
      ),
    ),
    cites: 'definition 4 (antidepressants taken together)',
    expected: confirmHistory(),
  },
  {
    id: 'med-intended-statement',
    asOf: AS_OF,
    tests:
      'An intended escitalopram statement over 70 days is not confirmed as taken -> unverified -> confirm-history.',
    build: withoutEscitalopram('med-intended-statement', (b) =>
      b.raw(
        statement('escitalopram', CODES.escitalopram, {
          status: 'intended',
          effectivePeriod: { start: ESCITALOPRAM_START, end: endAfter(ESCITALOPRAM_START, 70) },
          dosage: dose20,
        }),
      ),
    ),
    cites: DEF2,
    expected: confirmHistory(),
  },
  {
    id: 'med-dispense-only-course',
    asOf: AS_OF,
    tests: 'Escitalopram from two MedicationDispense records alone (2 x 30 days, daysSupply) is 60 days -> adequate.',
    build: withoutEscitalopram('med-dispense-only-course', (b) =>
      b
        .raw(dispense('dispense-1', ESCITALOPRAM_START, 30))
        .raw(dispense('dispense-2', endAfter(ESCITALOPRAM_START, 31), 30)),
    ),
    cites: DEF2,
    expected: refer(),
  },
  {
    id: 'med-administration-only-course',
    asOf: AS_OF,
    tests: 'Escitalopram from 45 daily MedicationAdministration records (20 mg each) is 45 days -> adequate.',
    build: withoutEscitalopram('med-administration-only-course', (b) => {
      for (let day = 1; day <= 45; day++) {
        b.raw(administration(`escitalopram-${day}`, CODES.escitalopram, endAfter(ESCITALOPRAM_START, day), 20));
      }
      return b;
    }),
    cites: DEF2,
    expected: refer(),
  },
  {
    id: 'med-gap-days-41-on-drug',
    asOf: AS_OF,
    tests: 'Escitalopram 21 days, a 20-day gap, then 20 days: joined, but 41 days on the drug -> not adequate.',
    build: withoutEscitalopram('med-gap-days-41-on-drug', (b) =>
      b
        .medicationStatement({
          id: 'escitalopram-1',
          code: CODES.escitalopram,
          start: ESCITALOPRAM_START,
          end: endAfter(ESCITALOPRAM_START, 21),
          dose: { value: 20, unit: 'mg' },
        })
        .medicationStatement({
          id: 'escitalopram-2',
          code: CODES.escitalopram,
          start: endAfter(ESCITALOPRAM_START, 42),
          end: endAfter(ESCITALOPRAM_START, 61),
          dose: { value: 20, unit: 'mg' },
        }),
    ),
    cites: DEF2,
    expected: notTrd(),
  },
  {
    id: 'med-gap-days-42-on-drug',
    asOf: AS_OF,
    tests: 'Escitalopram 21 days, a 20-day gap, then 21 days: 42 days on the drug -> adequate -> refer-to-trial.',
    build: withoutEscitalopram('med-gap-days-42-on-drug', (b) =>
      b
        .medicationStatement({
          id: 'escitalopram-1',
          code: CODES.escitalopram,
          start: ESCITALOPRAM_START,
          end: endAfter(ESCITALOPRAM_START, 21),
          dose: { value: 20, unit: 'mg' },
        })
        .medicationStatement({
          id: 'escitalopram-2',
          code: CODES.escitalopram,
          start: endAfter(ESCITALOPRAM_START, 42),
          end: endAfter(ESCITALOPRAM_START, 62),
          dose: { value: 20, unit: 'mg' },
        }),
    ),
    cites: DEF2,
    expected: refer(),
  },
  {
    id: 'med-no-minimum-dose',
    asOf: AS_OF,
    tests: 'Trazodone 150 mg/day for 70 days: no minimum adequate dose in the table -> unverified -> confirm-history.',
    build: withoutEscitalopram('med-no-minimum-dose', (b) =>
      b.medicationStatement({
        id: 'trazodone',
        code: TRAZODONE,
        start: ESCITALOPRAM_START,
        end: endAfter(ESCITALOPRAM_START, 70),
        dose: { value: 150, unit: 'mg' },
      }),
    ),
    cites: DEF3,
    expected: confirmHistory(),
  },
  // Definition 6 `immunosuppressant` and the washouts of definition 3a.
  {
    id: 'med-jak-inhibitor',
    asOf: AS_OF,
    tests: 'Tofacitinib (a JAK inhibitor), active and started 60 days ago -> immunosuppressant -> contraindicated.',
    build: base('med-jak-inhibitor', (b) =>
      b.raw(statement('tofacitinib', TOFACITINIB, { effectivePeriod: { start: daysBefore(60) } })),
    ),
    cites: DEF6_IS,
    expected: contraindicated('immunosuppressant'),
  },
  {
    id: 'med-rituximab-364-days',
    asOf: AS_OF,
    tests: 'A rituximab infusion 364 days ago is within its 365-day washout -> immunosuppressant -> contraindicated.',
    build: base('med-rituximab-364-days', (b) => b.raw(administration('rituximab', RITUXIMAB, daysBefore(364)))),
    cites: DEF6_IS,
    expected: contraindicated('immunosuppressant'),
  },
  {
    id: 'med-rituximab-366-days',
    asOf: AS_OF,
    tests: 'A rituximab infusion 366 days ago is past its 365-day washout -> not current -> refer-to-trial.',
    build: base('med-rituximab-366-days', (b) => b.raw(administration('rituximab', RITUXIMAB, daysBefore(366)))),
    cites: DEF6_IS,
    expected: refer(),
  },
  {
    id: 'med-il6-blocker-patient',
    asOf: AS_OF,
    tests:
      'A patient on tocilizumab for rheumatoid arthritis (active, started 100 days ago): immunosuppressant with the ' +
      'do-not-stop message; the CRP drawn under tocilizumab is not valid.',
    build: base('med-il6-blocker-patient', (b) =>
      b.raw(statement('tocilizumab', TOCILIZUMAB, { effectivePeriod: { start: daysBefore(100) } })),
    ),
    cites: `${DEF6_IS}, definition 5`,
    expected: contraindicated('immunosuppressant', {
      inflammation: 'unknown',
      crpMgPerL: undefined,
    }),
  },
  {
    id: 'med-stale-biologic',
    asOf: AS_OF,
    tests: 'An adalimumab statement active since 400 days ago, no end, is stale: no contraindication, but confirm it.',
    build: base('med-stale-biologic', (b) =>
      b.raw(statement('adalimumab', ADALIMUMAB, { effectivePeriod: { start: daysBefore(400) } })),
    ),
    cites: DEF6_IS,
    expected: refer({ missingWorkup: ['confirm-immunosuppressant'] }),
  },
  {
    id: 'med-conventional-immunosuppressant',
    asOf: AS_OF,
    tests: 'Methotrexate, active and started 60 days ago -> conventional-immunosuppressant caution, still refer.',
    build: base('med-conventional-immunosuppressant', (b) =>
      b.raw(statement('methotrexate', METHOTREXATE, { effectivePeriod: { start: daysBefore(60) } })),
    ),
    cites: 'definition 7 (conventional-immunosuppressant), definition 3a',
    expected: refer({ cautions: ['conventional-immunosuppressant'] }),
  },
  // Definition 7 with "Medications named without a listed code": a medicine named by text only is to confirm.
  {
    id: 'med-named-ibuprofen',
    asOf: AS_OF,
    tests:
      'A current "Ibuprofen 400 mg tablet" as text only -> crp-confounding-medication caution to confirm (INSIGHT NSAID exclusion unknown).',
    build: base('med-named-ibuprofen', (b) => b.raw(namedStatement('ibuprofen', 'Ibuprofen 400 mg tablet'))),
    cites: DEF7_NAMED,
    expected: refer({
      cautions: ['crp-confounding-medication'],
      cautionsToConfirm: ['crp-confounding-medication'],
      issuesInclude: ['medication.named-only'],
    }),
  },
  {
    id: 'med-named-prednisolone-tablet',
    asOf: AS_OF,
    tests: 'A current "Prednisolone 20 mg tablet" as text only -> crp-confounding-medication caution to confirm.',
    build: base('med-named-prednisolone-tablet', (b) =>
      b.raw(namedStatement('prednisolone', 'Prednisolone 20 mg tablet')),
    ),
    cites: DEF7_NAMED,
    expected: refer({
      cautions: ['crp-confounding-medication'],
      cautionsToConfirm: ['crp-confounding-medication'],
      issuesInclude: ['medication.named-only'],
    }),
  },
  {
    id: 'med-named-hydrocortisone-cream',
    asOf: AS_OF,
    tests: 'A current "Hydrocortisone 1% cream" as text only is not systemic -> no caution.',
    build: base('med-named-hydrocortisone-cream', (b) =>
      b.raw(namedStatement('hydrocortisone', 'Hydrocortisone 1% cream')),
    ),
    cites: `${DEF7_NAMED} (definitions.currentMedication.nonSystemicRoutes)`,
    expected: refer(),
  },
  {
    id: 'med-coded-hydrocortisone-cream',
    asOf: AS_OF,
    tests:
      'A current hydrocortisone coded by ingredient (RxNorm 5492) but recorded as "Hydrocortisone 1% cream" -> crp-confounding-medication caution to confirm, never confirmed.',
    build: base('med-coded-hydrocortisone-cream', (b) =>
      b.raw({
        ...namedStatement('hydrocortisone', 'Hydrocortisone 1% cream'),
        medicationCodeableConcept: { ...concept(HYDROCORTISONE), text: 'Hydrocortisone 1% cream' },
      }),
    ),
    cites: `${DEF7_NAMED} (definitions.currentMedication.nonSystemicRoutes)`,
    expected: refer({
      cautions: ['crp-confounding-medication'],
      cautionsToConfirm: ['crp-confounding-medication'],
    }),
  },
  {
    id: 'med-named-methotrexate',
    asOf: AS_OF,
    tests: 'A current "Methotrexate 15 mg weekly" as text only -> conventional-immunosuppressant caution to confirm.',
    build: base('med-named-methotrexate', (b) => b.raw(namedStatement('methotrexate', 'Methotrexate 15 mg weekly'))),
    cites: DEF7_NAMED,
    expected: refer({
      cautions: ['conventional-immunosuppressant'],
      cautionsToConfirm: ['conventional-immunosuppressant'],
      issuesInclude: ['medication.named-only'],
    }),
  },
  // Definition 6 `tuberculosis`: latent TB with documented treatment.
  {
    id: 'med-isoniazid-27-days',
    asOf: AS_OF,
    tests: 'Positive IGRA 40 days ago; isoniazid current for 27 days (< 28) -> untreated latent TB -> contraindicated.',
    build: positiveIgra('med-isoniazid-27-days', 40, (b) => b.raw(isoniazidActive('isoniazid', 26))),
    cites: DEF6_TB,
    expected: contraindicated('tuberculosis'),
  },
  {
    id: 'med-isoniazid-28-days',
    asOf: AS_OF,
    tests: 'Positive IGRA 40 days ago; isoniazid current for 28 days -> documented treatment -> refer-to-trial.',
    build: positiveIgra('med-isoniazid-28-days', 40, (b) => b.raw(isoniazidActive('isoniazid', 27))),
    cites: DEF6_TB,
    expected: refer(),
  },
  {
    id: 'med-isoniazid-not-taken',
    asOf: AS_OF,
    tests: 'Positive IGRA; an isoniazid statement marked not-taken is no treatment -> contraindicated.',
    build: positiveIgra('med-isoniazid-not-taken', 40, (b) =>
      b.raw({ ...isoniazidActive('isoniazid', 35), status: 'not-taken' }),
    ),
    cites: DEF6_TB,
    expected: contraindicated('tuberculosis'),
  },
  {
    id: 'med-isoniazid-cancelled',
    asOf: AS_OF,
    tests: 'Positive IGRA; a cancelled isoniazid request is no treatment -> contraindicated.',
    build: positiveIgra('med-isoniazid-cancelled', 40, (b) =>
      b.raw(
        request('isoniazid', {
          status: 'cancelled',
          authoredOn: daysBefore(35),
          medicationCodeableConcept: concept(ISONIAZID),
          dosageInstruction: undefined,
        }),
      ),
    ),
    cites: DEF6_TB,
    expected: contraindicated('tuberculosis'),
  },
  {
    id: 'med-isoniazid-future',
    asOf: AS_OF,
    tests: 'Positive IGRA; an isoniazid course starting after the as-of date does not exist yet -> contraindicated.',
    build: positiveIgra('med-isoniazid-future', 40, (b) => b.raw(isoniazidActive('isoniazid', -3))),
    cites: DEF6_TB,
    expected: contraindicated('tuberculosis'),
  },
  {
    id: 'med-isoniazid-stopped-early',
    asOf: AS_OF,
    tests: 'Positive IGRA; isoniazid stopped after 16 days is no documented treatment -> contraindicated.',
    build: positiveIgra('med-isoniazid-stopped-early', 40, (b) =>
      b.raw(
        statement('isoniazid', ISONIAZID, {
          status: 'stopped',
          effectivePeriod: { start: daysBefore(35), end: daysBefore(20) },
        }),
      ),
    ),
    cites: DEF6_TB,
    expected: contraindicated('tuberculosis'),
  },
  {
    id: 'med-isoniazid-completed',
    asOf: AS_OF,
    tests: 'Positive IGRA 330 days ago; a completed 270-day isoniazid course after it -> treated -> refer-to-trial.',
    build: positiveIgra('med-isoniazid-completed', 330, (b) =>
      b.raw(
        statement('isoniazid', ISONIAZID, {
          status: 'completed',
          effectivePeriod: { start: daysBefore(320), end: daysBefore(51) },
        }),
      ),
    ),
    cites: DEF6_TB,
    expected: refer(),
  },
  {
    id: 'med-isoniazid-before-positive',
    asOf: AS_OF,
    tests: 'Positive IGRA 40 days ago; the only isoniazid course ended before it -> untreated -> contraindicated.',
    build: positiveIgra('med-isoniazid-before-positive', 40, (b) =>
      b.raw(
        statement('isoniazid', ISONIAZID, {
          status: 'completed',
          effectivePeriod: { start: daysBefore(400), end: daysBefore(130) },
        }),
      ),
    ),
    cites: DEF6_TB,
    expected: contraindicated('tuberculosis'),
  },
  {
    id: 'med-igra-positive-after-treatment',
    asOf: AS_OF,
    tests: 'IGRA positive 330 days ago, treated (completed course), positive again 21 days ago -> still treated.',
    build: () =>
      basePatient('med-igra-positive-after-treatment', { omit: ['igra'] })
        .observation({ ...LABS.igra(true, daysBefore(330)), id: 'igra-first' })
        .observation({ ...LABS.igra(true, daysBefore(21)), id: 'igra-repeat' })
        .raw(
          statement('isoniazid', ISONIAZID, {
            status: 'completed',
            effectivePeriod: { start: daysBefore(320), end: daysBefore(51) },
          }),
        )
        .build(),
    cites: DEF6_TB,
    expected: refer(),
  },
  {
    id: 'med-latent-tb-condition-untreated',
    asOf: AS_OF,
    tests: 'A latent TB infection Condition (ICD-10-CM Z22.7) with no treatment -> tuberculosis -> contraindicated.',
    build: base('med-latent-tb-condition-untreated', (b) =>
      b.condition({
        id: 'latent-tb',
        code: code('icd10cm', 'Z22.7', 'Latent tuberculosis'),
        clinicalStatus: 'active',
        onset: daysBefore(200),
      }),
    ),
    cites: DEF6_TB,
    expected: contraindicated('tuberculosis'),
  },
];

export const MEDICATION_VIGNETTES: readonly Vignette[] = CITED.map(({ cites, ...v }) => ({
  ...v,
  expected: { ...v.expected, cite: cites },
}));
