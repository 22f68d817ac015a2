/**
 * The result of one care-pathway assessment, schema `precision-trd/assessment@1`: the fields of
 * docs/care-pathway.md "The result" with these exact names, plus the audit fields a clinician needs to trust
 * it (the rule that fired, every unverified value relied on, data issues, each exposure's verdict).
 */
import type { Issue, ResourceRef } from '../record/index.ts';
import type {
  AdequateTrial,
  ClinicalFacts,
  Caution,
  ComorbidIl6Disease,
  Contraindication,
  Exposure,
  IgnoredMedication,
  InflammationFacts,
  MaudsleyStaging,
  MissingWorkup,
  SafetyAlert,
  ScopeFacts,
  SymptomProfile,
  UnverifiedItem,
  UnverifiedTrial,
  UpperLimitOfNormalUsed,
} from './facts.ts';
import { RECOMMENDATION_CODES } from '../knowledge/schema-pathway.ts';

export const ASSESSMENT_SCHEMA = 'precision-trd/assessment@1';

/** The decision table's outcomes, in rule order; defined with the pathway schema that validates the table. */
export { RECOMMENDATION_CODES };
export type RecommendationCode = (typeof RECOMMENDATION_CODES)[number];

export interface Recommendation {
  readonly code: RecommendationCode;
  /** The decision-table row that matched first (1-8). */
  readonly rule: number;
  readonly title: string;
  /** The decision row's message alone (filled); clinicianSummary appends the facts it rests on. */
  readonly statement: string;
  readonly clinicianSummary: string;
  readonly patientSummary: string;
  readonly citation: string;
}

export interface TraceStep {
  /** "1 out-of-scope" ... "8 refer-to-trial". */
  readonly rule: string;
  readonly matched: boolean;
  /** What the rule saw, e.g. "2 adequate trials (sertraline, venlafaxine); 2 required". */
  readonly outcome: string;
  readonly citation: string;
}

export interface Assessment {
  readonly schema: typeof ASSESSMENT_SCHEMA;
  /** As in the facts (ClinicalFacts['patient']): `ageRange` only for a birth date given as a year or month. */
  readonly patient: ClinicalFacts['patient'];
  /** Definition 0: whether the pathway applies; `reason` is `in-scope` or the first reason it does not. */
  readonly scope: ScopeFacts;
  /** Definition 7a: shown first in every report, whatever the recommendation (`suicide-risk`). */
  readonly safetyAlerts: readonly SafetyAlert[];
  readonly asOf: string;
  readonly pathway: { readonly id: string; readonly version: string };
  readonly recommendation: Recommendation;
  readonly treatmentResistance: {
    readonly count: number;
    readonly required: number;
    readonly met: boolean;
    readonly adequateTrials: readonly AdequateTrial[];
    readonly unverifiedTrials: readonly UnverifiedTrial[];
    /** All antidepressant exposures (joined runs) with their adequacy verdict and reason. */
    readonly exposures: readonly Exposure[];
    /** Medication resources not used, with the reason (entered-in-error, not-taken, cancelled request...). */
    readonly ignored: readonly IgnoredMedication[];
  };
  /** status in unknown | indeterminate | acute | elevated | normal, with its reason and the CRP it rests on. */
  readonly inflammation: InflammationFacts;
  readonly contraindications: readonly Contraindication[];
  /**
   * The upper limit of normal the `hepatic` contraindication reads for each ALT and AST result up to the as-of date
   * (definition 6: the patient's own reference range, by sex and age, else the default ULN [U]; none when not judged).
   */
  readonly upperLimitsOfNormal: readonly UpperLimitOfNormalUsed[];
  readonly cautions: readonly Caution[];
  /**
   * Work-up required before referral (codes anc | platelets | alt | ast | latent-tb-screen | hepatitis-b-serology |
   * confirm-immunosuppressant | pregnancy-test),
   * listed only on the referral track (rules 5, 6 and 8); empty otherwise.
   */
  readonly missingWorkup: readonly MissingWorkup[];
  readonly symptomProfile: SymptomProfile;
  readonly comorbidIl6Disease: readonly ComorbidIl6Disease[];
  readonly maudsleyStaging: MaudsleyStaging;
  /** Every value tagged [U] (docs/README.md) that this result relied on. */
  readonly unverified: readonly UnverifiedItem[];
  /** Data problems met while assessing (not fatal; fatal input errors never reach the engine). */
  readonly issues: readonly Issue[];
  /** The calendar date (or date range, for a medication) of every resource the result cites as evidence. */
  readonly evidenceDates: Readonly<Record<ResourceRef, string>>;
  readonly trace: readonly TraceStep[];
}
