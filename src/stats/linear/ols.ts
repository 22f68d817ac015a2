/**
 * Ordinary least squares as R's `lm`: Householder QR (ml-matrix), coefficients with SE, t on df = n - p, two-sided
 * p and t-based CI, sigma, R^2, vcov, and any linear contrast L'beta. ml-matrix's QR is unpivoted (JAMA), so rank
 * deficiency is detected here from the diagonal of R and returned as an issue instead of meaningless numbers.
 */
import { Matrix, QrDecomposition, inverse } from 'ml-matrix';
import { fail, issue, ok, type Result } from '../../record/index.ts';
import { pfUpper, qt, tTwoSidedP } from '../distributions.ts';

/** A t-based inference for one linear combination of coefficients. */
export interface TInference {
  readonly estimate: number;
  readonly se: number;
  readonly df: number;
  readonly t: number;
  /** Two-sided p-value. */
  readonly p: number;
  /** Two-sided confidence interval at the fit's level. */
  readonly ci: [number, number];
}

export interface Coefficient extends TInference {
  readonly term: string;
}

export interface OlsFit {
  readonly n: number;
  /** Number of coefficients (full rank is required). */
  readonly p: number;
  /** Residual degrees of freedom n - p. */
  readonly df: number;
  readonly level: number;
  readonly terms: string[];
  readonly coefficients: Coefficient[];
  readonly beta: number[];
  /** sigma^2 (X'X)^-1. */
  readonly vcov: number[][];
  /** Residual standard error. */
  readonly sigma: number;
  readonly rss: number;
  readonly rSquared: number;
  readonly adjRSquared: number;
  /** Overall F test against the intercept-only model (null when there is no intercept or no other term). */
  readonly fStatistic: { value: number; numDf: number; denDf: number; p: number } | null;
  readonly fitted: number[];
  readonly residuals: number[];
}

/** Relative threshold on |R_ii| / max |R_jj| below which a column is taken as linearly dependent (as lm's tol 1e-7). */
const RANK_TOLERANCE = 1e-7;

/**
 * A spread (residual SD, pooled SD) at or below this fraction of the values' root mean square is rounding error, not
 * variation: double precision carries ~16 digits and the QR loses a few more to the design's conditioning, while no
 * clinical measurement has 8 significant digits. Measured on the RMS (not the SD) so a constant outcome counts.
 */
export const ZERO_SPREAD_TOLERANCE = 1e-8;

/** True when `spread` is numerically zero relative to the scale (root mean square) of `values`. */
export function isZeroSpread(spread: number, values: readonly number[]): boolean {
  const rms = Math.sqrt(values.reduce((s, v) => s + v * v, 0) / Math.max(1, values.length));
  return !(spread > ZERO_SPREAD_TOLERANCE * rms);
}

/**
 * Fits y = X beta + e by QR.
 * @param y response, length n
 * @param x design matrix rows (n x p), usually from `designMatrix`
 * @param terms column names, length p; `(Intercept)` first when there is an intercept
 * @param level confidence level of the coefficient CIs (default 0.95)
 */
export function fitOls(
  y: readonly number[],
  x: readonly number[][],
  terms: readonly string[],
  level = 0.95,
): Result<OlsFit> {
  const n = y.length;
  const p = terms.length;
  if (x.length !== n) return fail([issue('stats.ols.dimension', `design has ${x.length} rows but y has ${n}`)]);
  if (!y.every(Number.isFinite) || !x.every((row) => row.length === p && row.every(Number.isFinite))) {
    return fail([issue('stats.ols.non-finite', 'response or design contains missing or non-finite values')]);
  }
  if (n <= p) return fail([issue('stats.ols.too-few-rows', `${n} rows for ${p} coefficients: no residual df`)]);

  const qr = new QrDecomposition(new Matrix(x.map((r) => [...r])));
  const r = qr.upperTriangularMatrix;
  const diag = Array.from({ length: p }, (_, j) => Math.abs(r.get(j, j)));
  const maxDiag = diag.reduce((m, d) => Math.max(m, d), -Infinity);
  const dependent = terms.filter((_, j) => !(diag[j]! > RANK_TOLERANCE * maxDiag));
  if (dependent.length > 0) {
    return fail([
      issue(
        'stats.ols.rank-deficient',
        `design is rank deficient: ${dependent.join(', ')} is a linear combination of other terms`,
      ),
    ]);
  }

  const beta = qr.solve(Matrix.columnVector([...y])).getColumn(0);
  const fitted = x.map((row) => row.reduce((s, v, j) => s + v * beta[j]!, 0));
  const residuals = y.map((v, i) => v - fitted[i]!);
  const rss = residuals.reduce((s, e) => s + e * e, 0);
  const df = n - p;
  const sigma2 = rss / df;
  // An exact fit leaves a residual SD of rounding noise (~1e-15): its t, p and CI would be noise printed as a finding.
  if (isZeroSpread(Math.sqrt(sigma2), y)) {
    return fail([
      issue(
        'stats.ols.no-residual-variation',
        'no residual variation: the outcome is an exact function of the model terms (residual SD 0), so no test or CI is possible',
      ),
    ]);
  }
  // (X'X)^-1 = R^-1 R^-T from the triangular factor, which is better conditioned than inverting X'X.
  const rInv = inverse(r);
  const vcov = rInv.mmul(rInv.transpose()).mul(sigma2).to2DArray();

  const hasIntercept = terms[0] === '(Intercept)';
  const mean = y.reduce((s, v) => s + v, 0) / n;
  const tss = hasIntercept ? y.reduce((s, v) => s + (v - mean) ** 2, 0) : y.reduce((s, v) => s + v * v, 0);
  const rSquared = 1 - rss / tss;
  const dfInt = hasIntercept ? 1 : 0;
  const adjRSquared = 1 - (1 - rSquared) * ((n - dfInt) / df);
  const numDf = p - dfInt;
  const fValue = (tss - rss) / numDf / sigma2;
  const fStatistic =
    hasIntercept && numDf > 0 ? { value: fValue, numDf, denDf: df, p: pfUpper(fValue, numDf, df) } : null;

  const fitBase = {
    n,
    p,
    df,
    level,
    terms: [...terms],
    beta,
    vcov,
    sigma: Math.sqrt(sigma2),
    rss,
    rSquared,
    adjRSquared,
  };
  const coefficients = terms.map((term, j) => ({
    term,
    ...contrastOf({ ...fitBase }, unitVector(p, j)),
  }));
  return ok({ ...fitBase, coefficients, fStatistic, fitted, residuals });
}

/** The inference for L'beta: estimate, SE sqrt(L' V L), t on the residual df, two-sided p and CI. */
export function linearContrast(fit: OlsFit, l: readonly number[]): TInference {
  return contrastOf(fit, l);
}

/** t inference for an estimate and SE with the given df and confidence level. */
export function tInference(estimate: number, se: number, df: number, level = 0.95): TInference {
  const t = estimate / se;
  const q = qt(1 - (1 - level) / 2, df);
  return { estimate, se, df, t, p: tTwoSidedP(t, df), ci: [estimate - q * se, estimate + q * se] };
}

function contrastOf(fit: Pick<OlsFit, 'beta' | 'vcov' | 'df' | 'level'>, l: readonly number[]): TInference {
  if (l.length !== fit.beta.length)
    throw new RangeError(`contrast has ${l.length} entries for ${fit.beta.length} terms`);
  const estimate = l.reduce((s, v, j) => s + v * fit.beta[j]!, 0);
  let variance = 0;
  for (let i = 0; i < l.length; i++) {
    for (let j = 0; j < l.length; j++) variance += l[i]! * fit.vcov[i]![j]! * l[j]!;
  }
  return tInference(estimate, Math.sqrt(variance), fit.df, fit.level);
}

function unitVector(p: number, j: number): number[] {
  return Array.from({ length: p }, (_, k) => (k === j ? 1 : 0));
}
