/**
 * One linear contrast L beta with its small-sample inference: the single dispatcher over the df methods.
 *   'kenward-roger'  SE from the KR-adjusted covariance, KR df (= Satterthwaite df for one contrast): SAS DDFM=KR
 *   'satterthwaite'  model-based SE, Satterthwaite df: SAS DDFM=SATTERTHWAITE
 *   'residual'       model-based SE, df = observations - p: SAS DDFM=RESIDUAL, mmrm "Residual"
 */
import betainc from '@stdlib/math-base-special-betainc';
import tCdf from '@stdlib/stats-base-dists-t-cdf';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';
import { Matrix, inverse } from 'ml-matrix';
import type { MmrmFit } from './fit.ts';
import { kenwardRogerCovariance, kenwardRogerDf } from './kenward-roger.ts';
import { phiTimes, satterthwaiteDf } from './satterthwaite.ts';

export type DfMethod = 'kenward-roger' | 'satterthwaite' | 'residual';

export interface ContrastResult {
  readonly estimate: number;
  readonly se: number;
  readonly df: number;
  readonly t: number;
  /** Two-sided p-value. */
  readonly p: number;
  /** Two-sided confidence interval at `level` (default 95%). */
  readonly ci: readonly [number, number];
}

// The KR-adjusted covariance costs O(q^2) p x p products: computed once per fit object.
const adjustedCache = new WeakMap<MmrmFit, number[][] | null>();

/** The Kenward-Roger adjusted covariance of beta for this fit (cached), null for ML fits or a singular information. */
export function adjustedBetaCovariance(fit: MmrmFit): number[][] | null {
  if (!adjustedCache.has(fit)) adjustedCache.set(fit, kenwardRogerCovariance(fit));
  return adjustedCache.get(fit) ?? null;
}

/**
 * Estimate, SE, df, t, two-sided p and CI of the contrast L beta (L has one entry per column of X). Kenward-Roger is
 * defined for REML fits only: on an ML fit it returns NaN inference (as mmrm refuses it) rather than a number.
 */
export function contrast(fit: MmrmFit, contrastRow: readonly number[], df: DfMethod, level = 0.95): ContrastResult {
  const estimate = fit.beta.reduce((sum, b, j) => sum + b * (contrastRow[j] ?? 0), 0);
  const covariance = df === 'kenward-roger' ? adjustedBetaCovariance(fit) : fit.betaCovariance;
  const variance = covariance
    ? phiTimes(covariance, contrastRow).reduce((sum, v, i) => sum + v * (contrastRow[i] ?? 0), 0)
    : Number.NaN;
  const se = Math.sqrt(variance);
  const degrees = !covariance
    ? Number.NaN
    : df === 'residual'
      ? fit.observations - fit.beta.length
      : df === 'satterthwaite'
        ? satterthwaiteDf(fit, contrastRow)
        : kenwardRogerDf(fit, [contrastRow]).df;
  const t = estimate / se;
  const p = 2 * tCdf(-Math.abs(t), degrees);
  const half = tQuantile(1 - (1 - level) / 2, degrees) * se;
  return { estimate, se, df: degrees, t, p, ci: [estimate - half, estimate + half] };
}

export interface FTestResult {
  readonly numDf: number;
  readonly denDf: number;
  /** Kenward-Roger scaled F (lambda F), as SAS prints under DDFM=KR. */
  readonly F: number;
  readonly p: number;
}

/**
 * Kenward-Roger F test of L beta = 0 for a contrast matrix (rows = contrasts), e.g. a SAS type 3 test: the Wald F
 * from the KR-adjusted covariance, scaled by lambda, with KR denominator df. NaN for ML fits.
 */
export function kenwardRogerFTest(fit: MmrmFit, contrastRows: readonly (readonly number[])[]): FTestResult {
  const numDf = contrastRows.length;
  const adjusted = adjustedBetaCovariance(fit);
  if (!adjusted || numDf === 0) return { numDf, denDf: Number.NaN, F: Number.NaN, p: Number.NaN };
  const l = new Matrix(contrastRows.map((row) => [...row]));
  const lb = l.mmul(Matrix.columnVector([...fit.beta]));
  const wald = lb
    .transpose()
    .mmul(inverse(l.mmul(new Matrix(adjusted)).mmul(l.transpose())))
    .mmul(lb)
    .get(0, 0);
  const { df: denDf, lambda } = kenwardRogerDf(fit, contrastRows);
  const F = (lambda * wald) / numDf;
  // Upper F tail via the regularized incomplete beta (no 1 - cdf cancellation for small p).
  const p = betainc(denDf / (denDf + numDf * F), denDf / 2, numDf / 2);
  return { numDf, denDf, F, p };
}
