/**
 * The SDTM datasets the trial exports, described once: each dataset's variables in file order with the SDTMIG 3.3
 * label, data type, core, origin and codelist, and the controlled terms the export writes. The CSV files
 * (sdtm.ts) take their headers from here and the Define-XML file (define.ts) its metadata, so the two cannot
 * disagree. Pure.
 */

export const SDTM_DOMAINS = ['DM', 'DS', 'EX', 'QS', 'LB', 'SUPPLB', 'AE', 'SUPPAE'] as const;
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
}

export interface SdtmDataset {
  readonly label: string;
  /** The parent domain (SUPPLB qualifies LB, SUPPAE AE). */
  readonly domain: string;
  readonly class: 'SPECIAL PURPOSE' | 'EVENTS' | 'INTERVENTIONS' | 'FINDINGS' | 'RELATIONSHIP';
  readonly structure: string;
  /** Natural keys, in key order. */
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

/** LB tests (CDISC LBTESTCD/LBTEST) with the standard unit (UCUM) of LBSTRESN: SI, as the CTCAE tables grade them. */
export const LB_TESTS = {
  anc: { code: 'NEUT', name: 'Neutrophils', unit: '10*9/L' },
  platelets: { code: 'PLAT', name: 'Platelets', unit: '10*9/L' },
  alt: { code: 'ALT', name: 'Alanine Aminotransferase', unit: 'U/L' },
  ast: { code: 'AST', name: 'Aspartate Aminotransferase', unit: 'U/L' },
} as const;

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
 * Codelists: CDISC controlled terminology (with the codelist's NCI code) holding the terms the export writes, one
 * sponsor list (DSDECOD mixes NCOMPLT and PROTMLST terms), and the CTCAE as an external dictionary whose version
 * is the protocol's.
 */
export const SDTM_CODELISTS = {
  NY: { name: 'No Yes Response', nci: 'C66742', terms: ['N', 'Y'] },
  OUT: { name: 'Outcome of Event', nci: 'C66768', terms: Object.values(AE_OUTCOMES) },
  ROUTE: { name: 'Route of Administration Response', nci: 'C66729', terms: ['INTRAVENOUS'] },
  UNIT: { name: 'Unit', nci: 'C71620', terms: ['mg'] },
  DSCAT: { name: 'Category for Disposition Event', nci: 'C74558', terms: ['DISPOSITION EVENT', 'PROTOCOL MILESTONE'] },
  DSDECOD: {
    name: 'Standardized Disposition Term (NCOMPLT and PROTMLST terms)',
    nci: null,
    terms: [...Object.values(DS_TERMS), ...DS_MILESTONES],
  },
  LBTESTCD: {
    name: 'Laboratory Test Code',
    nci: 'C65047',
    terms: Object.values(LB_TESTS).map((t) => t.code),
  },
  LBTEST: { name: 'Laboratory Test Name', nci: 'C67154', terms: Object.values(LB_TESTS).map((t) => t.name) },
  ND: { name: 'Not Done', nci: 'C66789', terms: ['NOT DONE'] },
  CTCAE: { name: 'Common Terminology Criteria for Adverse Events', external: 'CTCAE' },
} as const;
export type SdtmCodelistId = keyof typeof SDTM_CODELISTS;

type Spec = readonly [
  name: string,
  label: string,
  type: SdtmDataType,
  core: SdtmVariable['core'],
  origin: SdtmOrigin,
  codelist?: SdtmCodelistId,
];
const variables = (specs: readonly Spec[]): SdtmVariable[] =>
  specs.map(([name, label, type, core, origin, codelist]) => ({
    name,
    label,
    type,
    core,
    origin,
    ...(codelist === undefined ? {} : { codelist }),
  }));

const STUDYID: Spec = ['STUDYID', 'Study Identifier', 'text', 'Req', 'Protocol'];
const DOMAIN: Spec = ['DOMAIN', 'Domain Abbreviation', 'text', 'Req', 'Assigned'];
const USUBJID: Spec = ['USUBJID', 'Unique Subject Identifier', 'text', 'Req', 'Derived'];
const seq = (prefix: string): Spec => [`${prefix}SEQ`, 'Sequence Number', 'integer', 'Req', 'Derived'];
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
      ['IDVARVAL', 'Identifying Variable Value', 'text', 'Exp', 'Derived'],
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
      ['SUBJID', 'Subject Identifier for the Study', 'text', 'Req', 'CRF'],
      ['SITEID', 'Study Site Identifier', 'text', 'Req', 'CRF'],
      ['RFSTDTC', 'Subject Reference Start Date/Time', 'date', 'Exp', 'Derived'],
      ['RFENDTC', 'Subject Reference End Date/Time', 'date', 'Exp', 'Derived'],
      ['RFICDTC', 'Date/Time of Informed Consent', 'date', 'Exp', 'Derived'],
      ['RFXSTDTC', 'Date/Time of First Study Treatment', 'date', 'Exp', 'Derived'],
      ['RFXENDTC', 'Date/Time of Last Study Treatment', 'date', 'Exp', 'Derived'],
      ['RFPENDTC', 'Date/Time of End of Participation', 'date', 'Exp', 'Derived'],
      ['DTHDTC', 'Date/Time of Death', 'date', 'Exp', 'Derived'],
      ['DTHFL', 'Subject Death Flag', 'text', 'Exp', 'Derived', 'NY'],
      ['ARMCD', 'Planned Arm Code', 'text', 'Req', 'Assigned'],
      ['ARM', 'Description of Planned Arm', 'text', 'Req', 'Assigned'],
      ['ACTARMCD', 'Actual Arm Code', 'text', 'Req', 'Derived'],
      ['ACTARM', 'Description of Actual Arm', 'text', 'Req', 'Derived'],
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
      seq('DS'),
      ['DSTERM', 'Reported Term for the Disposition Event', 'text', 'Req', 'CRF'],
      ['DSDECOD', 'Standardized Disposition Term', 'text', 'Req', 'Assigned', 'DSDECOD'],
      ['DSCAT', 'Category for Disposition Event', 'text', 'Exp', 'Assigned', 'DSCAT'],
      ['DSSTDTC', 'Start Date/Time of Disposition Event', 'date', 'Exp', 'CRF'],
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
      ['EXREFID', 'Reference ID', 'text', 'Perm', 'Assigned'],
      VISIT,
    ]),
  },
  QS: {
    label: 'Questionnaires',
    domain: 'QS',
    class: 'FINDINGS',
    structure: 'One record per questionnaire per question per time point per visit per subject',
    keys: ['STUDYID', 'USUBJID', 'QSCAT', 'QSTESTCD', 'VISIT'],
    variables: variables([
      STUDYID,
      DOMAIN,
      USUBJID,
      seq('QS'),
      ['QSTESTCD', 'Question Short Name', 'text', 'Req', 'Assigned'],
      ['QSTEST', 'Question Name', 'text', 'Req', 'Assigned'],
      ['QSCAT', 'Category of Question', 'text', 'Req', 'Assigned'],
      ['QSSCAT', 'Subcategory for Question', 'text', 'Perm', 'Assigned'],
      ['QSORRES', 'Finding in Original Units', 'text', 'Exp', 'CRF'],
      ['QSSTRESC', 'Character Result/Finding in Std Format', 'text', 'Exp', 'Derived'],
      ['QSSTRESN', 'Numeric Finding in Standard Units', 'float', 'Perm', 'Derived'],
      ['QSSTAT', 'Completion Status', 'text', 'Perm', 'Derived', 'ND'],
      VISIT,
      VISITDY,
      ['QSDTC', 'Date/Time of Finding', 'date', 'Exp', 'CRF'],
      ['QSDY', 'Study Day of Finding', 'integer', 'Perm', 'Derived'],
    ]),
  },
  LB: {
    label: 'Laboratory Test Results',
    domain: 'LB',
    class: 'FINDINGS',
    structure: 'One record per lab test per time point per visit per subject',
    keys: ['STUDYID', 'USUBJID', 'LBTESTCD', 'VISIT', 'LBDTC'],
    variables: variables([
      STUDYID,
      DOMAIN,
      USUBJID,
      seq('LB'),
      ['LBTESTCD', 'Lab Test or Examination Short Name.', 'text', 'Req', 'Assigned', 'LBTESTCD'],
      ['LBTEST', 'Lab Test or Examination Name', 'text', 'Req', 'Assigned', 'LBTEST'],
      ['LBCAT', 'Category for Lab Test', 'text', 'Exp', 'Assigned'],
      ['LBORRES', 'Result or Finding in Original Units', 'text', 'Exp', 'CRF'],
      ['LBORRESU', 'Original Units', 'text', 'Exp', 'CRF'],
      ['LBSTRESN', 'Numeric Result/Finding in Standard Units', 'float', 'Exp', 'Derived'],
      ['LBSTRESU', 'Standard Units', 'text', 'Exp', 'Assigned'],
      ['LBORNRLO', 'Reference Range Lower Limit in Orig Unit', 'text', 'Exp', 'CRF'],
      ['LBORNRHI', 'Reference Range Upper Limit in Orig Unit', 'text', 'Exp', 'CRF'],
      ['LBTOXGR', 'Standard Toxicity Grade', 'text', 'Perm', 'Derived', 'CTCAE'],
      ['LBTOX', 'Toxicity', 'text', 'Perm', 'Derived', 'CTCAE'],
      VISIT,
      VISITDY,
      ['LBDTC', 'Date/Time of Specimen Collection', 'date', 'Exp', 'CRF'],
      ['LBDY', 'Study Day of Specimen Collection', 'integer', 'Perm', 'Derived'],
    ]),
  },
  SUPPLB: suppDataset('LB'),
  AE: {
    label: 'Adverse Events',
    domain: 'AE',
    class: 'EVENTS',
    structure: 'One record per adverse event per subject',
    keys: ['STUDYID', 'USUBJID', 'AETERM', 'AESTDTC'],
    variables: variables([
      STUDYID,
      DOMAIN,
      USUBJID,
      seq('AE'),
      ['AETERM', 'Reported Term for the Adverse Event', 'text', 'Req', 'CRF'],
      ['AESTDTC', 'Start Date/Time of Adverse Event', 'date', 'Exp', 'CRF'],
      ['AESTDY', 'Study Day of Start of Adverse Event', 'integer', 'Perm', 'Derived'],
      ['AETOXGR', 'Standard Toxicity Grade', 'text', 'Perm', 'CRF', 'CTCAE'],
      ['AESER', 'Serious Event', 'text', 'Exp', 'Derived', 'NY'],
      ['AEREL', 'Causality', 'text', 'Exp', 'CRF'],
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
};

/** A dataset's column names, in file order. */
export const sdtmColumns = (domain: SdtmDomain): string[] => SDTM_DATASETS[domain].variables.map((v) => v.name);
