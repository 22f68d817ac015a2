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
import { buildDesign, type DesignSpec } from './design.ts';
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

export interface MmrmCoefficient extends ContrastResult {
  readonly name: string;
}

/** A converged trial MMRM: the only result that carries estimates. */
export interface MmrmTrialFit {
  readonly converged: true;
  readonly visits: MmrmVisitResult[];
  readonly primary: MmrmVisitResult;
  /** Estimated K x K unstructured covariance, visits in spec order. */
  readonly covariance: number[][];
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

  const design = trialDesignSpec(analysed, spec);
  const built = buildDesign(design);
  if (!built.ok) return failed([...issues, ...built.issues]);
  if (built.value.aliased.length > 0) {
    issues.push(
      issue(
        'stats.mmrm.rank-deficient',
        `aliased columns ${built.value.aliased.join(', ')} (${aliasCause(built.value.aliased)}): LS means not estimable`,
      ),
    );
    return failed(issues);
  }
  const fitted = fitMmrm(
    {
      subject: analysed.map((r) => r.subject),
      visitIndex: analysed.map((r) => spec.visits.indexOf(r.visit)),
      y: analysed.map((r) => r.change as number),
      X: built.value.X,
      columnNames: built.value.columnNames,
      visitCount: spec.visits.length,
    },
    { method: 'REML' },
  );
  if (!fitted.ok) return failed([...issues, ...fitted.issues]);
  if (!fitted.value.converged) return failed([...issues, ...fitted.value.issues]);
  const fit = fitted.value;
  issues.push(...fit.issues);
  const means = referenceCovariateValues(design);
  const columns = built.value.columns;
  const lsMean = (arm: string, visit: string): LsMeanResult => {
    const { estimate, se, df, ci } = contrast(
      fit,
      referenceGridRow(design, columns, { arm, visit }, means),
      'kenward-roger',
    );
    return { estimate, se, df, ci };
  };
  const visits = spec.visits.map((visit): MmrmVisitResult => {
    const treatmentRow = referenceGridRow(design, columns, { arm: spec.treatment, visit }, means);
    const controlRow = referenceGridRow(design, columns, { arm: spec.control, visit }, means);
    const difference = treatmentRow.map((v, j) => v - controlRow[j]!);
    return {
      visit,
      lsMeans: { treatment: lsMean(spec.treatment, visit), control: lsMean(spec.control, visit) },
      difference: {
        kenwardRoger: contrast(fit, difference, 'kenward-roger'),
        satterthwaite: contrast(fit, difference, 'satterthwaite'),
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
    primary: visits[spec.visits.indexOf(spec.primaryVisit)]!,
    covariance: fit.covariance.map((row) => [...row]),
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
