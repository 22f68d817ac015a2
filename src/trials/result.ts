/**
 * The trial matcher's result (schema `precision-trd/trial-match@1`): one per trial protocol, with a verdict and every
 * criterion's status, reason, evidence and citation, so a clinician can see exactly why a patient is (not) eligible and
 * what to collect next.
 */
import type { Citation } from '../knowledge/schema-codesets.ts';
import type { ResourceRef } from '../record/index.ts';
import type { Criterion, TestType } from './schema.ts';

export const TRIAL_MATCH_SCHEMA = 'precision-trd/trial-match@1';

/**
 * `met`: the criterion applies (inclusion satisfied, or exclusion present); `not-met`: it does not; `unknown`: the
 * record cannot decide, and `collect` names what to obtain.
 */
export type CriterionStatus = 'met' | 'not-met' | 'unknown';

export interface CriterionResult {
  readonly id: string;
  readonly kind: Criterion['kind'];
  /** The criterion as the protocol file states it. */
  readonly text: string;
  /** The registry record's wording, quoted; null when the registry record does not state the criterion. */
  readonly registryText: string | null;
  readonly test: TestType;
  readonly status: CriterionStatus;
  /** One line: what the record shows, e.g. "hs-CRP 7 mg/L on 2026-11-06 (>= 3 mg/L)". */
  readonly reason: string;
  readonly evidence: readonly ResourceRef[];
  /** For `unknown`: the data item to collect, e.g. "hs-CRP (high-sensitivity assay)". */
  readonly collect?: string;
  readonly citation: string;
  /** False when the criterion or a value it relied on is unverified ([U], see docs/README.md). */
  readonly verified: boolean;
  /** Unverified values the evaluation relied on (e.g. a minimum antidepressant dose), with their notes. */
  readonly unverifiedNotes: readonly string[];
}

export type TrialVerdict = 'eligible' | 'ineligible' | 'needs-data';

export interface TrialMatchResult {
  readonly schema: typeof TRIAL_MATCH_SCHEMA;
  readonly trial: {
    readonly id: string;
    readonly version: string;
    readonly title: string;
    readonly registry: readonly { readonly system: string; readonly id: string }[];
    readonly population: string;
  };
  readonly patient: { readonly reference: ResourceRef };
  readonly asOf: string;
  /**
   * `eligible`: every inclusion met and no exclusion met; `ineligible`: an inclusion not met or an exclusion met
   * (listed in `failed`); `needs-data`: otherwise (listed in `toCollect`).
   */
  readonly verdict: TrialVerdict;
  readonly summary: string;
  /** Criterion ids that make the patient ineligible (inclusions not met, exclusions met). */
  readonly failed: readonly string[];
  /** What to collect to decide the `unknown` criteria, one row per criterion. */
  readonly toCollect: readonly { readonly criterion: string; readonly item: string }[];
  readonly criteria: readonly CriterionResult[];
  /** Criterion ids whose result rests on an unverified value or criterion. */
  readonly unverified: readonly string[];
  /** Every citation key the criteria use, resolved (title, source, reference section, evidence tag). */
  readonly citations: Readonly<Record<string, Citation>>;
  /**
   * The date or date range of every resource a criterion cites as evidence (as Assessment.evidenceDates,
   * src/pathway/evidence-dates.ts): reports show the date of every medication and result they cite.
   */
  readonly evidenceDates: Readonly<Record<ResourceRef, string>>;
}
