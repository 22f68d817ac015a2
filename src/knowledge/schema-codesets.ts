/**
 * Zod schemas for the knowledge files other than the pathway: the citation registry, the code-system table, code sets and the
 * antidepressant table. Every clinical code or threshold in them names a citation key and says whether it was verified
 * (evidence tags V / V-sec vs U, docs/README.md), so outputs can flag what rests on unverified values.
 *
 * Pure: no I/O. The files are schema-checked once, when the knowledge is loaded, never per request.
 */
import { z } from 'zod';

/** Citation keys and ids are kebab-case so they read well in traces and stay stable across versions. */
const Key = z.string().regex(/^[a-z0-9][a-z0-9.-]*$/, 'expected a lower-case kebab-case key');
const NonEmpty = z.string().trim().min(1, 'expected a non-empty string');
const Version = z.string().regex(/^\d+\.\d+\.\d+$/, 'expected a semantic version such as 1.0.0');

export const EvidenceTagSchema = z.enum(['V', 'V-sec', 'U']);
export type EvidenceTag = z.infer<typeof EvidenceTagSchema>;

export const CitationSchema = z.strictObject({
  title: NonEmpty,
  /** A URL or a bibliographic reference, as recorded when the value was curated. */
  source: NonEmpty,
  /** The section of the reference notes that discusses the value, e.g. "5.2" (see docs/README.md), or a docs/ page. */
  section: NonEmpty,
  tag: EvidenceTagSchema,
  note: NonEmpty.optional(),
});
export type Citation = z.infer<typeof CitationSchema>;

export const CitationsFileSchema = z.strictObject({
  schema: z.literal('precision-trd/citations@1'),
  version: Version,
  citations: z.record(Key, CitationSchema),
});
export type CitationsFile = z.infer<typeof CitationsFileSchema>;

/**
 * How codes of a system are compared. `icd10`: upper-case, dots and spaces removed (F32.1 = f321); `upper`: trimmed,
 * upper-case (ATC); `cvx`: trimmed, leading zeros dropped (CVX "03" = "3"); `exact`: trimmed only (SNOMED, LOINC, RxNorm).
 */
export const CodeNormalizationSchema = z.enum(['icd10', 'upper', 'cvx', 'exact']);
export type CodeNormalization = z.infer<typeof CodeNormalizationSchema>;

/**
 * The shape every code of a system must have, checked at load (src/knowledge/code-format.ts): `loinc` and `snomed-ct`
 * with their check digits, `icd-10` and `atc` by their structure, `digits` for RxNorm and CVX. Absent: not checked.
 */
export const CodeFormatSchema = z.enum(['loinc', 'snomed-ct', 'icd-10', 'atc', 'digits']);
export type CodeFormat = z.infer<typeof CodeFormatSchema>;

export const CodeSystemSchema = z.strictObject({
  /** The canonical FHIR system URI used in the code sets. */
  uri: z.url(),
  name: NonEmpty,
  /** Other URIs (OIDs, legacy URLs) senders use for the same system; looked up as the canonical one. */
  aliases: z.array(NonEmpty).default([]),
  normalize: CodeNormalizationSchema,
  /** Whether entries may use `match: "prefix"`: only for hierarchical codes (ICD-10 categories, ATC groups). */
  prefixMatching: z.boolean(),
  format: CodeFormatSchema.optional(),
  citation: Key,
});
export type CodeSystem = z.infer<typeof CodeSystemSchema>;

export const CodeSystemsFileSchema = z.strictObject({
  schema: z.literal('precision-trd/code-systems@1'),
  version: Version,
  systems: z.array(CodeSystemSchema).min(1),
});
export type CodeSystemsFile = z.infer<typeof CodeSystemsFileSchema>;

export const CrpAssaySchema = z.enum(['high-sensitivity', 'standard']);
export const LabDimensionSchema = z.enum([
  'mass',
  'molar',
  'count',
  'activity',
  'presence',
  'score',
  'body-mass',
  'mass-per-area',
]);
export type LabDimension = z.infer<typeof LabDimensionSchema>;

/**
 * What each dimension measures, in words, and one UCUM unit of it: a unit the results of a code set are compared in
 * (a trial criterion's, a safety rule's, the pathway's lab unit) must be one UCUM converts that unit to, or no result
 * could ever be converted to it (src/knowledge/cross-check.ts unitDimensionProblem). `also`: other units of the
 * dimension the knowledge writes, recognised as they are so that loading it does not load UCUM's tables (about 15 ms
 * of every start); any other unit is asked of UCUM. A presence result has no unit.
 */
export const LAB_DIMENSIONS: Readonly<
  Record<LabDimension, { readonly what: string; readonly unit?: string; readonly also?: readonly string[] }>
> = {
  mass: { what: 'a mass concentration', unit: 'mg/L' },
  molar: { what: 'a substance concentration', unit: 'nmol/L' },
  count: { what: 'a number concentration (cells)', unit: '10*9/L', also: ['/uL', '/mm3', '10*3/uL'] },
  activity: { what: 'a catalytic activity', unit: 'U/L' },
  presence: { what: 'a presence (positive or negative), which has no unit' },
  score: { what: 'a score', unit: '{score}' },
  'body-mass': { what: 'a body mass', unit: 'kg' },
  'mass-per-area': { what: 'a mass per area (body mass index)', unit: 'kg/m2' },
};

export const CodeEntrySchema = z.strictObject({
  system: z.url(),
  code: NonEmpty,
  display: NonEmpty,
  citation: Key,
  verified: z.boolean(),
  /** `prefix`: the entry stands for every code that starts with it (after normalisation), e.g. ICD-10 J18 = J18.x. */
  match: z.enum(['exact', 'prefix']).default('exact'),
  note: NonEmpty.optional(),
  /** Labs: the CRP assay (decides whether a result can be placed against a 1-3 mg/L cut-off). */
  assay: CrpAssaySchema.optional(),
  /** Labs: what the result measures, so the engine knows which unit conversions apply. */
  dimension: LabDimensionSchema.optional(),
  /** Rating-scale items: the item number in the instrument (PHQ-9 item 1 = 44250-9). */
  item: z.int().min(1).optional(),
  /** Rating-scale totals with more than one scoring convention (SHAPS 0-14 vs 14-56). */
  scoring: NonEmpty.optional(),
  /** Answer codes: the item score the answer stands for (LOINC LL358-3 "Nearly every day" LA6571-9 = 3). */
  score: z.number().min(0).optional(),
});
export type CodeEntry = z.infer<typeof CodeEntrySchema>;

export const CodeSetSchema = z.strictObject({
  schema: z.literal('precision-trd/codeset@1'),
  id: Key,
  version: Version,
  title: NonEmpty,
  description: NonEmpty,
  /** The sources of the rule the set serves (e.g. the label section), as opposed to each code's own citation. */
  citations: z.array(Key).default([]),
  /**
   * Item sets: the answer code sets whose entries (each with a `score`) give a coded answer to these items its score
   * when the answer carries no ordinalValue / itemWeight extension (PHQ-9 items: LOINC answer list LL358-3).
   */
  answerCodeSets: z.array(Key).optional(),
  codes: z.array(CodeEntrySchema).min(1),
});
export type CodeSet = z.infer<typeof CodeSetSchema>;

/** A code that identifies an ingredient (RxNorm IN, ATC level 5, SNOMED substance). */
export const IngredientCodeSchema = z.strictObject({
  system: z.url(),
  code: NonEmpty,
  display: NonEmpty,
  citation: Key,
  verified: z.boolean(),
});
export type IngredientCode = z.infer<typeof IngredientCodeSchema>;

/**
 * A brand name of an antidepressant ("Zoloft" = sertraline): a record that names it without a code the table lists is
 * a trial to confirm, never adequate (docs/care-pathway.md, "Medications named without a listed code").
 */
export const AntidepressantBrandNameSchema = z.strictObject({
  name: z.string().regex(/^[A-Z][A-Za-z0-9-]*(?: [A-Za-z0-9-]+)*$/, 'a capitalised name: letters, digits, hyphens'),
  citation: Key,
  verified: z.boolean(),
  note: NonEmpty.optional(),
});
export type AntidepressantBrandName = z.infer<typeof AntidepressantBrandNameSchema>;

const ingredientBase = {
  /** Lower-case ingredient name, the id the engine reports ("sertraline"). */
  ingredient: Key,
  name: NonEmpty,
  class: NonEmpty,
  /** May be empty when no ingredient code was verified (the ingredient is then recognised by its products only). */
  codes: z.array(IngredientCodeSchema),
  brandNames: z.array(AntidepressantBrandNameSchema).default([]),
  note: NonEmpty.optional(),
};

/** An antidepressant without a minimum adequate dose in reference section 4.5, docs/README.md: recognised, never "adequate". */
export const OtherAntidepressantIngredientSchema = z.strictObject(ingredientBase);
export type OtherAntidepressantIngredient = z.infer<typeof OtherAntidepressantIngredientSchema>;

export const AntidepressantIngredientSchema = z.strictObject({
  ...ingredientBase,
  /** Minimum adequate daily dose (reference section 4.5, docs/README.md): lower bound of the usual therapeutic adult dose. */
  minDailyDoseMg: z.number().positive(),
  minDailyDoseCitation: Key,
  minDailyDoseVerified: z.boolean(),
  usualDailyDoseRangeMg: z.tuple([z.number().positive(), z.number().positive()]).optional(),
});
export type AntidepressantIngredient = z.infer<typeof AntidepressantIngredientSchema>;

/** A clinical drug (RxNorm SCD) with one antidepressant ingredient, so a coded product yields ingredient + strength. */
export const AntidepressantProductSchema = z.strictObject({
  system: z.url(),
  code: NonEmpty,
  display: NonEmpty,
  ingredient: Key,
  strengthMg: z.number().positive(),
  citation: Key,
  verified: z.boolean(),
  note: NonEmpty.optional(),
});
export type AntidepressantProduct = z.infer<typeof AntidepressantProductSchema>;

export const AntidepressantTableSchema = z.strictObject({
  schema: z.literal('precision-trd/antidepressants@1'),
  id: Key,
  version: Version,
  title: NonEmpty,
  description: NonEmpty,
  citations: z.array(Key).default([]),
  ingredients: z.array(AntidepressantIngredientSchema).min(1),
  otherIngredients: z.array(OtherAntidepressantIngredientSchema).default([]),
  products: z.array(AntidepressantProductSchema).default([]),
});
export type AntidepressantTable = z.infer<typeof AntidepressantTableSchema>;

/** The `schema` values of the files this module validates (the pathway file has its own schema, schema-pathway.ts). */
export const KNOWLEDGE_FILE_SCHEMAS = {
  citations: 'precision-trd/citations@1',
  codeSystems: 'precision-trd/code-systems@1',
  codeSet: 'precision-trd/codeset@1',
  antidepressants: 'precision-trd/antidepressants@1',
} as const;
