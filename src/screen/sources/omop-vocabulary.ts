/**
 * How OMOP vocabularies and FHIR code systems name each other (OMOP CDM 5.4 `vocabulary_id` <-> FHIR system URI),
 * and the OMOP type concepts the screen reads. This is naming, not clinical knowledge: which codes matter comes from
 * the pathway's code sets, and a concept reaches them through the vocabulary tables (concept_relationship
 * "Maps to"), never through a list here. Only vocabularies that the pathway's code sets use are named.
 */
export const VOCABULARY_SYSTEMS: Readonly<Record<string, string>> = {
  ICD10: 'http://hl7.org/fhir/sid/icd-10',
  ICD10CM: 'http://hl7.org/fhir/sid/icd-10-cm',
  SNOMED: 'http://snomed.info/sct',
  LOINC: 'http://loinc.org',
  RxNorm: 'http://www.nlm.nih.gov/research/umls/rxnorm',
  ATC: 'http://www.whocc.no/atc',
  CVX: 'http://hl7.org/fhir/sid/cvx',
  UCUM: 'http://unitsofmeasure.org',
};

/** The OMOP vocabulary of a FHIR system URI, or undefined when OMOP has none the screen reads. */
export function vocabularyOf(system: string): string | undefined {
  for (const [vocabulary, uri] of Object.entries(VOCABULARY_SYSTEMS)) if (uri === system) return vocabulary;
  return undefined;
}

/**
 * The code set (knowledge/codesets/allergy-record.json) of the observation concepts that record an allergy whose
 * substance is the row's value_as_concept_id ("Allergy to drug", "Allergy to substance": the OHDSI convention). The
 * codes are knowledge; only the set's name is here.
 */
export const ALLERGY_RECORD_CODE_SET = 'allergy-record';

/**
 * The vocabulary of vaccines: OMOP records a vaccination as a drug_exposure row, and one whose concept is (or is
 * linked to) a CVX concept is read as an Immunization. Naming, not knowledge: the live-vaccine code set is CVX.
 */
export const VACCINE_VOCABULARY = 'CVX';

/** OMOP standard concepts for sex (Gender domain). */
export const GENDER_CONCEPTS = { male: 8507, female: 8532 } as const;

/** Type concepts (OMOP "Type Concept" vocabulary): where a row came from. */
export const TYPE_CONCEPTS = { ehr: 32817, ehrPrescription: 32838, patientReported: 32865, lab: 32856 } as const;

/** Site-local concept ids start above 2,000,000,000 (OMOP CDM convention for concepts a site adds). */
export const LOCAL_CONCEPT_BASE = 2_000_000_000;

/**
 * OMOP operator concepts (Meas Value Operator domain) of a censored result, as FHIR Quantity comparators: "<5 mg/L"
 * is value_as_number 5 with operator_concept_id 4171756. The equals operator (4172703) is no comparator.
 */
export const OPERATOR_COMPARATORS: Readonly<Record<string, '<' | '<=' | '>=' | '>'>> = {
  '4171756': '<',
  '4171754': '<=',
  '4171755': '>=',
  '4172704': '>',
};
