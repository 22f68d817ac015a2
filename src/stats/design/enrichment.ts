/**
 * Enrichment (randomise only biomarker-positive patients, e.g. CRP >= 3 mg/L) versus all-comers, analytically.
 *
 * With prevalence pi of biomarker-positive patients, effects delta+ (positive) and delta- (negative), and common
 * within-arm SD sigma (the biomarker is not prognostic):
 *  - all-comers effect: delta_all = pi delta+ + (1 - pi) delta-;
 *  - the treated arm is a mixture, so its variance grows by pi (1 - pi) (delta+ - delta-)^2; the t-test uses the
 *    pooled SD sqrt(sigma^2 + pi (1 - pi) (delta+ - delta-)^2 / 2);
 *  - the enriched trial must screen 1 / pi patients per randomised patient, 2 n / pi in all (expected count).
 * Same formulas as reference/stats-reference/scripts/05_design.R (enrichment_analytic).
 */
import { issue, ok, fail, type Issue, type Result } from '../../record/index.ts';
import {
  checkPower,
  checkTTestSettings,
  notAProportion,
  ttestSampleSize,
  type Sides,
  type SampleSize,
} from './ttest.ts';

export interface EnrichmentInput {
  /** Proportion of screened patients who are biomarker-positive, in (0, 1). */
  readonly prevalence: number;
  /** Treatment effect in biomarker-positive patients (> 0; the enriched trial is powered on it). */
  readonly deltaPlus: number;
  /** Treatment effect in biomarker-negative patients (may be 0 or negative). */
  readonly deltaMinus: number;
  /** Within-arm SD, common to both subgroups. */
  readonly sd: number;
  readonly power: number;
  readonly alpha?: number;
  readonly sides?: Sides;
  readonly strict?: boolean;
}

export interface DesignArmSummary extends SampleSize {
  /** Effect the design is powered on. */
  readonly delta: number;
  /** SD used in the t-test power calculation. */
  readonly sd: number;
  /** Patients randomised (both arms). */
  readonly randomised: number;
  /** Patients screened per randomised patient (1 / prevalence for enrichment, 1 for all-comers). */
  readonly screenedPerRandomised: number;
  /** Expected number screened: randomised x screenedPerRandomised. */
  readonly screenedExpected: number;
}

/** An all-comers trial whose mixture effect is not > 0: nothing to power it on; the enriched design still stands. */
export interface AllComersNotPowerable {
  readonly available: false;
  /** The all-comers effect pi delta+ + (1 - pi) delta-, <= 0. */
  readonly delta: number;
  readonly reason: string;
}

export interface EnrichmentAnalytic {
  readonly prevalence: number;
  readonly enriched: DesignArmSummary;
  readonly allComers:
    | (DesignArmSummary & {
        /** SD of the treated arm alone: sqrt(sigma^2 + pi (1 - pi) (delta+ - delta-)^2). */
        readonly treatedArmSd: number;
      })
    | AllComersNotPowerable;
}

export function checkPrevalence(prevalence: number, path = 'design.prevalence'): Issue[] {
  return prevalence > 0 && prevalence < 1
    ? []
    : [issue('design.prevalence.invalid', notAProportion('prevalence', prevalence), path)];
}

/**
 * @example enrichmentAnalytic({ prevalence: 0.45, deltaPlus: 4, deltaMinus: 1, sd: 8, power: 0.8 })
 *   // enriched.nPerArm 64, enriched.screenedExpected 284.4, allComers.nPerArmExact 186.05
 */
export function enrichmentAnalytic(input: EnrichmentInput): Result<EnrichmentAnalytic> {
  const { prevalence: pi, deltaPlus, deltaMinus, sd } = input;
  // The t-test checks name their effect "delta"; here it is delta+, the one option of that name.
  const issues = [
    ...checkPrevalence(pi),
    ...checkTTestSettings({ ...input, delta: deltaPlus }).map((i) =>
      i.code === 'design.delta.invalid'
        ? issue(
            'design.delta-plus.invalid',
            `delta-plus must be a finite number > 0, the effect the enriched trial is powered on (got ${deltaPlus})`,
            'design.deltaPlus',
          )
        : i,
    ),
    ...checkPower(input.power),
  ];
  if (!Number.isFinite(deltaMinus)) {
    issues.push(issue('design.delta-minus.invalid', `delta-minus must be a finite number (got ${deltaMinus})`));
  }
  if (issues.length > 0) return fail(issues);
  const deltaAll = pi * deltaPlus + (1 - pi) * deltaMinus;
  const mixtureVariance = pi * (1 - pi) * (deltaPlus - deltaMinus) ** 2;
  const sdPooled = Math.sqrt(sd * sd + mixtureVariance / 2);
  const common = { power: input.power, alpha: input.alpha, sides: input.sides, strict: input.strict };
  const enriched = ttestSampleSize({ ...common, delta: deltaPlus, sd });
  if (!enriched.ok) return enriched;
  const enrichedRandomised = enriched.value.totalN;
  const enrichedDesign: DesignArmSummary = {
    ...enriched.value,
    delta: deltaPlus,
    sd,
    randomised: enrichedRandomised,
    screenedPerRandomised: 1 / pi,
    screenedExpected: enrichedRandomised / pi,
  };
  // CRP-low patients harmed enough that the mixture effect is not > 0: the case for enrichment, which is still sized.
  if (!(deltaAll > 0)) {
    return ok({
      prevalence: pi,
      enriched: enrichedDesign,
      allComers: {
        available: false,
        delta: deltaAll,
        reason: `the all-comers effect pi delta+ + (1 - pi) delta- = ${Number(deltaAll.toPrecision(6))} is not > 0: no all-comers trial can be powered to show it`,
      },
    });
  }
  const allComers = ttestSampleSize({ ...common, delta: deltaAll, sd: sdPooled });
  if (!allComers.ok) return allComers;
  return ok({
    prevalence: pi,
    enriched: enrichedDesign,
    allComers: {
      ...allComers.value,
      delta: deltaAll,
      sd: sdPooled,
      treatedArmSd: Math.sqrt(sd * sd + mixtureVariance),
      randomised: allComers.value.totalN,
      screenedPerRandomised: 1,
      screenedExpected: allComers.value.totalN,
    },
  });
}
