/**
 * A trial protocol as data (schema `precision-trd/trial-protocol@1`): registry ids, design, and the eligibility
 * criteria, each quoting the protocol's wording with a citation and a `verified` flag. Every criterion carries one
 * typed test from a closed set below; there is deliberately no expression language, so a protocol file can be
 * reviewed by a clinician and every test has one tested evaluator (src/trials/tests/).
 *
 * Semantics of a test: it states what the patient must satisfy to PASS the criterion. An inclusion criterion is
 * `met` when its test holds; an exclusion criterion is `met` (the patient is excluded) when its test fails, i.e. when
 * the excluding fact is present. That is why exclusion tests read "no-condition-in", "no-medication-in".
 *
 * Pure: no I/O.
 */
import { z } from 'zod';
import { CitationSchema } from '../knowledge/schema-codesets.ts';
import { CAUTION_CODES, CONTRAINDICATION_CODES, SAFETY_ALERT_CODES } from '../knowledge/schema-pathway.ts';
import { ConductBlocks } from './schema-conduct.ts';
import { SEXES } from '../record/types.ts';
import { isUcum } from '../units/index.ts';

const Key = z.string().regex(/^[a-z0-9][a-z0-9.-]*$/, 'expected a lower-case kebab-case key');
const NonEmpty = z.string().trim().min(1, 'expected a non-empty string');
/**
 * A unit results are converted to: one UCUM cannot read would leave every result unconverted and the criterion
 * undecided for every patient. Part of the schema, so the build's validation of the bundled files checks it once.
 */
const UcumUnit = NonEmpty.refine(isUcum, {
  error: (issue) =>
    `"${String(issue.input)}" is not a UCUM unit (results are converted to it; write it as UCUM, e.g. /uL, 10*9/L, kg/m2)`,
});
const Version = z.string().regex(/^\d+\.\d+\.\d+$/, 'expected a semantic version such as 1.0.0');
const PositiveDays = z.int().positive();

export const TRIAL_PROTOCOL_SCHEMA = 'precision-trd/trial-protocol@1';

/** Contraindication codes the care pathway derives (defined once in src/knowledge/schema-pathway.ts). */
export const ContraindicationCodeSchema = z.enum(CONTRAINDICATION_CODES);

/**
 * One scale (or a subset of its items) whose most recent response is summed. Items are recognised by the item code
 * set (entries carry their item number); totals by the total code set (entries may name their scoring convention).
 */
export const ScaleSourceSchema = z
  .strictObject({
    /** How the scale is named in reasons, e.g. "BDI-II". */
    scale: NonEmpty,
    itemCodeSet: Key,
    /** Only used when the whole scale is summed (no `items`). */
    totalCodeSet: Key.optional(),
    /** Item numbers to sum (BDI-II somatic score: 4, 15, 16, 18, 19, 20, 21). */
    items: z.array(z.int().min(1)).min(1).optional(),
    /** Number of items when the whole scale is summed (SHAPS: 14). */
    itemCount: z.int().min(1).optional(),
    /** The scoring convention the threshold is expressed in; a total coded with another convention is not used. */
    scoring: NonEmpty.optional(),
    /** Allowed item scores under `scoring` (SHAPS 14-56: 1-4); a response outside it was scored differently. */
    itemRange: z.tuple([z.int(), z.int()]).optional(),
  })
  .refine((s) => s.items !== undefined || s.itemCount !== undefined, {
    message: 'give `items` (a subscore) or `itemCount` (the whole scale)',
  });
export type ScaleSource = z.infer<typeof ScaleSourceSchema>;

export const TestSchema = z.discriminatedUnion('type', [
  z
    .strictObject({
      type: z.literal('age-between'),
      minYears: z.int().min(0),
      maxYears: z.int().min(0),
      /** True if both bounds are allowed ages (INSIGHT "20-65 years inclusive"). */
      inclusive: z.boolean(),
    })
    .refine((t) => (t.inclusive ? t.minYears <= t.maxYears : t.minYears + 1 < t.maxYears), {
      message: 'no age lies between minYears and maxYears (is the range reversed?)',
      path: ['maxYears'],
    }),
  /** A current diagnosis: an active Condition coded in the code set. */
  z.strictObject({ type: z.literal('diagnosis-in'), codeSet: Key }),
  /** The care pathway's valid CRP (90-day window, converted to mg/L) is at least the threshold. */
  z.strictObject({
    type: z.literal('crp-at-least'),
    mgPerL: z.number().positive(),
    assay: z.literal('high-sensitivity').optional(),
  }),
  z.strictObject({
    type: z.literal('crp-below'),
    mgPerL: z.number().positive(),
    assay: z.literal('high-sensitivity').optional(),
  }),
  /** The care pathway's TRD definition: adequate trials (distinct ingredients, adequate dose and duration). */
  z.strictObject({ type: z.literal('adequate-trials-at-least'), count: z.int().min(1) }),
  /** ONE antidepressant taken now at or above its minimum adequate daily dose for at least minWeeks (INSIGHT). */
  z.strictObject({ type: z.literal('current-adequate-antidepressant'), minWeeks: z.int().positive() }),
  /** An antidepressant taken now for at least minWeeks at any established dose. */
  z.strictObject({ type: z.literal('current-antidepressant'), minWeeks: z.int().positive() }),
  /**
   * Conditional on taking one (NCT07493317 "If patient is on antidepressant medication, ... stable dose for >= 4
   * weeks"): every antidepressant taken now has been taken for at least minWeeks; no current antidepressant passes.
   */
  z.strictObject({ type: z.literal('antidepressant-stable-if-taking'), minWeeks: z.int().positive() }),
  z.strictObject({
    type: z.literal('scale-total-at-least'),
    /** Alternatives: the most recent response of any listed scale decides. */
    scales: z.array(ScaleSourceSchema).min(1),
    min: z.number(),
    withinDays: PositiveDays,
  }),
  z.strictObject({
    type: z.literal('scale-total-below'),
    scales: z.array(ScaleSourceSchema).min(1),
    below: z.number(),
    withinDays: PositiveDays,
    /**
     * The care pathway's safety alert (definition 7a) that reads the same risk: while it is raised the test never
     * passes on the scales alone (it is undecided and asks for a direct assessment, unless a scale already fails it).
     */
    safetyAlert: z.enum(SAFETY_ALERT_CODES).optional(),
  }),
  /** The latest result of a lab code set in the window, converted to `unit` (UCUM), is at least `value`. */
  z.strictObject({
    type: z.literal('lab-at-least'),
    analyte: NonEmpty,
    codeSet: Key,
    value: z.number(),
    unit: UcumUnit,
    withinDays: PositiveDays,
  }),
  /**
   * The latest result of a measurement code set in the window (body weight, BMI), converted to `unit` (UCUM), is at
   * most `value`. The same reading of results as `lab-at-least`.
   */
  z.strictObject({
    type: z.literal('measurement-at-most'),
    analyte: NonEmpty,
    codeSet: Key,
    value: z.number(),
    unit: UcumUnit,
    withinDays: PositiveDays,
  }),
  /** None of the care pathway's absolute contraindications with these codes. */
  z.strictObject({ type: z.literal('no-contraindication'), codes: z.array(ContraindicationCodeSchema).min(1) }),
  z.strictObject({ type: z.literal('not-pregnant-or-breastfeeding') }),
  /** No Condition in the code set: current or lifetime (no withinDays), or with onset/activity in the last withinDays. */
  z.strictObject({ type: z.literal('no-condition-in'), codeSet: Key, withinDays: PositiveDays.optional() }),
  /**
   * The care pathway's caution (definition 7) with this code is not raised: raised, the excluding fact is on record;
   * not raised, it rests on the record's silence and `question` asks for it (a live vaccine may be given elsewhere).
   */
  z.strictObject({ type: z.literal('no-pathway-caution'), code: z.enum(CAUTION_CODES), question: NonEmpty }),
  /** No current medication in the code set. */
  z.strictObject({ type: z.literal('no-medication-in'), codeSet: Key }),
  /** No infection (code set, default the pathway's infection set) active or with onset in the last `days`. */
  z.strictObject({ type: z.literal('no-infection-within'), days: PositiveDays, codeSet: Key.optional() }),
  /** A criterion no EHR can decide (consent, language): always `unknown`, with the question to ask. */
  z.strictObject({ type: z.literal('manual'), question: NonEmpty }),
]);
export type CriterionTest = z.infer<typeof TestSchema>;
export type TestType = CriterionTest['type'];

export const SexSchema = z.enum(SEXES);

/**
 * Who a criterion can apply to (a pregnancy exclusion: those who can be pregnant). A criterion whose `appliesTo` the
 * record places the patient outside is decided without its test: an inclusion is `met`, an exclusion `not-met`, with
 * the reason. A sex or age the record does not give never takes a patient outside: the test is then evaluated.
 */
export const ApplicabilitySchema = z
  .strictObject({
    /** The recorded sexes it applies to; a patient recorded with another sex is outside. */
    sex: z.array(SexSchema).min(1).optional(),
    /** Ages (whole years on the as-of date, inclusive) it applies to. */
    minAgeYears: z.int().min(0).optional(),
    maxAgeYears: z.int().min(0).optional(),
    /** Who it applies to, in words for the reason line ("those who can be pregnant"). */
    who: NonEmpty,
    citation: Key,
    verified: z.boolean(),
  })
  .refine((a) => a.sex !== undefined || a.minAgeYears !== undefined || a.maxAgeYears !== undefined, {
    message: 'give `sex`, `minAgeYears` or `maxAgeYears`',
  })
  .refine((a) => a.minAgeYears === undefined || a.maxAgeYears === undefined || a.minAgeYears <= a.maxAgeYears, {
    message: 'minAgeYears is above maxAgeYears: no age lies in the range (is it reversed?)',
    path: ['maxAgeYears'],
  });
export type Applicability = z.infer<typeof ApplicabilitySchema>;

export const CriterionSchema = z.strictObject({
  id: Key,
  kind: z.enum(['inclusion', 'exclusion']),
  /** The criterion as the project states it (short, shown in reports). */
  text: NonEmpty,
  /**
   * The registry record's own wording of the criterion, quoted (ClinicalTrials.gov or ISRCTN eligibility text), or
   * null when the registry record does not state it (the criterion then comes from the published protocol or the
   * drug label, and `note` says which).
   */
  registryText: NonEmpty.nullable(),
  test: TestSchema,
  appliesTo: ApplicabilitySchema.optional(),
  /** A key of knowledge/citations.json or of the protocol's local `citations`. */
  citation: Key,
  /** False when the criterion (or its threshold) is tagged [U] (docs/README.md). */
  verified: z.boolean(),
  /**
   * For exclusions only: whether the EHR's silence (nothing recorded) counts as absence. Default false: absent data
   * leaves the exclusion `unknown` and asks for it. Never honoured for `manual` tests.
   */
  absentIfNotRecorded: z.boolean().default(false),
  note: NonEmpty.optional(),
});
export type Criterion = z.infer<typeof CriterionSchema>;

export const RegistryIdSchema = z.strictObject({ system: z.enum(['ISRCTN', 'NCT']), id: NonEmpty });

export const TrialProtocolSchema = z.strictObject({
  schema: z.literal(TRIAL_PROTOCOL_SCHEMA),
  id: Key,
  version: Version,
  title: NonEmpty,
  registry: z.array(RegistryIdSchema).min(1),
  phase: NonEmpty,
  design: NonEmpty,
  intervention: NonEmpty,
  status: NonEmpty,
  sites: z.array(NonEmpty),
  /** Which participants the criteria select (INSIGHT: the randomised hs-CRP >= 3 mg/L cohort). */
  population: NonEmpty,
  /** Keys of knowledge/citations.json the protocol rests on. */
  citationKeys: z.array(Key).default([]),
  /** Citations not in knowledge/citations.json, in the same shape. */
  citations: z.record(Key, CitationSchema).default({}),
  criteria: z.array(CriterionSchema).min(1),
  /** Arms, stratification, visits, outcomes and safety rules for running the trial (src/trials/schema-conduct.ts). */
  ...ConductBlocks,
});
export type TrialProtocol = z.infer<typeof TrialProtocolSchema>;
