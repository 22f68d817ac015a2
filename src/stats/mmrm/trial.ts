/**
 * The trial-facing MMRM: change ~ arm * visit + baseline * visit (+ stratum), unstructured covariance by subject,
 * REML; LS means and treatment - control differences at every visit with Kenward-Roger (SAS DDFM=KR) and
 * Satterthwaite inference. Conventions (reference/stats-reference/README.md section 2): treatment contrasts with the
 * control arm and the first visit as references; LS means with equal weights over factors, baseline at its mean
 * over the analysed long-format rows, and a 0/1 stratum at 0.5 (equal weights over the two strata, as emmeans and
 * SAS LSMEANS with a CLASS stratum; see lsmeans.ts).
 */
import { issue, type Issue } from '../../record/index.ts';
import { contrast, adjustedBetaCovariance, type ContrastResult } from './contrast.ts';
import { buildDesign, isEstimable, type DesignMatrix, type DesignSpec } from './design.ts';
import { fitMmrm } from './fit.ts';
import { referenceCovariateValues, referenceGridRow } from './lsmeans.ts';

export interface MmrmTrialRow {
  readonly subject: string;
  readonly arm: string;
  readonly visit: string;
  /** Post - baseline; null when the visit is missing (the row is left out, as MAR). */
  readonly change: number | null;
  readonly baseline: number;
  /** Numeric stratum covariate (e.g. 1 = hs-CRP >= 3 mg/L), used when spec.stratum is true. */
  readonly stratum?: number;
}

export interface MmrmTrialSpec {
  readonly treatment: string;
  readonly control: string;
  /** Visits in time order; the first is the reference level. */
  readonly visits: readonly string[];
  readonly primaryVisit: string;
  readonly stratum: boolean;
}

export interface LsMeanResult {
  readonly estimate: number;
  readonly se: number;
  readonly df: number;
  readonly ci: readonly [number, number];
}

export interface MmrmVisitResult {
  readonly visit: string;
  /** Kenward-Roger (as SAS LSMEANS under DDFM=KR). */
  readonly lsMeans: { readonly treatment: LsMeanResult; readonly control: LsMeanResult };
  /** Treatment - control. */
  readonly difference: { readonly kenwardRoger: ContrastResult; readonly satterthwaite: ContrastResult };
}

/** A visit whose treatment difference depends on dropped (aliased) columns: R's emmeans and SAS say "non-est". */
export interface MmrmVisitUnavailable {
  readonly visit: string;
  readonly available: false;
  readonly reason: string;
}

export type MmrmVisitOutcome = MmrmVisitResult | MmrmVisitUnavailable;

export interface MmrmCoefficient extends ContrastResult {
  readonly name: string;
}

/** A converged trial MMRM: the only result that carries estimates. */
export interface MmrmTrialFit {
  readonly converged: true;
  /** Every visit: estimated, or not estimable (an arm without outcomes there, its term dropped as aliased). */
  readonly visits: MmrmVisitOutcome[];
  /** The primary visit, always estimable in a converged fit. */
  readonly primary: MmrmVisitResult;
  /** Estimated unstructured covariance over `covarianceVisits`. */
  readonly covariance: number[][];
  /** The visits of the covariance, in spec order: those with at least one outcome. */
  readonly covarianceVisits: string[];
  readonly iterations: number;
  readonly logLik: number;
  /** -2 REML log-likelihood as SAS's "-2 Res Log Likelihood". */
  readonly minus2LogLik: number;
  readonly maxAbsGradient: number;
  /** Covariate values of the LS-means reference grid: baseline mean over the analysed long rows; stratum 0.5 if 0/1. */
  readonly referenceGrid: { readonly baseline: number; readonly stratum?: number };
  /** Fixed effects with Kenward-Roger SE and df, R column names (armDRUG, visit5, armDRUG:visit5, ...). */
  readonly coefficients: MmrmCoefficient[];
  readonly observations: number;
  readonly subjects: number;
  readonly issues: Issue[];
}

/** Invalid input, a non-estimable model or a fit that did not converge: why, and no estimate at all. */
export interface MmrmTrialFailure {
  readonly converged: false;
  /** The error issues' messages in one line. */
  readonly reason: string;
  readonly issues: Issue[];
}

/** Narrow on `converged` before reading an estimate: a failure has none (TypeScript refuses the read). */
export type MmrmTrialResult = MmrmTrialFit | MmrmTrialFailure;

/** Fits the trial MMRM; invalid input or failure gives an MmrmTrialFailure (`converged: false`, reason, issues). */
export function fitMmrmTrial(rows: readonly MmrmTrialRow[], spec: MmrmTrialSpec): MmrmTrialResult {
  const issues = validate(rows, spec);
  const analysed = rows.filter((row) => row.change !== null);
  if (issues.some((i) => i.severity === 'error')) return failed(issues);
  const empty = spec.visits.filter((visit) => !analysed.some((row) => row.visit === visit));
  if (empty.length > 0) return withoutEmptyVisits(rows, spec, empty);

  const design = trialDesignSpec(analysed, spec);
  const built = buildDesign(design);
  if (!built.ok) return failed([...issues, ...built.issues]);
  const model = built.value;
  const means = referenceCovariateValues(design);
  const plans = spec.visits.map((visit) => visitPlan(design, model, means, spec, visit, analysed));
  const primaryPlan = plans[spec.visits.indexOf(spec.primaryVisit)]!;
  if (primaryPlan.notEstimable !== null) {
    issues.push(
      issue(
        'stats.mmrm.rank-deficient',
        `aliased columns ${model.aliased.join(', ')} (${aliasCause(model.aliased)}): LS means not estimable at the primary visit ${spec.primaryVisit}${primaryPlan.notEstimable.startsWith('no ') ? ` (${primaryPlan.notEstimable})` : ''}`,
      ),
    );
    return failed(issues);
  }
  if (model.aliased.length > 0) {
    // As R's mmrm (accept_singular) and SAS PROC MIXED: the aliased columns are dropped (their coefficients NA), and
    // every LS mean and difference that does not depend on them is still estimated.
    const lost = plans.filter((plan) => plan.notEstimable !== null);
    issues.push(
      issue(
        'stats.mmrm.aliased',
        `aliased columns ${model.aliased.join(', ')} dropped from the MMRM (R's mmrm and SAS PROC MIXED drop them too); ${
          lost.length === 0
            ? 'every visit is still estimated'
            : `not estimable at ${lost.map((plan) => `visit ${plan.visit} (${plan.notEstimable})`).join(', ')}; the other visits are estimated`
        }`,
        undefined,
        'warning',
      ),
    );
  }
  const fitted = fitMmrm(
    {
      subject: analysed.map((r) => r.subject),
      visitIndex: analysed.map((r) => spec.visits.indexOf(r.visit)),
      y: analysed.map((r) => r.change as number),
      X: model.X,
      columnNames: model.columnNames,
      visitCount: spec.visits.length,
      visitLabels: spec.visits,
    },
    { method: 'REML' },
  );
  if (!fitted.ok) return failed([...issues, ...fitted.issues]);
  if (!fitted.value.converged) return failed([...issues, ...fitted.value.issues]);
  const fit = fitted.value;
  issues.push(...fit.issues);
  const lsMean = (row: readonly number[]): LsMeanResult => {
    const { estimate, se, df, ci } = contrast(fit, row, 'kenward-roger');
    return { estimate, se, df, ci };
  };
  const visits = plans.map((plan): MmrmVisitOutcome => {
    if (plan.notEstimable !== null)
      return { visit: plan.visit, available: false, reason: `not estimable: ${plan.notEstimable}` };
    return {
      visit: plan.visit,
      lsMeans: { treatment: lsMean(plan.treatment), control: lsMean(plan.control) },
      difference: {
        kenwardRoger: contrast(fit, plan.difference, 'kenward-roger'),
        satterthwaite: contrast(fit, plan.difference, 'satterthwaite'),
      },
    };
  });
  const adjusted = adjustedBetaCovariance(fit);
  const coefficients = fit.columnNames.map((name, j) => {
    const unit = fit.columnNames.map((_, k) => (k === j ? 1 : 0));
    return { name, ...contrast(fit, unit, adjusted ? 'kenward-roger' : 'satterthwaite') };
  });
  return {
    converged: true,
    visits,
    primary: visits[spec.visits.indexOf(spec.primaryVisit)] as MmrmVisitResult,
    covariance: fit.covariance.map((row) => [...row]),
    covarianceVisits: [...spec.visits],
    iterations: fit.iterations,
    logLik: fit.logLik,
    minus2LogLik: fit.minus2LogLik,
    maxAbsGradient: fit.maxAbsGradient,
    referenceGrid: spec.stratum
      ? { baseline: means.baseline!, stratum: means.stratum! }
      : { baseline: means.baseline! },
    coefficients,
    observations: fit.observations,
    subjects: fit.subjects,
    issues,
  };
}

/**
 * The design of change ~ arm * visit + baseline * visit (+ stratum) over the analysed rows (change not null), with
 * columns (Intercept), armT, visitV..., baseline, stratum, armT:visitV..., baseline:visitV...
 */
export function trialDesignSpec(analysed: readonly MmrmTrialRow[], spec: MmrmTrialSpec): DesignSpec {
  return {
    variables: {
      arm: { kind: 'factor', values: analysed.map((r) => r.arm), levels: [spec.control, spec.treatment] },
      visit: { kind: 'factor', values: analysed.map((r) => r.visit), levels: [...spec.visits] },
      baseline: { kind: 'numeric', values: analysed.map((r) => r.baseline) },
      ...(spec.stratum ? { stratum: { kind: 'numeric', values: analysed.map((r) => r.stratum ?? Number.NaN) } } : {}),
    },
    terms: [
      ['arm'],
      ['visit'],
      ['baseline'],
      ...(spec.stratum ? [['stratum']] : []),
      ['arm', 'visit'],
      ['baseline', 'visit'],
    ],
  };
}

/**
 * Visits without any outcome are left out of the model, as R's mmrm does (drop_visit_levels) and SAS (no row has
 * them): nothing estimates their covariance. They are listed as not estimable, with a warning.
 */
function withoutEmptyVisits(
  rows: readonly MmrmTrialRow[],
  spec: MmrmTrialSpec,
  empty: readonly string[],
): MmrmTrialResult {
  if (empty.includes(spec.primaryVisit)) {
    return failed([issue('stats.mmrm.primary-no-data', `no outcome at the primary visit ${spec.primaryVisit}`)]);
  }
  const visits = spec.visits.filter((visit) => !empty.includes(visit));
  const fit = fitMmrmTrial(
    rows.filter((row) => visits.includes(row.visit)),
    { ...spec, visits },
  );
  const note = issue(
    'stats.mmrm.empty-visit',
    `no outcome at visit ${empty.join(', ')}: left out of the MMRM (as R's mmrm drops a visit without data)`,
    undefined,
    'warning',
  );
  if (!fit.converged) return failed([note, ...fit.issues]);
  return {
    ...fit,
    visits: spec.visits.map(
      (visit) =>
        fit.visits.find((v) => v.visit === visit) ?? {
          visit,
          available: false,
          reason: `not estimable: no outcome at visit ${visit}`,
        },
    ),
    issues: [note, ...fit.issues],
  };
}

interface VisitPlan {
  readonly visit: string;
  /** The L rows over the kept columns. */
  readonly treatment: number[];
  readonly control: number[];
  readonly difference: number[];
  /** Why an LS mean or the difference at this visit is not estimable, or null when all three are. */
  readonly notEstimable: string | null;
}

/** The LS-mean and difference rows at one visit, and whether they are estimable with the aliased columns dropped. */
function visitPlan(
  design: DesignSpec,
  model: DesignMatrix,
  means: Readonly<Record<string, number>>,
  spec: MmrmTrialSpec,
  visit: string,
  analysed: readonly MmrmTrialRow[],
): VisitPlan {
  const rowFor = (arm: string) => ({
    kept: referenceGridRow(design, model.columns, { arm, visit }, means),
    aliased: referenceGridRow(design, model.aliasedColumns, { arm, visit }, means),
  });
  const treatment = rowFor(spec.treatment);
  const control = rowFor(spec.control);
  const difference = {
    kept: treatment.kept.map((v, j) => v - control.kept[j]!),
    aliased: treatment.aliased.map((v, j) => v - control.aliased[j]!),
  };
  const estimable = [treatment, control, difference].every((row) => isEstimable(model, row.kept, row.aliased));
  const armWithout = [spec.treatment, spec.control].find(
    (arm) => !analysed.some((row) => row.arm === arm && row.visit === visit),
  );
  return {
    visit,
    treatment: treatment.kept,
    control: control.kept,
    difference: difference.kept,
    notEstimable: estimable
      ? null
      : armWithout !== undefined
        ? `no ${armWithout} outcome at visit ${visit}`
        : `the LS means at visit ${visit} depend on the aliased columns`,
  };
}

/** The likely reason for aliased columns, from which terms they belong to. */
function aliasCause(aliased: readonly string[]): string {
  if (aliased.includes('baseline'))
    return 'baseline does not vary apart from arm: constant, or constant within each arm';
  if (aliased.includes('stratum')) return 'the stratum does not vary apart from arm and baseline: one stratum only?';
  return 'an arm without data at a visit, or too few subjects at a visit to estimate its slope?';
}

function validate(rows: readonly MmrmTrialRow[], spec: MmrmTrialSpec): Issue[] {
  const issues: Issue[] = [];
  const visitSet = new Set(spec.visits);
  if (spec.treatment === spec.control) issues.push(issue('stats.mmrm.arms', 'treatment and control must differ'));
  if (visitSet.size !== spec.visits.length || spec.visits.length === 0) {
    issues.push(issue('stats.mmrm.visits', 'visits must be a non-empty list without duplicates'));
  }
  if (!visitSet.has(spec.primaryVisit)) {
    issues.push(issue('stats.mmrm.primary-visit', `primary visit ${spec.primaryVisit} is not among the visits`));
  }
  const armOf = new Map<string, string>();
  const seen = new Set<string>();
  rows.forEach((row, index) => {
    const where = `rows[${index}]`;
    if (row.arm !== spec.treatment && row.arm !== spec.control) {
      issues.push(issue('stats.mmrm.unknown-arm', `arm ${row.arm} is neither treatment nor control`, where));
    }
    if (!visitSet.has(row.visit))
      issues.push(issue('stats.mmrm.unknown-visit', `visit ${row.visit} not listed`, where));
    const previousArm = armOf.get(row.subject);
    if (previousArm !== undefined && previousArm !== row.arm) {
      issues.push(issue('stats.mmrm.arm-changes', `subject ${row.subject} appears in two arms`, where));
    }
    armOf.set(row.subject, row.arm);
    const key = `${row.subject}\u0000${row.visit}`;
    if (seen.has(key))
      issues.push(issue('stats.mmrm.duplicate-visit', `subject ${row.subject} repeats visit ${row.visit}`, where));
    seen.add(key);
    if (row.change === null) return;
    if (!Number.isFinite(row.change)) issues.push(issue('stats.mmrm.change', 'change is not a finite number', where));
    if (!Number.isFinite(row.baseline)) issues.push(issue('stats.mmrm.baseline', 'baseline is missing', where));
    if (spec.stratum && !Number.isFinite(row.stratum ?? Number.NaN)) {
      issues.push(issue('stats.mmrm.stratum', 'stratum is missing although spec.stratum is true', where));
    }
  });
  if (!rows.some((r) => r.change !== null)) issues.push(issue('stats.mmrm.no-data', 'no observed change values'));
  // Report at most 20 issues: one bad column in a large file should not produce thousands of lines.
  return issues.length > 20
    ? [...issues.slice(0, 20), issue('stats.mmrm.more', `${issues.length - 20} more issues`)]
    : issues;
}

function failed(issues: Issue[]): MmrmTrialFailure {
  const errors = issues.filter((i) => i.severity === 'error');
  return {
    converged: false,
    reason: (errors.length > 0 ? errors : issues).map((i) => i.message).join('; '),
    issues,
  };
}
