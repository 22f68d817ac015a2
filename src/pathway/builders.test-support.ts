/**
 * Small builders of normalized PatientRecord facts for the engine's unit tests, and the bundled knowledge. A base
 * "candidate" (current depression, two adequate trials, hs-CRP 7 mg/L, complete normal work-up) reaches row 8
 * (refer-to-trial); each test changes one thing.
 */
import { loadKnowledge } from '../knowledge/load.ts';
import type {
  AllergyFact,
  ConditionFact,
  ImmunizationFact,
  MedicationFact,
  ObservationFact,
  PatientRecord,
  ProcedureFact,
  Quantity,
  QuestionnaireResponseFact,
} from '../record/index.ts';
import { fromDayNumber, toDayNumber } from '../record/index.ts';

export const knowledge = loadKnowledge();
export const AS_OF = '2026-11-27';

export const SYSTEM = {
  icd10: 'http://hl7.org/fhir/sid/icd-10',
  icd10cm: 'http://hl7.org/fhir/sid/icd-10-cm',
  snomed: 'http://snomed.info/sct',
  loinc: 'http://loinc.org',
  rxnorm: 'http://www.nlm.nih.gov/research/umls/rxnorm',
  atc: 'http://www.whocc.no/atc',
  cvx: 'http://hl7.org/fhir/sid/cvx',
  ucum: 'http://unitsofmeasure.org',
} as const;

export const RXNORM = {
  sertraline: '36437',
  escitalopram: '321988',
  fluoxetine: '4493',
  venlafaxine: '39786',
  tocilizumab: '612865',
  lithium: '6448',
  isoniazid: '6038',
  ibuprofen: '5640',
} as const;

/** The day `n` days before (negative: after) the as-of date, YYYY-MM-DD. */
export function daysBefore(n: number, from: string = AS_OF): string {
  const day = toDayNumber(from);
  if (day === undefined) throw new Error(`bad date ${from}`);
  return fromDayNumber(day - n);
}

let seq = 0;
const id = (prefix: string): string => `${prefix}/${prefix.toLowerCase()}-${++seq}`;

export function concept(
  system: string,
  code: string,
  display?: string,
): { codings: { system: string; code: string; display?: string }[] } {
  return { codings: [display === undefined ? { system, code } : { system, code, display }] };
}

export function condition(system: string, code: string, extra: Partial<ConditionFact> = {}): ConditionFact {
  return {
    ref: id('Condition'),
    code: concept(system, code),
    categories: [],
    clinicalStatus: 'active',
    onset: '2025-06-01',
    ...extra,
  };
}

export const depression = (extra: Partial<ConditionFact> = {}): ConditionFact =>
  condition(SYSTEM.icd10, 'F33.1', extra);

export interface MedOptions {
  readonly kind?: 'statement' | 'request';
  readonly status?: string;
  readonly dailyMg?: number;
  readonly start?: string;
  readonly end?: string;
  readonly system?: string;
  readonly extra?: Partial<MedicationFact>;
}

export function medication(code: string, o: MedOptions = {}): MedicationFact {
  const kind = o.kind ?? 'statement';
  const dailyDose: Quantity | undefined =
    o.dailyMg === undefined ? undefined : { value: o.dailyMg, ucum: 'mg', unitText: 'mg' };
  const period = {
    ...(o.start === undefined ? {} : { start: o.start }),
    ...(o.end === undefined ? {} : { end: o.end }),
  };
  return {
    ref: id(kind === 'statement' ? 'MedicationStatement' : 'MedicationRequest'),
    kind,
    status: o.status ?? (o.end === undefined ? 'active' : 'completed'),
    medication: concept(o.system ?? SYSTEM.rxnorm, code),
    ingredients: [],
    ...(dailyDose === undefined ? {} : { dailyDose, dosePerAdministration: dailyDose, administrationsPerDay: 1 }),
    period,
    reasonCodes: [],
    // R4 requires a request's intent; an order, unless the test says otherwise (definition 2).
    ...(kind === 'request' ? { intent: 'order' } : {}),
    ...o.extra,
  };
}

/** An antidepressant exposure of `days` days (inclusive) ending `endDaysBefore` days before the as-of date. */
export function exposure(
  code: string,
  dailyMg: number | undefined,
  days: number,
  endDaysBefore = 200,
  o: MedOptions = {},
): MedicationFact {
  const end = daysBefore(endDaysBefore);
  const start = daysBefore(endDaysBefore + days - 1);
  return medication(code, { ...(dailyMg === undefined ? {} : { dailyMg }), start, end, ...o });
}

/** Two adequate trials: sertraline 100 mg/day and escitalopram 20 mg/day, 70 days each, well inside the lookback. */
export const twoAdequateTrials = (): MedicationFact[] => [
  exposure(RXNORM.sertraline, 100, 70, 400),
  exposure(RXNORM.escitalopram, 20, 70, 200),
];

export interface ObsOptions {
  readonly status?: string;
  readonly comparator?: Quantity['comparator'];
  readonly uln?: { value: number; ucum: string };
  readonly extra?: Partial<ObservationFact>;
}

export function quantityObservation(
  loinc: string,
  value: number,
  ucum: string | undefined,
  date: string,
  o: ObsOptions = {},
): ObservationFact {
  const quantity: Quantity = {
    value,
    ...(ucum === undefined ? { unitText: 'units' } : { ucum, unitText: ucum }),
    ...(o.comparator === undefined ? {} : { comparator: o.comparator }),
  };
  return {
    ref: id('Observation'),
    code: concept(SYSTEM.loinc, loinc),
    status: o.status ?? 'final',
    effective: date,
    value: { kind: 'quantity', quantity },
    interpretation: [],
    referenceRange: o.uln === undefined ? [] : [{ high: { value: o.uln.value, ucum: o.uln.ucum } }],
    components: [],
    members: [],
    ...o.extra,
  };
}

export const hsCrp = (mgPerL: number, date = daysBefore(20), o: ObsOptions = {}): ObservationFact =>
  quantityObservation('30522-7', mgPerL, 'mg/L', date, o);
export const standardCrp = (mgPerL: number, date = daysBefore(20), o: ObsOptions = {}): ObservationFact =>
  quantityObservation('1988-5', mgPerL, 'mg/L', date, o);

export function screen(loinc: string, positive: boolean, date = daysBefore(30)): ObservationFact {
  return {
    ref: id('Observation'),
    code: concept(SYSTEM.loinc, loinc),
    status: 'final',
    effective: date,
    value: { kind: 'concept', concept: concept(SYSTEM.snomed, positive ? '10828004' : '260385009') },
    interpretation: [],
    referenceRange: [],
    components: [],
    members: [],
  };
}

export interface Workup {
  readonly ancPer10e9L?: number;
  readonly plateletsPer10e9L?: number;
  readonly altUPerL?: number;
  readonly astUPerL?: number;
  readonly date?: string;
}

/** ANC, platelets, ALT, AST (with a 40 U/L reference range), a negative IGRA and a negative HBsAg. */
export function workup(w: Workup = {}): ObservationFact[] {
  const date = w.date ?? daysBefore(30);
  const uln = { value: 40, ucum: 'U/L' };
  return [
    quantityObservation('751-8', w.ancPer10e9L ?? 3.8, '10*9/L', date),
    quantityObservation('777-3', w.plateletsPer10e9L ?? 245, '10*9/L', date),
    quantityObservation('1742-6', w.altUPerL ?? 22, 'U/L', date, { uln }),
    quantityObservation('1920-8', w.astUPerL ?? 25, 'U/L', date, { uln }),
    screen('71773-6', false),
    screen('5196-1', false),
  ];
}

export interface RecordParts {
  readonly birthDate?: string;
  readonly sex?: 'male' | 'female';
  readonly conditions?: ConditionFact[];
  readonly observations?: ObservationFact[];
  readonly medications?: MedicationFact[];
  readonly questionnaireResponses?: QuestionnaireResponseFact[];
  readonly allergies?: AllergyFact[];
  readonly immunizations?: ImmunizationFact[];
  readonly procedures?: ProcedureFact[];
}

export function record(p: RecordParts = {}): PatientRecord {
  return {
    patient: { ref: 'Patient/test', birthDate: p.birthDate ?? '1981-03-14', sex: p.sex ?? 'female' },
    conditions: p.conditions ?? [],
    observations: p.observations ?? [],
    medications: p.medications ?? [],
    questionnaireResponses: p.questionnaireResponses ?? [],
    allergies: p.allergies ?? [],
    immunizations: p.immunizations ?? [],
    procedures: p.procedures ?? [],
    issues: [],
  };
}

/** The row-8 candidate; any part may be replaced or extended. */
export function candidate(
  p: RecordParts & {
    readonly crp?: ObservationFact[];
    readonly extraObservations?: ObservationFact[];
    readonly extraConditions?: ConditionFact[];
    readonly extraMedications?: MedicationFact[];
  } = {},
): PatientRecord {
  return record({
    ...p,
    conditions: [...(p.conditions ?? [depression()]), ...(p.extraConditions ?? [])],
    medications: [...(p.medications ?? twoAdequateTrials()), ...(p.extraMedications ?? [])],
    observations: [...(p.observations ?? [...(p.crp ?? [hsCrp(7)]), ...workup()]), ...(p.extraObservations ?? [])],
  });
}
