/**
 * The OMOP CDM 5.4 tables the screen reads, with the columns it reads (a subset of each table; the names and types
 * are those of the CDM 5.4 DDL). The synthetic writer creates them; a real site already has them. Types are the
 * portable ones shared by DuckDB and PostgreSQL.
 */
export const OMOP_TABLES: Readonly<Record<string, readonly (readonly [string, string])[]>> = {
  person: [
    ['person_id', 'BIGINT'],
    ['gender_concept_id', 'INTEGER'],
    ['year_of_birth', 'INTEGER'],
    ['month_of_birth', 'INTEGER'],
    ['day_of_birth', 'INTEGER'],
    ['birth_datetime', 'TIMESTAMP'],
    ['race_concept_id', 'INTEGER'],
    ['ethnicity_concept_id', 'INTEGER'],
    ['person_source_value', 'VARCHAR(50)'],
    ['gender_source_value', 'VARCHAR(50)'],
  ],
  death: [
    ['person_id', 'BIGINT'],
    ['death_date', 'DATE'],
    ['death_type_concept_id', 'INTEGER'],
  ],
  visit_occurrence: [
    ['visit_occurrence_id', 'BIGINT'],
    ['person_id', 'BIGINT'],
    ['visit_concept_id', 'INTEGER'],
    ['visit_start_date', 'DATE'],
    ['visit_end_date', 'DATE'],
    ['visit_type_concept_id', 'INTEGER'],
  ],
  condition_occurrence: [
    ['condition_occurrence_id', 'BIGINT'],
    ['person_id', 'BIGINT'],
    ['condition_concept_id', 'INTEGER'],
    ['condition_start_date', 'DATE'],
    ['condition_end_date', 'DATE'],
    ['condition_type_concept_id', 'INTEGER'],
    ['condition_source_value', 'VARCHAR(50)'],
    ['condition_source_concept_id', 'INTEGER'],
    // The visit the diagnosis was recorded at: an end date that is the visit's end is no resolution (dialect.ts).
    ['visit_occurrence_id', 'BIGINT'],
  ],
  drug_exposure: [
    ['drug_exposure_id', 'BIGINT'],
    ['person_id', 'BIGINT'],
    ['drug_concept_id', 'INTEGER'],
    ['drug_exposure_start_date', 'DATE'],
    ['drug_exposure_end_date', 'DATE'],
    ['drug_type_concept_id', 'INTEGER'],
    ['quantity', 'DOUBLE PRECISION'],
    ['days_supply', 'INTEGER'],
    ['sig', 'VARCHAR(200)'],
    ['drug_source_value', 'VARCHAR(50)'],
    ['drug_source_concept_id', 'INTEGER'],
  ],
  measurement: [
    ['measurement_id', 'BIGINT'],
    ['person_id', 'BIGINT'],
    ['measurement_concept_id', 'INTEGER'],
    ['measurement_date', 'DATE'],
    ['measurement_type_concept_id', 'INTEGER'],
    ['value_as_number', 'DOUBLE PRECISION'],
    ['value_as_concept_id', 'INTEGER'],
    ['unit_concept_id', 'INTEGER'],
    ['range_low', 'DOUBLE PRECISION'],
    ['range_high', 'DOUBLE PRECISION'],
    ['measurement_source_value', 'VARCHAR(50)'],
    ['measurement_source_concept_id', 'INTEGER'],
    ['unit_source_value', 'VARCHAR(50)'],
    // A censored result's comparator ("<5 mg/L" is 5 with the operator "<").
    ['operator_concept_id', 'INTEGER'],
    // The result as the source gave it: a qualitative result's only value when it has no concept ("POSITIVE").
    ['value_source_value', 'VARCHAR(50)'],
  ],
  // Observation-domain facts (breastfeeding and pregnancy status, questionnaire answers, allergies) are here, not in
  // measurement.
  observation: [
    ['observation_id', 'BIGINT'],
    ['person_id', 'BIGINT'],
    ['observation_concept_id', 'INTEGER'],
    ['observation_date', 'DATE'],
    ['observation_type_concept_id', 'INTEGER'],
    ['value_as_number', 'DOUBLE PRECISION'],
    ['value_as_concept_id', 'INTEGER'],
    ['unit_concept_id', 'INTEGER'],
    ['observation_source_value', 'VARCHAR(50)'],
    ['observation_source_concept_id', 'INTEGER'],
    // A modifier of the fact; some sites name an allergy's substance here rather than in value_as_concept_id.
    ['qualifier_concept_id', 'INTEGER'],
    // A text answer ("Yes"): the value when it has no concept.
    ['value_as_string', 'VARCHAR(60)'],
  ],
  // Procedures: ECT (Maudsley staging), a delivery or termination that ends a pregnancy a positive test stood for.
  procedure_occurrence: [
    ['procedure_occurrence_id', 'BIGINT'],
    ['person_id', 'BIGINT'],
    ['procedure_concept_id', 'INTEGER'],
    ['procedure_date', 'DATE'],
    ['procedure_end_date', 'DATE'],
    ['procedure_type_concept_id', 'INTEGER'],
    ['procedure_source_value', 'VARCHAR(50)'],
    ['procedure_source_concept_id', 'INTEGER'],
  ],
  concept: [
    ['concept_id', 'INTEGER'],
    ['concept_name', 'VARCHAR(255)'],
    ['domain_id', 'VARCHAR(20)'],
    ['vocabulary_id', 'VARCHAR(20)'],
    ['concept_class_id', 'VARCHAR(20)'],
    ['standard_concept', 'VARCHAR(1)'],
    ['concept_code', 'VARCHAR(50)'],
    ['valid_start_date', 'DATE'],
    ['valid_end_date', 'DATE'],
    ['invalid_reason', 'VARCHAR(1)'],
  ],
  concept_relationship: [
    ['concept_id_1', 'INTEGER'],
    ['concept_id_2', 'INTEGER'],
    ['relationship_id', 'VARCHAR(20)'],
    ['valid_start_date', 'DATE'],
    ['valid_end_date', 'DATE'],
    ['invalid_reason', 'VARCHAR(1)'],
  ],
  drug_strength: [
    ['drug_concept_id', 'INTEGER'],
    ['ingredient_concept_id', 'INTEGER'],
    ['amount_value', 'DOUBLE PRECISION'],
    ['amount_unit_concept_id', 'INTEGER'],
    ['valid_start_date', 'DATE'],
    ['valid_end_date', 'DATE'],
  ],
  // The vocabulary's hierarchy: a drug form (no strength, so no drug_strength row) reaches its ingredient here.
  concept_ancestor: [
    ['ancestor_concept_id', 'INTEGER'],
    ['descendant_concept_id', 'INTEGER'],
    ['min_levels_of_separation', 'INTEGER'],
    ['max_levels_of_separation', 'INTEGER'],
  ],
};

export const OMOP_TABLE_NAMES = Object.keys(OMOP_TABLES);

/**
 * The standardized vocabulary tables among them: loaded from Athena rather than by the site's ETL, and kept by many
 * sites in a schema of their own (the OHDSI tools' vocabularyDatabaseSchema beside cdmDatabaseSchema).
 */
export const OMOP_VOCABULARY_TABLES: readonly string[] = [
  'concept',
  'concept_relationship',
  'drug_strength',
  'concept_ancestor',
];

/** CREATE TABLE statements for the tables above (DuckDB and PostgreSQL). */
export function omopDdl(schema?: string): string[] {
  const prefix = schema === undefined ? '' : `${schema}.`;
  return Object.entries(OMOP_TABLES).map(
    ([table, columns]) => `CREATE TABLE ${prefix}${table} (${columns.map(([c, t]) => `${c} ${t}`).join(', ')})`,
  );
}

/**
 * The DuckDB statement that loads a table's CSV as `trd synth --format omop-csv` writes it (a header line, the columns
 * of OMOP_TABLES in their order, an empty cell for no value). The columns are named: a table created with the CDM's
 * full DDL has more columns, in another order, and a COPY by position failed on it (or would load a value into the
 * wrong column). The same column list, the CSV's header line, loads it into PostgreSQL (docs/screening.md).
 */
export function omopCsvCopy(table: string, csvPath: string, schema?: string): string {
  const columns = (OMOP_TABLES[table] ?? []).map(([c]) => c).join(', ');
  const prefix = schema === undefined ? '' : `${schema}.`;
  return `COPY ${prefix}${table} (${columns}) FROM '${csvPath.replace(/'/g, "''")}' (HEADER true, NULLSTR '')`;
}
