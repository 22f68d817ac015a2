/**
 * Safety definitions as data. CTCAE grading tables (schema `precision-trd/ctcae@1`, knowledge/safety/ctcae-v*.json)
 * and a protocol's hold/stop rules (its `safety` block, src/trials/schema.ts). A band reads as the CTCAE text does:
 * "<1.5-1.0" is 1.0 <= x < 1.5, so bands carry explicit `atLeast` / `above` / `below` / `atMost` bounds. Pure.
 */
import { z } from 'zod';
import { CitationSchema } from '../knowledge/schema-codesets.ts';

const Key = z.string().regex(/^[a-z0-9][a-z0-9.-]*$/, 'expected a lower-case kebab-case key');
const NonEmpty = z.string().trim().min(1);

export const SafetyAnalyteSchema = z.enum(['anc', 'platelets', 'alt', 'ast']);
export type SafetyAnalyte = z.infer<typeof SafetyAnalyteSchema>;

type BoundFields = {
  above?: number | undefined;
  atLeast?: number | undefined;
  below?: number | undefined;
  atMost?: number | undefined;
};

/**
 * Whether no number satisfies every given bound: a range written the wrong way round (`atLeast: 10, below: 3`) or
 * closed on an excluded end (`above: 3, atMost: 3`). In one dimension the bounds have no common value exactly when
 * some lower bound and some upper bound have none.
 */
export function isEmptyRange(b: BoundFields): boolean {
  const lows = [
    { value: b.above, strict: true },
    { value: b.atLeast, strict: false },
  ];
  const highs = [
    { value: b.below, strict: true },
    { value: b.atMost, strict: false },
  ];
  return lows.some(
    (l) =>
      l.value !== undefined &&
      highs.some(
        (h) => h.value !== undefined && (l.value! > h.value || (l.value === h.value && (l.strict || h.strict))),
      ),
  );
}
const EMPTY_RANGE = { message: 'no value lies within these bounds (is the range reversed?)' };

/** Bounds on a number; every given bound must hold. */
export const BoundsSchema = z
  .strictObject({
    above: z.number().optional(),
    atLeast: z.number().optional(),
    below: z.number().optional(),
    atMost: z.number().optional(),
  })
  .refine((b) => Object.keys(b).length > 0, { message: 'give at least one bound' })
  .refine((b) => !isEmptyRange(b), EMPTY_RANGE);
export type Bounds = z.infer<typeof BoundsSchema>;

export const within = (x: number, b: Bounds): boolean =>
  (b.above === undefined || x > b.above) &&
  (b.atLeast === undefined || x >= b.atLeast) &&
  (b.below === undefined || x < b.below) &&
  (b.atMost === undefined || x <= b.atMost);

/** A censored result's comparator: "<5" U/L (below the assay's limit) or ">1000" (above its range). */
export type CensoredComparator = '<' | '>';

/** A number beyond any lab value (finite, so that units still convert): the open end of a result ">1000". */
const UNBOUNDED = Number.MAX_SAFE_INTEGER;

/**
 * The two ends of the values a censored result allows, its limit excluded: "<5" is 0 up to just under 5, ">1000" just
 * over 1000 and beyond. CTCAE grades and the label's rules are monotone in the value, so a verdict that is the same at
 * both ends holds for every value the result allows, and one that differs cannot be told: the pathway's rule for a
 * censored result ("ANC <2.5" against 2.0 is counted as not measured; "ANC >3" decides; docs/care-pathway.md,
 * definition 6). The limit is moved by one part in 10^9, far below any laboratory's precision.
 */
export function censoredEnds(limit: number, comparator: CensoredComparator): readonly [number, number] {
  return comparator === '<' ? [0, limit * (1 - 1e-9)] : [limit * (1 + 1e-9), UNBOUNDED];
}

/**
 * What a band or rule measures: the value in `unit` (counts), or the value as a multiple of the upper limit of
 * normal (ALT/AST), or as a multiple of the participant's baseline when the baseline was above the ULN.
 */
export const MeasureSchema = z.enum(['value', 'x-uln', 'x-baseline']);

export const CtcaeTermSchema = z.strictObject({
  term: NonEmpty,
  /** UCUM unit of `value` bands. */
  unit: NonEmpty,
  direction: z.enum(['increased', 'decreased']),
  measure: MeasureSchema,
  grades: z.array(
    z
      .strictObject({
        grade: z.int().min(1).max(5),
        belowLln: z.boolean().optional(),
        above: z.number().optional(),
        atLeast: z.number().optional(),
        below: z.number().optional(),
        atMost: z.number().optional(),
      })
      .refine((b) => !isEmptyRange(b), EMPTY_RANGE),
  ),
  /** Bands used when the baseline is above the ULN (ALT/AST in v5.0: multiples of baseline). */
  abnormalBaselineGrades: z
    .array(
      z
        .strictObject({
          grade: z.int().min(1).max(5),
          above: z.number().optional(),
          atLeast: z.number().optional(),
          below: z.number().optional(),
          atMost: z.number().optional(),
        })
        .refine((b) => !isEmptyRange(b), EMPTY_RANGE),
    )
    .optional(),
});
export type CtcaeTerm = z.infer<typeof CtcaeTermSchema>;

export const CtcaeTableSchema = z.strictObject({
  schema: z.literal('precision-trd/ctcae@1'),
  version: NonEmpty,
  citation: Key,
  verified: z.boolean(),
  citations: z.record(Key, CitationSchema).default({}),
  terms: z.record(SafetyAnalyteSchema, CtcaeTermSchema),
});
export type CtcaeTable = z.infer<typeof CtcaeTableSchema>;

export const SAFETY_ACTIONS = ['monitor', 'hold', 'discontinue'] as const;
export type SafetyAction = (typeof SAFETY_ACTIONS)[number];

/** A label rule: when the analyte falls in the bounds (measured as `measure`), take `action`. */
export const SafetyRuleSchema = z.strictObject({
  id: Key,
  analyte: SafetyAnalyteSchema,
  measure: z.enum(['value', 'x-uln']),
  /** UCUM unit of `value` bounds (counts: 10*9/L). */
  unit: NonEmpty.optional(),
  bounds: BoundsSchema,
  action: z.enum(SAFETY_ACTIONS),
  /**
   * True for the label's do-not-initiate thresholds: the rule applies only to a result from a visit before the
   * dosing visit (before the drug is started), where "hold" means the infusion is not given.
   */
  beforeDosing: z.boolean().optional(),
  /** The label's words. */
  text: NonEmpty,
  citation: Key,
  verified: z.boolean(),
  note: NonEmpty.optional(),
});
export type SafetyRule = z.infer<typeof SafetyRuleSchema>;
