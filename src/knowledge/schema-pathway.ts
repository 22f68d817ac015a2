/**
 * The care-pathway file (`knowledge/pathway/care-pathway.json`, schema `precision-trd/pathway@1`): every threshold,
 * window, code-set reference and message of the care pathway (docs/care-pathway.md) as versioned, cited data.
 *
 * Design choices:
 * - Every threshold is `{ value, unit, inclusive, citation, verified }`; every window is such a threshold in days
 *   (unit `d`) whose name ends in `Days`. `inclusive` says whether the boundary value itself satisfies the rule: for
 *   a window, whether a date exactly `value` days before the as-of date is inside it (src/pathway/context.ts
 *   windowStart reads every window that way).
 * - Rules choose among a CLOSED set of named predicates (`predicate`, decision `when`): no expression language, so a
 *   pathway file can change values and codes but cannot invent logic the engine has not been tested for.
 * - Codes are referenced by code-set id (resolved in knowledge/codesets/), citations by key (knowledge/citations.json
 *   or this file's own `citations` block). parseKnowledge cross-checks both with `pathwayCodeSetIds`/`pathwayCitationKeys`.
 * - Messages may contain `{placeholders}` that the engine fills (see src/pathway/summaries.ts for the names).
 */
import { z } from 'zod';

export const PATHWAY_SCHEMA = 'precision-trd/pathway@1';

const citationKey = z.string().min(1);
const codeSetId = z.string().min(1);
/** FHIR status (or intent) codes, at least one. */
const statusList = z.array(z.string().min(1)).min(1);

/** A cited threshold. `verified: false` marks values tagged [U] (docs/README.md). */
export const ThresholdSchema = z.strictObject({
  value: z.number().finite(),
  unit: z.string().min(1),
  inclusive: z.boolean(),
  citation: citationKey,
  verified: z.boolean(),
  note: z.string().optional(),
});
export type Threshold = z.infer<typeof ThresholdSchema>;

/** A cited value that is not compared against (a conversion factor, a default upper limit): no `inclusive`. */
export const CitedValueSchema = ThresholdSchema.omit({ inclusive: true });
export type CitedValue = z.infer<typeof CitedValueSchema>;

/** A range a measured value must lie in (both ends inclusive) to be used at all. */
export const PlausibleRangeSchema = z
  .strictObject({
    min: z.number().finite(),
    max: z.number().finite(),
    unit: z.string().min(1),
    citation: citationKey,
    verified: z.boolean(),
    note: z.string().optional(),
  })
  .refine((r) => r.min < r.max, { message: 'min must be below max', path: ['max'] });
export type PlausibleRange = z.infer<typeof PlausibleRangeSchema>;

/** A window or duration in whole days (UCUM `d`). */
export const DaysSchema = ThresholdSchema.extend({
  value: z.number().int().nonnegative(),
  unit: z.literal('d'),
});
export type Days = z.infer<typeof DaysSchema>;

/** An age limit in whole years (UCUM `a`): the engine compares it with the patient's age in completed years. */
export const YearsSchema = ThresholdSchema.extend({
  value: z.number().int().nonnegative(),
  unit: z.literal('a', { message: 'must be "a" (years): ages are compared in completed years' }),
});

/**
 * A number of things that must be reached (adequate trials): a whole number of at least 1, and reached when the count
 * equals it (`inclusive: true`), as the engine compares it (count >= value).
 */
export const CountSchema = ThresholdSchema.extend({
  value: z.number().int('must be a whole number').min(1, 'must be at least 1'),
  inclusive: z.literal(true, {
    message: 'must be true: the count is reached when it equals the value (count >= value)',
  }),
});

export const CitationSchema = z.strictObject({
  title: z.string().min(1),
  source: z.string().min(1),
  section: z.string().min(1),
  tag: z.enum(['V', 'V-sec', 'U']),
});

const labAnalyte = z.enum(['anc', 'platelets', 'alt', 'ast']);

const LabDefinition = z.strictObject({
  codeSets: z.array(codeSetId).min(1),
  /** The UCUM unit results are converted to before comparison. */
  unit: z.string().min(1),
  citation: citationKey,
});

const SymptomItem = z.strictObject({
  /** The item number, as the instrument's item code set numbers it (code entry `item`). */
  item: z.number().int().positive(),
  domain: z.enum(['fatigue', 'anhedonia', 'psychomotor', 'sleep', 'appetite']),
  /** QuestionnaireResponse linkIds that identify the item when the answer carries no code. */
  linkIds: z.array(z.string().min(1)),
});

const SymptomInstrument = z.strictObject({
  instrument: z.enum(['PHQ-9', 'BDI-II', 'MADRS']),
  /** Code sets of the item codes (entries carry the item number), the panel and the total score. */
  itemCodeSets: z.array(codeSetId).min(1),
  panelCodeSets: z.array(codeSetId),
  totalCodeSets: z.array(codeSetId),
  /** Questionnaire canonical URLs (or fragments of them) that identify the instrument in a QuestionnaireResponse. */
  questionnaireUrls: z.array(z.string().min(1)),
  itemMaxScore: z.number().int().positive(),
  items: z.array(SymptomItem).min(1),
  citation: citationKey,
  verified: z.boolean(),
});

/** Definition 0: why a patient is outside the pathway, in the order the reasons are checked. */
export const SCOPE_REASONS = ['deceased', 'minor', 'bipolar', 'psychotic-disorder', 'no-depression'] as const;
export const ScopeReasonSchema = z.enum(SCOPE_REASONS);
export type ScopeReason = z.infer<typeof ScopeReasonSchema>;
/** The result's `scope.reason`: `in-scope` or the first reason that applies. */
export const ScopeResultReasonSchema = z.enum(['in-scope', ...SCOPE_REASONS]);
export type ScopeResultReason = z.infer<typeof ScopeResultReasonSchema>;

const ScopeSummaries = { clinicianSummary: z.string().min(1), patientSummary: z.string().min(1) };
const ScopeMessage = z.strictObject({
  ...ScopeSummaries,
  /**
   * When every Condition the reason rests on is only a possible diagnosis (`unconfirmedVerificationStatuses`:
   * provisional, differential): said as such, never as a diagnosis on record.
   */
  unconfirmed: z.strictObject(ScopeSummaries).optional(),
});

/** Safety alerts (definition 7a): shown first, whatever the recommendation; they never change the decision. */
export const SAFETY_ALERT_CODES = ['suicide-risk'] as const;
export type SafetyAlertCode = (typeof SAFETY_ALERT_CODES)[number];

const SuicideItemRule = z.strictObject({
  instrument: z.enum(['PHQ-9', 'BDI-II', 'MADRS']),
  /** The item number as the instrument's item code set numbers it (PHQ-9 9, BDI-II 9, MADRS 10). */
  item: z.number().int().positive(),
  /** QuestionnaireResponse linkIds that identify the item when the answer carries no code. */
  linkIds: z.array(z.string().min(1)),
  /** The score at or above which (inclusive: true) the item signals suicidal thoughts. */
  atLeast: ThresholdSchema,
  /**
   * The item's question as forms print it, for an answer with neither a code nor a known linkId (an EHR's local
   * questionnaire): an answer whose text contains one of these (compared as lower-case words) is the item. Only for
   * wording no other question shares (MADRS item 10's label, "Suicidal thoughts", is also a yes/no screening question).
   */
  questionTexts: z
    .strictObject({
      texts: z.array(z.string().min(8)).min(1),
      citation: citationKey,
      verified: z.boolean(),
    })
    .optional(),
});

const Definitions = z.strictObject({
  scope: z.strictObject({
    /** Adults only: age in whole years at the as-of date (the 18th birthday itself is adult when inclusive). */
    adultAgeYears: YearsSchema,
    bipolarCodeSets: z.array(codeSetId).min(1),
    /** Schizophrenia-spectrum disorders (ICD-10 F20-F29); depression with psychotic features stays in scope. */
    psychoticCodeSets: z.array(codeSetId).min(1),
    /**
     * Condition.verificationStatus codes of a possible diagnosis only: a bipolar or psychotic disorder recorded only so
     * still takes the patient out of scope until it is confirmed or refuted, with the reason's `unconfirmed` message.
     */
    unconfirmedVerificationStatuses: z.array(z.enum(['unconfirmed', 'provisional', 'differential'])).min(1),
    /** The out-of-scope row's summaries per reason, so the message matches the reason. */
    messages: z.strictObject({
      deceased: ScopeMessage,
      minor: ScopeMessage,
      bipolar: ScopeMessage,
      'psychotic-disorder': ScopeMessage,
      'no-depression': ScopeMessage,
    }),
    citation: citationKey,
  }),
  safety: z.strictObject({
    suicideRisk: z.strictObject({
      title: z.string().min(1),
      /** The most recent response of each instrument within this window is read. */
      windowDays: DaysSchema,
      items: z.array(SuicideItemRule).min(1),
      ideationCodeSets: z.array(codeSetId).min(1),
      selfHarmCodeSets: z.array(codeSetId).min(1),
      selfHarmWindowDays: DaysSchema,
      /** Added to a referral's clinician summary when the alert is raised. */
      referralNote: z.string().min(1),
      citation: citationKey,
    }),
  }),
  depression: z.strictObject({
    codeSets: z.array(codeSetId).min(1),
    remissionCodeSets: z.array(codeSetId),
    citation: citationKey,
  }),
  exposure: z.strictObject({
    /** Same-ingredient exposures whose gap (days strictly between them) is at most this join into one run. */
    maxGapDays: DaysSchema,
    citation: citationKey,
  }),
  /** Definition 3a: what "current" means for every use (cautions, contraindications, trial criteria). */
  currentMedication: z.strictObject({
    /**
     * Which medication records document an exposure (definition 2), by resource: a statement whose status says it
     * was taken (or, unverified, only intended or unknown), a request with an order intent and a used status, a
     * dispense or administration with a used status; and the statuses that leave a record without an end open.
     */
    records: z.strictObject({
      statement: z.strictObject({ taken: statusList, unconfirmed: statusList }),
      request: z.strictObject({ statuses: statusList, orderIntents: statusList }),
      dispense: z.strictObject({ statuses: statusList }),
      administration: z.strictObject({ statuses: statusList }),
      openEndedStatuses: statusList,
    }),
    /** An open-ended record (active or on-hold, no end) is current while its start is at most this old; then stale. */
    openEndedWindowDays: DaysSchema,
    /** Biologic immunosuppressants stay current for their washout after the last dose or supply end. */
    biologicWashout: z.strictObject({
      codeSets: z.array(codeSetId).min(1),
      defaultDays: DaysSchema,
      /** Per-ingredient washouts; the first whose code sets match the record wins, else `defaultDays`. */
      byIngredient: z.array(
        z.strictObject({ ingredient: z.string().min(1), codeSets: z.array(codeSetId).min(1), days: DaysSchema }),
      ),
    }),
    /**
     * A record recognised only by its name (docs/care-pathway.md, "Medications named without a listed code") is not a
     * systemic medicine when its texts use one of `words` ("cream", "eye drops", "topical") or its route is a code of
     * `codeSets`, and its texts use none of `systemicWords` ("tablet", "oral") nor is its route a code of
     * `systemicCodeSets`: whole words, any case
     * (src/knowledge/medication-names.ts).
     */
    nonSystemicRoutes: z.strictObject({
      /** Route codes (Dosage.route) that are not systemic: read like the words. */
      codeSets: z.array(codeSetId),
      /** Route codes that are systemic (oral, intravenous...): read like the systemic words. */
      systemicCodeSets: z.array(codeSetId),
      words: z.array(z.string().regex(/^[a-z]+(?: [a-z]+)*$/, 'lower-case words')).min(1),
      systemicWords: z.array(z.string().regex(/^[a-z]+(?: [a-z]+)*$/, 'lower-case words')),
      citation: citationKey,
      verified: z.boolean(),
      note: z.string().optional(),
    }),
    citation: citationKey,
  }),
  adequacy: z.strictObject({
    minDurationDays: DaysSchema,
    lookbackDays: DaysSchema,
    /**
     * Two adequate trials count as two only when the later-started one has at least this many days on which no
     * earlier counted trial ran: otherwise the antidepressants were taken together (a combination or augmentation), and
     * the later one is unverified (src/pathway/adequacy.ts).
     */
    separateTrialDays: DaysSchema,
    requiredTrials: CountSchema,
    /** Minimum adequate daily doses come from the antidepressant table (knowledge/codesets); this cites it. */
    minimumDoseCitation: citationKey,
    citation: citationKey,
  }),
  inflammation: z.strictObject({
    windowDays: DaysSchema,
    /** CRP codes; each entry's `assay` (high-sensitivity | standard) says which assay a result came from. */
    crpCodeSets: z.array(codeSetId).min(1),
    validStatuses: statusList,
    cutOff: ThresholdSchema,
    acuteAbove: ThresholdSchema,
    /** nmol/L per mg/L: CRP mg/L = nmol/L / factor. */
    molarFactor: CitedValueSchema,
    tocilizumabCodeSets: z.array(codeSetId).min(1),
    tocilizumabSuppressionDays: DaysSchema,
    /** Infections (the active-infection set): a CRP at or above the cut-off drawn during one, or soon after, is acute. */
    infectionCodeSets: z.array(codeSetId).min(1),
    /** Days after an infection resolved during which a raised CRP is still read as acute. */
    infectionRecoveryDays: DaysSchema,
    citation: citationKey,
  }),
  labs: z.strictObject({
    windowDays: DaysSchema,
    validStatuses: statusList,
    analytes: z.strictObject({ anc: LabDefinition, platelets: LabDefinition, alt: LabDefinition, ast: LabDefinition }),
    /**
     * Which of a result's reference ranges give its upper limit of normal: a range typed as anything but normal, or
     * for the other sex, is not this patient's (FHIR referenceRange.type and appliesTo).
     */
    referenceRanges: z.strictObject({
      normalTypeCodeSets: z.array(codeSetId).min(1),
      maleCodeSets: z.array(codeSetId).min(1),
      femaleCodeSets: z.array(codeSetId).min(1),
      citation: citationKey,
    }),
  }),
  screens: z.strictObject({
    latentTbCodeSets: z.array(codeSetId).min(1),
    hepatitisBSurfaceAntigenCodeSets: z.array(codeSetId).min(1),
    /** Anti-HBc (total core antibody): positive with HBsAg negative is the caution hbv-exposure. */
    hepatitisBCoreAntibodyCodeSets: z.array(codeSetId).min(1),
    /** Coded results (SNOMED/HL7 interpretation) read as positive / negative. */
    positiveCodeSets: z.array(codeSetId).min(1),
    negativeCodeSets: z.array(codeSetId).min(1),
    /**
     * Coded results the laboratory reports as indeterminate (an IGRA that cannot be read): neither positive nor
     * negative, like a result the pathway cannot read, but named as the laboratory's answer in the issue.
     */
    indeterminateCodeSets: z.array(codeSetId).min(1),
  }),
  symptoms: z.strictObject({
    instruments: z.array(SymptomInstrument).min(1),
    /**
     * Which scale records are used, for the symptom profile, the suicide-risk alert and the trials' scale criteria:
     * Observations (totals, panels, items) and QuestionnaireResponses with these statuses.
     */
    validStatuses: z.strictObject({
      observation: statusList,
      questionnaireResponse: statusList,
    }),
    citation: citationKey,
  }),
  comorbidIl6Disease: z.array(
    z.strictObject({
      code: z.enum(['rheumatoid-arthritis', 'giant-cell-arteritis']),
      title: z.string().min(1),
      codeSets: z.array(codeSetId).min(1),
      citation: citationKey,
    }),
  ),
  maudsley: z.strictObject({
    /** Months of current episode -> points: acute <= 12 = 1; 13-24 = 2; > 24 = 3. */
    durationMonthsBands: z.array(z.strictObject({ maxMonths: z.number().nullable(), points: z.number().int() })),
    /** Failed adequate antidepressant trials -> points: 1-2 = 1; 3-4 = 2; 5-6 = 3; 7-10 = 4; > 10 = 5. */
    antidepressantBands: z.array(
      z.strictObject({ min: z.number().int(), max: z.number().int().nullable(), points: z.number().int() }),
    ),
    /** Severity points from the depression Condition's code (ICD-10 F32.x / F33.x episode severity). */
    severityByCode: z.array(z.strictObject({ codeSet: codeSetId, points: z.number().int().min(1).max(5) })),
    /** The severity dimension's whole range (subsyndromal 1 .. severe with psychosis 5), shown when it is not coded. */
    severityRange: z.strictObject({ minPoints: z.number().int(), maxPoints: z.number().int() }),
    augmentationCodeSets: z.array(codeSetId),
    /** Augmentation: not used 0, used 1. */
    augmentationPoints: z.strictObject({ notUsed: z.number().int(), used: z.number().int() }),
    ectCodeSets: z.array(codeSetId),
    /** ECT: not used 0, used 1. */
    ectPoints: z.strictObject({ notUsed: z.number().int(), used: z.number().int() }),
    categories: z.array(
      z.strictObject({
        category: z.enum(['mild', 'moderate', 'severe']),
        min: z.number().int(),
        max: z.number().int(),
      }),
    ),
    citation: citationKey,
  }),
  /**
   * Values outside these ranges are not believed: an impossible CRP or dose (negative, 1e-300, 2e301 mg/day) becomes
   * a data issue and never drives a decision. Project limits, not clinical thresholds.
   */
  plausibility: z.strictObject({
    crpMgPerL: PlausibleRangeSchema,
    antidepressantDailyDoseMg: PlausibleRangeSchema,
    /**
     * An adult's plausible body weight in kg: a weight outside (700 typed for 70, a weight in pounds) is refused where
     * it is entered, as it would set the mg/kg dose check (src/trial/dose-check.ts) on the wrong weight.
     */
    bodyWeightKg: PlausibleRangeSchema,
    /**
     * Each safety lab's plausible range in its pathway unit (`definitions.labs.analytes[*].unit`): a count entered per
     * microlitre under a 10^9/L unit (ANC "1500") is a data error, never a normal result.
     */
    safetyLabs: z.strictObject({
      anc: PlausibleRangeSchema,
      platelets: PlausibleRangeSchema,
      alt: PlausibleRangeSchema,
      ast: PlausibleRangeSchema,
    }),
  }),
  /**
   * Conditions that do not last (infections, pregnancy) recorded with neither a clinical status nor an end (an
   * encounter diagnosis; an OMOP row without condition_end_date): current only for `currentDays` from their onset, so
   * that an old entry is not read as current for ever (docs/care-pathway.md definition 1). The first entry whose code
   * sets hold the condition applies; a condition in none stays current as definition 1 says.
   */
  statuslessConditions: z.array(z.strictObject({ codeSets: z.array(codeSetId).min(1), currentDays: DaysSchema })),
  /**
   * Unit labels laboratories print that UCUM does not read as they mean them ("K/uL", "x10E3/uL", "cells/uL", "IU/L",
   * "MG/L" in capitals), each with the UCUM unit it names. Read only when the unit as sent cannot be converted, each
   * use reported (docs/care-pathway.md definition 5).
   */
  unitLabels: z.strictObject({
    labels: z.record(z.string().min(1), z.string().min(1)),
    citation: citationKey,
    verified: z.boolean(),
    note: z.string(),
  }),
});

/** The absolute contraindications to IL-6 blockade the pathway can derive (docs/care-pathway.md definition 6). */
export const CONTRAINDICATION_CODES = [
  'active-infection',
  'tuberculosis',
  'hepatitis',
  'immunodeficiency',
  'neutropenia',
  'thrombocytopenia',
  'hepatic',
  'pregnancy',
  'hypersensitivity',
  'immunosuppressant',
] as const;

const findingBase = { title: z.string().min(1), citation: citationKey };

/** A brand name of a medication: whole words, matched in any case; its ingredient as the code sets name it. */
export const BrandNameSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z][A-Za-z0-9-]*(?: [A-Za-z0-9-]+)*$/, 'letters, digits, hyphens and single spaces'),
  ingredient: z.string().regex(/^[a-z][a-z-]*$/, 'the ingredient name in lower case'),
  citation: citationKey,
  verified: z.boolean(),
  note: z.string().optional(),
});
export type BrandName = z.infer<typeof BrandNameSchema>;

/** Definition 6: absolute contraindications, each one named predicate with its parameters. */
export const ContraindicationRuleSchema = z.discriminatedUnion('predicate', [
  z.strictObject({
    ...findingBase,
    code: z.enum(['active-infection', 'immunodeficiency']),
    predicate: z.literal('active-condition'),
    codeSets: z.array(codeSetId).min(1),
  }),
  z.strictObject({
    ...findingBase,
    code: z.literal('pregnancy'),
    predicate: z.literal('pregnancy'),
    /** Current pregnancy or breastfeeding as a Condition. */
    codeSets: z.array(codeSetId).min(1),
    /** Qualitative hCG tests and the pregnancy-status observation: positive within `testWindowDays` blocks. */
    testCodeSets: z.array(codeSetId).min(1),
    /** Coded answers of a pregnancy-status observation read as "pregnant" (besides the positive-result sets). */
    pregnantAnswerCodeSets: z.array(codeSetId),
    /** How recent a positive test must be to stand for a current pregnancy (a full-term pregnancy). */
    testWindowDays: DaysSchema,
    /** Recorded pregnancy outcomes (delivery, miscarriage, termination): a positive test before one no longer counts. */
    outcomeCodeSets: z.array(codeSetId).min(1),
    /** Breastfeeding-status observations (LOINC 63895-7) and the answers read as "yes". */
    breastfeedingObservationCodeSets: z.array(codeSetId).min(1),
    breastfeedingYesCodeSets: z.array(codeSetId).min(1),
    breastfeedingWindowDays: DaysSchema,
  }),
  z.strictObject({
    ...findingBase,
    code: z.literal('tuberculosis'),
    predicate: z.literal('tuberculosis'),
    activeCodeSets: z.array(codeSetId).min(1),
    /** Latent TB infection as a diagnosis: blocks like a positive IGRA unless treatment is documented. */
    latentCodeSets: z.array(codeSetId),
    /** Medications whose course documents latent-TB treatment (definition 6: isoniazid, rifampicin, rifapentine). */
    treatmentCodeSets: z.array(codeSetId),
    /** A current (not yet completed) course documents treatment once it has run this many days (inclusive count). */
    minRunningDays: DaysSchema,
  }),
  z.strictObject({
    ...findingBase,
    code: z.literal('hepatitis'),
    predicate: z.literal('hepatitis'),
    activeCodeSets: z.array(codeSetId).min(1),
  }),
  z.strictObject({
    ...findingBase,
    code: z.enum(['neutropenia', 'thrombocytopenia']),
    predicate: z.literal('lab-below'),
    analyte: labAnalyte,
    threshold: ThresholdSchema,
  }),
  z.strictObject({
    ...findingBase,
    code: z.literal('hepatic'),
    predicate: z.literal('lab-above-uln'),
    analytes: z.array(labAnalyte).min(1),
    multipleOfUln: ThresholdSchema,
    /** Used when a result has no referenceRange high value. */
    defaultUln: z.strictObject({ alt: CitedValueSchema, ast: CitedValueSchema }),
  }),
  z.strictObject({
    ...findingBase,
    code: z.literal('hypersensitivity'),
    predicate: z.literal('active-allergy'),
    codeSets: z.array(codeSetId).min(1),
  }),
  z.strictObject({
    ...findingBase,
    code: z.literal('immunosuppressant'),
    predicate: z.literal('current-medication'),
    codeSets: z.array(codeSetId).min(1),
    /** IL-6 blockers: a patient already on one gets `il6BlockerDetail` ({drugs} filled in) instead of the plain one. */
    il6BlockerCodeSets: z.array(codeSetId),
    /**
     * Brand names of the IL-6 blockers, each naming an ingredient of `il6BlockerCodeSets`: with those ingredient
     * names, the names a medication record is recognised by when it carries no code the pathway lists
     * (docs/care-pathway.md, "Medications named without a listed code"; src/knowledge/medication-names.ts).
     */
    il6BlockerBrandNames: z.array(BrandNameSchema),
    detail: z.string().min(1),
    il6BlockerDetail: z.string().min(1),
  }),
]);
export type ContraindicationRule = z.infer<typeof ContraindicationRuleSchema>;

/** Definition 7: cautions (shown, not blocking). */
export const CautionRuleSchema = z.discriminatedUnion('predicate', [
  z.strictObject({
    ...findingBase,
    code: z.literal('gi-perforation-risk'),
    predicate: z.literal('condition-history'),
    codeSets: z.array(codeSetId).min(1),
  }),
  z.strictObject({
    ...findingBase,
    code: z.literal('older-age'),
    predicate: z.literal('age-at-least'),
    ageYears: YearsSchema,
  }),
  z.strictObject({
    ...findingBase,
    code: z.literal('age-unknown'),
    predicate: z.literal('age-unknown'),
  }),
  z.strictObject({
    ...findingBase,
    code: z.literal('hbv-exposure'),
    predicate: z.literal('isolated-anti-hbc'),
  }),
  z.strictObject({
    ...findingBase,
    code: z.literal('recent-live-vaccine'),
    predicate: z.literal('recent-immunization'),
    codeSets: z.array(codeSetId).min(1),
    windowDays: DaysSchema,
  }),
  z.strictObject({
    ...findingBase,
    code: z.enum(['crp-confounding-medication', 'conventional-immunosuppressant']),
    predicate: z.literal('current-medication'),
    codeSets: z.array(codeSetId).min(1),
    /** The one-line detail shown with the caution. */
    detail: z.string().min(1),
    /**
     * The title when every record it rests on is to confirm (it names the medicine without a listed code, or its
     * texts say it is applied or inhaled): docs/care-pathway.md, "Medications named without a listed code".
     */
    toConfirmTitle: z.string().min(1),
    /** What to confirm of such a record, after naming it ("confirm the medicine, ..."). */
    toConfirmDetail: z.string().min(1),
  }),
  z.strictObject({
    ...findingBase,
    code: z.literal('standard-crp-assay'),
    predicate: z.literal('standard-crp-assay'),
  }),
]);
export type CautionRule = z.infer<typeof CautionRuleSchema>;

/** Every caution code, for trial criteria that read a caution (src/trials/tests/cautions.ts). */
export const CAUTION_CODES = [
  'gi-perforation-risk',
  'older-age',
  'age-unknown',
  'hbv-exposure',
  'recent-live-vaccine',
  'crp-confounding-medication',
  'conventional-immunosuppressant',
  'standard-crp-assay',
] as const satisfies readonly CautionRule['code'][];

/**
 * The contraindications a work-up item, once on record, lets a trial criterion rule out (while it is missing, a
 * "no contraindication" criterion naming them stays unknown: src/trials/tests/contraindications.ts).
 */
const rulesOut = z.array(z.enum(CONTRAINDICATION_CODES)).min(1);

/** Definition 8: work-up required before referral. */
export const WorkupRuleSchema = z.discriminatedUnion('predicate', [
  z.strictObject({
    ...findingBase,
    code: z.enum(['anc', 'platelets', 'alt', 'ast']),
    predicate: z.literal('lab-in-window'),
    analyte: labAnalyte,
    rulesOut,
    action: z.string().min(1),
  }),
  z.strictObject({
    ...findingBase,
    code: z.enum(['latent-tb-screen', 'hepatitis-b-serology']),
    predicate: z.literal('screen-in-window'),
    screen: z.enum(['latentTb', 'hepatitisBSurfaceAntigen']),
    /** Omitted: any result on or before the as-of date counts. */
    windowDays: DaysSchema.optional(),
    rulesOut,
    action: z.string().min(1),
    /**
     * What an order for the item asks for, when more than the screen it is judged by (hepatitis B serology: HBsAg
     * and anti-HBc): the first code of each set (CDS suggestions). Omitted: the screen's own set.
     */
    orderCodeSets: z.array(codeSetId).min(1).optional(),
  }),
  z.strictObject({
    ...findingBase,
    /** A stale record (definition 3a) of a medication in the code sets: ask whether it is still taken. */
    code: z.literal('confirm-immunosuppressant'),
    predicate: z.literal('stale-medication'),
    codeSets: z.array(codeSetId).min(1),
    /**
     * The contraindications the record to confirm may be: while the item is listed, a trial criterion naming them
     * stays unknown (src/trials/tests/contraindications.ts); once it is not, they rest on the record as before.
     */
    confirms: rulesOut,
    action: z.string().min(1),
    /** The title and action when a record names the medication without a listed code (instead of being stale). */
    namedOnlyTitle: z.string().min(1),
    namedOnlyAction: z.string().min(1),
  }),
  z.strictObject({
    ...findingBase,
    /**
     * The newest pregnancy test in the `pregnancy` contraindication's window reads as neither positive nor negative (a
     * quantitative hCG without an interpretation) and no decided test follows it: record its result or repeat it.
     */
    code: z.literal('pregnancy-test'),
    predicate: z.literal('undecided-pregnancy-test'),
    /** While the item is listed, a trial criterion naming these stays unknown (as for `stale-medication`). */
    confirms: rulesOut,
    action: z.string().min(1),
  }),
]);
export type WorkupRule = z.infer<typeof WorkupRuleSchema>;

/** The `{placeholders}` the engine fills in decision messages (src/pathway/summaries.ts). */
export const MESSAGE_PLACEHOLDERS = [
  'adequateCount',
  'requiredTrials',
  'unverifiedCount',
  'adequateList',
  'unverifiedList',
  'crp',
  'crpDate',
  'crpAssay',
  'cutOff',
  'acuteAbove',
  'windowDays',
  'inflammationReason',
  'contraindicationList',
  'missingWorkupList',
  'age',
] as const;
export type MessagePlaceholder = (typeof MESSAGE_PLACEHOLDERS)[number];
const PLACEHOLDER_PATTERN = /\{([a-zA-Z]+)\}/g;

/** The decision table's named conditions (docs/care-pathway.md "The decision"). */
export const DECISION_PREDICATES = [
  'out-of-scope',
  'adequate-plus-unverified-reach-required',
  'too-few-adequate-trials',
  'any-contraindication',
  'inflammation-unknown',
  'inflammation-acute-or-indeterminate',
  'inflammation-normal',
  'inflammation-elevated',
] as const;

/** The decision table's outcomes, in rule order (docs/care-pathway.md "The decision"). */
export const RECOMMENDATION_CODES = [
  'out-of-scope',
  'confirm-history',
  'not-trd',
  'contraindicated',
  'measure-crp',
  'repeat-crp',
  'not-inflamed',
  'refer-to-trial',
] as const;

export const DecisionRowSchema = z.strictObject({
  rule: z.number().int().positive(),
  code: z.enum(RECOMMENDATION_CODES),
  when: z.enum(DECISION_PREDICATES),
  title: z.string().min(1),
  clinicianSummary: z.string().min(1),
  patientSummary: z.string().min(1),
  citation: citationKey,
});
export type DecisionRow = z.infer<typeof DecisionRowSchema>;

export const PathwaySchema = z
  .strictObject({
    schema: z.literal(PATHWAY_SCHEMA),
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
    version: z.string().regex(/^\d+\.\d+\.\d+$/),
    title: z.string().min(1),
    published: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    description: z.string().optional(),
    citations: z.record(z.string(), CitationSchema).optional(),
    definitions: Definitions,
    contraindications: z.array(ContraindicationRuleSchema),
    cautions: z.array(CautionRuleSchema),
    missingWorkup: z.array(WorkupRuleSchema),
    decision: z.array(DecisionRowSchema).min(1),
  })
  .superRefine((p, ctx) => {
    p.decision.forEach((row, i) => {
      if (row.rule !== i + 1) {
        ctx.addIssue({
          code: 'custom',
          path: ['decision', i, 'rule'],
          message: `rule must be ${i + 1} (rows are numbered in order)`,
        });
      }
    });
    const last = p.decision[p.decision.length - 1];
    if (last !== undefined && last.when !== 'inflammation-elevated') {
      // The table is first-match; without the final row some patients would get no recommendation.
      ctx.addIssue({
        code: 'custom',
        path: ['decision'],
        message: 'the last row must be when "inflammation-elevated"',
      });
    }
    p.decision.forEach((row, i) => {
      for (const field of ['title', 'clinicianSummary', 'patientSummary'] as const) {
        for (const m of row[field].matchAll(PLACEHOLDER_PATTERN)) {
          if (!(MESSAGE_PLACEHOLDERS as readonly string[]).includes(m[1] ?? '')) {
            ctx.addIssue({
              code: 'custom',
              path: ['decision', i, field],
              message: `unknown placeholder {${m[1] ?? ''}}`,
            });
          }
        }
      }
    });
    const whens = new Set(p.decision.map((r) => r.when));
    for (const w of DECISION_PREDICATES) {
      if (!whens.has(w)) ctx.addIssue({ code: 'custom', path: ['decision'], message: `no row for when "${w}"` });
    }
    // A rule copied to be edited and the original left in place would both be applied (two neutropenia limits).
    for (const list of ['contraindications', 'cautions', 'missingWorkup', 'decision'] as const) {
      const first = new Map<string, number>();
      p[list].forEach((rule: { code: string }, i: number) => {
        const earlier = first.get(rule.code);
        if (earlier === undefined) first.set(rule.code, i);
        else
          ctx.addIssue({
            code: 'custom',
            path: [list, i, 'code'],
            message: `"${rule.code}" is also ${list}[${earlier}]: each code once (remove the copy, or merge the two)`,
          });
      });
    }
    checkCrossFields(p.definitions, ctx);
    checkLabUnits(p.definitions, p.contraindications, ctx);
    checkRulesOut(p.contraindications, p.missingWorkup, ctx);
  });

/**
 * A work-up item's `rulesOut` must name contraindications the pathway defines, and a lab item's must be exactly
 * those whose rule reads its analyte: otherwise a trial criterion would rule a lab contraindication out without the
 * lab, or never, while the pathway itself reads it from that lab.
 */
function checkRulesOut(
  contraindications: readonly z.infer<typeof ContraindicationRuleSchema>[],
  workup: readonly z.infer<typeof WorkupRuleSchema>[],
  ctx: z.RefinementCtx,
): void {
  const defined = new Set<string>(contraindications.map((c) => c.code));
  const readingLab = (analyte: z.infer<typeof labAnalyte>): string[] => [
    ...new Set(
      contraindications
        .filter((c) => ('analyte' in c && c.analyte === analyte) || ('analytes' in c && c.analytes.includes(analyte)))
        .map((c) => c.code)
        .sort(),
    ),
  ];
  workup.forEach((w, i) => {
    if (!('rulesOut' in w)) return;
    const path = ['missingWorkup', i, 'rulesOut'];
    for (const code of w.rulesOut) {
      if (!defined.has(code))
        ctx.addIssue({ code: 'custom', path, message: `no contraindication "${code}" is defined` });
    }
    if (w.predicate !== 'lab-in-window') return;
    const expected = readingLab(w.analyte);
    if ([...w.rulesOut].sort().join() !== expected.join()) {
      ctx.addIssue({
        code: 'custom',
        path,
        message: `must be the contraindications that read ${w.analyte}: ${expected.join(', ') || 'none'}`,
      });
    }
  });
}

/**
 * Values that are each valid alone but contradict each other: a CRP cut-off at or above the acute threshold would
 * send every inflamed patient to "repeat CRP" and none to a trial; thresholds compared must share a unit; a
 * medication statement status cannot be both taken and unconfirmed.
 */
function checkCrossFields(d: z.infer<typeof Definitions>, ctx: z.RefinementCtx): void {
  const { cutOff, acuteAbove } = d.inflammation;
  // CRP results are converted to mg/L (definition 5) and compared with these numbers as they stand.
  const crpLimits = [
    [['inflammation', 'cutOff'], cutOff.unit],
    [['inflammation', 'acuteAbove'], acuteAbove.unit],
    [['plausibility', 'crpMgPerL'], d.plausibility.crpMgPerL.unit],
  ] as const;
  for (const [where, unit] of crpLimits) {
    if (unit !== CRP_UNIT) {
      ctx.addIssue({
        code: 'custom',
        path: ['definitions', ...where, 'unit'],
        message: `must be "${CRP_UNIT}": CRP results are converted to ${CRP_UNIT} and compared with this value as written (give the value in ${CRP_UNIT})`,
      });
    }
  }
  // A body weight is entered in kg and compared with this range as written.
  if (d.plausibility.bodyWeightKg.unit !== 'kg') {
    ctx.addIssue({
      code: 'custom',
      path: ['definitions', 'plausibility', 'bodyWeightKg', 'unit'],
      message: 'must be "kg": body weights are entered in kg and compared with this range as written',
    });
  }
  if (cutOff.unit === acuteAbove.unit && !(cutOff.value < acuteAbove.value)) {
    ctx.addIssue({
      code: 'custom',
      path: ['definitions', 'inflammation', 'cutOff', 'value'],
      message: 'the CRP cut-off must be below the acute threshold (definitions.inflammation.acuteAbove)',
    });
  }
  for (const [analyte, range] of Object.entries(d.plausibility.safetyLabs)) {
    const unit = d.labs.analytes[analyte as keyof typeof d.labs.analytes].unit;
    if (range.unit !== unit) {
      ctx.addIssue({
        code: 'custom',
        path: ['definitions', 'plausibility', 'safetyLabs', analyte, 'unit'],
        message: `is "${range.unit}", not the unit of definitions.labs.analytes.${analyte} ("${unit}"): results in that unit are compared with this range as written (give the range in ${unit}, or correct the analyte's unit if it is the wrong one)`,
      });
    }
  }
  // A statement status both "taken" and "unconfirmed" would be read as either.
  const { taken, unconfirmed } = d.currentMedication.records.statement;
  for (const status of unconfirmed.filter((u) => taken.includes(u))) {
    ctx.addIssue({
      code: 'custom',
      path: ['definitions', 'currentMedication', 'records', 'statement', 'unconfirmed'],
      message: `"${status}" is also a taken status`,
    });
  }
}
/** The unit CRP results are converted to before the pathway's CRP limits are applied (definition 5). */
const CRP_UNIT = 'mg/L';

/**
 * A lab limit is compared with results converted to its analyte's unit (`definitions.labs.analytes`), as a number: a
 * limit in another unit, or one outside the analyte's plausible range (a count per microlitre, 2000, under 10^9/L),
 * would be compared as if it were in that unit.
 */
function checkLabUnits(
  d: z.infer<typeof Definitions>,
  contraindications: readonly z.infer<typeof ContraindicationRuleSchema>[],
  ctx: z.RefinementCtx,
): void {
  const check = (analyte: z.infer<typeof labAnalyte>, value: number, unit: string, path: PropertyKey[]): void => {
    const expected = d.labs.analytes[analyte].unit;
    const range = d.plausibility.safetyLabs[analyte];
    if (unit !== expected) {
      ctx.addIssue({
        code: 'custom',
        path: [...path, 'unit'],
        message: `is "${unit}", not the unit of definitions.labs.analytes.${analyte} ("${expected}"): results are converted to that unit and compared with this value as written (give the value in ${expected}, or correct the analyte's unit if it is the wrong one)`,
      });
    } else if (range.unit === expected && !(value >= range.min && value <= range.max)) {
      ctx.addIssue({
        code: 'custom',
        path: [...path, 'value'],
        message: `${value} ${unit} is outside the plausible ${analyte} range (${range.min} to ${range.max} ${range.unit}, definitions.plausibility.safetyLabs.${analyte}): is it in another unit?`,
      });
    }
  };
  contraindications.forEach((c, i) => {
    if (c.predicate === 'lab-below')
      check(c.analyte, c.threshold.value, c.threshold.unit, ['contraindications', i, 'threshold']);
    if (c.predicate === 'lab-above-uln') {
      for (const analyte of ['alt', 'ast'] as const) {
        const uln = c.defaultUln[analyte];
        check(analyte, uln.value, uln.unit, ['contraindications', i, 'defaultUln', analyte]);
      }
    }
  });
}
export type Pathway = z.infer<typeof PathwaySchema>;

/** Every code-set id the pathway names, with the field path that names it (for parseKnowledge's cross-check). */
export function pathwayCodeSetIds(p: Pathway): { id: string; path: string }[] {
  const out: { id: string; path: string }[] = [];
  const add = (ids: readonly string[], path: string): void =>
    ids.forEach((id, i) => out.push({ id, path: `${path}[${i}]` }));
  const d = p.definitions;
  add(d.scope.bipolarCodeSets, 'definitions.scope.bipolarCodeSets');
  add(d.scope.psychoticCodeSets, 'definitions.scope.psychoticCodeSets');
  add(d.safety.suicideRisk.ideationCodeSets, 'definitions.safety.suicideRisk.ideationCodeSets');
  add(d.safety.suicideRisk.selfHarmCodeSets, 'definitions.safety.suicideRisk.selfHarmCodeSets');
  add(d.inflammation.infectionCodeSets, 'definitions.inflammation.infectionCodeSets');
  add(d.screens.hepatitisBCoreAntibodyCodeSets, 'definitions.screens.hepatitisBCoreAntibodyCodeSets');
  add(d.depression.codeSets, 'definitions.depression.codeSets');
  add(d.depression.remissionCodeSets, 'definitions.depression.remissionCodeSets');
  const washout = d.currentMedication.biologicWashout;
  add(washout.codeSets, 'definitions.currentMedication.biologicWashout.codeSets');
  washout.byIngredient.forEach((w, i) =>
    add(w.codeSets, `definitions.currentMedication.biologicWashout.byIngredient[${i}].codeSets`),
  );
  add(d.currentMedication.nonSystemicRoutes.codeSets, 'definitions.currentMedication.nonSystemicRoutes.codeSets');
  add(
    d.currentMedication.nonSystemicRoutes.systemicCodeSets,
    'definitions.currentMedication.nonSystemicRoutes.systemicCodeSets',
  );
  d.statuslessConditions.forEach((e, i) => add(e.codeSets, `definitions.statuslessConditions[${i}].codeSets`));
  add(d.inflammation.crpCodeSets, 'definitions.inflammation.crpCodeSets');
  add(d.inflammation.tocilizumabCodeSets, 'definitions.inflammation.tocilizumabCodeSets');
  for (const a of ['anc', 'platelets', 'alt', 'ast'] as const) {
    add(d.labs.analytes[a].codeSets, `definitions.labs.analytes.${a}.codeSets`);
  }
  add(d.labs.referenceRanges.normalTypeCodeSets, 'definitions.labs.referenceRanges.normalTypeCodeSets');
  add(d.labs.referenceRanges.maleCodeSets, 'definitions.labs.referenceRanges.maleCodeSets');
  add(d.labs.referenceRanges.femaleCodeSets, 'definitions.labs.referenceRanges.femaleCodeSets');
  add(d.screens.latentTbCodeSets, 'definitions.screens.latentTbCodeSets');
  add(d.screens.hepatitisBSurfaceAntigenCodeSets, 'definitions.screens.hepatitisBSurfaceAntigenCodeSets');
  add(d.screens.positiveCodeSets, 'definitions.screens.positiveCodeSets');
  add(d.screens.negativeCodeSets, 'definitions.screens.negativeCodeSets');
  add(d.screens.indeterminateCodeSets, 'definitions.screens.indeterminateCodeSets');
  d.symptoms.instruments.forEach((ins, i) => {
    const path = `definitions.symptoms.instruments[${i}]`;
    add(ins.itemCodeSets, `${path}.itemCodeSets`);
    add(ins.panelCodeSets, `${path}.panelCodeSets`);
    add(ins.totalCodeSets, `${path}.totalCodeSets`);
  });
  d.comorbidIl6Disease.forEach((c, i) => add(c.codeSets, `definitions.comorbidIl6Disease[${i}].codeSets`));
  d.maudsley.severityByCode.forEach((s, i) =>
    out.push({ id: s.codeSet, path: `definitions.maudsley.severityByCode[${i}].codeSet` }),
  );
  add(d.maudsley.augmentationCodeSets, 'definitions.maudsley.augmentationCodeSets');
  add(d.maudsley.ectCodeSets, 'definitions.maudsley.ectCodeSets');
  p.contraindications.forEach((c, i) => {
    const path = `contraindications[${i}]`;
    if ('codeSets' in c) add(c.codeSets, `${path}.codeSets`);
    if ('activeCodeSets' in c) add(c.activeCodeSets, `${path}.activeCodeSets`);
    if ('latentCodeSets' in c) add(c.latentCodeSets, `${path}.latentCodeSets`);
    if ('treatmentCodeSets' in c) add(c.treatmentCodeSets, `${path}.treatmentCodeSets`);
    if ('testCodeSets' in c) add(c.testCodeSets, `${path}.testCodeSets`);
    if ('pregnantAnswerCodeSets' in c) add(c.pregnantAnswerCodeSets, `${path}.pregnantAnswerCodeSets`);
    if ('outcomeCodeSets' in c) add(c.outcomeCodeSets, `${path}.outcomeCodeSets`);
    if ('breastfeedingObservationCodeSets' in c)
      add(c.breastfeedingObservationCodeSets, `${path}.breastfeedingObservationCodeSets`);
    if ('breastfeedingYesCodeSets' in c) add(c.breastfeedingYesCodeSets, `${path}.breastfeedingYesCodeSets`);
    if ('il6BlockerCodeSets' in c) add(c.il6BlockerCodeSets, `${path}.il6BlockerCodeSets`);
  });
  p.cautions.forEach((c, i) => {
    if ('codeSets' in c) add(c.codeSets, `cautions[${i}].codeSets`);
  });
  p.missingWorkup.forEach((w, i) => {
    if ('codeSets' in w) add(w.codeSets, `missingWorkup[${i}].codeSets`);
    if ('orderCodeSets' in w && w.orderCodeSets !== undefined)
      add(w.orderCodeSets, `missingWorkup[${i}].orderCodeSets`);
  });
  return out;
}

/** Every citation key the pathway uses, with the field path (for parseKnowledge's cross-check). */
export function pathwayCitationKeys(p: Pathway): { key: string; path: string }[] {
  const out: { key: string; path: string }[] = [];
  const walk = (node: unknown, path: string): void => {
    if (Array.isArray(node)) {
      node.forEach((v, i) => walk(v, `${path}[${i}]`));
    } else if (node !== null && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        const child = path === '' ? k : `${path}.${k}`;
        if ((k === 'citation' || k === 'minimumDoseCitation') && typeof v === 'string')
          out.push({ key: v, path: child });
        else if (k !== 'citations') walk(v, child);
      }
    }
  };
  walk(p, '');
  return out;
}
