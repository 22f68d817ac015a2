/**
 * A seeded synthetic population for population screening: what the generator DECIDES about each patient (age, death,
 * diagnoses, antidepressant courses, contraindications, CRP, IGRA and hepatitis B serology), before any file format. The writers (fhir.ts, omop.ts)
 * render the same decisions as FHIR Bulk Data NDJSON or OMOP CDM rows, and truth.ts derives the expected
 * recommendation from these decisions alone, independently of the engine (docs/screening.md).
 *
 * Each patient draws from its own random stream (src/stats/random/streams.ts), so patient i is the same whatever
 * range of patients a run generates. Rates are plausible orders of magnitude for a general health-system population,
 * chosen for the test to exercise every branch of the decision; the CRP distribution is the log-normal calibrated on
 * knowledge/design/crp-distribution.json (27% >= 3 mg/L, 58% > 1 mg/L).
 */
import type { Knowledge } from '../knowledge/index.ts';
import { loadKnowledge } from '../knowledge/load.ts';
import { CONTRAINDICATION_CODES } from '../knowledge/schema-pathway.ts';
import { fromDayNumber, toDayNumber } from '../record/index.ts';
import { standardNormal } from '../stats/random/normal.ts';
import { replicateStreams, type UniformSource } from '../stats/random/streams.ts';

/** A code as the generator writes it; `system` is a FHIR system URI. */
export interface SynthCode {
  readonly system: string;
  readonly code: string;
  readonly display: string;
}

export const SYSTEM = {
  icd10: 'http://hl7.org/fhir/sid/icd-10',
  icd10cm: 'http://hl7.org/fhir/sid/icd-10-cm',
  snomed: 'http://snomed.info/sct',
  loinc: 'http://loinc.org',
  rxnorm: 'http://www.nlm.nih.gov/research/umls/rxnorm',
  ucum: 'http://unitsofmeasure.org',
  local: 'http://example.org/fhir/CodeSystem/local-diagnosis',
} as const;

const code = (system: string, c: string, display: string): SynthCode => ({ system, code: c, display });

/** Antidepressant products used for courses: RxNorm clinical drugs with their strength (knowledge/codesets/antidepressants.json). */
export const ANTIDEPRESSANT_PRODUCTS = [
  { code: code(SYSTEM.rxnorm, '312941', 'sertraline 50 MG Oral Tablet'), strengthMg: 50, adequateUnits: 2 },
  { code: code(SYSTEM.rxnorm, '248642', 'fluoxetine 20 MG Oral Tablet'), strengthMg: 20, adequateUnits: 1 },
  { code: code(SYSTEM.rxnorm, '349332', 'escitalopram 10 MG Oral Tablet'), strengthMg: 10, adequateUnits: 1 },
  { code: code(SYSTEM.rxnorm, '200371', 'citalopram 20 MG Oral Tablet'), strengthMg: 20, adequateUnits: 1 },
  { code: code(SYSTEM.rxnorm, '313586', 'venlafaxine 75 MG Oral Tablet'), strengthMg: 75, adequateUnits: 2 },
  { code: code(SYSTEM.rxnorm, '311725', 'mirtazapine 15 MG Oral Tablet'), strengthMg: 15, adequateUnits: 2 },
  {
    code: code(SYSTEM.rxnorm, '596934', 'duloxetine 60 MG Delayed Release Oral Capsule'),
    strengthMg: 60,
    adequateUnits: 1,
  },
] as const;
export type AntidepressantProduct = (typeof ANTIDEPRESSANT_PRODUCTS)[number];

export const DIAGNOSES = {
  depression: [
    code(SYSTEM.icd10cm, 'F33.1', 'Major depressive disorder, recurrent, moderate'),
    code(SYSTEM.icd10cm, 'F32.1', 'Major depressive disorder, single episode, moderate'),
    code(SYSTEM.icd10, 'F33.2', 'Recurrent depressive disorder, current episode severe without psychotic symptoms'),
    code(SYSTEM.snomed, '370143000', 'Major depressive disorder'),
  ],
  remission: code(SYSTEM.icd10cm, 'F33.4', 'Major depressive disorder, recurrent, in remission'),
  bipolar: code(SYSTEM.icd10cm, 'F31.81', 'Bipolar II disorder'),
  psychotic: code(SYSTEM.icd10cm, 'F20.9', 'Schizophrenia, unspecified'),
  pneumonia: code(SYSTEM.icd10cm, 'J18.9', 'Pneumonia, unspecified organism'),
  tuberculosis: code(SYSTEM.icd10cm, 'A15.0', 'Tuberculosis of lung'),
  hepatitisB: code(SYSTEM.icd10cm, 'B18.1', 'Chronic viral hepatitis B without delta-agent'),
  hiv: code(SYSTEM.icd10cm, 'B20', 'Human immunodeficiency virus [HIV] disease'),
  pregnancy: code(SYSTEM.icd10cm, 'Z33.1', 'Pregnant state, incidental'),
  hypertension: code(SYSTEM.icd10cm, 'I10', 'Essential (primary) hypertension'),
  unknownLocal: code(SYSTEM.local, 'DX-4471', 'Local problem-list entry'),
} as const;

/** A qualitative screening result as the generator plants it (the pathway's reading: src/pathway/labs.ts). */
export type ScreenAnswer = 'positive' | 'negative' | 'indeterminate';

/**
 * The codes of the latent-TB and hepatitis B screens the generator writes, read from the pathway's code sets
 * (`definitions.screens`), never restated here: each test is the first qualitative ("presence") code of its set, each
 * answer the LOINC answer of the pathway's positive and negative sets, indeterminate the LOINC answer of
 * `result-indeterminate` (a code the pathway reads as neither, so the test counts as not done).
 */
export interface ScreenCodes {
  readonly igra: SynthCode;
  readonly hbsag: SynthCode;
  readonly antiHbc: SynthCode;
  readonly answers: Readonly<Record<ScreenAnswer, SynthCode>>;
  /** The latent-TB treatment the generator documents (code set `tuberculosis-treatment`, RxNorm). */
  readonly tbTreatment: SynthCode;
}

export function screenCodesFrom(k: Knowledge): ScreenCodes {
  const s = k.pathway.definitions.screens;
  const first = (sets: readonly string[], what: string, ok: (c: { system: string; dimension?: string }) => boolean) => {
    for (const id of sets) {
      const c = k.codeSets.get(id)?.codes.find(ok);
      if (c !== undefined) return code(c.system, c.code, c.display ?? c.code);
    }
    throw new Error(`the pathway's code sets give no ${what} for the synthetic population (${sets.join(', ')})`);
  };
  const test = (sets: readonly string[], what: string): SynthCode =>
    first(sets, what, (c) => c.system === SYSTEM.loinc && c.dimension === 'presence');
  const answer = (sets: readonly string[], what: string): SynthCode =>
    first(sets, what, (c) => c.system === SYSTEM.loinc);
  const tb = k.pathway.contraindications.find((c) => c.code === 'tuberculosis');
  const treatmentSets = tb !== undefined && 'treatmentCodeSets' in tb ? tb.treatmentCodeSets : [];
  return {
    igra: test(s.latentTbCodeSets, 'IGRA code'),
    hbsag: test(s.hepatitisBSurfaceAntigenCodeSets, 'HBsAg code'),
    antiHbc: test(s.hepatitisBCoreAntibodyCodeSets, 'anti-HBc code'),
    answers: {
      positive: answer(s.positiveCodeSets, 'positive answer'),
      negative: answer(s.negativeCodeSets, 'negative answer'),
      indeterminate: answer(['result-indeterminate'], 'indeterminate answer'),
    },
    tbTreatment: first(treatmentSets, 'latent-TB treatment', (c) => c.system === SYSTEM.rxnorm),
  };
}

/** The screen codes of the bundled knowledge (loaded once per process), which the writers render. */
export const SCREEN_CODES = screenCodesFrom(loadKnowledge());

export const LABS = {
  hsCrpMass: code(
    SYSTEM.loinc,
    '30522-7',
    'C reactive protein [Mass/volume] in Serum or Plasma by High sensitivity method',
  ),
  hsCrpMolar: code(
    SYSTEM.loinc,
    '76486-0',
    'C reactive protein [Moles/volume] in Serum or Plasma by High sensitivity method',
  ),
  crpStandard: code(SYSTEM.loinc, '1988-5', 'C reactive protein [Mass/volume] in Serum or Plasma'),
  anc: code(SYSTEM.loinc, '751-8', 'Neutrophils [#/volume] in Blood by Automated count'),
  platelets: code(SYSTEM.loinc, '777-3', 'Platelets [#/volume] in Blood by Automated count'),
  alt: code(SYSTEM.loinc, '1742-6', 'Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma'),
  ast: code(SYSTEM.loinc, '1920-8', 'Aspartate aminotransferase [Enzymatic activity/volume] in Serum or Plasma'),
  hbsag: SCREEN_CODES.hbsag,
} as const;

export const OTHER_DRUGS = {
  adalimumab: code(SYSTEM.rxnorm, '327361', 'adalimumab'),
  naproxen: code(SYSTEM.rxnorm, '7258', 'naproxen'),
  // The substance of a planted tocilizumab allergy (the hypersensitivity contraindication).
  tocilizumab: code(SYSTEM.rxnorm, '612865', 'tocilizumab'),
} as const;

/**
 * A planted tocilizumab allergy recorded as a product rather than the ingredient, as EHRs often record one: a
 * Branded Drug, or the brand name alone. The synthetic vocabulary gives them codes of its own ("synth-", no RxCUI
 * checked); what the screen reads is their link to tocilizumab (OMOP drug_strength and "Brand name of",
 * src/synth/omop.ts) and, from FHIR, the name on the record (Actemra, tocilizumab).
 */
export const TOCILIZUMAB_PRODUCTS = {
  'branded-drug': code(SYSTEM.rxnorm, 'synth-actemra-20-mg-ml-injection', 'tocilizumab 20 MG/ML Injection [Actemra]'),
  'brand-name': code(SYSTEM.rxnorm, 'synth-actemra', 'Actemra'),
} as const;
export type AllergyProduct = keyof typeof TOCILIZUMAB_PRODUCTS;

/** A delivery recorded as a procedure: after a positive pregnancy test, the pregnancy it stood for has ended. */
export const DELIVERY = code(SYSTEM.snomed, '236973005', 'Delivery procedure');

export const POSITIVE = code(SYSTEM.snomed, '10828004', 'Positive');

/** The other records of the pregnancy contraindication (care-pathway.md definition 6): a positive test, breastfeeding. */
export const PREGNANCY_TEST = code(
  SYSTEM.loinc,
  '2118-8',
  'Choriogonadotropin (pregnancy test) [Presence] in Serum or Plasma',
);
export const BREASTFEEDING_STATUS = code(SYSTEM.loinc, '63895-7', 'Breastfeeding status');
export const ANSWER_YES = code(SYSTEM.loinc, 'LA33-6', 'Yes');

/** Vital signs of each encounter: unrelated bulk, as in a real export. */
export const VITAL_SIGNS = [
  { code: code(SYSTEM.loinc, '8867-4', 'Heart rate'), unit: '/min', low: 55, high: 95 },
  { code: code(SYSTEM.loinc, '9279-1', 'Respiratory rate'), unit: '/min', low: 12, high: 20 },
  { code: code(SYSTEM.loinc, '8310-5', 'Body temperature'), unit: 'Cel', low: 36, high: 37.5 },
  { code: code(SYSTEM.loinc, '8302-2', 'Body height'), unit: 'cm', low: 150, high: 195 },
] as const;

/**
 * Vital sign `k` at encounter `i` on `date`, within its plausible range: deterministic from the date, so it needs no
 * random draw, and the same in every format.
 */
export function vitalSignValue(date: string, i: number, k: number): number {
  const v = VITAL_SIGNS[k] as (typeof VITAL_SIGNS)[number];
  const day = toDayNumber(date) as number;
  return Math.round((v.low + ((day * 7 + k * 13 + i) % 100) * ((v.high - v.low) / 100)) * 10) / 10;
}

/**
 * The absolute contraindications the generator plants (care-pathway.md definition 6): every one, hypersensitivity as
 * a tocilizumab allergy (FHIR AllergyIntolerance; in OMOP an "Allergy to drug" observation naming tocilizumab, or
 * one in four a tocilizumab product: TOCILIZUMAB_PRODUCTS).
 */
export const PLANTED_CONTRAINDICATIONS = CONTRAINDICATION_CODES;
export type PlantedContraindication = (typeof PLANTED_CONTRAINDICATIONS)[number];

export type CrpUnit = 'mg/L' | 'mg/dL' | 'nmol/L' | 'none';

export interface AntidepressantCourse {
  readonly product: AntidepressantProduct;
  /** Units (tablets or capsules) a day; undefined when the record gives no dose (an unverified exposure). */
  readonly unitsPerDay?: number;
  readonly start: string;
  /** Inclusive last day. */
  readonly end: string;
  /** Prescribed (MedicationRequest / EHR prescription) or reported (MedicationStatement / self-report). */
  readonly kind: 'statement' | 'request';
}

export interface CrpResult {
  /** The value as written, in `unit`. */
  readonly value: number;
  /** A censored result: "<5 mg/L", below a standard assay's detection limit. */
  readonly comparator?: '<';
  readonly unit: CrpUnit;
  readonly loinc: SynthCode;
  readonly date: string;
}

export interface LabResult {
  readonly code: SynthCode;
  readonly value: number;
  readonly ucum: string;
  readonly date: string;
  readonly referenceHigh?: number;
}

/** A planted qualitative screening result. */
export interface ScreenTest {
  readonly answer: ScreenAnswer;
  readonly date: string;
}

export interface SynthPatient {
  /** Zero-padded so that text order is numeric order. */
  readonly id: string;
  readonly sex: 'female' | 'male';
  readonly birthDate: string;
  readonly deceasedDate?: string;
  readonly depression?: { readonly code: SynthCode; readonly onset: string };
  /** A remission Condition recorded after the episode (ends it, care-pathway.md 1.1 definition 1). */
  readonly remissionDate?: string;
  readonly bipolarOnset?: string;
  readonly psychoticOnset?: string;
  /** A bipolar Condition marked entered-in-error: must not count. */
  readonly bipolarEnteredInError?: string;
  readonly courses: readonly AntidepressantCourse[];
  readonly contraindication?: PlantedContraindication;
  readonly contraindicationDate?: string;
  /** How a planted pregnancy is recorded: a pregnancy Condition, a positive pregnancy test, or breastfeeding status
   * answered yes (an OMOP observation-table row). */
  readonly pregnancyRecord?: 'condition' | 'test' | 'breastfeeding';
  /** A planted tocilizumab allergy recorded as a product (TOCILIZUMAB_PRODUCTS); undefined: as the ingredient. */
  readonly allergyProduct?: AllergyProduct;
  readonly labs: readonly LabResult[];
  readonly crp?: CrpResult;
  /**
   * A positive pregnancy test within the test window and a delivery (a Procedure; OMOP procedure_occurrence) after
   * it: the pregnancy has ended, so no contraindication (care-pathway.md definition 6). Never with a planted pregnancy.
   */
  readonly pregnancyEnded?: { readonly testDate: string; readonly deliveryDate: string };
  /** A later CRP marked entered-in-error: must be ignored. */
  readonly crpEnteredInError?: CrpResult;
  /** A naproxen order left active since long ago: stale, changes no decision. */
  readonly staleNaproxenDate?: string;
  /**
   * A latent-TB screen (IGRA); a positive one is the tuberculosis contraindication unless `tbTreatment` documents a
   * completed course started after it (care-pathway.md definition 6).
   */
  readonly igra?: ScreenTest;
  readonly tbTreatment?: { readonly start: string; readonly end: string };
  /** Hepatitis B serology, HBsAg and anti-HBc drawn the same day: HBsAg positive is the hepatitis contraindication,
   * anti-HBc positive with HBsAg negative the caution `hbv-exposure`. */
  readonly hbsag?: ScreenTest;
  readonly antiHbc?: ScreenTest;
  /** Unrelated resources, like a real export: encounters and vital-sign panels. */
  readonly encounterDates: readonly string[];
  readonly hasUnknownCode: boolean;
}

export interface PopulationOptions {
  readonly seed: number;
  readonly asOf: string;
  /** ln CRP ~ N(meanLog, sdLog^2), mg/L (src/stats/design/crp-lognormal.ts). */
  readonly crpMeanLog: number;
  readonly crpSdLog: number;
}

const pick = <T>(u: UniformSource, items: readonly T[]): T => items[Math.floor(u.uniform() * items.length)] as T;
const chance = (u: UniformSource, p: number): boolean => u.uniform() < p;
const between = (u: UniformSource, low: number, high: number): number =>
  low + Math.floor(u.uniform() * (high - low + 1));
const round2 = (x: number): number => Math.round(x * 100) / 100;

export function patientId(index: number): string {
  return `p${String(index).padStart(8, '0')}`;
}

/**
 * Adequate courses run 56-120 days at the adequate dose and end 30-600 days before the as-of date, clear of the
 * 42-day and 730-day boundaries; short courses run 14-28 days; undosed courses are long but give no dose.
 */
function courses(
  u: UniformSource,
  asOfDay: number,
  adequate: number,
  undosed: number,
  short: number,
): AntidepressantCourse[] {
  const products = [...ANTIDEPRESSANT_PRODUCTS];
  const out: AntidepressantCourse[] = [];
  let endDay = asOfDay - between(u, 30, 60);
  const plan: Array<'adequate' | 'undosed' | 'short'> = [
    ...Array<'adequate'>(adequate).fill('adequate'),
    ...Array<'undosed'>(undosed).fill('undosed'),
    ...Array<'short'>(short).fill('short'),
  ];
  for (const what of plan) {
    const product = products.splice(Math.floor(u.uniform() * products.length), 1)[0] as AntidepressantProduct;
    const days = what === 'short' ? between(u, 14, 28) : between(u, 56, 120);
    const start = endDay - days + 1;
    out.push({
      product,
      ...(what === 'undosed' ? {} : { unitsPerDay: product.adequateUnits }),
      start: fromDayNumber(start),
      end: fromDayNumber(endDay),
      kind: chance(u, 0.5) ? 'statement' : 'request',
    });
    // 35-60 days between courses: past the 30-day gap that would join courses, so each stands alone.
    endDay = start - between(u, 35, 60);
  }
  return out;
}

function crpValue(u: UniformSource, o: PopulationOptions, date: string): CrpResult {
  let mgPerL = Math.max(0.1, round2(Math.exp(o.crpMeanLog + o.crpSdLog * standardNormal(u))));
  // Keep clear of the default cut-off and acute threshold, where unit conversion rounding could fall either side.
  if (Math.abs(mgPerL - 3) < 0.06 || Math.abs(mgPerL - 10) < 0.06) mgPerL = round2(mgPerL + 0.12);
  const r = u.uniform();
  if (r < 0.03) return { value: mgPerL, unit: 'none', loinc: LABS.hsCrpMass, date };
  if (r < 0.2) return { value: round2(mgPerL / 10), unit: 'mg/dL', loinc: LABS.hsCrpMass, date };
  if (r < 0.3) return { value: round2(mgPerL * 9.524), unit: 'nmol/L', loinc: LABS.hsCrpMolar, date };
  if (r < 0.45) {
    // A standard assay detects down to about 5 mg/L: one laboratory in two reports what is below as "<5 mg/L" (chosen
    // by the value's last digit, so no extra random draw moves the rest of the patient).
    if (mgPerL < 5 && Math.round(mgPerL * 100) % 2 === 0) {
      return { value: 5, comparator: '<', unit: 'mg/L', loinc: LABS.crpStandard, date };
    }
    return { value: mgPerL, unit: 'mg/L', loinc: LABS.crpStandard, date };
  }
  return { value: mgPerL, unit: 'mg/L', loinc: LABS.hsCrpMass, date };
}

function plant(u: UniformSource, sex: 'female' | 'male', age: number): PlantedContraindication {
  const options = PLANTED_CONTRAINDICATIONS.filter((c) => c !== 'pregnancy' || (sex === 'female' && age < 45));
  return pick(u, options);
}

/** One patient, from its own stream. */
export function generatePatient(index: number, u: UniformSource, o: PopulationOptions): SynthPatient {
  const asOfDay = toDayNumber(o.asOf) as number;
  const day = (offset: number): string => fromDayNumber(asOfDay - offset);
  const sex = chance(u, 0.52) ? 'female' : 'male';
  const minor = chance(u, 0.2);
  const age = minor ? between(u, 6, 17) : between(u, 18, 89);
  const birthDay = asOfDay - age * 365 - between(u, 5, 355) - Math.floor(age / 4);
  const deceased = chance(u, 0.01);
  const depressed = chance(u, minor ? 0.08 : 0.2);
  const bipolar = chance(u, 0.015);
  const psychotic = chance(u, 0.006);
  const p: {
    -readonly [K in keyof SynthPatient]: SynthPatient[K];
  } = {
    id: patientId(index),
    sex,
    birthDate: fromDayNumber(birthDay),
    courses: [],
    labs: [],
    encounterDates: [],
    hasUnknownCode: chance(u, 0.1),
  };
  if (deceased) p.deceasedDate = day(between(u, 1, 900));
  if (depressed) {
    const onset = day(between(u, 200, 3000));
    p.depression = { code: pick(u, DIAGNOSES.depression), onset };
    if (chance(u, 0.03)) p.remissionDate = day(between(u, 20, 150));
    if (chance(u, 0.02)) p.bipolarEnteredInError = day(between(u, 30, 500));
    // TRD: 2 or 3 adequate trials; confirm-history: 1 adequate + 1 undosed; otherwise 0-1 adequate and short ones.
    const r = u.uniform();
    if (r < 0.3) p.courses = courses(u, asOfDay, chance(u, 0.7) ? 2 : 3, 0, between(u, 0, 1));
    else if (r < 0.4) p.courses = courses(u, asOfDay, 1, 1, 0);
    else p.courses = courses(u, asOfDay, between(u, 0, 1), 0, between(u, 0, 2));
  }
  if (bipolar) p.bipolarOnset = day(between(u, 100, 4000));
  if (psychotic) p.psychoticOnset = day(between(u, 100, 4000));
  if (depressed && chance(u, 0.2)) {
    p.contraindication = plant(u, sex, age);
    // An active infection is planted within 25 days: an OMOP row records it without an end, and the pathway takes
    // an infection so recorded as over 28 days [U] after its onset (docs/care-pathway.md definition 1).
    p.contraindicationDate = day(between(u, 5, p.contraindication === 'active-infection' ? 25 : 40));
    if (p.contraindication === 'pregnancy')
      p.pregnancyRecord = pick(u, ['condition', 'test', 'breastfeeding'] as const);
  }
  // Safety work-up labs (normal) for most depressed patients; the planted lab contraindications replace one of them.
  if (depressed && chance(u, 0.6)) {
    const d = day(between(u, 3, 80));
    p.labs = [
      { code: LABS.anc, value: round2(2.5 + u.uniform() * 4), ucum: '10*9/L', date: d },
      { code: LABS.platelets, value: between(u, 160, 380), ucum: '10*9/L', date: d },
      { code: LABS.alt, value: between(u, 10, 38), ucum: 'U/L', date: d, referenceHigh: 40 },
      { code: LABS.ast, value: between(u, 10, 35), ucum: 'U/L', date: d, referenceHigh: 40 },
    ];
  }
  const lab = (c: SynthCode, value: number, ucum: string, referenceHigh?: number): LabResult => ({
    code: c,
    value,
    ucum,
    date: p.contraindicationDate as string,
    ...(referenceHigh === undefined ? {} : { referenceHigh }),
  });
  // A planted abnormal lab replaces the normal result of the same test, so it is the most recent one.
  const replace = (l: LabResult): LabResult[] => [...p.labs.filter((x) => x.code !== l.code), l];
  if (p.contraindication === 'neutropenia') p.labs = replace(lab(LABS.anc, round2(0.6 + u.uniform() * 1.2), '10*9/L'));
  if (p.contraindication === 'thrombocytopenia') p.labs = replace(lab(LABS.platelets, between(u, 30, 90), '10*9/L'));
  if (p.contraindication === 'hepatic') p.labs = replace(lab(LABS.alt, between(u, 75, 300), 'U/L', 40));
  // CRP for most depressed patients: 85% within the 90-day window, the rest older.
  if (depressed && chance(u, 0.75)) {
    p.crp = crpValue(u, o, day(chance(u, 0.85) ? between(u, 1, 85) : between(u, 100, 400)));
    if (chance(u, 0.03)) p.crpEnteredInError = crpValue(u, o, day(0));
  } else if (!depressed && chance(u, 0.1)) {
    p.crp = crpValue(u, o, day(between(u, 1, 700)));
  }
  if (chance(u, 0.05)) p.staleNaproxenDate = day(between(u, 1500, 5000));
  const encounters = between(u, 6, 10);
  p.encounterDates = Array.from({ length: encounters }, () => day(between(u, 1, 3650)));
  // Drawn last, so that the draws before keep every other fact of the patient as it was.
  if (sex === 'female' && depressed && age >= 18 && age < 45 && p.contraindication !== 'pregnancy' && chance(u, 0.15)) {
    const testAgo = between(u, 60, 250);
    p.pregnancyEnded = { testDate: day(testAgo), deliveryDate: day(between(u, 3, testAgo - 20)) };
  }
  // After every other draw, for the same reason: one tocilizumab allergy in four is recorded as a product.
  if (p.contraindication === 'hypersensitivity' && chance(u, 0.25)) {
    p.allergyProduct = chance(u, 0.5) ? 'branded-drug' : 'brand-name';
  }
  plantScreens(u, p, asOfDay);
  return p;
}

/**
 * Pre-biologic screening (docs/screening.md, "Synthetic populations"; the rates are project assumptions): an IGRA
 * and hepatitis B serology for most treatment-resistant patients (those the pathway may refer, whom a service
 * considering a biologic screens), fewer other depressed patients and a few other adults. Some IGRAs are older than
 * the pathway's 365-day window. Drawn after every other draw, so the rest of the patient is as before.
 */
function plantScreens(u: UniformSource, p: { -readonly [K in keyof SynthPatient]: SynthPatient[K] }, asOfDay: number) {
  const day = (offset: number): string => fromDayNumber(asOfDay - offset);
  // Adequate courses as planted (56 days or more at the adequate dose; short courses run at most 28).
  const adequate = p.courses.filter(
    (c) => c.unitsPerDay !== undefined && (toDayNumber(c.end) as number) - (toDayNumber(c.start) as number) >= 55,
  ).length;
  const rate = p.depression === undefined ? 0.03 : adequate >= 2 ? 0.6 : 0.15;
  if (p.contraindication !== 'tuberculosis' && chance(u, rate)) {
    // 75% within the 365-day window (5-330 days ago), the rest 400-1500 days ago (out of date).
    const ago = chance(u, 0.75) ? between(u, 5, 330) : between(u, 400, 1500);
    const r = u.uniform();
    const answer: ScreenAnswer = r < 0.05 ? 'positive' : r < 0.09 ? 'indeterminate' : 'negative';
    p.igra = { answer, date: day(ago) };
    // Half the positives have a documented, completed six-month isoniazid course, started 14-40 days after the test
    // and over at least 5 days before the as-of date; a positive too recent for that stays untreated.
    if (answer === 'positive' && chance(u, 0.5)) {
      const startAgo = ago - between(u, 14, 40);
      if (startAgo - 179 >= 5) p.tbTreatment = { start: day(startAgo), end: day(startAgo - 179) };
    }
  }
  // A planted hepatitis contraindication already carries its positive HBsAg.
  if (p.contraindication !== 'hepatitis' && chance(u, rate)) {
    const date = day(between(u, 5, 1500));
    const r = u.uniform();
    p.hbsag = { answer: r < 0.01 ? 'positive' : 'negative', date };
    p.antiHbc = { answer: r < 0.05 ? 'positive' : 'negative', date };
  }
}

/** Patients [start, end) of the population with this seed; patient i is the same whatever the range. */
export function* generatePopulation(o: PopulationOptions, start: number, end: number): Generator<SynthPatient> {
  for (const [index, source] of replicateStreams(o.seed, start, end)) yield generatePatient(index, source, o);
}
