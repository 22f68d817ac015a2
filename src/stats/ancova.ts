/**
 * ANCOVA of change at the primary visit (observed cases), as R's `lm(chg ~ arm + baseline [+ stratum])`:
 * the treatment - control coefficient with its t test and CI, and emmeans-style LS means per arm.
 *
 * Conventions (reference/stats-reference/README.md section 2): `contr.treatment` with control as the reference, so
 * the arm coefficient is treatment minus control; change = post - baseline; LS means average the biomarker stratum
 * with equal weights and put baseline at its mean over the analysed rows; the stratum is biomarker >= cut.
 */
import { fail, issue, ok, type Issue, type Result } from '../record/index.ts';
import { twoSampleTTests, type TwoSampleTTests } from './ancova-t-tests.ts';
import { biomarkerStratum, type BiomarkerLimit } from './biomarker-stratum.ts';
import { designMatrix, treatmentIndicator, type DesignColumn } from './linear/model-matrix.ts';
import { fitOls, linearContrast, type Coefficient, type TInference } from './linear/ols.ts';

export interface AncovaRow {
  readonly subject: string;
  readonly arm: string;
  /** Change from baseline at the analysed visit (post - baseline); null when missing (row is dropped). */
  readonly change: number | null;
  readonly baseline: number;
  /** Baseline biomarker (e.g. hs-CRP in mg/L); needed only when a stratum cut is given. */
  readonly biomarker?: number | null;
  /** A biomarker reported beyond an assay limit ("<0.2"; biomarker null): its stratum when the limit places it. */
  readonly biomarkerLimit?: BiomarkerLimit | null;
}

export interface AncovaSpec {
  readonly treatment: string;
  readonly control: string;
  /** Adds the stratum term `biomarker >= biomarkerCut` when given. */
  readonly biomarkerCut?: number;
  readonly level?: number;
}

export interface AncovaResult {
  readonly formula: string;
  readonly n: { readonly treatment: number; readonly control: number; readonly total: number };
  /** Treatment minus control, adjusted: the arm coefficient. */
  readonly difference: TInference;
  readonly lsMeans: { readonly treatment: TInference; readonly control: TInference };
  /** Numeric covariate values used for the LS means (mean over analysed rows). */
  readonly covariateMeans: { readonly baseline: number };
  readonly coefficients: Coefficient[];
  readonly sigma: number;
  readonly rSquared: number;
  /** Unadjusted Student and Welch t-tests of change, a descriptive check. */
  readonly tTests: TwoSampleTTests;
}

/**
 * The fewest analysed subjects an arm needs for a treatment difference to be reported (the ANCOVA here, the MMRM and
 * Hedges' g in src/analysis/analyze.ts). R's lm and mmrm fit one subject in an arm, but that arm's mean is then one
 * patient and the residual variance comes from the other arm alone (docs/statistics.md 'One subject in an arm').
 */
export const MIN_SUBJECTS_PER_ARM = 2;

/** Fits the ANCOVA; rows with missing change (or missing biomarker when stratifying) are dropped with a warning. */
export function ancova(rows: readonly AncovaRow[], spec: AncovaSpec): Result<AncovaResult> {
  const stratified = spec.biomarkerCut !== undefined;
  const warnings: Issue[] = [];
  const used = rows.filter((r) => (r.arm === spec.treatment || r.arm === spec.control) && r.change !== null);
  const cut = spec.biomarkerCut as number;
  const stratumOf = (r: AncovaRow) => biomarkerStratum(r.biomarker, r.biomarkerLimit, cut);
  const analysed = stratified ? used.filter((r) => stratumOf(r) !== null) : used;
  if (analysed.length < used.length) {
    const left = used.length - analysed.length;
    warnings.push(
      issue(
        'stats.ancova.biomarker-missing',
        `${left} subject${left === 1 ? '' : 's'} without a biomarker (or beyond an assay limit that does not place it against the cut) left out of the stratified ANCOVA`,
        undefined,
        'warning',
      ),
    );
  }
  const treated = analysed.filter((r) => r.arm === spec.treatment);
  const controls = analysed.filter((r) => r.arm === spec.control);
  if (treated.length < MIN_SUBJECTS_PER_ARM || controls.length < MIN_SUBJECTS_PER_ARM) {
    // The subjects left out for want of a stratum are part of the reason ("have 0 and 0" alone would hide them).
    return fail([
      ...warnings,
      issue(
        'stats.ancova.too-few',
        `need >= ${MIN_SUBJECTS_PER_ARM} analysed subjects per arm (have ${treated.length} and ${controls.length})`,
      ),
    ]);
  }

  const change = analysed.map((r) => r.change as number);
  const baseline = analysed.map((r) => r.baseline);
  const armColumn: DesignColumn = {
    name: `arm${spec.treatment}`,
    values: treatmentIndicator(
      analysed.map((r) => r.arm),
      spec.treatment,
    ),
  };
  // A baseline equal in every subject is a constant R's lm aliases (coefficient NA, the rest as without it), as the
  // MMRM drops it: left out and said, rather than refused (docs/statistics.md 'ANCOVA').
  const withBaseline = new Set(baseline).size > 1;
  if (!withBaseline) {
    warnings.push(
      issue(
        'stats.ancova.constant-baseline',
        `every analysed subject has the baseline ${baseline[0]}: the baseline term is left out of the ANCOVA`,
        undefined,
        'warning',
      ),
    );
  }
  const columns: DesignColumn[] = withBaseline ? [armColumn, { name: 'baseline', values: baseline }] : [armColumn];
  const stratum = stratified ? analysed.map((r) => stratumOf(r) as number) : [];
  // An enriched trial (every subject on one side of the cut) has a constant stratum: R's lm aliases it (coefficient
  // NA, the rest as without it), so the model is fitted without it and says so, rather than refused.
  const withStratum = stratified && new Set(stratum).size === 2;
  if (stratified && !withStratum) {
    warnings.push(
      issue(
        'stats.ancova.one-stratum',
        `all ${analysed.length} analysed subjects are in the stratum biomarker ${stratum[0] === 1 ? '>=' : '<'} ${cut}: the stratum term is left out of the ANCOVA`,
        undefined,
        'warning',
      ),
    );
  }
  if (withStratum) columns.push({ name: 'stratumHigh', values: stratum });
  const design = designMatrix(columns);
  const fit = fitOls(change, design.x, design.terms, spec.level);
  if (!fit.ok) return fail([...warnings, ...fit.issues]);

  const baselineMean = baseline.reduce((s, v) => s + v, 0) / baseline.length;
  // Equal weights over the two strata: the stratum indicator enters the LS-mean row at 1/2 (emmeans' default).
  const rest = [...(withBaseline ? [baselineMean] : []), ...(withStratum ? [0.5] : [])];
  const result: AncovaResult = {
    formula: `change ~ arm${withBaseline ? ' + baseline' : ''}${withStratum ? ' + stratum' : ''}`,
    n: { treatment: treated.length, control: controls.length, total: analysed.length },
    difference: linearContrast(fit.value, [0, 1, ...rest.map(() => 0)]),
    lsMeans: {
      treatment: linearContrast(fit.value, [1, 1, ...rest]),
      control: linearContrast(fit.value, [1, 0, ...rest]),
    },
    covariateMeans: { baseline: baselineMean },
    coefficients: fit.value.coefficients,
    sigma: fit.value.sigma,
    rSquared: fit.value.rSquared,
    tTests: twoSampleTTests(
      treated.map((r) => r.change as number),
      controls.map((r) => r.change as number),
      spec.level,
    ),
  };
  return ok(result, warnings);
}
