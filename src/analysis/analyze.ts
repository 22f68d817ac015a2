/**
 * `trd analyze`: runs every analysis of a two-arm trial on a validated dataset and assembles the JSON document
 * (`schema: "precision-trd/analysis@1"`). Each block is computed by src/stats; a block that cannot be computed says
 * so (`available: false, reason`) instead of being left out silently or faked.
 */
import { issue, type Issue } from '../record/index.ts';
import { ancova, MIN_SUBJECTS_PER_ARM, type AncovaResult } from '../stats/ancova.ts';
import { summarize } from '../stats/ancova-t-tests.ts';
import { hedgesG, type HedgesG } from '../stats/effect-size.ts';
import { biomarkerStratum } from '../stats/biomarker-stratum.ts';
import {
  biomarkerInteraction,
  biomarkerStrata,
  type InteractionResult,
  type StrataResult,
} from '../stats/interaction.ts';
import { tInference, type TInference } from '../stats/linear/ols.ts';
import { CRP_MOLAR_FACTOR_ITEM } from '../pathway/inflammation.ts';
import type { ColumnMap, LongRow, TrialDataset } from './dataset.ts';
import { isBaselineVisitLabel } from './dataset.ts';
import type { MmrmInference, MmrmRunner, MmrmTrialResult, MmrmVisitOutcome } from './mmrm-port.ts';
import { responderAnalysis, responseNotEvaluable, type ResponderAnalysis } from './responders.ts';
import { fmt, fmtPIs } from './format.ts';

export const ANALYSIS_SCHEMA = 'precision-trd/analysis@1';

export interface AnalysisOptions {
  /** Stratum cut and log-scale centre for the biomarker (e.g. 3 mg/L hs-CRP); requires a biomarker column. */
  readonly biomarkerCut?: number;
  /** Response = change <= -responseReduction x baseline. */
  readonly responseReduction: number;
  /** Remission = post score <= remissionMax; remission is not analysed without it. */
  readonly remissionMax?: number;
  /** Biomarker values at which the interaction model reports the treatment effect. */
  readonly effectsAt: readonly number[];
  readonly level: number;
}

export interface Unavailable {
  readonly available: false;
  readonly reason: string;
}

export interface VisitDescriptive {
  readonly visit: string;
  readonly arm: string;
  readonly n: number;
  readonly mean: number | null;
  readonly sd: number | null;
  /** t-based CI of the observed mean change; null below 2 observations. */
  readonly ci: [number, number] | null;
}

export interface MmrmBlock {
  readonly available: true;
  /** Always true: a fit that did not converge is an Unavailable block, never numbers. */
  readonly converged: true;
  readonly kenwardRoger: MmrmInference;
  readonly satterthwaite: MmrmInference;
  /** Every visit; one whose arm term was dropped (no outcome of an arm there) is `{ visit, available: false, reason }`. */
  readonly visits: MmrmVisitOutcome[];
  /** The fitted unstructured covariance, its rows and columns in the order of `covarianceVisits`. */
  readonly covariance: readonly (readonly number[])[];
  /** The visits of `covariance`: those with at least one outcome (a visit without any is left out of the fit). */
  readonly covarianceVisits: readonly string[];
  readonly iterations: number;
  readonly logLik: number;
  /** Subjects in the fit (a baseline, a stratum when stratified, and at least one post-baseline outcome). */
  readonly subjects: number;
  /** Post-baseline outcomes (long rows) in the fit. */
  readonly observations: number;
}

export interface AnalysisInputSummary {
  readonly file: string;
  /** The CSV columns analysed (--subject, --arm, --visit, --outcome, --baseline, --biomarker). */
  readonly columns: ColumnMap;
  readonly outcomeType: TrialDataset['outcomeType'];
  readonly subjects: { readonly treatment: number; readonly control: number };
  readonly visits: string[];
  readonly primaryVisit: string;
  readonly options: Record<string, unknown>;
}

export interface AnalysisReport {
  readonly schema: typeof ANALYSIS_SCHEMA;
  readonly input: AnalysisInputSummary;
  readonly conventions: string[];
  readonly descriptives: VisitDescriptive[];
  readonly ancova: (AncovaResult & TInference) | Unavailable;
  readonly mmrm: MmrmBlock | Unavailable;
  readonly response: ResponderAnalysis;
  readonly remission: ResponderAnalysis | Unavailable;
  readonly hedgesG: HedgesG | Unavailable;
  /**
   * The ln(biomarker) model with the by-stratum effects; when that model cannot be fitted, its reason with the
   * by-stratum effects still (`InteractionUnavailable`); without --biomarker-cut, only the reason.
   */
  readonly interaction: InteractionBlock | InteractionUnavailable | Unavailable;
  /**
   * Present only when the biomarker column has a conversion column beside it (the trial export's `crp_conversion`):
   * how many subjects' biomarker was converted from a molar unit, with which factor, how many of them with an
   * unverified one, and the interaction without those (docs/statistics.md 'A CRP converted with an unverified factor').
   */
  readonly biomarkerConversion?: BiomarkerConversionBlock;
  readonly issues: Issue[];
}

/** One conversion named in the conversion column, with the subjects whose biomarker rests on it. */
export interface ConversionUsed {
  /** The factor as the export names it ("CRP molar factor (nmol/L per mg/L) 9.524 [U]"); null when not recognised. */
  readonly conversion: string | null;
  /** Flagged [U] in the cell, or not recognised (so not known to be verified). */
  readonly unverified: boolean;
  readonly subjects: number;
}

export interface BiomarkerConversionBlock {
  /** The CSV column read. */
  readonly column: string;
  /** Subjects whose baseline biomarker was converted from a molar unit. */
  readonly subjects: number;
  /** Of those, converted with a factor flagged unverified [U] (or not recognised). */
  readonly unverified: number;
  readonly conversions: ConversionUsed[];
  /** Of the unverified ones, those in the ln(biomarker) interaction model (a primary-visit change, baseline, value). */
  readonly inInteractionModel: number;
  /**
   * The interaction and by-stratum effects refitted without the subjects of an unverified conversion; present when
   * there are any and --biomarker-cut is given.
   */
  readonly sensitivity?: {
    readonly excluded: number;
    readonly interaction: InteractionBlock | InteractionUnavailable;
  };
}

export type InteractionBlock = InteractionResult & {
  readonly estimate: number;
  readonly se: number;
  readonly p: number;
};

/** The ln(biomarker) model could not be fitted; the by-stratum model, which needs only the stratum, is reported. */
export interface InteractionUnavailable extends Unavailable {
  readonly strata: StrataResult;
}

export const CONVENTIONS = [
  'change = post-baseline score - baseline score; negative change = improvement on depression scales',
  'effects are treatment minus control (R contr.treatment with the control arm as reference level)',
  'ANCOVA: change ~ arm + baseline (+ stratum) at the primary visit, observed cases; t on n - p df',
  'LS means: equal weights over the biomarker stratum; baseline at its mean over the analysed rows (emmeans/SAS LSMEANS)',
  'MMRM: change ~ arm*visit + baseline*visit (+ stratum), unstructured covariance, REML; Kenward-Roger as SAS DDFM=KR',
  'MMRM: aliased design columns are dropped (as R mmrm and SAS); a visit whose LS means depend on them is not estimable',
  'a missing baseline: the subject is left out of the ANCOVA, MMRM and biomarker model (complete cases, as R lm and mmrm)',
  'responders: NRI counts subjects without a primary-visit outcome as non-responders; "observed" uses observed cases only',
  'response needs a baseline above 0 (a percentage reduction): without one, a non-responder under NRI, not an observed case',
  'NRI denominators are the subjects present in the CSV: give randomised subjects without post-baseline data a row with an empty outcome',
  'risk difference CI: Newcombe (1998) hybrid score, method 10; NNT = 1/RD, CI from the Newcombe bounds (Altman 1998)',
  'Hedges g: exact small-sample correction J; Hedges-Olkin SE with normal CI, and noncentral-t pivot CI',
  'interaction: change ~ arm * ln(biomarker/cut) + baseline; the arm term is the effect at the cut',
  'stratum: biomarker >= cut (inclusive)',
  'a biomarker reported beyond an assay limit (as <0.2 or >10): in the stratum its limit places it in, left out of the ln(biomarker) model',
];

/** Runs all analyses. `mmrm` is the MMRM fitter, or null/a reason when it is not available. */
export function analyzeTrial(
  ds: TrialDataset,
  options: AnalysisOptions,
  file: string,
  mmrm: MmrmRunner | string,
): AnalysisReport {
  const issues: Issue[] = [];
  const stratified = options.biomarkerCut !== undefined;
  const primaryRows = ds.rows.filter((r) => r.visit === ds.primaryVisit);
  // The models that adjust for baseline use the subjects who have one (complete cases, as R's lm and mmrm); the
  // dataset's warning analysis.baseline.missing says how many are left out.
  const primaryAdjusted = primaryRows.filter(hasBaseline);
  const count = (arm: string): number => ds.subjects.filter((s) => s.arm === arm).length;

  const anc = ancova(primaryAdjusted, {
    treatment: ds.treatment,
    control: ds.control,
    level: options.level,
    ...(stratified ? { biomarkerCut: options.biomarkerCut } : {}),
  });
  issues.push(...warningsOf(anc.issues));

  const observedChange = (arm: string): number[] =>
    primaryRows.filter((r) => r.arm === arm && r.change !== null).map((r) => r.change as number);
  const treatedChange = observedChange(ds.treatment);
  const controlChange = observedChange(ds.control);

  if (stratified) {
    // The stratified MMRM needs each row's stratum: rows without a biomarker are left out of it, and it is said so.
    const cut = options.biomarkerCut as number;
    const without = new Set(
      ds.rows.filter((r) => biomarkerStratum(r.biomarker, r.biomarkerLimit, cut) === null).map((r) => r.subject),
    ).size;
    if (without > 0) {
      issues.push(
        issue(
          'analysis.biomarker.missing',
          `${without} subject${without === 1 ? ' without a biomarker value is' : 's without a biomarker value are'} left out of the MMRM too (it is stratified by it); the responder analyses keep them`,
          undefined,
          'warning',
        ),
      );
    }
    // A value beyond the assay's limit ("<0.2") has a stratum but no logarithm.
    // The limits as reported, with their counts ("3 at <0.2, 2 at >10"), in order of first appearance.
    const limits = new Map<string, number>();
    for (const r of primaryRows) {
      const l = r.biomarkerLimit;
      if (r.change === null || l === undefined) continue;
      const text = `${l.side === 'below' ? '<' : '>'}${l.inclusive ? '=' : ''}${String(l.limit)}`;
      limits.set(text, (limits.get(text) ?? 0) + 1);
    }
    const censored = [...limits.values()].reduce((a, b) => a + b, 0);
    if (censored > 0) {
      const which = [...limits].map(([text, n]) => `${n} at ${text}`).join(', ');
      issues.push(
        issue(
          'analysis.biomarker.censored',
          `${censored} subject${censored === 1 ? ' with a biomarker reported beyond an assay limit' : 's with a biomarker reported beyond an assay limit'} (${which}) ${censored === 1 ? 'is' : 'are'} left out of the ln(biomarker) interaction model, which needs its value; the stratified ANCOVA, the MMRM and the by-stratum effects keep those the limit places against the cut`,
          undefined,
          'warning',
        ),
      );
    }
  }

  const notEvaluable = responseNotEvaluable(ds);
  if (notEvaluable > 0) {
    issues.push(
      issue(
        'analysis.response.baseline-not-positive',
        `${notEvaluable} subject${notEvaluable === 1 ? ' with a baseline score of 0 or less has' : 's with a baseline score of 0 or less have'} no percentage reduction: not evaluable for response (non-responders under NRI, left out of the observed cases)`,
        undefined,
        'warning',
      ),
    );
  }

  let interaction: AnalysisReport['interaction'] = {
    available: false,
    reason: 'no --biomarker and --biomarker-cut given',
  };
  if (stratified) {
    const res = interactionModel(primaryAdjusted, ds, options);
    issues.push(...res.warnings);
    interaction = res.block;
  }
  const conversion = conversionBlock(ds, options, primaryAdjusted, issues);

  return {
    schema: ANALYSIS_SCHEMA,
    input: {
      file,
      columns: ds.columns,
      outcomeType: ds.outcomeType,
      subjects: { treatment: count(ds.treatment), control: count(ds.control) },
      visits: ds.visits,
      primaryVisit: ds.primaryVisit,
      options: { treatment: ds.treatment, control: ds.control, ...options },
    },
    conventions: CONVENTIONS,
    descriptives: describeByVisit(ds, options.level),
    ancova: anc.ok
      ? { ...anc.value, ...anc.value.difference }
      : { available: false, reason: anc.issues.map((i) => i.message).join('; ') },
    mmrm: runMmrm(ds, stratified ? options.biomarkerCut : undefined, mmrm, issues),
    response: responderAnalysis(ds, { kind: 'response', reduction: options.responseReduction }, options.level),
    remission:
      options.remissionMax === undefined
        ? { available: false, reason: 'no --remission-max given' }
        : responderAnalysis(ds, { kind: 'remission', maxScore: options.remissionMax }, options.level),
    hedgesG: effectSize(treatedChange, controlChange, options.level),
    interaction,
    ...(conversion === undefined ? {} : { biomarkerConversion: conversion }),
    issues,
  };
}

/**
 * The ln(biomarker) model with its by-stratum effects. The by-stratum model needs only the stratum: it is reported
 * also when the ln(biomarker) model cannot be fitted (nearly every value beyond the assay limit), rather than lost
 * with it.
 */
function interactionModel(
  rows: readonly (LongRow & { readonly baseline: number })[],
  ds: TrialDataset,
  options: AnalysisOptions,
): { block: InteractionBlock | InteractionUnavailable; warnings: Issue[] } {
  const interactionSpec = {
    treatment: ds.treatment,
    control: ds.control,
    biomarkerCut: options.biomarkerCut as number,
    effectsAt: options.effectsAt,
    level: options.level,
  };
  const res = biomarkerInteraction(rows, interactionSpec);
  return {
    warnings: warningsOf(res.issues),
    block: res.ok
      ? {
          ...res.value,
          estimate: res.value.interaction.estimate,
          se: res.value.interaction.se,
          p: res.value.interaction.p,
        }
      : {
          available: false,
          reason: res.issues.map((i) => i.message).join('; '),
          strata: biomarkerStrata(rows, interactionSpec),
        },
  };
}

/**
 * A conversion cell as the trial export writes it names the pathway's CRP molar factor, with [U] while it is
 * unverified (src/trial/strata.ts crpFactorText); any other text is not recognised, so not known to be verified, and
 * is not quoted (it is the file's data).
 */
function readConversion(cell: string): { conversion: string | null; unverified: boolean } {
  if (!cell.startsWith(CRP_MOLAR_FACTOR_ITEM)) return { conversion: null, unverified: true };
  return { conversion: cell, unverified: cell.includes('[U]') };
}

/**
 * What the biomarker analyses rest on when some baseline values were converted from a molar unit: the subjects, the
 * factors, a warning when a factor is unverified, and the interaction refitted without those subjects. Undefined
 * when the file has no conversion column (the analysis is then as without one).
 */
function conversionBlock(
  ds: TrialDataset,
  options: AnalysisOptions,
  primaryAdjusted: readonly (LongRow & { readonly baseline: number })[],
  issues: Issue[],
): BiomarkerConversionBlock | undefined {
  const column = ds.columns.biomarkerConversion;
  if (column === undefined) return undefined;
  const byText = new Map<string, ConversionUsed>();
  const unverifiedSubjects = new Set<string>();
  for (const s of ds.subjects) {
    if (s.biomarkerConversion === undefined) continue;
    const read = readConversion(s.biomarkerConversion);
    const key = read.conversion ?? '';
    const prior = byText.get(key);
    byText.set(key, { ...read, subjects: (prior?.subjects ?? 0) + 1 });
    if (read.unverified) unverifiedSubjects.add(s.subject);
  }
  const conversions = [...byText.values()];
  const subjects = conversions.reduce((n, c) => n + c.subjects, 0);
  const unverified = unverifiedSubjects.size;
  const inModel = primaryAdjusted.filter(
    (r) => unverifiedSubjects.has(r.subject) && r.change !== null && r.biomarker !== null,
  ).length;
  const block: BiomarkerConversionBlock = {
    column,
    subjects,
    unverified,
    conversions,
    inInteractionModel: inModel,
  };
  if (unverified === 0) return block;
  const named = conversions
    .filter((c) => c.unverified)
    .map((c) => `${c.subjects} with ${c.conversion ?? 'a conversion this version does not recognise'}`)
    .join(', ');
  const stratified = options.biomarkerCut !== undefined;
  const kept = primaryAdjusted.filter((r) => !unverifiedSubjects.has(r.subject));
  // With every outcome's biomarker converted nothing is left to refit: said so, rather than as the model's "only 0
  // subjects have a biomarker value".
  const none =
    'every subject with a primary-visit outcome has a biomarker converted with an unverified factor: none is left';
  const sensitivity = !stratified
    ? undefined
    : kept.some((r) => r.change !== null)
      ? interactionModel(kept, ds, options).block
      : { available: false as const, reason: none, strata: { available: false as const, reason: none } };
  const without =
    sensitivity === undefined
      ? ''
      : 'available' in sensitivity
        ? `; without them the interaction is not available (${sensitivity.reason})`
        : `; without them the interaction is ${fmt(sensitivity.estimate)} per unit ln(biomarker), ${fmtPIs(sensitivity.p)} (n = ${sensitivity.n})`;
  issues.push(
    issue(
      'analysis.biomarker.converted-unverified',
      `${unverified} subject${unverified === 1 ? "'s" : "s'"} baseline biomarker was converted from a molar unit (nmol/L) with an unverified factor [U] (column ${column}: ${named}; the pathway's CRP molar factor, used by the trial store at enrolment): the biomarker interaction (${inModel} of its subjects), the by-stratum effects and the stratum in the ANCOVA and MMRM rest on that factor for them${without}`,
      undefined,
      'warning',
    ),
  );
  return sensitivity === undefined
    ? block
    : { ...block, sensitivity: { excluded: unverified, interaction: sensitivity } };
}

/**
 * A block that cannot be computed is `{ available: false, reason }` in its place, and only there (docs/statistics.md
 * 'A block that cannot be computed'): `issues` keeps the warnings about what was analysed, so a failed ANCOVA or
 * interaction model is recorded as a failed MMRM or Hedges g is, not also as an `error` in `issues`.
 */
function warningsOf(list: readonly Issue[]): Issue[] {
  return list.filter((i) => i.severity !== 'error');
}

function hasBaseline(row: LongRow): row is LongRow & { readonly baseline: number } {
  return row.baseline !== null;
}

function effectSize(treated: number[], control: number[], level: number): HedgesG | Unavailable {
  if (treated.length < MIN_SUBJECTS_PER_ARM || control.length < MIN_SUBJECTS_PER_ARM)
    return {
      available: false,
      reason: `fewer than ${MIN_SUBJECTS_PER_ARM} observed subjects in an arm at the primary visit`,
    };
  const g = hedgesG(treated, control, level);
  return g.ok ? g.value : { available: false, reason: g.issues.map((i) => i.message).join('; ') };
}

/** Observed mean change by visit and arm with a t-based CI (descriptive; the plot of mean change uses it). */
export function describeByVisit(ds: TrialDataset, level: number): VisitDescriptive[] {
  const out: VisitDescriptive[] = [];
  for (const visit of ds.visits) {
    for (const arm of [ds.control, ds.treatment]) {
      const values = ds.rows
        .filter((r) => r.visit === visit && r.arm === arm && r.change !== null)
        .map((r) => r.change as number);
      if (values.length < 2) {
        const mean = values.length === 1 ? values[0]! : null;
        out.push({ visit, arm, n: values.length, mean, sd: null, ci: null });
        continue;
      }
      const s = summarize(values);
      const inf = tInference(s.mean, s.sd / Math.sqrt(s.n), s.n - 1, level);
      out.push({ visit, arm, n: s.n, mean: s.mean, sd: s.sd, ci: inf.ci });
    }
  }
  return out;
}

/**
 * The likely reason an unstructured-covariance MMRM fails to converge, from the data's shape: too many covariance
 * parameters for the subjects, a visit with few outcomes, or (otherwise) a near-singular covariance.
 */
export function likelyNonConvergenceCause(
  ds: TrialDataset,
  rows: readonly { subject: string; visit: string; change: number | null }[],
): string {
  const v = ds.visits.length;
  const parameters = (v * (v + 1)) / 2;
  const subjects = new Set(rows.filter((r) => r.change !== null).map((r) => r.subject)).size;
  if (subjects < 2 * parameters) {
    return `likely cause: ${v} visits need ${parameters} covariance parameters (unstructured) and only ${subjects} subjects have an outcome; analyse fewer visits`;
  }
  const perVisit = new Map<string, number>();
  for (const r of rows) if (r.change !== null) perVisit.set(r.visit, (perVisit.get(r.visit) ?? 0) + 1);
  const fewest = ds.visits.reduce((min, visit) => Math.min(min, perVisit.get(visit) ?? 0), Infinity);
  if (fewest < v + 2) {
    return `likely cause: a visit with only ${fewest} outcomes; drop or merge the sparse visits`;
  }
  return 'likely cause: a near-singular covariance (outcomes almost identical across visits, or without variation)';
}

function runMmrm(
  ds: TrialDataset,
  cut: number | undefined,
  mmrm: MmrmRunner | string,
  issues: Issue[],
): MmrmBlock | Unavailable {
  if (typeof mmrm === 'string') return { available: false, reason: mmrm };
  const stratumOf = (r: (typeof ds.rows)[number]) => biomarkerStratum(r.biomarker, r.biomarkerLimit, cut as number);
  const kept = ds.rows.filter(hasBaseline).filter((r) => cut === undefined || stratumOf(r) !== null);
  // An enriched trial has one stratum: a constant term R's lm would alias, so the MMRM is fitted without it (as the
  // ANCOVA, src/stats/ancova.ts), and says so.
  const sides = new Set(kept.filter((r) => r.change !== null).map((r) => stratumOf(r) === 1));
  const stratum = cut !== undefined && sides.size === 2;
  if (cut !== undefined && !stratum && sides.size === 1) {
    issues.push(
      issue(
        'analysis.mmrm.one-stratum',
        `every subject analysed is in the stratum biomarker ${sides.has(true) ? '>=' : '<'} ${cut}: the stratum term is left out of the MMRM`,
        undefined,
        'warning',
      ),
    );
  }
  const rows = kept.map((r) => ({
    subject: r.subject,
    arm: r.arm,
    visit: r.visit,
    change: r.change,
    baseline: r.baseline,
    ...(stratum ? { stratum: stratumOf(r) as number } : {}),
  }));
  // An arm without outcomes at a visit aliases that arm's visit term: the fitter drops it, as R's mmrm and SAS do, and
  // estimates the other visits (warning stats.mmrm.aliased). At the primary visit nothing is left to estimate.
  const observedAt = (from: readonly { visit: string; arm: string; change: number | null }[], arm: string) =>
    from.some((r) => r.visit === ds.primaryVisit && r.arm === arm && r.change !== null);
  for (const arm of [ds.treatment, ds.control]) {
    if (!observedAt(rows, arm)) {
      // Outcomes that are there but all from subjects the model leaves out are not "no outcome": say which.
      const leftOut = observedAt(ds.rows, arm)
        ? ` from a subject with a baseline${cut === undefined ? '' : ' and a biomarker stratum'} (the model needs ${cut === undefined ? 'it' : 'both'}; the ${arm} outcomes there are all from subjects without)`
        : '';
      return {
        available: false,
        reason: `MMRM not fitted: no ${arm} outcome at the primary visit ${ds.primaryVisit}${leftOut}, so the treatment difference there cannot be estimated`,
      };
    }
  }
  // One subject in an arm: R's mmrm would estimate it, but that arm's mean is one patient and its variance comes
  // from the other arm alone; refused as the ANCOVA refuses it (docs/statistics.md 'One subject in an arm').
  const tooFew = tooFewPerArm(rows, ds, ds.primaryVisit);
  if (tooFew !== null) {
    return { available: false, reason: `MMRM not fitted: ${tooFew} at the primary visit ${ds.primaryVisit}` };
  }
  let value: unknown;
  try {
    value = mmrm(rows, {
      treatment: ds.treatment,
      control: ds.control,
      visits: ds.visits,
      primaryVisit: ds.primaryVisit,
      stratum,
    });
  } catch (err) {
    // The MMRM is another module's code: a thrown error becomes an unavailable block, not a crashed report.
    return { available: false, reason: `MMRM failed: ${err instanceof Error ? err.message : String(err)}` };
  }
  const result = unwrap(value);
  if (typeof result === 'string') return { available: false, reason: result };
  if (!result.converged) {
    // A non-converged fit's estimate, SE and df are wherever the optimiser stopped: not a result. The fitter's own
    // issues name what went wrong (an aliased column, the iteration limit); the guess from the data's shape is only
    // used when it gave none.
    const why = (result.issues ?? []).map((i) => (i as Issue).message).join('; ');
    // Baseline rows among the visits (change 0 by construction) alias the baseline-by-visit slope: the fitter's own
    // guess would blame the data's shape, so the known cause comes first.
    const baselineVisit = ds.visits.find(isBaselineVisitLabel);
    const known =
      baselineVisit === undefined
        ? ''
        : `visit "${baselineVisit}" looks like the baseline visit (warning analysis.visit.baseline-row): remove those rows and analyse again; `;
    return {
      available: false,
      reason: `MMRM did not converge: ${known}${why === '' ? likelyNonConvergenceCause(ds, rows) : why}`,
    };
  }
  issues.push(...(result.issues ?? []).filter((i) => i.severity === 'warning'));
  return {
    available: true,
    converged: true,
    kenwardRoger: result.primary.difference.kenwardRoger,
    satterthwaite: result.primary.difference.satterthwaite,
    // Another visit with one subject in an arm is reported as not available there, by the same rule.
    visits: result.visits.map((v) => {
      const few = 'available' in v ? null : tooFewPerArm(rows, ds, v.visit);
      return few === null ? v : { visit: v.visit, available: false, reason: `${few} at visit ${v.visit}` };
    }),
    covariance: result.covariance,
    covarianceVisits: result.covarianceVisits,
    iterations: result.iterations,
    logLik: result.logLik,
    subjects: result.subjects,
    observations: result.observations,
  };
}

/** "need >= 2 analysed subjects per arm (have 1 and 30)", as the ANCOVA words it, or null when each arm has enough. */
function tooFewPerArm(
  rows: readonly { subject: string; arm: string; visit: string; change: number | null }[],
  ds: TrialDataset,
  visit: string,
): string | null {
  const n = (arm: string): number =>
    new Set(rows.filter((r) => r.visit === visit && r.arm === arm && r.change !== null).map((r) => r.subject)).size;
  const treated = n(ds.treatment);
  const controls = n(ds.control);
  return treated >= MIN_SUBJECTS_PER_ARM && controls >= MIN_SUBJECTS_PER_ARM
    ? null
    : `need >= ${MIN_SUBJECTS_PER_ARM} analysed subjects per arm (have ${treated} and ${controls})`;
}

/** Accepts either a bare MmrmTrialResult or a Result wrapping one; returns a reason string on failure. */
function unwrap(value: unknown): MmrmTrialResult | string {
  if (value !== null && typeof value === 'object' && 'ok' in value) {
    const r = value as { ok: boolean; value?: MmrmTrialResult; issues?: Issue[] };
    if (!r.ok || r.value === undefined)
      return `MMRM failed: ${(r.issues ?? []).map((i) => i.message).join('; ') || 'no result'}`;
    return r.value;
  }
  return value as MmrmTrialResult;
}
