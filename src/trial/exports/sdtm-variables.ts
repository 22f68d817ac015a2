/**
 * The SDTM datasets the trial exports, described once: each dataset's variables in file order with the SDTMIG 3.3
 * label, data type, core, origin and codelist, and the controlled terms the export writes. The CSV files
 * (sdtm.ts) take their headers from here and the Define-XML file (define.ts) its metadata, so the two cannot
 * disagree; likewise the QS test codes and names (qsItemTest and its siblings) and the description of each derivation
 * (SDTM_METHODS) that sdtm.ts carries out. Pure.
 */
import type { InstrumentDefinition } from '../../instruments/index.ts';
import { SEXES } from '../model.ts';
import { cutAtWord } from '../../trials/criterion-code.ts';

/** The SDTMIG version the datasets follow (define.xml's StandardVersion, TS SDTIGVER). */
export const SDTMIG_VERSION = '3.3';

export const SDTM_DOMAINS = ['DM', 'DS', 'IE', 'EX', 'QS', 'LB', 'SUPPLB', 'AE', 'SUPPAE', 'TV', 'TI', 'TS'] as const;
export type SdtmDomain = (typeof SDTM_DOMAINS)[number];

/** Define-XML 2.0 data types the export writes (ISO 8601 dates are complete dates: `date`). */
export type SdtmDataType = 'text' | 'integer' | 'float' | 'date';
/** Define-XML 2.0 origin types: entered on the eCRF, derived by the export, assigned by the sponsor, or the protocol. */
export type SdtmOrigin = 'CRF' | 'Derived' | 'Assigned' | 'Protocol';

export interface SdtmVariable {
  readonly name: string;
  /** SDTMIG 3.3 label (at most 40 characters). */
  readonly label: string;
  readonly type: SdtmDataType;
  /** SDTMIG core: required variables are Mandatory in the define. */
  readonly core: 'Req' | 'Exp' | 'Perm';
  readonly origin: SdtmOrigin;
  readonly codelist?: SdtmCodelistId;
  /** How sdtm.ts computes a Derived variable (Define-XML MethodDef); every Derived variable has one. */
  readonly method?: SdtmMethodId;
}

export interface SdtmDataset {
  readonly label: string;
  /** The parent domain (SUPPLB qualifies LB, SUPPAE AE). */
  readonly domain: string;
  readonly class: 'SPECIAL PURPOSE' | 'EVENTS' | 'INTERVENTIONS' | 'FINDINGS' | 'RELATIONSHIP' | 'TRIAL DESIGN';
  readonly structure: string;
  /**
   * Keys, in key order: they identify every record (Define-XML KeySequence; a validator checks the data against
   * them). Natural keys where the store makes them unique; --SEQ last where it does not: a lab test drawn twice on
   * one day (a repeat), two events of one term starting on one day.
   */
  readonly keys: readonly string[];
  readonly variables: readonly SdtmVariable[];
}

/** DSDECOD of each disposition event the store records (CDISC NCOMPLT terms). */
export const DS_TERMS = {
  completed: 'COMPLETED',
  'withdrew-consent': 'WITHDRAWAL BY SUBJECT',
  'lost-to-follow-up': 'LOST TO FOLLOW-UP',
  'adverse-event': 'ADVERSE EVENT',
  death: 'DEATH',
  other: 'OTHER',
} as const;

/** DM AGEU (CDISC AGEU, C66781): the unit of AGE, completed years; empty with AGE. */
export const AGE_UNIT = 'YEARS';

/**
 * DM ARMNRS (CDISC ARMNULRS terms): why ARMCD/ARM (not randomized; a screen failure) or ACTARMCD/ACTARM (randomized,
 * no infusion) are empty. SDTMIG 3.3 leaves those variables null with a reason, where 3.2 put the codes NOTASSGN,
 * NOTTRT and SCRNFAIL in them.
 */
export const ARM_NULL_REASONS = {
  notAssigned: 'NOT ASSIGNED',
  notTreated: 'ASSIGNED, NOT TREATED',
  screenFailure: 'SCREEN FAILURE',
} as const;

/**
 * DSDECOD of a screen failure (CDISC NCOMPLT): a person who consented, whose screening entry the criteria make
 * ineligible, and who was never enrolled.
 */
export const DS_SCREEN_FAILURE = 'SCREEN FAILURE';

/** DS protocol milestones (CDISC PROTMLST terms). */
export const DS_MILESTONES = ['INFORMED CONSENT OBTAINED', 'RANDOMIZED'] as const;

/** AEOUT in CDISC controlled terminology (codelist OUT, C66768), by the store's outcome. */
export const AE_OUTCOMES = {
  recovered: 'RECOVERED/RESOLVED',
  recovering: 'RECOVERING/RESOLVING',
  'not-recovered': 'NOT RECOVERED/NOT RESOLVED',
  'recovered-with-sequelae': 'RECOVERED/RESOLVED WITH SEQUELAE',
  fatal: 'FATAL',
  unknown: 'UNKNOWN',
} as const;

/**
 * AEREL, by the store's relatedness: the investigator's causality as text. SDTMIG has no CDISC codelist for it (a
 * sponsor list in the define); the store's keys are ids, so `not-related` is written NOT RELATED, not NOT-RELATED.
 */
export const AE_CAUSALITY = {
  'not-related': 'NOT RELATED',
  unlikely: 'UNLIKELY',
  possible: 'POSSIBLE',
  probable: 'PROBABLE',
  definite: 'DEFINITE',
} as const;

/**
 * LB tests (CDISC LBTESTCD/LBTEST) with their category (LBCAT: the counts are haematology, the liver enzymes clinical
 * chemistry) and the standard unit (UCUM, as the store converts; LBSTRESU writes its CDISC_UNITS submission value)
 * of LBSTRESN: SI, as the CTCAE tables grade them.
 */
export const LB_TESTS = {
  anc: { code: 'NEUT', name: 'Neutrophils', category: 'HEMATOLOGY', unit: '10*9/L' },
  platelets: { code: 'PLAT', name: 'Platelets', category: 'HEMATOLOGY', unit: '10*9/L' },
  alt: { code: 'ALT', name: 'Alanine Aminotransferase', category: 'CHEMISTRY', unit: 'U/L' },
  ast: { code: 'AST', name: 'Aspartate Aminotransferase', category: 'CHEMISTRY', unit: 'U/L' },
} as const;

/**
 * The CDISC UNIT submission value (SDTM controlled terminology, codelist UNIT, C71620) of each UCUM unit the trial
 * store holds: the units of the lab form (LAB_UNITS in src/trial/model.ts), the enzyme unit [IU]/L laboratories report
 * and the dose unit mg. The store keeps UCUM (it converts with it); LBORRESU, LBSTRESU and EXDOSU are written with
 * these, as SDTMIG expects. One table, one definition: its source is the CDISC SDTM Controlled Terminology release on
 * NCI EVS (https://evs.nci.nih.gov/ftp1/CDISC/SDTM/), codelist C71620. `verified`: the submission value was checked
 * against CDISC material (10^9/L and U/L as CDISC UNIT terms in a C71620-coded SDTM LB; mg, C28253, in NCI EVS's CDISC
 * terminology file); the others are the CDISC UNIT spelling of the unit as this project knows it, unverified [U], for
 * the data manager to confirm against the CT release the submission uses. A unit not in the table (any other UCUM
 * unit that converts to the test's) is written as entered and named by sdtmUnitNotes, never respelt by a rule.
 */
export const CDISC_UNITS = {
  '10*9/L': { submission: '10^9/L', verified: true },
  '10*3/uL': { submission: '10^3/uL', verified: false },
  '/uL': { submission: '/uL', verified: false },
  'U/L': { submission: 'U/L', verified: true },
  '[IU]/L': { submission: 'IU/L', verified: false },
  'ukat/L': { submission: 'ukat/L', verified: false },
  mg: { submission: 'mg', verified: true },
} as const satisfies Record<string, { submission: string; verified: boolean }>;

/** The CDISC UNIT submission value of a UCUM unit (CDISC_UNITS), or null when the table has none. */
export const cdiscUnit = (ucum: string): string | null =>
  Object.hasOwn(CDISC_UNITS, ucum) ? CDISC_UNITS[ucum as keyof typeof CDISC_UNITS].submission : null;

/**
 * The supplemental qualifiers (QNAM) of each parent domain, each with its label and origin: values SDTMIG 3.3 has no
 * variable for in the parent (the CTCAE version that graded a lab result; an adverse event's expectedness). QVAL's
 * value-level metadata in the define.
 */
export const SUPP_QUALIFIERS = {
  SUPPLB: { CTCAEVER: { label: 'CTCAE Version', origin: 'Protocol' } },
  SUPPAE: { AEEXPECT: { label: 'Expectedness', origin: 'CRF' } },
} as const satisfies Record<string, Record<string, { label: string; origin: SdtmOrigin }>>;
export type SuppDomain = keyof typeof SUPP_QUALIFIERS;
export const SUPP_DOMAINS = Object.keys(SUPP_QUALIFIERS) as SuppDomain[];
export type SuppQualifier = { readonly label: string; readonly origin: SdtmOrigin };
/** A SUPP-- dataset's qualifiers as [QNAM, qualifier] pairs, in their order. */
export const suppQualifiers = (supp: SuppDomain): [string, SuppQualifier][] => Object.entries(SUPP_QUALIFIERS[supp]);

/**
 * QS test codes and names, built from the instrument definition (knowledge/instruments/): `code` + I + item number
 * (BDI2I16), `code` + TOT for the total (BDI2TOT), `code` + the subscale id's first three letters (BDI2SOM). A total or
 * subscale under a scoring other than the instrument's first is on another scale, so it gets a code of its own: T +
 * the scoring's first two letters for a total (SHAPSTFR), the subscale's code + those letters (CFQPHYLI). The
 * project's own, not CDISC QS terminology. sdtm.ts writes the QS rows with these and define.ts lists them per
 * instrument; each code has one name, at most 8 characters (src/trial/exports/qs-tests.test.ts; the instrument schema
 * keeps `code` short enough).
 */
export const qsItemTest = (def: InstrumentDefinition, item: InstrumentDefinition['items'][number]): QsTest => {
  const testcd = `${def.code}I${String(item.number).padStart(2, '0')}`;
  return { testcd, test: testName(testcd, item.label) };
};

/** SDTMIG: a --TEST value is at most 40 characters. */
export const SDTM_TEST_MAX = 40;

/**
 * A QSTEST within SDTMIG's 40 characters: the test code, a colon and the description (QSCAT names the instrument), as
 * CDISC's own QS terminology names its tests (`MADRS1-Reported Sadness`), cut at 40 characters. The code keeps a cut
 * name one test's: names cut to the same 40 characters (the Chalder physical subscale under each scoring) would
 * otherwise give one QSTEST two codes.
 */
function testName(testcd: string, description: string): string {
  return cutAtWord(`${testcd}: ${description}`, SDTM_TEST_MAX, testcd.length + 1);
}

/**
 * The Trial Summary parameters the export writes (TSPARMCD, CDISC C66738, with TSPARM, C67152), each with the origin
 * of its TSVAL: only those the protocol file or the store holds (sdtm.ts writes one only when it has its value).
 * FDA's other required parameters (trial phase, type, blinding, planned number of subjects, the treatment's UNII, the
 * indication's SNOMED code, ...) have no field in the protocol file: they are left out, never invented
 * (docs/trial-operations.md lists them).
 */
export const TS_PARAMETERS = {
  TITLE: { name: 'Trial Title', origin: 'Protocol' },
  REGID: { name: 'Registry Identifier', origin: 'Protocol' },
  NARMS: { name: 'Planned Number of Arms', origin: 'Protocol' },
  AGEMIN: { name: 'Planned Minimum Age of Subjects', origin: 'Protocol' },
  AGEMAX: { name: 'Planned Maximum Age of Subjects', origin: 'Protocol' },
  SSTDTC: { name: 'Study Start Date', origin: 'Derived', method: 'SSTDTC' },
  SDTIGVER: { name: 'SDTM IG Version', origin: 'Assigned' },
} as const satisfies Record<string, { name: string; origin: SdtmOrigin; method?: SdtmMethodId }>;
export type TsParameter = keyof typeof TS_PARAMETERS;

/** TS TSVCDREF of each registry (the dictionary of a REGID's TSVALCD). */
export const REGISTRY_NAMES = { NCT: 'ClinicalTrials.gov', ISRCTN: 'ISRCTN' } as const;

/** IECAT (CDISC IECAT, C66797) of a criterion's kind. */
export const IE_CATEGORIES = { inclusion: 'INCLUSION', exclusion: 'EXCLUSION' } as const;

/** A score's scoring: undefined for the instrument's first (default) one, else its code letters and its name. */
function otherScoring(
  def: InstrumentDefinition,
  scoring: string | null,
): { letters: string; name: string } | undefined {
  const id = scoring ?? 'unknown';
  if (def.scorings[0]?.id === id) return undefined;
  return { letters: id.slice(0, 2).toUpperCase(), name: scoring ?? 'unknown scoring' };
}

/** The total under a scoring (SHAPS 0-14 and 14-56 totals are not comparable: the scoring is in QSTEST too). */
export const qsTotalTest = (def: InstrumentDefinition, scoring: string | null): QsTest => {
  const other = otherScoring(def, scoring);
  const testcd = other === undefined ? `${def.code}TOT` : `${def.code}T${other.letters}`;
  const description = `total (${scoring ?? 'unknown scoring'})`;
  return { testcd, test: testName(testcd, description) };
};

/** A subscale under a scoring: its points are the scoring's, like the total's (Chalder physical 0-7 or 0-21). */
export const qsSubscaleTest = (
  def: InstrumentDefinition,
  sub: InstrumentDefinition['subscales'][number],
  scoring: string | null,
): QsTest => {
  const code = `${def.code}${sub.id.slice(0, 3).toUpperCase()}`;
  const other = otherScoring(def, scoring);
  const testcd = other === undefined ? code : `${code}${other.letters}`;
  const description = other === undefined ? sub.label : `${sub.label} (${other.name})`;
  return { testcd, test: testName(testcd, description) };
};
export interface QsTest {
  readonly testcd: string;
  readonly test: string;
}
/**
 * Every QSTESTCD and QSTEST an instrument's forms can give, items first, then the total (per scoring), subscales (per
 * scoring).
 */
export function qsTestTerms(def: InstrumentDefinition): { testcd: string[]; test: string[] } {
  const tests = [
    ...def.items.map((item) => qsItemTest(def, item)),
    ...def.scorings.map((s) => qsTotalTest(def, s.id)),
    ...def.subscales.flatMap((sub) => def.scorings.map((s) => qsSubscaleTest(def, sub, s.id))),
  ];
  return { testcd: [...new Set(tests.map((t) => t.testcd))], test: [...new Set(tests.map((t) => t.test))] };
}

/**
 * How sdtm.ts derives each Derived variable, said once and named by every variable computed the same way (the
 * Define-XML MethodDefs). The export derives no change from baseline, responder flag or analysis value: those are
 * the analysis file's (analysis-csv.ts) and `trd analyze`'s.
 */
export const SDTM_METHODS = {
  USUBJID: {
    name: 'Unique subject identifier',
    description:
      'STUDYID, a hyphen, and SUBJID: the site, a hyphen and the participant code given at enrolment, or for a subject who consented but was never enrolled (no participant code) the site, a hyphen and the screening code (participant and screening codes are unique only within a site).',
  },
  SUBJID: {
    name: 'Subject identifier within the study',
    description:
      'SITEID, a hyphen, and the participant code given at enrolment, or for a subject who consented but was never enrolled (no participant code) SITEID, a hyphen and the screening code: participant and screening codes are unique only within a site, so the site makes the identifier unique within the study.',
  },
  SEQ: {
    name: 'Sequence number in the dataset',
    description: "The record's position in the dataset (1, 2, ...): unique within the dataset, so within each subject.",
  },
  DSSEQ: {
    name: 'Sequence number within the subject',
    description:
      "1, 2, ... within each subject: informed consent, then randomization, then the subject's disposition events in the order recorded (a screen failure's SCREEN FAILURE after its consent).",
  },
  FIRSTDOSE: {
    name: 'First study treatment',
    description:
      'Date of the first infusion recorded for the subject (EX); empty when none. The reference of study days.',
  },
  LASTDOSE: {
    name: 'Last study treatment',
    description: 'Date of the last infusion recorded for the subject (EX); empty when none.',
  },
  INFUSIONEND: {
    name: 'End of the infusion',
    description:
      'The date of the infusion (EXSTDTC): the store records one date per infusion, a single infusion given and ended on that day.',
  },
  CONSENT: { name: 'Informed consent', description: "Date of the subject's consent record at screening." },
  ENDOFPARTICIPATION: {
    name: 'End of participation',
    description:
      "Date of the subject's latest disposition event (DS DISPOSITION EVENT); for a screen failure, the date its eligibility was assessed (the screening entry's date, DS SCREEN FAILURE) when on or after the consent, empty when the entry is dated before the consent (it does not say when the subject failed); empty while none is recorded.",
  },
  AGE: {
    name: 'Age at informed consent',
    description:
      "The subject's age in completed years on the date of informed consent (RFICDTC): from BRTHDTC when the birth date was entered, otherwise the age at consent entered at enrolment (BRTHDTC then empty); empty when neither is recorded (an enrolment made before the trial store recorded demographics, or a subject consented but never enrolled), never estimated.",
  },
  DEATH: { name: 'Date of death', description: 'Date of the disposition event DEATH; empty when none is recorded.' },
  DEATHFLAG: {
    name: 'Death flag',
    description:
      'Y when a disposition event DEATH or a fatal adverse event (AEOUT FATAL) is recorded; otherwise empty. DTHDTC comes from the disposition only.',
  },
  ACTUALARM: {
    name: 'Actual arm',
    description:
      'The planned arm (ARMCD/ARM) once an infusion is recorded; empty (ARMNRS gives the reason) when randomized without an infusion or not randomized.',
  },
  ARMNRS: {
    name: 'Reason the arm is null',
    description:
      'SCREEN FAILURE when the subject consented, was never enrolled and the screening entry is ineligible; NOT ASSIGNED when the subject was not randomized otherwise (enrolled, or consented with an entry eligible or needing data); in both ARMCD, ARM, ACTARMCD and ACTARM are empty. ASSIGNED, NOT TREATED when randomized without an infusion (ACTARMCD and ACTARM empty); otherwise empty.',
  },
  IEORRES: {
    name: 'Inclusion/exclusion criterion not met',
    description:
      'N for an inclusion criterion the screening entry records not met, Y for an exclusion criterion it records met (the excluding fact present): the criteria that make the entry ineligible. A criterion answered unknown is no exception and has no IE record.',
  },
  IEDTC: {
    name: 'Date the eligibility was assessed',
    description:
      "The screening entry's date (when the eligibility was assessed) when on or after the subject's consent, as DS SCREEN FAILURE; empty when the entry is dated before the consent (it does not say when, after the consent, the criterion was found not met).",
  },
  TSSEQ: {
    name: 'Sequence number within the parameter',
    description: '1, 2, ... within each TSPARMCD: one per registry identifier for REGID, 1 for the other parameters.',
  },
  SSTDTC: {
    name: 'Study start date',
    description:
      'The earliest date of informed consent (DM RFICDTC) of a participant enrolled in the study; the parameter is left out while no enrolled participant has a consent.',
  },
  IDVARVAL: { name: 'Parent record', description: 'The --SEQ of the parent record (IDVAR), as text.' },
  QSSTRESN: {
    name: 'Questionnaire standard result',
    description:
      "An item: the response the answer scores as (an option code such as BDI-II 16 '1a' gives 1); empty when the scoring refused the answer. The total and each subscale: the instrument's scoring (knowledge/instruments/, QSSCAT names the scoring) of the form's answers; empty when a required answer is missing.",
  },
  QSSTRESC: { name: 'Questionnaire standard result as text', description: 'QSSTRESN as text; empty when it is.' },
  QSSTAT: {
    name: 'Questionnaire completion status',
    description: 'NOT DONE when the record has neither QSORRES nor QSSTRESN; otherwise empty.',
  },
  LBSTRESN: {
    name: 'Lab result in standard units',
    description:
      'LBORRES converted from LBORRESU to LBSTRESU by UCUM (src/units), to 12 significant digits, an ALT or AST in [IU]/L being in U/L (the enzyme unit); empty when the unit does not convert, and for a censored result ("<5"), which has no numeric value.',
  },
  LBSTRESC: {
    name: 'Lab result in standard units as text',
    description:
      'LBORRES converted as LBSTRESN is, as text; a censored result keeps its comparator with the converted limit ("<5"); empty when the unit does not convert.',
  },
  LBNRIND: {
    name: 'Reference range indicator',
    description:
      'LOW when LBORRES is below LBORNRLO, HIGH when above LBORNRHI, NORMAL when both limits are given and it lies within them; empty when a limit needed to say is missing (a count at or above its lower limit, without an upper one, is not called NORMAL), or when a censored result ("<50") allows values on both sides of a limit.',
  },
  LBSTNR: {
    name: 'Reference range in standard units',
    description:
      'LBORNRLO and LBORNRHI converted from LBORRESU to LBSTRESU as LBSTRESN is; empty when the limit is, or when the unit does not convert.',
  },
  LBTOXGR: {
    name: 'CTCAE grade of a lab result',
    description:
      "The grade the protocol's CTCAE table (knowledge/safety/, version in SUPPLB CTCAEVER) gives the result, from its value, limits of normal and, where the table's criteria use it, the subject's pre-treatment baseline; empty when no grade can be given.",
  },
  LBTOX: {
    name: 'CTCAE term of a lab result',
    description: 'The CTCAE term that LBTOXGR grades; empty when LBTOXGR is.',
  },
  BLFL: {
    name: 'Baseline flag',
    description:
      "Y on the subject's last record of the test (QSTESTCD, LBTESTCD) with a result (QSORRES, LBORRES) dated on or before the first infusion (RFXSTDTC); otherwise empty, and empty for every record of a subject without an infusion.",
  },
  STUDYDAY: {
    name: 'Study day',
    description:
      'The date minus RFSTDTC, plus 1 on or after RFSTDTC (the first infusion is day 1; there is no day 0); empty when the subject has no infusion.',
  },
  AESER: {
    name: 'Serious event',
    description:
      'Y when at least one seriousness criterion (AESDTH, AESLIFE, AESHOSP, AESDISAB, AESCONG, AESMIE) is Y; otherwise N.',
  },
} as const satisfies Record<string, { name: string; description: string }>;
export type SdtmMethodId = keyof typeof SDTM_METHODS;

/**
 * Codelists: CDISC controlled terminology (with the codelist's NCI code) holding the terms the export writes, sponsor
 * lists (DSDECOD mixes NCOMPLT and PROTMLST terms; the instruments' names), and external dictionaries: the CTCAE at
 * the protocol's version, ISO 3166-1 alpha-3 for COUNTRY. The units (LBORRESU, LBSTRESU, EXDOSU) are CDISC UNIT
 * submission values (CDISC_UNITS), the store's UCUM units mapped.
 * The QS test codes and names are listed per instrument (qsTestTerms) as value-level metadata in define.ts.
 */
export const SDTM_CODELISTS = {
  NY: { name: 'No Yes Response', nci: 'C66742', terms: ['N', 'Y'] },
  OUT: { name: 'Outcome of Event', nci: 'C66768', terms: Object.values(AE_OUTCOMES) },
  AEREL: { name: "Causality (the investigator's assessment)", nci: null, terms: Object.values(AE_CAUSALITY) },
  ROUTE: { name: 'Route of Administration Response', nci: 'C66729', terms: ['INTRAVENOUS'] },
  UNIT: { name: 'Unit', nci: 'C71620', terms: Object.values(CDISC_UNITS).map((u) => u.submission) },
  DSCAT: { name: 'Category for Disposition Event', nci: 'C74558', terms: ['DISPOSITION EVENT', 'PROTOCOL MILESTONE'] },
  DSDECOD: {
    name: 'Standardized Disposition Term (NCOMPLT and PROTMLST terms)',
    nci: null,
    terms: [...Object.values(DS_TERMS), DS_SCREEN_FAILURE, ...DS_MILESTONES],
  },
  LBTESTCD: {
    name: 'Laboratory Test Code',
    nci: 'C65047',
    terms: Object.values(LB_TESTS).map((t) => t.code),
  },
  LBTEST: { name: 'Laboratory Test Name', nci: 'C67154', terms: Object.values(LB_TESTS).map((t) => t.name) },
  ND: { name: 'Not Done', nci: 'C66789', terms: ['NOT DONE'] },
  TSPARMCD: { name: 'Trial Summary Parameter Test Code', nci: 'C66738', terms: Object.keys(TS_PARAMETERS) },
  TSPARM: {
    name: 'Trial Summary Parameter Test Name',
    nci: 'C67152',
    terms: Object.values(TS_PARAMETERS).map((p) => p.name),
  },
  IETESTCD: {
    name: "Inclusion/exclusion criteria (the protocol's, decoded with their full wording)",
    criteria: 'protocol',
  },
  IECAT: { name: 'Category for Inclusion/Exclusion', nci: 'C66797', terms: Object.values(IE_CATEGORIES) },
  NRIND: { name: 'Reference Range Indicator', nci: 'C78736', terms: ['LOW', 'NORMAL', 'HIGH'] },
  ARMNULRS: { name: 'Arm Null Reason', nci: 'C142179', terms: Object.values(ARM_NULL_REASONS) },
  SEX: { name: 'Sex', nci: 'C66731', terms: [...SEXES] },
  AGEU: { name: 'Age Unit', nci: 'C66781', terms: [AGE_UNIT] },
  QSCAT: { name: "Category of Question (the protocol's instruments)", instruments: 'name' },
  CTCAE: { name: 'Common Terminology Criteria for Adverse Events', external: 'CTCAE', version: 'protocol' },
  COUNTRY: { name: 'Country (ISO 3166-1 alpha-3)', external: 'ISO 3166-1 alpha-3', version: null },
} as const;
export type SdtmCodelistId = keyof typeof SDTM_CODELISTS;

/** A variable as [name, label, type, core, origin, codelist?]; a Derived one names its method (SDTM_METHODS). */
type Spec =
  | readonly [
      name: string,
      label: string,
      type: SdtmDataType,
      core: SdtmVariable['core'],
      origin: Exclude<SdtmOrigin, 'Derived'>,
      codelist?: SdtmCodelistId,
    ]
  | readonly [
      name: string,
      label: string,
      type: SdtmDataType,
      core: SdtmVariable['core'],
      origin: 'Derived',
      codelist: SdtmCodelistId | undefined,
      method: SdtmMethodId,
    ];
const variables = (specs: readonly Spec[]): SdtmVariable[] =>
  specs.map(([name, label, type, core, origin, codelist, method]) => ({
    name,
    label,
    type,
    core,
    origin,
    ...(codelist === undefined ? {} : { codelist }),
    ...(method === undefined ? {} : { method }),
  }));

const STUDYID: Spec = ['STUDYID', 'Study Identifier', 'text', 'Req', 'Protocol'];
const DOMAIN: Spec = ['DOMAIN', 'Domain Abbreviation', 'text', 'Req', 'Assigned'];
const USUBJID: Spec = ['USUBJID', 'Unique Subject Identifier', 'text', 'Req', 'Derived', undefined, 'USUBJID'];
const seq = (prefix: string, method: 'SEQ' | 'DSSEQ' = 'SEQ'): Spec => [
  `${prefix}SEQ`,
  'Sequence Number',
  'integer',
  'Req',
  'Derived',
  undefined,
  method,
];
/** The visit's position among the protocol's visits in time order (by day), from 1: SDTM's key of a visit. */
const VISITNUM = (core: SdtmVariable['core']): Spec => ['VISITNUM', 'Visit Number', 'integer', core, 'Protocol'];
const VISIT: Spec = ['VISIT', 'Visit Name', 'text', 'Perm', 'Protocol'];
const VISITDY: Spec = ['VISITDY', 'Planned Study Day of Visit', 'integer', 'Perm', 'Protocol'];

/** A supplemental qualifiers dataset (SUPP--) of a parent domain: one structure for every parent. */
function suppDataset(parent: string): SdtmDataset {
  return {
    label: `Supplemental Qualifiers for ${parent}`,
    domain: parent,
    class: 'RELATIONSHIP',
    structure: 'One record per IDVAR, IDVARVAL, and QNAM value per subject',
    keys: ['STUDYID', 'RDOMAIN', 'USUBJID', 'IDVAR', 'IDVARVAL', 'QNAM'],
    variables: variables([
      STUDYID,
      ['RDOMAIN', 'Related Domain Abbreviation', 'text', 'Req', 'Assigned'],
      USUBJID,
      ['IDVAR', 'Identifying Variable', 'text', 'Exp', 'Assigned'],
      ['IDVARVAL', 'Identifying Variable Value', 'text', 'Exp', 'Derived', undefined, 'IDVARVAL'],
      ['QNAM', 'Qualifier Variable Name', 'text', 'Req', 'Assigned'],
      ['QLABEL', 'Qualifier Variable Label', 'text', 'Req', 'Assigned'],
      ['QVAL', 'Data Value', 'text', 'Req', 'Protocol'],
      ['QORIG', 'Origin', 'text', 'Req', 'Assigned'],
      ['QEVAL', 'Evaluator', 'text', 'Exp', 'Assigned'],
    ]),
  };
}

export const SDTM_DATASETS: Record<SdtmDomain, SdtmDataset> = {
  DM: {
    label: 'Demographics',
    domain: 'DM',
    class: 'SPECIAL PURPOSE',
    structure: 'One record per subject',
    keys: ['STUDYID', 'USUBJID'],
    variables: variables([
      STUDYID,
      DOMAIN,
      USUBJID,
      ['SUBJID', 'Subject Identifier for the Study', 'text', 'Req', 'Derived', undefined, 'SUBJID'],
      ['SITEID', 'Study Site Identifier', 'text', 'Req', 'CRF'],
      ['RFSTDTC', 'Subject Reference Start Date/Time', 'date', 'Exp', 'Derived', undefined, 'FIRSTDOSE'],
      ['RFENDTC', 'Subject Reference End Date/Time', 'date', 'Exp', 'Derived', undefined, 'LASTDOSE'],
      ['RFICDTC', 'Date/Time of Informed Consent', 'date', 'Exp', 'Derived', undefined, 'CONSENT'],
      ['RFXSTDTC', 'Date/Time of First Study Treatment', 'date', 'Exp', 'Derived', undefined, 'FIRSTDOSE'],
      ['RFXENDTC', 'Date/Time of Last Study Treatment', 'date', 'Exp', 'Derived', undefined, 'LASTDOSE'],
      ['RFPENDTC', 'Date/Time of End of Participation', 'date', 'Exp', 'Derived', undefined, 'ENDOFPARTICIPATION'],
      ['DTHDTC', 'Date/Time of Death', 'date', 'Exp', 'Derived', undefined, 'DEATH'],
      ['DTHFL', 'Subject Death Flag', 'text', 'Exp', 'Derived', 'NY', 'DEATHFLAG'],
      // Demographics entered at enrolment: empty, never guessed, where not recorded (dmDemographicsNotes says which).
      ['BRTHDTC', 'Date/Time of Birth', 'date', 'Perm', 'CRF'],
      ['AGE', 'Age', 'integer', 'Exp', 'Derived', undefined, 'AGE'],
      ['AGEU', 'Age Units', 'text', 'Exp', 'Assigned', 'AGEU'],
      ['SEX', 'Sex', 'text', 'Req', 'CRF', 'SEX'],
      // Expected, not Required, in SDTMIG 3.3: empty for a subject not assigned or not treated, with ARMNRS.
      ['ARMCD', 'Planned Arm Code', 'text', 'Exp', 'Assigned'],
      ['ARM', 'Description of Planned Arm', 'text', 'Exp', 'Assigned'],
      ['ACTARMCD', 'Actual Arm Code', 'text', 'Exp', 'Derived', undefined, 'ACTUALARM'],
      ['ACTARM', 'Description of Actual Arm', 'text', 'Exp', 'Derived', undefined, 'ACTUALARM'],
      ['ARMNRS', 'Reason Arm and/or Actual Arm is Null', 'text', 'Exp', 'Derived', 'ARMNULRS', 'ARMNRS'],
      ['COUNTRY', 'Country', 'text', 'Req', 'Assigned', 'COUNTRY'],
    ]),
  },
  DS: {
    label: 'Disposition',
    domain: 'DS',
    class: 'EVENTS',
    structure: 'One record per disposition status or protocol milestone per subject',
    keys: ['STUDYID', 'USUBJID', 'DSDECOD', 'DSSTDTC'],
    variables: variables([
      STUDYID,
      DOMAIN,
      USUBJID,
      seq('DS', 'DSSEQ'),
      ['DSTERM', 'Reported Term for the Disposition Event', 'text', 'Req', 'CRF'],
      ['DSDECOD', 'Standardized Disposition Term', 'text', 'Req', 'Assigned', 'DSDECOD'],
      ['DSCAT', 'Category for Disposition Event', 'text', 'Exp', 'Assigned', 'DSCAT'],
      ['DSSTDTC', 'Start Date/Time of Disposition Event', 'date', 'Exp', 'CRF'],
    ]),
  },
  // The criteria each subject did not meet (SDTMIG 3.3 IE: exceptions only, not every answer).
  IE: {
    label: 'Inclusion/Exclusion Criteria Not Met',
    domain: 'IE',
    class: 'FINDINGS',
    structure: 'One record per inclusion/exclusion criterion not met per subject',
    keys: ['STUDYID', 'USUBJID', 'IETESTCD'],
    variables: variables([
      STUDYID,
      DOMAIN,
      USUBJID,
      seq('IE'),
      ['IETESTCD', 'Inclusion/Exclusion Criterion Short Name', 'text', 'Req', 'Assigned', 'IETESTCD'],
      ['IETEST', 'Inclusion/Exclusion Criterion', 'text', 'Req', 'Protocol'],
      ['IECAT', 'Inclusion/Exclusion Category', 'text', 'Req', 'Protocol', 'IECAT'],
      ['IEORRES', 'I/E Criterion Original Result', 'text', 'Req', 'Derived', 'NY', 'IEORRES'],
      ['IESTRESC', 'I/E Criterion Result in Std Format', 'text', 'Req', 'Derived', 'NY', 'IEORRES'],
      ['IEDTC', 'Date/Time of Collection', 'date', 'Perm', 'Derived', undefined, 'IEDTC'],
    ]),
  },
  EX: {
    label: 'Exposure',
    domain: 'EX',
    class: 'INTERVENTIONS',
    structure: 'One record per protocol-specified study treatment, constant-dosing interval, per subject',
    keys: ['STUDYID', 'USUBJID', 'EXTRT', 'EXSTDTC'],
    variables: variables([
      STUDYID,
      DOMAIN,
      USUBJID,
      seq('EX'),
      ['EXTRT', 'Name of Treatment', 'text', 'Req', 'Protocol'],
      ['EXDOSE', 'Dose', 'float', 'Exp', 'CRF'],
      ['EXDOSU', 'Dose Units', 'text', 'Exp', 'Assigned', 'UNIT'],
      ['EXROUTE', 'Route of Administration', 'text', 'Perm', 'Protocol', 'ROUTE'],
      ['EXSTDTC', 'Start Date/Time of Treatment', 'date', 'Exp', 'CRF'],
      ['EXENDTC', 'End Date/Time of Treatment', 'date', 'Exp', 'Derived', undefined, 'INFUSIONEND'],
      ['EXREFID', 'Reference ID', 'text', 'Perm', 'Assigned'],
      VISITNUM('Perm'),
      VISIT,
    ]),
  },
  QS: {
    label: 'Questionnaires',
    domain: 'QS',
    class: 'FINDINGS',
    structure: 'One record per questionnaire per question per time point per visit per subject',
    keys: ['STUDYID', 'USUBJID', 'QSCAT', 'QSTESTCD', 'VISITNUM'],
    variables: variables([
      STUDYID,
      DOMAIN,
      USUBJID,
      seq('QS'),
      ['QSTESTCD', 'Question Short Name', 'text', 'Req', 'Assigned'],
      ['QSTEST', 'Question Name', 'text', 'Req', 'Assigned'],
      ['QSCAT', 'Category of Question', 'text', 'Req', 'Assigned', 'QSCAT'],
      ['QSSCAT', 'Subcategory for Question', 'text', 'Perm', 'Assigned'],
      ['QSORRES', 'Finding in Original Units', 'text', 'Exp', 'CRF'],
      ['QSSTRESC', 'Character Result/Finding in Std Format', 'text', 'Exp', 'Derived', undefined, 'QSSTRESC'],
      ['QSSTRESN', 'Numeric Finding in Standard Units', 'float', 'Perm', 'Derived', undefined, 'QSSTRESN'],
      ['QSSTAT', 'Completion Status', 'text', 'Perm', 'Derived', 'ND', 'QSSTAT'],
      ['QSBLFL', 'Baseline Flag', 'text', 'Exp', 'Derived', 'NY', 'BLFL'],
      VISITNUM('Exp'),
      VISIT,
      VISITDY,
      ['QSDTC', 'Date/Time of Finding', 'date', 'Exp', 'CRF'],
      ['QSDY', 'Study Day of Finding', 'integer', 'Perm', 'Derived', undefined, 'STUDYDAY'],
    ]),
  },
  LB: {
    label: 'Laboratory Test Results',
    domain: 'LB',
    class: 'FINDINGS',
    structure: 'One record per lab test per time point per visit per subject',
    // The store records a collection date without a time: a repeat the same day has the same natural key.
    keys: ['STUDYID', 'USUBJID', 'LBTESTCD', 'VISITNUM', 'LBDTC', 'LBSEQ'],
    variables: variables([
      STUDYID,
      DOMAIN,
      USUBJID,
      seq('LB'),
      ['LBTESTCD', 'Lab Test or Examination Short Name.', 'text', 'Req', 'Assigned', 'LBTESTCD'],
      ['LBTEST', 'Lab Test or Examination Name', 'text', 'Req', 'Assigned', 'LBTEST'],
      ['LBCAT', 'Category for Lab Test', 'text', 'Exp', 'Assigned'],
      ['LBORRES', 'Result or Finding in Original Units', 'text', 'Exp', 'CRF'],
      ['LBORRESU', 'Original Units', 'text', 'Exp', 'CRF', 'UNIT'],
      ['LBSTRESC', 'Character Result/Finding in Std Format', 'text', 'Exp', 'Derived', undefined, 'LBSTRESC'],
      ['LBSTRESN', 'Numeric Result/Finding in Standard Units', 'float', 'Exp', 'Derived', undefined, 'LBSTRESN'],
      ['LBSTRESU', 'Standard Units', 'text', 'Exp', 'Assigned', 'UNIT'],
      ['LBORNRLO', 'Reference Range Lower Limit in Orig Unit', 'text', 'Exp', 'CRF'],
      ['LBORNRHI', 'Reference Range Upper Limit in Orig Unit', 'text', 'Exp', 'CRF'],
      ['LBSTNRLO', 'Reference Range Lower Limit-Std Units', 'float', 'Exp', 'Derived', undefined, 'LBSTNR'],
      ['LBSTNRHI', 'Reference Range Upper Limit-Std Units', 'float', 'Exp', 'Derived', undefined, 'LBSTNR'],
      ['LBNRIND', 'Reference Range Indicator', 'text', 'Exp', 'Derived', 'NRIND', 'LBNRIND'],
      ['LBBLFL', 'Baseline Flag', 'text', 'Exp', 'Derived', 'NY', 'BLFL'],
      ['LBTOXGR', 'Standard Toxicity Grade', 'text', 'Perm', 'Derived', 'CTCAE', 'LBTOXGR'],
      ['LBTOX', 'Toxicity', 'text', 'Perm', 'Derived', 'CTCAE', 'LBTOX'],
      VISITNUM('Exp'),
      VISIT,
      VISITDY,
      ['LBDTC', 'Date/Time of Specimen Collection', 'date', 'Exp', 'CRF'],
      ['LBDY', 'Study Day of Specimen Collection', 'integer', 'Perm', 'Derived', undefined, 'STUDYDAY'],
    ]),
  },
  SUPPLB: suppDataset('LB'),
  AE: {
    label: 'Adverse Events',
    domain: 'AE',
    class: 'EVENTS',
    structure: 'One record per adverse event per subject',
    // Two episodes of one term may begin the same day (dates without a time).
    keys: ['STUDYID', 'USUBJID', 'AETERM', 'AESTDTC', 'AESEQ'],
    variables: variables([
      STUDYID,
      DOMAIN,
      USUBJID,
      seq('AE'),
      ['AETERM', 'Reported Term for the Adverse Event', 'text', 'Req', 'CRF'],
      ['AESTDTC', 'Start Date/Time of Adverse Event', 'date', 'Exp', 'CRF'],
      ['AESTDY', 'Study Day of Start of Adverse Event', 'integer', 'Perm', 'Derived', undefined, 'STUDYDAY'],
      ['AETOXGR', 'Standard Toxicity Grade', 'text', 'Perm', 'CRF', 'CTCAE'],
      ['AESER', 'Serious Event', 'text', 'Exp', 'Derived', 'NY', 'AESER'],
      ['AEREL', 'Causality', 'text', 'Exp', 'CRF', 'AEREL'],
      ['AEOUT', 'Outcome of Adverse Event', 'text', 'Perm', 'CRF', 'OUT'],
      ['AESDTH', 'Results in Death', 'text', 'Perm', 'CRF', 'NY'],
      ['AESLIFE', 'Is Life Threatening', 'text', 'Perm', 'CRF', 'NY'],
      ['AESHOSP', 'Requires or Prolongs Hospitalization', 'text', 'Perm', 'CRF', 'NY'],
      ['AESDISAB', 'Persist or Signif Disability/Incapacity', 'text', 'Perm', 'CRF', 'NY'],
      ['AESCONG', 'Congenital Anomaly or Birth Defect', 'text', 'Perm', 'CRF', 'NY'],
      ['AESMIE', 'Other Medically Important Serious Event', 'text', 'Perm', 'CRF', 'NY'],
    ]),
  },
  SUPPAE: suppDataset('AE'),
  // The planned visits (trial design): the VISITNUM, VISIT and VISITDY the subject datasets carry, each defined once.
  TV: {
    label: 'Trial Visits',
    domain: 'TV',
    class: 'TRIAL DESIGN',
    structure: 'One record per planned Visit per Arm',
    keys: ['STUDYID', 'ARMCD', 'VISITNUM'],
    variables: variables([
      STUDYID,
      DOMAIN,
      ['VISITNUM', 'Visit Number', 'integer', 'Req', 'Protocol'],
      VISIT,
      VISITDY,
      // Empty: the protocol's visits are the same in every arm (SDTMIG 3.3 TV: ARMCD null then).
      ['ARMCD', 'Planned Arm Code', 'text', 'Exp', 'Protocol'],
      ['TVSTRL', 'Visit Start Rule', 'text', 'Req', 'Protocol'],
    ]),
  },
  // The protocol's criteria (trial design): each IETESTCD of IE defined once, with its wording and category.
  TI: {
    label: 'Trial Inclusion/Exclusion Criteria',
    domain: 'TI',
    class: 'TRIAL DESIGN',
    structure: 'One record per I/E criterion',
    keys: ['STUDYID', 'IETESTCD', 'TIVERS'],
    variables: variables([
      STUDYID,
      DOMAIN,
      ['IETESTCD', 'Incl/Excl Criterion Short Name', 'text', 'Req', 'Assigned', 'IETESTCD'],
      ['IETEST', 'Inclusion/Exclusion Criterion', 'text', 'Req', 'Protocol'],
      ['IECAT', 'Inclusion/Exclusion Category', 'text', 'Req', 'Protocol', 'IECAT'],
      ['TIVERS', 'Protocol Criteria Versions', 'text', 'Perm', 'Protocol'],
    ]),
  },
  // The trial's characteristics (trial design), those the protocol file and the store hold (TS_PARAMETERS).
  TS: {
    label: 'Trial Summary',
    domain: 'TS',
    class: 'TRIAL DESIGN',
    structure: 'One record per trial summary parameter value',
    keys: ['STUDYID', 'TSPARMCD', 'TSSEQ'],
    variables: variables([
      STUDYID,
      DOMAIN,
      ['TSSEQ', 'Sequence Number', 'integer', 'Req', 'Derived', undefined, 'TSSEQ'],
      ['TSPARMCD', 'Trial Summary Parameter Short Name', 'text', 'Req', 'Assigned', 'TSPARMCD'],
      ['TSPARM', 'Trial Summary Parameter', 'text', 'Req', 'Assigned', 'TSPARM'],
      // Its origin per parameter in the define (value-level metadata by TSPARMCD).
      ['TSVAL', 'Parameter Value', 'text', 'Exp', 'Protocol'],
      ['TSVALCD', 'Parameter Value Code', 'text', 'Exp', 'Protocol'],
      ['TSVCDREF', 'Name of the Reference Terminology', 'text', 'Exp', 'Assigned'],
      ['TSVCDVER', 'Version of the Reference Terminology', 'text', 'Exp', 'Assigned'],
    ]),
  },
};

/** A dataset's column names, in file order (TS without its TSVAL1, ... TSVALn: sdtmVariables gives them). */
export const sdtmColumns = (domain: SdtmDomain): string[] => SDTM_DATASETS[domain].variables.map((v) => v.name);

/** SDTMIG 3.3 TS: TSVAL is at most 200 characters; a longer value continues in TSVAL1, TSVAL2, ... TSVALn. */
export const SDTM_TSVAL_MAX = 200;

/**
 * A TS value as SDTMIG asks for one over 200 characters: pieces of at most 200, TSVAL then TSVAL1 ... TSVALn, each
 * ending at a word boundary (the space between two pieces is dropped: they read back joined with a space), a word
 * longer than 200 characters cut within it. A value within 200 characters is one piece.
 */
export function splitTsValue(value: string): string[] {
  const pieces: string[] = [];
  let rest = value;
  while (rest.length > SDTM_TSVAL_MAX) {
    const space = rest.slice(0, SDTM_TSVAL_MAX + 1).lastIndexOf(' ');
    const end = space > 0 ? space : SDTM_TSVAL_MAX;
    pieces.push(rest.slice(0, end));
    rest = rest.slice(space > 0 ? end + 1 : end);
  }
  return [...pieces, rest];
}

/**
 * A dataset's variables in file order for the rows being exported: SDTM_DATASETS', and for TS, after TSVAL, the
 * TSVAL1 ... TSVALn a value over 200 characters needs (splitTsValue; Permissible, as SDTMIG 3.3 adds them), as many
 * as the rows (sdtmRows) carry.
 */
export function sdtmVariables(domain: SdtmDomain, rows: readonly (readonly unknown[])[]): SdtmVariable[] {
  const base = SDTM_DATASETS[domain].variables;
  const extra = Math.max(0, ...rows.map((r) => r.length - base.length));
  if (domain !== 'TS' || extra === 0) return [...base];
  const at = base.findIndex((v) => v.name === 'TSVAL') + 1;
  const more = variables(
    Array.from({ length: extra }, (_, i): Spec => [
      `TSVAL${i + 1}`,
      `Parameter Value ${i + 1}`,
      'text',
      'Perm',
      'Protocol',
    ]),
  );
  return [...base.slice(0, at), ...more, ...base.slice(at)];
}
