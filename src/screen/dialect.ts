/**
 * The OMOP projection as SQL, for each warehouse the screen supports: the few rows and columns the pathway reads,
 * filtered to the pathway's codes through the OMOP vocabulary tables (concept, concept_relationship "Maps to"), one
 * patient after another in person_id order. The decision is not here: the rows become FHIR-shaped resources
 * (sources/omop.ts) that the one engine assesses. Everything that differs between warehouses lives in DIALECTS.
 *
 * The SQL is built from dialect-neutral parts (CTEs, UNION ALL, LEFT JOIN, CASE, LIKE, MOD) so that only text
 * casts and table qualification vary. The pathway's codes enter as a UNION ALL of literal rows rather than VALUES,
 * which BigQuery and Hive-family grammars do not accept in FROM.
 */
import type { PathwayCode } from './pathway-codes.ts';
import { vocabularyOf } from './sources/omop-vocabulary.ts';

export const DIALECT_NAMES = ['duckdb', 'postgres', 'spark', 'bigquery', 'snowflake'] as const;
export type DialectName = (typeof DIALECT_NAMES)[number];

interface Dialect {
  /** The type a value is cast to for text. */
  readonly text: string;
  /** Qualify a table with a schema (dataset) name. */
  qualify(schema: string | undefined, table: string): string;
}

const dotted = (schema: string | undefined, table: string): string =>
  schema === undefined ? table : `${schema}.${table}`;

export const DIALECTS: Readonly<Record<DialectName, Dialect>> = {
  duckdb: { text: 'VARCHAR', qualify: dotted },
  postgres: { text: 'TEXT', qualify: dotted },
  spark: { text: 'STRING', qualify: dotted },
  bigquery: { text: 'STRING', qualify: (schema, table) => (schema === undefined ? table : `\`${schema}.${table}\``) },
  snowflake: { text: 'VARCHAR', qualify: dotted },
};

export interface ProjectionOptions {
  /** The schema (dataset) holding the CDM tables; absent for the default search path. */
  readonly schema?: string;
  readonly codes: readonly PathwayCode[];
  /** Only persons with MOD(person_id, count) = index. */
  readonly shard?: { readonly index: number; readonly count: number };
  /** Only persons after this person_id (resuming, or the next batch). */
  readonly afterPersonId?: number;
  /** At most this many persons (a batch), the lowest person_ids first. */
  readonly limitPersons?: number;
}

const literal = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/** The pathway codes whose system has an OMOP vocabulary, as rows (vocabulary_id, concept_code, is_prefix). */
function pathwayCodeRows(codes: readonly PathwayCode[]): string {
  const rows = codes
    .map((c) => ({ vocabulary: vocabularyOf(c.system), code: c.code, prefix: c.prefix ? 1 : 0 }))
    .filter((c) => c.vocabulary !== undefined)
    .map(
      (c) =>
        `SELECT ${literal(c.vocabulary as string)} AS vocabulary_id, ${literal(c.code)} AS concept_code, ${c.prefix} AS is_prefix`,
    );
  return rows.length > 0
    ? rows.join('\n    UNION ALL ')
    : `SELECT 'none' AS vocabulary_id, 'none' AS concept_code, 0 AS is_prefix`;
}

/** CTEs: the pathway's concepts (by vocabulary and code) and the standard concepts they map to. */
function vocabularyCtes(d: Dialect, o: ProjectionOptions): string {
  const t = (table: string): string => d.qualify(o.schema, table);
  return `pathway_code AS (
    ${pathwayCodeRows(o.codes)}
  ),
  pathway_concept AS (
    SELECT c.concept_id, c.vocabulary_id, c.concept_code
    FROM ${t('concept')} c
    JOIN pathway_code p ON c.vocabulary_id = p.vocabulary_id
      AND (c.concept_code = p.concept_code OR (p.is_prefix = 1 AND c.concept_code LIKE p.concept_code || '%'))
  ),
  wanted AS (
    SELECT cr.concept_id_2 AS concept_id
    FROM ${t('concept_relationship')} cr
    JOIN pathway_concept pc ON cr.concept_id_1 = pc.concept_id
    WHERE cr.relationship_id = 'Maps to' AND cr.invalid_reason IS NULL
    UNION
    SELECT concept_id FROM pathway_concept
  )`;
}

/**
 * The pathway concepts and the standard concept each maps to: the screen adds these source codes to a row whose
 * standard concept they map to when the row carries no source concept of its own.
 */
export function vocabularySql(name: DialectName, o: ProjectionOptions): string {
  const d = DIALECTS[name];
  return `WITH ${vocabularyCtes(d, o)}
SELECT cr.concept_id_2 AS standard_concept_id, pc.vocabulary_id, pc.concept_code
FROM ${d.qualify(o.schema, 'concept_relationship')} cr
JOIN pathway_concept pc ON cr.concept_id_1 = pc.concept_id
WHERE cr.relationship_id = 'Maps to' AND cr.invalid_reason IS NULL
ORDER BY 1, 2, 3`;
}

/** Column order of every projection row. */
export const PROJECTION_COLUMNS = [
  'person_id',
  'domain',
  'row_id',
  'concept_vocabulary',
  'concept_code',
  'source_vocabulary',
  'source_code',
  'start_date',
  'end_date',
  'value_number',
  'value_vocabulary',
  'value_code',
  'unit_code',
  'range_high',
  'quantity',
  'days_supply',
  'strength_mg',
  'ingredient_vocabulary',
  'ingredient_code',
] as const;

/** The projection: one row per person (domain 'person') and per pathway-relevant clinical row, by person_id. */
export function projectionSql(name: DialectName, o: ProjectionOptions): string {
  const d = DIALECTS[name];
  const t = (table: string): string => d.qualify(o.schema, table);
  const txt = (e: string): string => `CAST(${e} AS ${d.text})`;
  const persons = [
    o.shard === undefined || o.shard.count === 1 ? undefined : `MOD(p.person_id, ${o.shard.count}) = ${o.shard.index}`,
    o.afterPersonId === undefined ? undefined : `p.person_id > ${Math.trunc(o.afterPersonId)}`,
  ].filter((x) => x !== undefined);
  const where = persons.length === 0 ? '' : `WHERE ${persons.join(' AND ')}`;
  const nulls = (n: number): string => Array.from({ length: n }, () => 'NULL').join(', ');
  return `WITH ${vocabularyCtes(d, o)},
  persons AS (
    SELECT p.person_id, p.gender_concept_id, p.year_of_birth, p.month_of_birth, p.day_of_birth
    FROM ${t('person')} p ${where}${
      o.limitPersons === undefined
        ? ''
        : `
    ORDER BY p.person_id LIMIT ${Math.trunc(o.limitPersons)}`
    }
  ),
  projected AS (
    SELECT p.person_id, 'person' AS domain, p.person_id AS row_id, NULL AS concept_vocabulary,
      ${txt('p.gender_concept_id')} AS concept_code, NULL AS source_vocabulary, NULL AS source_code,
      ${txt("p.year_of_birth || '-' || COALESCE(p.month_of_birth, 0) || '-' || COALESCE(p.day_of_birth, 0)")} AS start_date,
      ${txt('de.death_date')} AS end_date, ${PROJECTION_COLUMNS.slice(9)
        .map((c) => `NULL AS ${c}`)
        .join(', ')}
    FROM persons p LEFT JOIN ${t('death')} de ON de.person_id = p.person_id
    UNION ALL
    SELECT co.person_id, 'condition', co.condition_occurrence_id, sc.vocabulary_id, sc.concept_code,
      src.vocabulary_id, src.concept_code, ${txt('co.condition_start_date')}, ${txt('co.condition_end_date')}, ${nulls(10)}
    FROM ${t('condition_occurrence')} co
    JOIN persons p ON p.person_id = co.person_id
    LEFT JOIN ${t('concept')} sc ON sc.concept_id = co.condition_concept_id
    LEFT JOIN ${t('concept')} src ON src.concept_id = co.condition_source_concept_id
    WHERE co.condition_concept_id IN (SELECT concept_id FROM wanted)
      OR co.condition_source_concept_id IN (SELECT concept_id FROM pathway_concept)
    UNION ALL
    SELECT dx.person_id, 'drug', dx.drug_exposure_id, sc.vocabulary_id, sc.concept_code,
      src.vocabulary_id, src.concept_code, ${txt('dx.drug_exposure_start_date')}, ${txt('dx.drug_exposure_end_date')},
      NULL, NULL, NULL, NULL, NULL, dx.quantity, dx.days_supply, ds.amount_value, ic.vocabulary_id, ic.concept_code
    FROM ${t('drug_exposure')} dx
    JOIN persons p ON p.person_id = dx.person_id
    LEFT JOIN ${t('concept')} sc ON sc.concept_id = dx.drug_concept_id
    LEFT JOIN ${t('concept')} src ON src.concept_id = dx.drug_source_concept_id
    LEFT JOIN ${t('drug_strength')} ds ON ds.drug_concept_id = dx.drug_concept_id
    LEFT JOIN ${t('concept')} ic ON ic.concept_id = ds.ingredient_concept_id
    WHERE dx.drug_concept_id IN (SELECT concept_id FROM wanted)
      OR dx.drug_source_concept_id IN (SELECT concept_id FROM pathway_concept)
      OR ds.ingredient_concept_id IN (SELECT concept_id FROM wanted)
    UNION ALL
    SELECT m.person_id, 'measurement', m.measurement_id, sc.vocabulary_id, sc.concept_code,
      src.vocabulary_id, src.concept_code, ${txt('m.measurement_date')}, NULL,
      m.value_as_number, vc.vocabulary_id, vc.concept_code, uc.concept_code, m.range_high, ${nulls(5)}
    FROM ${t('measurement')} m
    JOIN persons p ON p.person_id = m.person_id
    LEFT JOIN ${t('concept')} sc ON sc.concept_id = m.measurement_concept_id
    LEFT JOIN ${t('concept')} src ON src.concept_id = m.measurement_source_concept_id
    LEFT JOIN ${t('concept')} vc ON vc.concept_id = m.value_as_concept_id
    LEFT JOIN ${t('concept')} uc ON uc.concept_id = m.unit_concept_id
    WHERE m.measurement_concept_id IN (SELECT concept_id FROM wanted)
      OR m.measurement_source_concept_id IN (SELECT concept_id FROM pathway_concept)
  )
SELECT ${PROJECTION_COLUMNS.join(', ')}
FROM projected
ORDER BY person_id, domain DESC, row_id`;
}
