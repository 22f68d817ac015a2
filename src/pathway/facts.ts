/**
 * ClinicalFacts: everything the care pathway derives from one patient record before it decides. The engine's decision
 * (decide.ts) and the trial matcher (src/trials) both read these, so each derivation (what counts as depression, an
 * adequate trial, a valid CRP, a contraindication) is written once.
 *
 * Plain JSON-friendly data: dates are YYYY-MM-DD strings, every finding names its evidence ("ResourceType/id").
 */
import type { Issue, ResourceRef } from '../record/index.ts';
import type {
  CautionRule,
  CONTRAINDICATION_CODES,
  SafetyAlertCode,
  ScopeResultReason,
  WorkupRule,
} from '../knowledge/schema-pathway.ts';

/** A value the result relied on that its source tags [U] (docs/README.md): shown with its note and citation key. */
export interface UnverifiedItem {
  readonly item: string;
  readonly note: string;
  readonly citation: string;
}

export interface DepressionFacts {
  readonly present: boolean;
  /** The qualifying Conditions (definition 1), most recent onset first. */
  readonly conditions: readonly ResourceRef[];
  /** Onset of the most recent qualifying condition, when known (current-episode duration for Maudsley staging). */
  readonly onset?: string;
  /** Depression-coded Conditions that did not qualify, with the reason (remission code, refuted, abated...). */
  readonly excluded: readonly { readonly source: ResourceRef; readonly reason: string }[];
}

/** A medication resource that was not used as an antidepressant exposure, and why. */
export interface IgnoredMedication {
  readonly source: ResourceRef;
  readonly reason: string;
}

/** One medication resource mapped to an antidepressant ingredient (definition 2), before joining. */
export interface ExposureSegment {
  readonly source: ResourceRef;
  readonly ingredient: string;
  /** Daily dose in mg, or undefined when it cannot be established (with `doseProblem`). */
  readonly dailyDoseMg?: number;
  readonly doseBasis?: 'daily-dose' | 'strength-x-count';
  readonly doseProblem?: string;
  /** Inclusive day range; `end` is the as-of date for an active exposure without an end. */
  readonly start?: string;
  readonly end?: string;
  readonly periodProblem?: string;
}

export type AdequacyVerdict = 'adequate' | 'inadequate' | 'unverified';

/**
 * A run of one ingredient: same-ingredient segments joined when the gap between them is at most the pathway's
 * maximum gap (30 days by default). The adequacy verdict (definitions 3-4) is attached to the run.
 */
export interface Exposure {
  readonly ingredient: string;
  /**
   * For an adequate exposure, the lowest daily dose within the adequate stretch (its start, end and days are that
   * stretch's); otherwise the lowest established dose across the whole run.
   */
  readonly dailyDoseMg?: number;
  readonly minimumDailyDoseMg?: number;
  readonly start?: string;
  readonly end?: string;
  /** Days on the drug, counted inclusively (1 March to 11 April is 42); gap days between joined records do not count. */
  readonly days?: number;
  readonly sources: readonly ResourceRef[];
  readonly adequacy: AdequacyVerdict;
  /** Why the verdict: e.g. "50 mg/day for 70 days (minimum 50 mg/day for 42 days)". */
  readonly reason: string;
  /** For `unverified`: the item to confirm, e.g. "daily dose", "duration", "minimum adequate dose". */
  readonly missing?: readonly string[];
}

/** An adequate trial as the result reports it (one per ingredient). */
export interface AdequateTrial {
  readonly ingredient: string;
  readonly dailyDoseMg: number;
  readonly start: string;
  readonly end: string;
  readonly days: number;
  readonly sources: readonly ResourceRef[];
}

/** An exposure that could be an adequate trial but whose dose or duration is not established. */
export interface UnverifiedTrial {
  readonly ingredient: string;
  readonly dailyDoseMg?: number;
  readonly start?: string;
  readonly end?: string;
  readonly days?: number;
  readonly sources: readonly ResourceRef[];
  /** What to confirm: "daily dose", "duration", "start date", "minimum adequate dose"... */
  readonly missing: readonly string[];
  readonly reason: string;
}

export interface TreatmentResistanceFacts {
  /** Number of adequate trials (distinct ingredients). */
  readonly count: number;
  readonly required: number;
  readonly met: boolean;
  readonly adequateTrials: readonly AdequateTrial[];
  readonly unverifiedTrials: readonly UnverifiedTrial[];
  /** Every joined antidepressant exposure with its verdict and reason. */
  readonly exposures: readonly Exposure[];
  /** Segments before joining (one per medication resource). */
  readonly segments: readonly ExposureSegment[];
  readonly ignored: readonly IgnoredMedication[];
}

export type InflammationStatus = 'unknown' | 'indeterminate' | 'acute' | 'elevated' | 'normal';
export type CrpAssay = 'high-sensitivity' | 'standard';

export interface CrpResult {
  /** Converted to mg/L; for a censored result this is the censoring limit. */
  readonly mgPerL: number;
  readonly comparator?: '<' | '<=' | '>=' | '>';
  readonly date: string;
  readonly assay: CrpAssay;
  readonly source: ResourceRef;
  /** As reported, for display: "0.7 mg/dL". */
  readonly reported: string;
  /**
   * The unverified factor the conversion to mg/L used (the [U] molar factor of a CRP in nmol/L), by the name the
   * `unverified` list gives it: every text that shows the value flags it [U].
   */
  readonly unverifiedConversion?: string;
}

export interface InflammationFacts {
  readonly status: InflammationStatus;
  readonly reason: string;
  /** The result the status rests on (absent when `unknown` for lack of any result). */
  readonly crp?: CrpResult;
  /**
   * Only when several valid results of the most recent day cannot be ordered by their times: all of them (`crp` is
   * the highest). A trial threshold is settled only when every one of them falls on the same side of it.
   */
  readonly sameDay?: readonly CrpResult[];
  readonly cutOffMgPerL: number;
  readonly acuteAboveMgPerL: number;
  readonly windowDays: number;
  /** CRP results in or near the window that were not used, and why (tocilizumab-suppressed, unit, status...). */
  readonly rejected: readonly { readonly source: ResourceRef; readonly reason: string }[];
}

/** Quantitative safety labs the pathway reads (definition 6 and 8). */
export type LabAnalyte = 'anc' | 'platelets' | 'alt' | 'ast';

export interface LabResult {
  readonly analyte: LabAnalyte;
  /** In the analyte's pathway unit (`unit`), e.g. 10*9/L for ANC and platelets, U/L for ALT and AST. */
  readonly value: number;
  readonly unit: string;
  readonly comparator?: '<' | '<=' | '>=' | '>';
  readonly date: string;
  readonly source: ResourceRef;
  /** Upper limit of normal in `unit`, from the result's referenceRange when present. */
  readonly upperLimitOfNormal?: number;
}

/**
 * The upper limit of normal the `hepatic` contraindication reads for one ALT or AST result (definition 6), for every
 * result of a valid status with a value in U/L dated on or before the as-of date (the contraindication itself reads
 * only the most recent in the lab window): the result's own reference range that is the patient's (by sex and age),
 * else the default ULN; none when its ranges give no single limit (`notJudged`). Views draw this, never recompute it.
 */
export interface UpperLimitOfNormalUsed {
  readonly analyte: 'alt' | 'ast';
  readonly source: ResourceRef;
  readonly date: string;
  /** `reference-range`: the result's own; `default`: the pathway's `defaultUln`; `not-judged`: neither applies. */
  readonly basis: 'reference-range' | 'default' | 'not-judged';
  /** In U/L; absent when `not-judged`. */
  readonly upperLimitOfNormalUPerL?: number;
  /** False when the limit is the default ULN and that value is unverified ([U]). */
  readonly verified: boolean;
  /** Only when `not-judged`: why the result gives no limit. */
  readonly notJudged?: string;
}

/** Qualitative screening results (latent TB, hepatitis B). */
export type ScreenOutcome = 'positive' | 'negative' | 'indeterminate';
export interface ScreenResult {
  readonly outcome: ScreenOutcome;
  readonly date: string;
  readonly source: ResourceRef;
  /** The earliest positive result of this test on record (latent-TB treatment must start on or after it). */
  readonly firstPositive?: { readonly date: string; readonly source: ResourceRef };
}

export type ContraindicationCode = (typeof CONTRAINDICATION_CODES)[number];

export interface Finding<C extends string = string> {
  readonly code: C;
  readonly title: string;
  /** One line: what was found, e.g. "ANC 1.6 x10^9/L on 2026-10-02 (< 2.0)". */
  readonly detail: string;
  readonly evidence: readonly ResourceRef[];
  readonly citation: string;
}

export type Contraindication = Finding<ContraindicationCode>;

export type CautionCode = CautionRule['code'];
export interface Caution extends Finding<CautionCode> {
  /**
   * The evidence that only names its medicine, with no code the pathway lists (docs/care-pathway.md, "Medications
   * named without a listed code"): a possible use to confirm. When it is all the evidence, the title says so.
   */
  readonly toConfirm?: readonly ResourceRef[];
}

export type WorkupCode = WorkupRule['code'];
export interface MissingWorkup {
  readonly code: WorkupCode;
  readonly title: string;
  readonly action: string;
  readonly citation: string;
}

export type SymptomDomain = 'fatigue' | 'anhedonia' | 'psychomotor' | 'sleep' | 'appetite';
export type SymptomInstrument = 'PHQ-9' | 'BDI-II' | 'MADRS';

export interface SymptomItemScore {
  readonly domain: SymptomDomain;
  /** The instrument's item number, e.g. PHQ-9 item 4. */
  readonly item: number;
  readonly score: number;
  readonly maxScore: number;
}

export interface SymptomScale {
  readonly instrument: SymptomInstrument;
  readonly date?: string;
  readonly source: ResourceRef;
  readonly total?: number;
  readonly items: readonly SymptomItemScore[];
}

/** Definition 9: the most recent response of each instrument, items mapped to inflammation-linked domains. */
export interface SymptomProfile {
  readonly scales: readonly SymptomScale[];
  /** Per domain, the highest item score as a fraction of that item's maximum (0-1), across the latest scales. */
  readonly domains: Partial<Record<SymptomDomain, number>>;
  readonly note: string;
}

export type ComorbidIl6Code = 'rheumatoid-arthritis' | 'giant-cell-arteritis';
export type ComorbidIl6Disease = Finding<ComorbidIl6Code>;

export type MaudsleyDimension = 'duration' | 'severity' | 'antidepressants' | 'augmentation' | 'ect';

export interface MaudsleyDimensionScore {
  readonly dimension: MaudsleyDimension;
  /** Points when the data fix them; else the range the data allow (min === max when scored). */
  readonly minPoints: number;
  readonly maxPoints: number;
  readonly scored: boolean;
  readonly basis: string;
}

/** Maudsley Staging Method (reference section 4.3): total 3-15; mild 3-6, moderate 7-10, severe 11-15. */
export interface MaudsleyStaging {
  readonly dimensions: readonly MaudsleyDimensionScore[];
  /** Present only when every dimension is scored. */
  readonly total?: number;
  readonly range: { readonly min: number; readonly max: number };
  readonly category?: 'mild' | 'moderate' | 'severe';
  readonly unscored: readonly MaudsleyDimension[];
  readonly citation: string;
}

/** Definition 0: whether the pathway applies, and the first reason it does not. */
export interface ScopeFacts {
  readonly inScope: boolean;
  readonly reason: ScopeResultReason;
  /** The resources the reason rests on (the Patient, the bipolar or psychotic-disorder Conditions). */
  readonly evidence: readonly ResourceRef[];
  /**
   * Only when every Condition of `evidence` is a possible diagnosis (provisional, differential: the pathway's
   * `unconfirmedVerificationStatuses`): the reason is said as such, and asks to confirm or refute it.
   */
  readonly unconfirmed?: true;
}

/** Definition 7a: shown first, whatever the recommendation; never changes the decision. */
export interface SafetyAlert {
  readonly code: SafetyAlertCode;
  readonly title: string;
  /** One line per finding, each with its date. */
  readonly detail: string;
  readonly evidence: readonly ResourceRef[];
  readonly citation: string;
}

export interface ClinicalFacts {
  readonly asOf: string;
  readonly scope: ScopeFacts;
  readonly safetyAlerts: readonly SafetyAlert[];
  readonly patient: {
    readonly reference: ResourceRef;
    /** Whole years on the as-of date; for a birth date given as a year or month, the age on its earliest day. */
    readonly age?: number;
    /** Only for a birth date given as a year or month whose days give different ages: the youngest and oldest. */
    readonly ageRange?: { readonly youngest: number; readonly oldest: number };
    readonly sex?: 'male' | 'female' | 'other' | 'unknown';
  };
  readonly depression: DepressionFacts;
  /**
   * Definition 3a for every medication record: the refs of those current on the as-of date (washout included) and of
   * the stale open-ended ones, and the records that documented a use now over (neither current nor stale) whose last
   * known day of use is known (definition 2: the end, else the one date of a record dated by a single day), with that
   * day, and `endUnknown`: those not current whose last day of use is not known (a completed statement or a stopped
   * order with no end, an undated record, a stale open-ended one); each sorted by ref. Trial criteria read these
   * instead of judging "current" again.
   */
  readonly medications: {
    readonly current: readonly ResourceRef[];
    readonly stale: readonly ResourceRef[];
    readonly ended: readonly { readonly source: ResourceRef; readonly end: string }[];
    readonly endUnknown: readonly ResourceRef[];
  };
  readonly treatmentResistance: TreatmentResistanceFacts;
  readonly inflammation: InflammationFacts;
  /** Latest valid result per analyte in the lab window, converted to the pathway unit. */
  readonly labs: Partial<Record<LabAnalyte, LabResult>>;
  /** The ULN read for every ALT and AST result up to the as-of date (UpperLimitOfNormalUsed). */
  readonly upperLimitsOfNormal: readonly UpperLimitOfNormalUsed[];
  readonly screens: {
    readonly latentTb?: ScreenResult;
    readonly hepatitisBSurfaceAntigen?: ScreenResult;
    readonly hepatitisBCoreAntibody?: ScreenResult;
  };
  readonly contraindications: readonly Contraindication[];
  /**
   * Only when the `pregnancy` contraindication is not found (definition 6): the newest pregnancy test in its window
   * (280 days [U]) when it reads as negative, with no same-day positive that times cannot order. A trial's pregnancy
   * exclusion names it. Not part of the assessment output.
   */
  readonly negativePregnancyTest?: Pick<ScreenResult, 'date' | 'source'>;
  /**
   * Likewise: the newest breastfeeding-status answer in its window (90 days) when it is "no", with no same-day "yes"
   * that times cannot order. Not part of the assessment output.
   */
  readonly notBreastfeeding?: Pick<ScreenResult, 'date' | 'source'>;
  /**
   * Per contraindication rule, the unverified values its evaluation relied on, found or not (a subset of
   * `unverified`): a trial criterion that reads the rule lists them. Not part of the assessment output.
   */
  readonly contraindicationsUnverified: Readonly<Partial<Record<ContraindicationCode, readonly UnverifiedItem[]>>>;
  readonly cautions: readonly Caution[];
  readonly missingWorkup: readonly MissingWorkup[];
  readonly symptomProfile: SymptomProfile;
  readonly comorbidIl6Disease: readonly ComorbidIl6Disease[];
  readonly maudsleyStaging: MaudsleyStaging;
  /** Every [U] value the derivations relied on. */
  readonly unverified: readonly UnverifiedItem[];
  /** Data problems met (unconvertible units, undated results...), plus the record's own issues. */
  readonly issues: readonly Issue[];
}
