/**
 * The OMOP projection as SQL, for each warehouse the screen supports: the few rows and columns the pathway reads,
 * filtered to the pathway's codes through the OMOP vocabulary tables (concept, concept_relationship "Maps to"), one
 * patient after another in person_id order. The decision is not here: the rows become FHIR-shaped resources
 * (sources/omop.ts) that the one engine assesses. Everything that differs between warehouses lives in DIALECTS.
 *
 * The SQL is built from dialect-neutral parts (CTEs, UNION ALL, LEFT JOIN, CASE, LIKE, MOD) so that only text
 * casts, dates as text and table qualification vary. Only UNION ALL, never a bare UNION (BigQuery requires ALL or
 * DISTINCT); `||` joins only text (BigQuery has no INT64 || STRING).
 */
import type { PathwayCode } from './pathway-codes.ts';
import { OMOP_TABLE_NAMES } from './sources/omop-schema.ts';
import { vocabularyOf } from './sources/omop-vocabulary.ts';

export const DIALECT_NAMES = ['duckdb', 'postgres', 'spark', 'bigquery', 'snowflake'] as const;
export type DialectName = (typeof DIALECT_NAMES)[number];

interface Dialect {
  /** The type a value is cast to for text. */
  readonly text: string;
  /** A floating-point type (typed NULLs in the first UNION branch fix the column types). */
  readonly number: string;
  /**
   * A DATE as YYYY-MM-DD text whatever the session's settings: a plain cast follows PostgreSQL's DateStyle
   * ('SQL, DMY' gives 05/03/2024) and Snowflake's DATE_OUTPUT_FORMAT, and the engine would read such a date as
   * malformed.
   */
  isoDate(e: string): string;
  /** Qualify a table with a schema (dataset) name. */
  qualify(schema: string | undefined, table: string): string;
}

const dotted = (schema: string | undefined, table: string): string =>
  schema === undefined ? table : `${schema}.${table}`;

export const DIALECTS: Readonly<Record<DialectName, Dialect>> = {
  // DuckDB, Spark and BigQuery cast a DATE to ISO text whatever the session.
  duckdb: { text: 'VARCHAR', number: 'DOUBLE', isoDate: (e) => `CAST(${e} AS VARCHAR)`, qualify: dotted },
  postgres: {
    text: 'TEXT',
    number: 'DOUBLE PRECISION',
    isoDate: (e) => `to_char(${e}, 'YYYY-MM-DD')`,
    qualify: dotted,
  },
  spark: { text: 'STRING', number: 'DOUBLE', isoDate: (e) => `CAST(${e} AS STRING)`, qualify: dotted },
  bigquery: {
    text: 'STRING',
    number: 'FLOAT64',
    isoDate: (e) => `CAST(${e} AS STRING)`,
    qualify: (schema, table) => (schema === undefined ? table : `\`${schema}.${table}\``),
  },
  snowflake: { text: 'VARCHAR', number: 'DOUBLE', isoDate: (e) => `TO_CHAR(${e}, 'YYYY-MM-DD')`, qualify: dotted },
};

export interface ProjectionOptions {
  /** The schema (dataset) holding the CDM tables; absent for the default search path. */
  readonly schema?: string;
  readonly codes: readonly PathwayCode[];
  /** Only persons in shard `index` of `count` (shardCondition). */
  readonly shard?: { readonly index: number; readonly count: number };
  /** Only persons after this person_id (resuming, or the next batch): a whole number, as text or bigint so that an
   * id above 2^53 keeps every digit. */
  readonly afterPersonId?: string | bigint | number;
  /** At most this many persons (a batch), the lowest person_ids first. */
  readonly limitPersons?: number;
}

const literal = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/**
 * The condition that picks the pathway's concepts out of the concept table: per vocabulary, the exact codes as one
 * IN list and the prefix entries (ICD-10 categories, ATC groups) as IN lists over SUBSTR of each prefix length.
 * IN lists rather than a table of literal rows: hundreds of UNION branches overflow some parsers (PGlite's among them).
 */
function pathwayConceptCondition(codes: readonly PathwayCode[]): string {
  const byVocabulary = new Map<string, { exact: Set<string>; prefixes: Map<number, Set<string>> }>();
  for (const c of codes) {
    const vocabulary = vocabularyOf(c.system);
    if (vocabulary === undefined) continue;
    const entry = byVocabulary.get(vocabulary) ?? {
      exact: new Set<string>(),
      prefixes: new Map<number, Set<string>>(),
    };
    byVocabulary.set(vocabulary, entry);
    if (c.prefix) {
      const set = entry.prefixes.get(c.code.length) ?? new Set<string>();
      entry.prefixes.set(c.code.length, set);
      set.add(c.code);
    } else {
      entry.exact.add(c.code);
    }
  }
  const list = (values: Set<string>): string => [...values].sort().map(literal).join(', ');
  const parts = [...byVocabulary.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([vocabulary, e]) => {
      const tests = [
        ...(e.exact.size > 0 ? [`c.concept_code IN (${list(e.exact)})`] : []),
        ...[...e.prefixes.entries()]
          .sort(([a], [b]) => a - b)
          .map(([length, values]) => `SUBSTR(c.concept_code, 1, ${length}) IN (${list(values)})`),
      ];
      return `(c.vocabulary_id = ${literal(vocabulary)} AND (${tests.join(' OR ')}))`;
    });
  return parts.length > 0 ? parts.join('\n      OR ') : '1 = 0';
}

/** CTEs: the pathway's concepts (by vocabulary and code) and the standard concepts they map to. */
function vocabularyCtes(d: Dialect, o: ProjectionOptions): string {
  const t = (table: string): string => d.qualify(o.schema, table);
  return `pathway_concept AS (
    SELECT c.concept_id, c.vocabulary_id, c.concept_code
    FROM ${t('concept')} c
    WHERE ${pathwayConceptCondition(o.codes)}
  ),
  wanted AS (
    -- UNION ALL: only read through IN, where a repeated concept changes nothing.
    SELECT cr.concept_id_2 AS concept_id
    FROM ${t('concept_relationship')} cr
    JOIN pathway_concept pc ON cr.concept_id_1 = pc.concept_id
    WHERE cr.relationship_id = 'Maps to' AND cr.invalid_reason IS NULL
    UNION ALL
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
  'operator_concept_id',
  // An observation's qualifier concept: the substance of an allergy row whose value_as_concept_id is empty.
  'qualifier_vocabulary',
  'qualifier_code',
  // A drug row's concept name ("hydrocortisone 10 MG/ML Topical Cream"): the medication's text, which says its route.
  'concept_name',
  // A measurement's unit_source_value, read when the unit has no concept (unit_concept_id 0): the unit as text.
  'unit_text',
  // A measurement's value_source_value or an observation's value_as_string, read when the value has no concept.
  'value_text',
  // A condition row's visit end (visit_occurrence.visit_end_date of its visit_occurrence_id): an end date that is the
  // visit's is no resolution (sources/omop.ts).
  'visit_end_date',
] as const;

const NUMERIC = new Set([
  'value_number',
  'range_high',
  'quantity',
  'days_supply',
  'strength_mg',
  'operator_concept_id',
]);

/**
 * The condition that a key (a person_id, or the hash of an NDJSON patient reference) falls in a shard: its remainder
 * modulo n, taken into 0..n-1. A plain MOD is negative for a negative key in every warehouse here (MOD(-7, 3) = -1),
 * which would put that person in no shard; MOD(MOD(k, n) + n, n) is in 0..n-1 and cannot overflow.
 */
export function shardCondition(key: string, shard: { readonly index: number; readonly count: number }): string {
  return `MOD(MOD(${key}, ${shard.count}) + ${shard.count}, ${shard.count}) = ${shard.index}`;
}

/** A person_id as SQL text, every digit kept (never through a JavaScript number, which holds 53 bits). */
function wholeNumber(v: string | bigint | number): string {
  const text = typeof v === 'number' ? String(Math.trunc(v)) : String(v);
  if (!/^-?\d+$/.test(text)) throw new Error(`not a person_id: ${text}`);
  return text;
}

/**
 * The pathway ingredients of a drug concept, the one definition the projection reads them by: a drug product
 * (Clinical or Branded Drug, a component, a quantified or boxed drug) by its drug_strength rows, one per ingredient,
 * as the OMOP vocabulary gives them; any standard drug under an Ingredient in concept_ancestor, the vocabulary's
 * hierarchy OHDSI analyses roll drugs up by (a Clinical or Branded Drug Form has no strength, so no drug_strength
 * row; a pack); a brand name ("Actemra"), which is not a standard concept and is in neither table, by its
 * "Brand name of" relationship to the ingredient (the vocabulary also links a brand name
 * to its branded products by "Brand name of": only the link to an Ingredient counts); an RxNorm vaccine, by its
 * "RxNorm - CVX" relationship to the CVX vaccine it is (the live-vaccine set is CVX). Only ingredients the pathway's
 * codes reach (`wanted`): no rule reads another, and the table stays small beside the vocabulary's millions of rows. A
 * drug_exposure row of a product is read as its pathway ingredients (with the strength of each); an allergy
 * observation whose substance is a product or a brand name, as an allergy to them. DISTINCT: a pair given twice (two
 * drug_strength rows of one product and ingredient) is one.
 */
function drugIngredientCte(t: (table: string) => string): string {
  return `drug_ingredient AS (
    SELECT DISTINCT drug_concept_id, ingredient_concept_id FROM (
      SELECT drug_concept_id, ingredient_concept_id FROM ${t('drug_strength')}
      UNION ALL
      SELECT ca.descendant_concept_id AS drug_concept_id, ca.ancestor_concept_id AS ingredient_concept_id
      FROM ${t('concept_ancestor')} ca
      JOIN ${t('concept')} ing ON ing.concept_id = ca.ancestor_concept_id AND ing.concept_class_id = 'Ingredient'
      WHERE ca.ancestor_concept_id IN (SELECT concept_id FROM wanted)
        AND ca.descendant_concept_id <> ca.ancestor_concept_id
      UNION ALL
      SELECT cr.concept_id_1 AS drug_concept_id, cr.concept_id_2 AS ingredient_concept_id
      FROM ${t('concept_relationship')} cr
      JOIN ${t('concept')} target ON target.concept_id = cr.concept_id_2
      WHERE cr.invalid_reason IS NULL
        AND ((cr.relationship_id = 'Brand name of' AND target.concept_class_id = 'Ingredient')
          OR (cr.relationship_id = 'RxNorm - CVX' AND target.vocabulary_id = 'CVX'))
    ) pairs
    WHERE ingredient_concept_id IN (SELECT concept_id FROM wanted)
  )`;
}

/** The clinical tables the projection reads, with the prefix of their concept columns. */
const CLINICAL_TABLES = [
  ['condition_occurrence', 'condition'],
  ['drug_exposure', 'drug'],
  ['measurement', 'measurement'],
  ['observation', 'observation'],
  ['procedure_occurrence', 'procedure'],
] as const;

/**
 * A clinical table's rows the projection reads: those of pathway concepts, by standard or source concept; of
 * drug_exposure also the products of pathway ingredients and the drugs of concept 0 (the site's code unmapped).
 */
function pathwayRows(t: (table: string) => string, table: string, prefix: string): string {
  const drug =
    table === 'drug_exposure'
      ? `
        OR drug_concept_id IN (SELECT drug_concept_id FROM drug_ingredient)
        OR drug_concept_id = 0`
      : '';
  return `SELECT * FROM ${t(table)}
      WHERE ${prefix}_concept_id IN (SELECT concept_id FROM wanted)
        OR ${prefix}_source_concept_id IN (SELECT concept_id FROM pathway_concept)${drug}`;
}

/**
 * The extract of the CDM a site on a warehouse that `trd screen` does not read (Spark, BigQuery, Snowflake) exports
 * to Parquet and screens in DuckDB (docs/screening.md, "Running the projection inside a warehouse"): one query per
 * table the projection reads (OMOP_TABLE_NAMES). The five clinical tables are cut to the
 * rows the projection keeps (pathwayRows, with every CTE it reads: the pathway's concepts, those they map to, and
 * the drug products of pathway ingredients), visit_occurrence to the visits those condition rows name; `person`
 * (every person gets a line), `death` and the vocabulary tables (units and coded values are read through `concept`)
 * whole.
 */
export function extractSql(
  name: DialectName,
  o: Omit<ProjectionOptions, 'shard' | 'afterPersonId' | 'limitPersons'>,
): { table: string; sql: string }[] {
  const d = DIALECTS[name];
  const t = (table: string): string => d.qualify(o.schema, table);
  const ctes = `WITH ${vocabularyCtes(d, o)},
  ${drugIngredientCte(t)}`;
  const clinical = new Map<string, string>(CLINICAL_TABLES);
  return OMOP_TABLE_NAMES.map((table) => {
    const prefix = clinical.get(table);
    if (prefix !== undefined)
      return {
        table,
        sql: `${ctes}
${pathwayRows(t, table, prefix)}`,
      };
    if (table === 'visit_occurrence') {
      return {
        table,
        sql: `${ctes}
SELECT * FROM ${t(table)}
WHERE visit_occurrence_id IN (
  SELECT visit_occurrence_id FROM (
      ${pathwayRows(t, 'condition_occurrence', 'condition')}
  ) co
)`,
      };
    }
    return { table, sql: `SELECT * FROM ${t(table)}` };
  });
}

/**
 * The rows the projection would read that name no person of the CDM (a person_id not in `person`, or none): an ETL
 * that leaves out of `person` those it cannot load (no year of birth, no sex) keeps their other rows, which no
 * patient line holds. Counted, never dropped in silence (docs/screening.md). A shard counts the rows whose
 * person_id falls in it, shard 1 those with none. The second column counts all those rows, orphans or not: with the
 * persons, what a resumed screen compares to see whether the database changed (src/screen/run.ts).
 */
export function orphanRowsSql(name: DialectName, o: Omit<ProjectionOptions, 'afterPersonId' | 'limitPersons'>): string {
  const d = DIALECTS[name];
  const t = (table: string): string => d.qualify(o.schema, table);
  const inShard =
    o.shard === undefined || o.shard.count === 1
      ? ''
      : `\nWHERE ${shardCondition('r.person_id', o.shard)}${o.shard.index === 0 ? ' OR r.person_id IS NULL' : ''}`;
  // A LEFT JOIN rather than NOT EXISTS in the select list, which Spark SQL allows only in a filter.
  return `WITH ${vocabularyCtes(d, o)},
  ${drugIngredientCte(t)},
  clinical AS (
${CLINICAL_TABLES.map(([table, prefix]) => `    SELECT person_id FROM (${pathwayRows(t, table, prefix)}) x`).join('\n    UNION ALL\n')}
  )
SELECT COALESCE(SUM(CASE WHEN p.person_id IS NULL THEN 1 ELSE 0 END), 0), COUNT(*)
FROM clinical r LEFT JOIN ${t('person')} p ON p.person_id = r.person_id${inShard}`;
}

/**
 * The projection: one row per person (domain 'person') and per pathway-relevant clinical row, by person_id; the
 * person row first ('procedure' sorts after 'person', so the person row is put first by its own key), then the other
 * domains in descending order ('procedure', 'observation', 'measurement', 'drug', 'condition').
 */
export function projectionSql(name: DialectName, o: ProjectionOptions): string {
  const d = DIALECTS[name];
  const t = (table: string): string => d.qualify(o.schema, table);
  const txt = (e: string): string => `CAST(${e} AS ${d.text})`;
  const persons = [
    o.shard === undefined || o.shard.count === 1 ? undefined : shardCondition('p.person_id', o.shard),
    o.afterPersonId === undefined ? undefined : `p.person_id > ${wholeNumber(o.afterPersonId)}`,
  ].filter((x) => x !== undefined);
  const where = persons.length === 0 ? '' : `WHERE ${persons.join(' AND ')}`;
  const nulls = (n: number): string => Array.from({ length: n }, () => 'NULL').join(', ');
  // A clinical table's rows of pathway concepts (by standard or source concept), of the persons read, with the
  // concepts they name: what every branch below reads. A source concept 0 ("No matching concept", what ETLs write
  // when the source code has none) is no source concept (sources/omop.ts codings).
  const kept = (table: string, alias: string, prefix: string): string => `    FROM (
      ${pathwayRows(t, table, prefix)}
    ) ${alias}
    JOIN persons p ON p.person_id = ${alias}.person_id
    LEFT JOIN ${t('concept')} sc ON sc.concept_id = ${alias}.${prefix}_concept_id
    LEFT JOIN ${t('concept')} src ON src.concept_id = NULLIF(${alias}.${prefix}_source_concept_id, 0)`;
  return `WITH ${vocabularyCtes(d, o)},
  ${drugIngredientCte(t)},
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
    SELECT p.person_id, 'person' AS domain, p.person_id AS row_id, CAST(NULL AS ${d.text}) AS concept_vocabulary,
      ${txt('p.gender_concept_id')} AS concept_code, CAST(NULL AS ${d.text}) AS source_vocabulary,
      CAST(NULL AS ${d.text}) AS source_code,
      ${[txt('p.year_of_birth'), txt('COALESCE(p.month_of_birth, 0)'), txt('COALESCE(p.day_of_birth, 0)')].join(" || '-' || ")} AS start_date,
      ${d.isoDate('de.death_date')} AS end_date, ${PROJECTION_COLUMNS.slice(9)
        .map((c) => `CAST(NULL AS ${NUMERIC.has(c) ? d.number : d.text}) AS ${c}`)
        .join(', ')}
    -- One death date per person, the earliest: CDM 5.4 sets no key on death, and a site that merges its EHR with a
    -- death registry has two rows, which joined as they are gave two differing copies of the Patient.
    FROM persons p
    LEFT JOIN (SELECT person_id, MIN(death_date) AS death_date FROM ${t('death')} GROUP BY person_id) de
      ON de.person_id = p.person_id
    UNION ALL
    SELECT co.person_id, 'condition', co.condition_occurrence_id, sc.vocabulary_id, sc.concept_code,
      src.vocabulary_id, src.concept_code, ${d.isoDate('co.condition_start_date')}, ${d.isoDate('co.condition_end_date')},
      ${nulls(16)}, ${d.isoDate('vo.visit_end_date')}
${kept('condition_occurrence', 'co', 'condition')}
    -- The visit the diagnosis was recorded at: an end date that is the visit's end is an ETL's fill, not a resolution.
    LEFT JOIN ${t('visit_occurrence')} vo ON vo.visit_occurrence_id = co.visit_occurrence_id
    UNION ALL
    SELECT dx.person_id, 'drug', dx.drug_exposure_id, sc.vocabulary_id, sc.concept_code,
      src.vocabulary_id, src.concept_code, ${d.isoDate('dx.drug_exposure_start_date')}, ${d.isoDate('dx.drug_exposure_end_date')},
      NULL, NULL, NULL, NULL, NULL, dx.quantity, dx.days_supply, ds.amount_value, ic.vocabulary_id, ic.concept_code,
      NULL, NULL, NULL, COALESCE(sc.concept_name, dx.drug_source_value), NULL, NULL, NULL
    -- A drug of concept 0 (the site's code unmapped) is kept with its drug_source_value as its name: the engine reads
    -- a medicine named without a listed code as from FHIR (an IL-6 blocker named so is a possible use to confirm).
    FROM (
      ${pathwayRows(t, 'drug_exposure', 'drug')}
    ) dx
    JOIN persons p ON p.person_id = dx.person_id
    LEFT JOIN ${t('concept')} sc ON sc.concept_id = NULLIF(dx.drug_concept_id, 0)
    LEFT JOIN ${t('concept')} src ON src.concept_id = NULLIF(dx.drug_source_concept_id, 0)
    LEFT JOIN drug_ingredient di ON di.drug_concept_id = dx.drug_concept_id
    LEFT JOIN ${t('drug_strength')} ds ON ds.drug_concept_id = dx.drug_concept_id
      AND ds.ingredient_concept_id = di.ingredient_concept_id
    LEFT JOIN ${t('concept')} ic ON ic.concept_id = di.ingredient_concept_id
    WHERE dx.drug_concept_id IN (SELECT concept_id FROM wanted)
      OR dx.drug_source_concept_id IN (SELECT concept_id FROM pathway_concept)
      OR di.ingredient_concept_id IS NOT NULL
      OR dx.drug_concept_id = 0
    UNION ALL
    SELECT m.person_id, 'measurement', m.measurement_id, sc.vocabulary_id, sc.concept_code,
      src.vocabulary_id, src.concept_code, ${d.isoDate('m.measurement_date')}, NULL,
      m.value_as_number, vc.vocabulary_id, vc.concept_code, uc.concept_code, m.range_high, ${nulls(5)},
      m.operator_concept_id, NULL, NULL, NULL, m.unit_source_value, m.value_source_value, NULL
${kept('measurement', 'm', 'measurement')}
    -- Concept 0 names no value: the value_source_value is then the value, as text.
    LEFT JOIN ${t('concept')} vc ON vc.concept_id = NULLIF(m.value_as_concept_id, 0)
    -- Unit concept 0 ("No matching concept") names no unit: the unit_source_value is then the unit, as text.
    LEFT JOIN ${t('concept')} uc ON uc.concept_id = NULLIF(m.unit_concept_id, 0)
    UNION ALL
    SELECT o.person_id, 'observation', o.observation_id, sc.vocabulary_id, sc.concept_code,
      src.vocabulary_id, src.concept_code, ${d.isoDate('o.observation_date')}, NULL,
      o.value_as_number, vc.vocabulary_id, vc.concept_code, uc.concept_code, ${nulls(4)}, ic.vocabulary_id,
      ic.concept_code, NULL, qc.vocabulary_id, qc.concept_code, NULL, NULL, o.value_as_string, NULL
${kept('observation', 'o', 'observation')}
    -- Concept 0 ("No matching concept", what many ETLs write for no value) names nothing: an allergy whose value is 0
    -- names its substance in the qualifier.
    LEFT JOIN ${t('concept')} vc ON vc.concept_id = NULLIF(o.value_as_concept_id, 0)
    LEFT JOIN ${t('concept')} uc ON uc.concept_id = NULLIF(o.unit_concept_id, 0)
    LEFT JOIN ${t('concept')} qc ON qc.concept_id = NULLIF(o.qualifier_concept_id, 0)
    -- The pathway ingredient of a drug product an allergy names (its value, else its qualifier): one row each.
    LEFT JOIN drug_ingredient di
      ON di.drug_concept_id = COALESCE(NULLIF(o.value_as_concept_id, 0), o.qualifier_concept_id)
    LEFT JOIN ${t('concept')} ic ON ic.concept_id = di.ingredient_concept_id
    UNION ALL
    SELECT pr.person_id, 'procedure', pr.procedure_occurrence_id, sc.vocabulary_id, sc.concept_code,
      src.vocabulary_id, src.concept_code, ${d.isoDate('pr.procedure_date')}, ${d.isoDate('pr.procedure_end_date')}, ${nulls(17)}
${kept('procedure_occurrence', 'pr', 'procedure')}
  )
SELECT ${PROJECTION_COLUMNS.join(', ')}
FROM projected
ORDER BY person_id, CASE WHEN domain = 'person' THEN 0 ELSE 1 END, domain DESC, row_id`;
}
