/**
 * The parts of a trial protocol that run the trial (optional blocks of `precision-trd/trial-protocol@1`, used by
 * src/trial/ and `trd trial`): arms with their allocation ratio and dose, stratification factors, the visit schedule
 * with windows and what is collected at each visit, the outcomes, and the safety block (CTCAE version and the label's
 * hold/stop rules). Eligibility stays the protocol's `criteria`: the screening log evaluates those, never a copy.
 * Every value carries its citation and a `verified` flag; [U] values (the dose, the windows) are data, not code, so a
 * trial team changes them here. Pure.
 */
import { z } from 'zod';
import { BoundsSchema, SafetyRuleSchema } from '../safety/schema.ts';

const Key = z.string().regex(/^[a-z0-9][a-z0-9.-]*$/, 'expected a lower-case kebab-case key');
const NonEmpty = z.string().trim().min(1, 'expected a non-empty string');

const Sourced = { citation: Key, verified: z.boolean(), note: NonEmpty.optional() };

/** A dose stays configurable and flagged: a mg/kg dose with a cap, as the label states IV tocilizumab. */
export const DoseSchema = z.strictObject({
  mgPerKg: z.number().positive(),
  maxMg: z.number().positive(),
  route: NonEmpty,
  ...Sourced,
});
export type Dose = z.infer<typeof DoseSchema>;

export const ProtocolArmSchema = z.strictObject({
  id: Key,
  label: NonEmpty,
  /** Allocation ratio (1:1 -> both 1). */
  ratio: z.int().min(1),
  intervention: NonEmpty,
  /** Null for a placebo arm. */
  dose: DoseSchema.nullable(),
  ...Sourced,
});
export type ProtocolArm = z.infer<typeof ProtocolArmSchema>;

/**
 * A stratification factor: `baseline-crp` derives the level from the participant's baseline hs-CRP (mg/L) by the
 * levels' bounds; `site` takes the participant's site code (levels are the site codes, set at `trd trial init`).
 */
export const StratificationFactorSchema = z.discriminatedUnion('source', [
  z.strictObject({
    id: Key,
    label: NonEmpty,
    source: z.literal('baseline-crp'),
    levels: z.array(z.strictObject({ id: Key, label: NonEmpty, mgPerL: BoundsSchema })).min(2),
    ...Sourced,
  }),
  z.strictObject({
    id: Key,
    label: NonEmpty,
    source: z.literal('site'),
    /** Default site codes; a multicentre deployment gives its own at init. */
    levels: z.array(z.strictObject({ id: Key, label: NonEmpty })).min(1),
    ...Sourced,
  }),
]);
export type StratificationFactor = z.infer<typeof StratificationFactorSchema>;

/** A visit, timed in days from the anchor visit (the infusion, day 0), with its window. */
export const VisitSchema = z.strictObject({
  id: Key,
  label: NonEmpty,
  day: z.int(),
  /** Allowed days before and after the target day. */
  windowBefore: z.int().min(0),
  windowAfter: z.int().min(0),
  /** Instrument ids (knowledge/instruments/). */
  instruments: z.array(Key),
  /** Safety labs drawn at this visit. */
  safetyLabs: z.array(z.enum(['anc', 'platelets', 'alt', 'ast'])),
  /** The visit at which the study drug is given. */
  dosing: z.boolean().default(false),
  ...Sourced,
});
export type Visit = z.infer<typeof VisitSchema>;

export const OutcomeSchema = z.strictObject({
  id: Key,
  label: NonEmpty,
  instrument: Key,
  /** A subscale id of the instrument (BDI-II `somatic`), or absent for the total. */
  subscale: Key.optional(),
  /** Scoring method where the instrument has several (SHAPS, Chalder). */
  scoring: Key.optional(),
  visits: z.array(Key).min(1),
  ...Sourced,
});
export type Outcome = z.infer<typeof OutcomeSchema>;

export const OutcomesSchema = z.strictObject({
  primary: OutcomeSchema,
  secondary: z.array(OutcomeSchema),
});

export const TrialSafetySchema = z.strictObject({
  /** Pinned per study (clinical-reference.md 5.7); v5.0 unless the protocol says otherwise. */
  ctcaeVersion: z
    .string()
    .regex(/^\d+\.\d+$/)
    .default('5.0'),
  rules: z.array(SafetyRuleSchema),
  /** Raise an alert for every serious adverse event (ICH E2A seriousness criteria). */
  alertOnSeriousAdverseEvent: z.boolean().default(true),
});
export type TrialSafety = z.infer<typeof TrialSafetySchema>;

/** The conduct blocks, spread into TrialProtocolSchema; all optional (a protocol only matched needs none). */
export const ConductBlocks = {
  arms: z.array(ProtocolArmSchema).min(2).optional(),
  stratification: z.array(StratificationFactorSchema).optional(),
  visits: z.array(VisitSchema).min(1).optional(),
  outcomes: OutcomesSchema.optional(),
  safety: TrialSafetySchema.optional(),
};
