/**
 * An OMOP CDM 5.4 database as a screen source: DuckDB (a file) or PostgreSQL (a URL; PGlite in tests). The
 * projection SQL comes from the dialect layer (../dialect.ts); each patient's rows become FHIR-shaped resources
 * (Patient, Condition, MedicationStatement, Observation, AllergyIntolerance, Procedure) for the one engine. The
 * mapping is structural only: codes are carried as codings (the row's standard concept, its source concept, and the
 * pathway codes that map to it when the row has no source concept), and the engine decides what they mean through
 * the pathway's code sets.
 *
 * Conventions of the mapping (docs/screening.md): a condition with an end date on or before the as-of date, after
 * its start date, is resolved, else active; a drug exposure is a MedicationStatement over [start, end] (completed when it ended before
 * the as-of date), with a daily dose of strength x quantity / days supply when drug_strength gives the strength; a
 * measurement, and an observation-table row, is a final Observation with its UCUM unit (a unit concept 0 leaves the
 * unit out), except an allergy observation (its concept in the knowledge's allergy-record set), which is an active
 * AllergyIntolerance of the substance its value (or else its qualifier) names, with the pathway ingredients of a
 * drug product or brand name; a vaccine's drug_exposure row (a CVX vaccine) is a completed Immunization; a
 * procedure_occurrence row is a completed Procedure.
 */
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { DuckDBInstance } from '@duckdb/node-api';
import { inCodeSet, type Knowledge } from '../../knowledge/index.ts';
import { fromDayNumber, InputError, toDayNumber } from '../../record/index.ts';
import {
  PROJECTION_COLUMNS,
  orphanRowsSql,
  projectionSql,
  shardCondition,
  vocabularySql,
  type DialectName,
  type ProjectionOptions,
} from '../dialect.ts';
import { pathwayCodes } from '../pathway-codes.ts';
import { OMOP_TABLE_NAMES, OMOP_TABLES, OMOP_VOCABULARY_TABLES } from './omop-schema.ts';
import {
  ALLERGY_RECORD_CODE_SET,
  GENDER_CONCEPTS,
  OPERATOR_COMPARATORS,
  VACCINE_VOCABULARY,
  VOCABULARY_SYSTEMS,
} from './omop-vocabulary.ts';
import { DEFAULT_DUCKDB_MEMORY_LIMIT } from './source.ts';
import type { PatientInput, ScreenSource, Shard, SourceQuality } from './source.ts';

/** Runs one SQL text and returns its rows as arrays, in column order. */
export interface SqlRunner {
  readonly dialect: DialectName;
  rows(sql: string): Promise<unknown[][]>;
  /** Streams rows in chunks when the driver can (DuckDB); otherwise undefined. */
  stream?(sql: string): AsyncIterable<unknown[][]>;
  /** Cuts short the query in progress when the driver can (DuckDB; ScreenSource.interrupt). */
  interrupt?(): void;
  close(): Promise<void>;
}

type Cell = string | number | null;
/** A driver's value as text or number; a BIGINT as text, so that a person_id above 2^53 keeps every digit. */
const cell = (v: unknown): Cell => {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return String(v);
  if (typeof v === 'number' || typeof v === 'string') return v;
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  return String(v);
};

/**
 * Why DuckDB could not open a file, in words: a database another process holds open for writing (a DuckDB shell, a
 * load still running) is no damaged file, and the user is told which process to close; a folder, a file that is no
 * DuckDB database and one cut short are told apart. DuckDB's message is not shown (it quotes its own documentation).
 */
export function duckDbOpenReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (message.includes('Could not set lock')) {
    const pid = /\(PID (\d+)\)/.exec(message)?.[1];
    return `another process${pid === undefined ? '' : ` (PID ${pid})`} has this DuckDB database open for writing; close it there (or let it finish) and run the same command again`;
  }
  if (message.includes('Is a directory')) return 'is a directory, not a DuckDB database file';
  if (message.includes('not a valid DuckDB database file')) return 'not a DuckDB database file';
  if (message.includes('Could not read enough bytes')) return 'not a complete DuckDB database file (cut short)';
  return 'cannot open as a DuckDB database';
}

/**
 * A DuckDB file opened read-only, within a memory limit (DuckDB's default is most of the machine's memory; the
 * projection's sort spills to a temporary file beyond it), so a screen's memory does not grow with the population.
 */
export async function duckDbRunner(
  file: string,
  memoryLimit: string = DEFAULT_DUCKDB_MEMORY_LIMIT.omop,
): Promise<SqlRunner> {
  if (!existsSync(file)) throw new InputError(`${file}: no such DuckDB file`, 'screen.source.missing');
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(file, {
      access_mode: 'READ_ONLY',
      threads: '2',
      memory_limit: memoryLimit,
      temp_directory: `${tmpdir()}/trd-screen-duckdb-${process.pid}`,
    });
  } catch (error) {
    throw new InputError(`${file}: ${duckDbOpenReason(error)}`, 'screen.source.unreadable');
  }
  const connection = await instance.connect();
  return {
    dialect: 'duckdb',
    interrupt: () => connection.interrupt(),
    rows: async (sql) => (await connection.runAndReadAll(sql)).getRows(),
    async *stream(sql) {
      const result = await connection.stream(sql);
      for (;;) {
        const chunk = await result.fetchChunk();
        if (chunk === null || chunk.rowCount === 0) break;
        yield chunk.getRows();
      }
    },
    close: async () => {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

/** Batches of persons per query on PostgreSQL, which has no streaming here: memory stays bounded by the batch. */
const PERSON_BATCH = 5000;

export interface VocabularyMap {
  /** Pathway codings that map to a standard concept, by the standard concept's vocabulary|code. */
  readonly byStandard: Map<string, { vocabulary: string; code: string }[]>;
  /**
   * An observation concept that records an allergy whose substance is the row's value: in the knowledge's code set
   * ALLERGY_RECORD_CODE_SET (omop-vocabulary.ts).
   */
  readonly isAllergyRecord: (coding: { system: string; code: string }) => boolean;
  /**
   * A condition concept of an episode that may end with the stay it was treated in: an infection (the pathway's
   * infection code sets, definitions.inflammation.infectionCodeSets) or a pregnancy or breastfeeding (the code sets
   * of the pregnancy contraindication: a delivery admission ends the pregnancy). Dated with its visit of several
   * days, it ends with the visit as far as the record tells.
   */
  readonly endsWithStay?: (coding: { system: string; code: string }) => boolean;
}

/** The VocabularyMap's judgements by the knowledge's code sets. */
export function codeSetJudges(k: Knowledge): Pick<VocabularyMap, 'isAllergyRecord' | 'endsWithStay'> {
  const episodeSets = [
    ...k.pathway.definitions.inflammation.infectionCodeSets,
    ...k.pathway.contraindications.flatMap((rule) => (rule.predicate === 'pregnancy' ? rule.codeSets : [])),
  ];
  return {
    isAllergyRecord: (c) => inCodeSet(k, ALLERGY_RECORD_CODE_SET, c),
    endsWithStay: (c) => episodeSets.some((set) => inCodeSet(k, set, c)),
  };
}

const systemOf = (vocabulary: string): string =>
  VOCABULARY_SYSTEMS[vocabulary] ?? `urn:omop:vocabulary:${encodeURIComponent(vocabulary)}`;

type Coding = { system: string; code: string };
type ProjectionRow = Record<(typeof PROJECTION_COLUMNS)[number], Cell>;

/**
 * A coding list that keeps the first of equal codings; `standard` adds a standard concept and the pathway codes that
 * map to it.
 */
function codingList(vocab: VocabularyMap): {
  out: Coding[];
  add: (vocabulary: Cell, code: Cell) => void;
  standard: (vocabulary: Cell, code: Cell) => void;
} {
  const out: Coding[] = [];
  const add = (vocabulary: Cell, code: Cell): void => {
    if (vocabulary === null || code === null) return;
    const c = { system: systemOf(String(vocabulary)), code: String(code) };
    if (!out.some((x) => x.system === c.system && x.code === c.code)) out.push(c);
  };
  const standard = (vocabulary: Cell, code: Cell): void => {
    add(vocabulary, code);
    if (code !== null) for (const m of vocab.byStandard.get(`${vocabulary}|${code}`) ?? []) add(m.vocabulary, m.code);
  };
  return { out, add, standard };
}

/**
 * A row's codings: its standard concept, its source concept and, when it has no source code of its own (no source
 * concept, concept 0, or the standard concept itself: a code recorded natively in SNOMED), the pathway codes that map
 * to its standard concept. A code set names a few SNOMED concepts of a disorder whose descendants are many (bipolar
 * disorder); the ICD-10 code mapped to the row's concept is what tells the engine, whichever way the source was kept.
 */
function codings(row: ProjectionRow, vocab: VocabularyMap): Coding[] {
  const list = codingList(vocab);
  list.add(row.concept_vocabulary, row.concept_code);
  list.add(row.source_vocabulary, row.source_code);
  const ownSource =
    row.source_code !== null &&
    !(row.source_vocabulary === row.concept_vocabulary && row.source_code === row.concept_code);
  if (!ownSource && row.concept_code !== null) list.standard(row.concept_vocabulary, row.concept_code);
  // A drug row's ingredient is the drug's; an observation's is its value's (an allergy's substance, allergySubstance).
  if (row.domain === 'drug') list.add(row.ingredient_vocabulary, row.ingredient_code);
  return list.out;
}

/**
 * The substance of an allergy row: its value concept (the OHDSI convention), else its qualifier concept (some sites
 * put it there), each with the pathway codes that map to it and, for a drug product or brand name, its pathway
 * ingredient (the projection's drug_ingredient, src/screen/dialect.ts); else the allergy concept itself (an allergy to
 * an unnamed drug, which no substance set matches).
 */
function allergySubstance(row: ProjectionRow, vocab: VocabularyMap): Coding[] {
  const list = codingList(vocab);
  if (row.value_code !== null) list.standard(row.value_vocabulary, row.value_code);
  else if (row.qualifier_code !== null) list.standard(row.qualifier_vocabulary, row.qualifier_code);
  if (list.out.length > 0) list.standard(row.ingredient_vocabulary, row.ingredient_code);
  return list.out.length > 0 ? list.out : codings(row, vocab);
}

const pad = (n: number): string => String(n).padStart(2, '0');
const isoDay = (v: Cell): string | undefined => (v === null ? undefined : String(v).slice(0, 10));

/**
 * An allergy observation (OMOP has no allergy table; docs/screening.md) as an active AllergyIntolerance of the
 * substance it names: a row in the CDM is a recorded allergy (entered-in-error and refuted records do not reach it).
 */
function allergyResource(r: ProjectionRow, vocab: VocabularyMap): object {
  const start = isoDay(r.start_date);
  return {
    resourceType: 'AllergyIntolerance',
    id: `a${r.row_id}`,
    patient: { reference: `Patient/${r.person_id}` },
    clinicalStatus: {
      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active' }],
    },
    // A substance named only as text ("Actemra" in value_as_string) is the code's text, as a FHIR allergy names it:
    // the engine reads the name (docs/care-pathway.md, "Medications named without a listed code").
    code: {
      coding: allergySubstance(r, vocab),
      ...(r.value_code === null && r.value_text !== null && String(r.value_text).trim() !== ''
        ? { text: String(r.value_text).trim() }
        : {}),
    },
    ...(start === undefined ? {} : { recordedDate: start }),
  };
}

/** Adds the codings the list does not hold yet. */
function addCodings(list: Coding[] | undefined, more: readonly Coding[]): void {
  for (const c of more) if (list?.some((x) => x.system === c.system && x.code === c.code) === false) list.push(c);
}

/** A vaccine: a CVX concept (OMOP records vaccinations in drug_exposure; docs/screening.md). */
const isVaccine = (c: Coding): boolean => c.system === VOCABULARY_SYSTEMS[VACCINE_VOCABULARY];

/**
 * A vaccine's drug_exposure row as a completed Immunization on its start date: a CDM row records a vaccine given, and
 * the live-vaccine caution reads immunizations.
 */
function immunizationResource(r: ProjectionRow, vocab: VocabularyMap): object {
  const start = isoDay(r.start_date);
  return {
    resourceType: 'Immunization',
    id: `i${r.row_id}`,
    status: 'completed',
    patient: { reference: `Patient/${r.person_id}` },
    vaccineCode: { coding: codings(r, vocab) },
    ...(start === undefined ? {} : { occurrenceDateTime: start }),
  };
}

/** A measurement, or any other observation-table row, as a final Observation. */
function observationResource(r: ProjectionRow, vocab: VocabularyMap): object {
  const start = isoDay(r.start_date);
  const subject = { reference: `Patient/${r.person_id}` };
  const unit = r.unit_code === null ? undefined : String(r.unit_code);
  // A unit without a concept, given only in unit_source_value, is a unit given as text (no code): the engine reads
  // it as it reads such a FHIR Quantity, converting only a text that is itself a UCUM unit.
  const unitText = unit === undefined && r.unit_text !== null ? String(r.unit_text).trim() : '';
  const valueText = r.value_text === null ? '' : String(r.value_text).trim();
  const quantity = (value: number): object =>
    unit !== undefined
      ? { value, unit, system: 'http://unitsofmeasure.org', code: unit }
      : unitText !== ''
        ? { value, unit: unitText }
        : { value };
  const comparator =
    r.operator_concept_id === null ? undefined : OPERATOR_COMPARATORS[String(Number(r.operator_concept_id))];
  return {
    resourceType: 'Observation',
    // Ids of their own: a measurement_id and an observation_id may be the same number.
    id: `${r.domain === 'observation' ? 'o' : 'm'}${r.row_id}`,
    status: 'final',
    subject,
    code: { coding: codings(r, vocab) },
    ...(start === undefined ? {} : { effectiveDateTime: start }),
    ...(r.value_number !== null
      ? {
          valueQuantity: {
            ...(comparator === undefined ? {} : { comparator }),
            ...quantity(Number(r.value_number)),
          },
        }
      : {}),
    ...(r.value_number === null && r.value_code !== null
      ? {
          valueCodeableConcept: {
            coding: [{ system: systemOf(String(r.value_vocabulary)), code: String(r.value_code) }],
          },
        }
      : {}),
    // A value with neither a number nor a concept, given only as text ("POSITIVE", "Yes"): the FHIR valueString,
    // which the engine reads as it reads one from FHIR (a text it cannot read decides nothing).
    ...(r.value_number === null && r.value_code === null && valueText !== '' ? { valueString: valueText } : {}),
    ...(r.range_high === null ? {} : { referenceRange: [{ high: quantity(Number(r.range_high)) }] }),
  };
}

/** The rows of one person as FHIR-shaped resources, Patient first. */
export function personResources(
  rows: readonly Record<(typeof PROJECTION_COLUMNS)[number], Cell>[],
  vocab: VocabularyMap,
  asOf: string,
): unknown[] {
  const out: unknown[] = [];
  let previous: ProjectionRow | undefined;
  for (const r of rows) {
    const subject = { reference: `Patient/${r.person_id}` };
    // An observation naming a product of several pathway ingredients, or a vaccine linked to several CVX vaccines,
    // comes as one row each: one record, whose codes list each (an allergy's substance, a vaccine's code), or whose
    // repeats add nothing (any other observation). A drug's repeats are records of their own (one per ingredient).
    const repeat = r.domain === previous?.domain && r.row_id === previous.row_id;
    previous = r;
    const last = out[out.length - 1] as { resourceType: string; code?: { coding: Coding[] }; vaccineCode?: object };
    if (repeat && r.domain === 'observation') {
      if (last.resourceType === 'AllergyIntolerance') addCodings(last.code?.coding, allergySubstance(r, vocab));
      continue;
    }
    if (repeat && r.domain === 'drug' && last.resourceType === 'Immunization') {
      addCodings((last.vaccineCode as { coding: Coding[] }).coding, codings(r, vocab));
      continue;
    }
    const start = isoDay(r.start_date);
    const end = isoDay(r.end_date);
    switch (r.domain) {
      case 'person': {
        const [y, m, d] = String(r.start_date ?? '')
          .split('-')
          .map(Number);
        const birthDate =
          y === undefined || !Number.isFinite(y) || y <= 0
            ? undefined
            : m === undefined || !(m >= 1)
              ? String(y)
              : d === undefined || !(d >= 1)
                ? `${y}-${pad(m)}`
                : `${y}-${pad(m)}-${pad(d)}`;
        const gender = Number(r.concept_code);
        out.push({
          resourceType: 'Patient',
          id: String(r.person_id),
          gender: gender === GENDER_CONCEPTS.male ? 'male' : gender === GENDER_CONCEPTS.female ? 'female' : 'unknown',
          ...(birthDate === undefined ? {} : { birthDate }),
          ...(end === undefined ? {} : { deceasedDateTime: end }),
        });
        break;
      }
      case 'condition': {
        // A row that ends on the day it starts is an encounter's diagnosis whose end date an ETL took from the
        // visit, not a resolution: a hepatitis or a depression does not resolve on the day it is diagnosed. So is
        // a row that ends when the visit it was recorded at ends (an inpatient stay's diagnoses dated with the
        // stay), except an episode that may end with the stay (an infection treated through it, from whose end the
        // CRP's recovery window runs; a pregnancy that a delivery admission ends): its end as far as the record
        // tells (docs/screening.md, condition_occurrence).
        const endOfVisit =
          end !== undefined &&
          end === isoDay(r.visit_end_date) &&
          !codings(r, vocab).some((c) => vocab.endsWithStay?.(c) === true);
        // Without a real end (none, the start day, the visit's end) the row says nothing of its status: it gets none,
        // and the pathway reads it as current, or for a condition that does not last only for its days from onset
        // (definitions.statuslessConditions: an old infection or pregnancy is not current for ever).
        const noEnd = end === undefined || end === start || endOfVisit;
        const resolved = !noEnd && end <= asOf;
        out.push({
          resourceType: 'Condition',
          id: `c${r.row_id}`,
          subject,
          code: { coding: codings(r, vocab) },
          ...(noEnd
            ? {}
            : {
                clinicalStatus: {
                  coding: [
                    {
                      system: 'http://terminology.hl7.org/CodeSystem/condition-clinical',
                      code: resolved ? 'resolved' : 'active',
                    },
                  ],
                },
              }),
          ...(start === undefined ? {} : { onsetDateTime: start }),
          ...(resolved ? { abatementDateTime: end } : {}),
        });
        break;
      }
      case 'drug': {
        if (codings(r, vocab).some(isVaccine)) {
          out.push(immunizationResource(r, vocab));
          break;
        }
        const perDay =
          r.quantity !== null && r.days_supply !== null && r.strength_mg !== null && Number(r.days_supply) > 0
            ? (Number(r.strength_mg) * Number(r.quantity)) / Number(r.days_supply)
            : undefined;
        // An exposure that ends on the day it starts while its days_supply says more: the end is the CDM's fallback
        // (the start) beside a supply the ETL had, and by the OMOP convention the supply ends on start + days_supply
        // - 1; read as one day, a month's fill at an adequate dose was confidently too short (docs/screening.md).
        const supplied = Number(r.days_supply);
        const lastDay =
          start !== undefined && end === start && r.days_supply !== null && Number.isInteger(supplied) && supplied > 1
            ? fromDayNumber((toDayNumber(start) as number) + supplied - 1)
            : end;
        out.push({
          resourceType: 'MedicationStatement',
          // A combination product has one drug_strength row per ingredient, so one exposure gives one row each: the
          // ingredient in the id keeps them distinct records (two copies of one id would be conflicting versions).
          id: r.ingredient_code === null ? `d${r.row_id}` : `d${r.row_id}-${String(r.ingredient_code)}`,
          subject,
          status: lastDay !== undefined && lastDay < asOf ? 'completed' : 'active',
          // The product's name is its text: it says the route ("Topical Cream"), read as the FHIR path reads it.
          medicationCodeableConcept: {
            coding: codings(r, vocab),
            ...(r.concept_name === null ? {} : { text: String(r.concept_name) }),
          },
          effectivePeriod: {
            ...(start === undefined ? {} : { start }),
            ...(lastDay === undefined ? {} : { end: lastDay }),
          },
          ...(perDay === undefined
            ? {}
            : {
                dosage: [
                  {
                    timing: { repeat: { frequency: 1, period: 1, periodUnit: 'd' } },
                    doseAndRate: [
                      { doseQuantity: { value: perDay, unit: 'mg', system: 'http://unitsofmeasure.org', code: 'mg' } },
                    ],
                  },
                ],
              }),
        });
        break;
      }
      case 'observation':
        out.push(
          codings(r, vocab).some(vocab.isAllergyRecord) ? allergyResource(r, vocab) : observationResource(r, vocab),
        );
        break;
      case 'measurement':
        out.push(observationResource(r, vocab));
        break;
      case 'procedure':
        // A procedure_occurrence row records a procedure done; its end date, when given, closes the period.
        out.push({
          resourceType: 'Procedure',
          id: `p${r.row_id}`,
          status: 'completed',
          subject,
          code: { coding: codings(r, vocab) },
          ...(start === undefined
            ? {}
            : end === undefined
              ? { performedDateTime: start }
              : { performedPeriod: { start, end } }),
        });
        break;
      default:
        break;
    }
  }
  return out;
}

/**
 * The CDM tables the projection reads are there, or an InputError naming the missing ones and the schema (without
 * this, the first query failed as an internal error). The tables are those the projection's own SQL names.
 * Returns the schema as the SQL must name it: in PostgreSQL, a schema named with capitals ("OMOP_CDM", created
 * quoted by a loading tool) is quoted, since an unquoted name is folded to lower case (postgresSchema).
 */
async function checkTables(
  runner: SqlRunner,
  schema: string | undefined,
  base: Parameters<typeof projectionSql>[1],
): Promise<string | undefined> {
  const sql = projectionSql(runner.dialect, base) + vocabularySql(runner.dialect, base);
  const needed = OMOP_TABLE_NAMES.filter((t) => new RegExp(`\\b${t}\\b`).test(sql));
  const where = schema === undefined ? 'the default schema' : `schema ${schema}`;
  const tables = (names: readonly string[]): string =>
    `the OMOP CDM table${names.length === 1 ? '' : 's'} ${names.join(', ')} ${names.length === 1 ? 'is' : 'are'}`;
  let present: Set<string>;
  let unreadable: string[] = [];
  let inSql = schema;
  // Which rows of information_schema are the schema's (for the columns, below).
  let inSchema: string;
  if (runner.dialect === 'postgres' && schema?.includes('.') !== true) {
    const found = await postgresSchema(runner, schema);
    inSql = found.inSql;
    present = new Set(found.tables.keys());
    unreadable = needed.filter((t) => found.tables.get(t) === false);
    inSchema = `table_schema = ${found.name === undefined ? 'current_schema()' : `'${found.name}'`}`;
  } else {
    const [catalog, name] = schema?.includes('.') === true ? schema.split('.') : [undefined, schema];
    inSchema = `lower(table_schema) = ${name === undefined ? 'lower(current_schema())' : `lower('${name}')`}${
      catalog === undefined ? '' : ` AND lower(table_catalog) = lower('${catalog}')`
    }`;
    const rows = await runner.rows(
      `SELECT DISTINCT lower(table_name) FROM information_schema.tables WHERE ${inSchema}`,
    );
    present = new Set(rows.map((r) => String(r[0])));
  }
  const missing = needed.filter((t) => !present.has(t));
  if (missing.length > 0) {
    // The schema holds `person`: it is the CDM's, and --schema would not help.
    const vocabularyOnly = missing.every((t) => OMOP_VOCABULARY_TABLES.includes(t));
    const view = `CREATE VIEW ${schema === undefined ? '' : `${schema}.`}${missing[0]} AS SELECT * FROM vocab.${missing[0]}`;
    throw new InputError(
      !present.has('person')
        ? `${tables(missing)} not in ${where} (give the CDM schema with --schema)`
        : vocabularyOnly
          ? `${tables(missing)} not in ${where}, which holds the CDM's other tables: load the vocabulary there, or for a vocabulary kept in a schema of its own, create a view of each table there (${view})`
          : `${tables(missing)} not in ${where}, which holds the CDM's other tables: create ${missing.length === 1 ? 'it' : 'them'} there with the CDM's DDL (empty if the site has no such rows) and run the same command again`,
      'screen.source.tables',
    );
  }
  if (unreadable.length > 0) {
    throw new InputError(
      `${tables(unreadable)} in ${where} but this database user may not read ${unreadable.length === 1 ? 'it' : 'them'} (it needs SELECT on ${unreadable.length === 1 ? 'it' : 'them'})`,
      'screen.source.permission',
    );
  }
  // The columns the projection reads (an extract cut to fewer columns, or a CDM of an older trd synth, failed the
  // projection as an internal error).
  const columns = await runner.rows(
    `SELECT lower(table_name), lower(column_name), data_type FROM information_schema.columns WHERE ${inSchema}`,
  );
  const typeOf = new Map(columns.map(([t, c, type]) => [`${String(t)}.${String(c)}`, String(type)]));
  const read = needed.flatMap((t) =>
    (OMOP_TABLES[t] ?? [])
      .filter(([c]) => new RegExp(`\\b${c}\\b`).test(sql))
      .map(([c, type]) => ({ column: `${t}.${c}`, cdmType: type })),
  );
  const lacking = read.filter((r) => !typeOf.has(r.column)).map((r) => r.column);
  if (lacking.length > 0) {
    throw new InputError(
      `the OMOP CDM column${lacking.length === 1 ? '' : 's'} ${lacking.join(', ')} ${lacking.length === 1 ? 'is' : 'are'} not in ${where} (the screen reads the CDM 5.4 columns of src/screen/sources/omop-schema.ts)`,
      'screen.source.columns',
    );
  }
  // A number or date column held as text (tables created by a CSV reader that guesses types, which reads a column
  // with no value as text) failed the projection as an internal error, or compared dates as text.
  const isText = (type: string): boolean => /^(?:varchar|character|text|char|bpchar|string)\b/i.test(type);
  const asText = read
    .filter((r) => !r.cdmType.startsWith('VARCHAR') && isText(typeOf.get(r.column) ?? ''))
    .map((r) => r.column);
  if (asText.length > 0) {
    // The advice first and at most five columns: the CLI cuts a line at 400 characters.
    const named = `${asText.slice(0, 5).join(', ')}${asText.length > 5 ? ` and ${asText.length - 5} more` : ''}`;
    throw new InputError(
      `the OMOP CDM tables in ${where} hold numbers or dates as text: create them with the CDM's column types (src/screen/sources/omop-schema.ts) and load the data into them (text in ${named})`,
      'screen.source.column-types',
    );
  }
  return inSql;
}

/**
 * The OMOP vocabulary is loaded: `concept` holds concepts and `concept_relationship` its "Maps to" rows (every
 * standard concept of a loaded vocabulary maps to itself). A CDM whose vocabulary load failed or was left out (Athena's
 * CONCEPT_RELATIONSHIP.csv is the largest of its files) has the tables, empty: the pathway's ICD-10, ATC and other
 * source codes then reach no standard concept, and the rows a site's ETL mapped are not seen, so the screen
 * would report a population with hardly any depression instead of a load to finish.
 */
async function checkVocabulary(runner: SqlRunner, table: (name: string) => string, where: string): Promise<void> {
  const [[concepts, mapsTo] = []] = await runner.rows(
    `SELECT (SELECT COUNT(*) FROM (SELECT 1 AS x FROM ${table('concept')} LIMIT 1) c),
            (SELECT COUNT(*) FROM (SELECT 1 AS x FROM ${table('concept_relationship')}
              WHERE relationship_id = 'Maps to' LIMIT 1) r)`,
  );
  const empty = [
    ...(Number(cell(concepts)) === 0 ? ['concept is empty'] : []),
    ...(Number(cell(mapsTo)) === 0 ? ['concept_relationship has no "Maps to" row'] : []),
  ];
  if (empty.length > 0) {
    throw new InputError(
      `the OMOP vocabulary is not loaded in ${where} (${empty.join(', ')}): load the vocabulary tables (CONCEPT, CONCEPT_RELATIONSHIP, CONCEPT_ANCESTOR, DRUG_STRENGTH from Athena) and run the same command again; without them no code of the pathway reaches the CDM's concepts`,
      'screen.source.vocabulary',
    );
  }
}

/**
 * A PostgreSQL schema's tables (lower-cased name -> whether this user may read it), from the catalog, which lists
 * every table (information_schema lists only those the user has some privilege on, so an unreadable table looked
 * missing); and the schema as the SQL must name it: the name typed when it is the schema's (or its lower-case form
 * is), else the one schema whose name differs from it only in case, quoted when it has capitals.
 */
async function postgresSchema(
  runner: SqlRunner,
  schema: string | undefined,
): Promise<{ inSql: string | undefined; tables: Map<string, boolean>; name?: string }> {
  const rows = await runner.rows(
    `SELECT n.nspname, lower(c.relname),
            has_schema_privilege(n.oid, 'USAGE') AND has_table_privilege(c.oid, 'SELECT')
     FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'v', 'm', 'p', 'f') AND ${
       schema === undefined ? 'n.nspname = current_schema()' : `lower(n.nspname) = lower('${schema}')`
     }`,
  );
  const names = [...new Set(rows.map((r) => String(r[0])))];
  const name =
    schema === undefined
      ? names[0]
      : ([schema.toLowerCase(), schema].find((n) => names.includes(n)) ?? (names.length === 1 ? names[0] : undefined));
  const tables = new Map<string, boolean>();
  for (const [n, table, readable] of rows) {
    if (String(n) === name) tables.set(String(table), readable === true || readable === 't');
  }
  const inSql =
    schema === undefined || name === undefined ? schema : /^[a-z_][a-z0-9_]*$/.test(name) ? name : `"${name}"`;
  return { inSql, tables, ...(schema === undefined || name === undefined ? {} : { name }) };
}

export interface OmopSourceOptions {
  readonly runner: SqlRunner;
  readonly knowledge: Knowledge;
  readonly asOf: string;
  readonly schema?: string;
  readonly shard?: Shard;
}

export function openOmopSource(o: OmopSourceOptions): ScreenSource {
  if (!o.knowledge.codeSets.has(ALLERGY_RECORD_CODE_SET)) {
    // Without it every OMOP allergy would be silently unread: a knowledge folder that lacks it is broken.
    throw new Error(`the knowledge has no code set ${ALLERGY_RECORD_CODE_SET} (knowledge/codesets/)`);
  }
  const codes = pathwayCodes(o.knowledge);
  // The schema as the SQL names it, settled by prepare (checkTables: quoted when PostgreSQL holds it with capitals).
  let base: ProjectionOptions = {
    codes,
    ...(o.schema === undefined ? {} : { schema: o.schema }),
    ...(o.shard === undefined ? {} : { shard: o.shard }),
  };
  const table = (name: string): string => (base.schema === undefined ? name : `${base.schema}.${name}`);
  let vocab: VocabularyMap | undefined;
  const toRecord = (row: unknown[]): Record<(typeof PROJECTION_COLUMNS)[number], Cell> => {
    const r = {} as Record<(typeof PROJECTION_COLUMNS)[number], Cell>;
    PROJECTION_COLUMNS.forEach((c, i) => (r[c] = cell(row[i])));
    return r;
  };

  async function* grouped(chunks: AsyncIterable<unknown[][]>): AsyncIterable<PatientInput & { key: string }> {
    let current: Record<(typeof PROJECTION_COLUMNS)[number], Cell>[] = [];
    const emit = (): PatientInput & { key: string } => {
      const id = String(current[0]?.person_id);
      return { key: id, patient: `Patient/${id}`, resources: personResources(current, vocab as VocabularyMap, o.asOf) };
    };
    for await (const chunk of chunks) {
      for (const raw of chunk) {
        const r = toRecord(raw);
        if (current.length > 0 && current[0]?.person_id !== r.person_id) {
          yield emit();
          current = [];
        }
        current.push(r);
      }
    }
    if (current.length > 0) yield emit();
  }

  async function* batches(after: string | undefined): AsyncIterable<unknown[][]> {
    let last = after;
    for (;;) {
      const rows = await o.runner.rows(
        projectionSql(o.runner.dialect, {
          ...base,
          limitPersons: PERSON_BATCH,
          ...(last === undefined ? {} : { afterPersonId: last }),
        }),
      );
      if (rows.length === 0) return;
      yield rows;
      last = String(cell(rows[rows.length - 1]?.[0]));
    }
  }

  return {
    kind: o.runner.dialect === 'duckdb' ? 'omop-duckdb' : 'omop-postgres',
    async prepare() {
      const schema = await checkTables(o.runner, o.schema, base);
      base = { ...base, ...(schema === undefined ? {} : { schema }) };
      await checkVocabulary(o.runner, table, o.schema === undefined ? 'the default schema' : `schema ${o.schema}`);
      const byStandard = new Map<string, { vocabulary: string; code: string }[]>();
      const rows = await o.runner.rows(vocabularySql(o.runner.dialect, base));
      const standard = await o.runner.rows(
        `SELECT concept_id, vocabulary_id, concept_code FROM ${table('concept')} WHERE concept_id IN (${
          [...new Set(rows.map((r) => Number(cell(r[0]))))].join(', ') || '0'
        })`,
      );
      const names = new Map(standard.map((r) => [Number(cell(r[0])), `${cell(r[1])}|${cell(r[2])}`]));
      for (const [id, vocabulary, code] of rows) {
        const key = names.get(Number(cell(id)));
        if (key === undefined) continue;
        const list = byStandard.get(key) ?? [];
        list.push({ vocabulary: String(vocabulary), code: String(code) });
        byStandard.set(key, list);
      }
      vocab = { byStandard, ...codeSetJudges(o.knowledge) };
      const shard =
        o.shard === undefined || o.shard.count === 1 ? '' : ` WHERE ${shardCondition('person_id', o.shard)}`;
      const count = await o.runner.rows(`SELECT count(*), max(person_id) FROM ${table('person')}${shard}`);
      const patients = Number(cell(count[0]?.[0]));
      const [orphans, rowsRead] = (await o.runner.rows(orphanRowsSql(o.runner.dialect, base)))[0] ?? [];
      const quality: SourceQuality = {
        malformedLines: 0,
        malformedAt: [],
        // The clinical rows of the pathway's concepts the projection reads, and those of a person of `person`.
        recordsRead: Number(cell(rowsRead)),
        recordsKept: Number(cell(rowsRead)) - Number(cell(orphans)),
        withoutPatient: Number(cell(orphans)),
      };
      const fingerprint = `${patients} persons to person_id ${cell(count[0]?.[1])}, ${cell(rowsRead)} pathway rows`;
      return { patients, quality, fingerprint };
    },
    patients(after) {
      const afterId = after;
      if (o.runner.stream !== undefined) {
        return grouped(
          o.runner.stream(
            projectionSql(o.runner.dialect, { ...base, ...(afterId === undefined ? {} : { afterPersonId: afterId }) }),
          ),
        );
      }
      return grouped(batches(afterId));
    },
    ...(o.runner.interrupt === undefined ? {} : { interrupt: o.runner.interrupt }),
    close: () => o.runner.close(),
  };
}
