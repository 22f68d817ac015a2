/**
 * Standardised mean difference of change at the primary visit: Cohen's d with the pooled SD, Hedges' g with the
 * exact small-sample correction J = Gamma(df/2) / (sqrt(df/2) Gamma((df-1)/2)), the Hedges-Olkin SE with a normal CI
 * (metafor `escalc("SMD")`), and the noncentral-t pivot CI for d scaled by J (effectsize::hedges_g).
 * Sign convention: treatment minus control, so a larger symptom reduction on treatment gives a negative g.
 */
import { fail, issue, ok, type Result } from '../record/index.ts';
import { summarize } from './ancova-t-tests.ts';
import { lgamma, qnorm } from './distributions.ts';
import { isZeroSpread } from './linear/ols.ts';
import { pnt } from './noncentral-t.ts';

export interface HedgesG {
  readonly n: { readonly treatment: number; readonly control: number };
  readonly df: number;
  readonly sdPooled: number;
  readonly cohensD: number;
  /** Exact small-sample correction factor J. */
  readonly j: number;
  readonly estimate: number;
  /** Hedges-Olkin SE sqrt((n1+n2)/(n1 n2) + g^2 / (2 (n1+n2))). */
  readonly se: number;
  /** g +/- z * se. */
  readonly ciNormal: [number, number];
  /** Noncentral-t pivot CI for d, multiplied by J; null when the root search fails. */
  readonly ciNoncentralT: [number, number] | null;
}

/**
 * Hedges' g for treatment vs control values (each at least 2 observations); not estimable when the pooled SD is
 * (numerically) 0, where d would be 0/0 or +-infinity.
 */
export function hedgesG(treatment: readonly number[], control: readonly number[], level = 0.95): Result<HedgesG> {
  const a = summarize(treatment);
  const b = summarize(control);
  const df = a.n + b.n - 2;
  const sdPooled = Math.sqrt(((a.n - 1) * a.sd ** 2 + (b.n - 1) * b.sd ** 2) / df);
  if (isZeroSpread(sdPooled, [...treatment, ...control])) {
    return fail([
      issue('stats.hedges.no-variation', 'not estimable: pooled SD 0, no variation in change within the arms'),
    ]);
  }
  const d = (a.mean - b.mean) / sdPooled;
  const j = Math.exp(lgamma(df / 2) - Math.log(Math.sqrt(df / 2)) - lgamma((df - 1) / 2));
  const g = d * j;
  const se = Math.sqrt((a.n + b.n) / (a.n * b.n) + g ** 2 / (2 * (a.n + b.n)));
  const z = qnorm((1 + level) / 2);
  const scale = Math.sqrt(1 / a.n + 1 / b.n);
  const tObserved = d / scale;
  const alpha = 1 - level;
  const ncpLower = solveNcp(tObserved, df, 1 - alpha / 2);
  const ncpUpper = solveNcp(tObserved, df, alpha / 2);
  const ciNoncentralT: [number, number] | null =
    ncpLower === null || ncpUpper === null ? null : [ncpLower * scale * j, ncpUpper * scale * j];
  return ok({
    n: { treatment: a.n, control: b.n },
    df,
    sdPooled,
    cohensD: d,
    j,
    estimate: g,
    se,
    ciNormal: [g - z * se, g + z * se],
    ciNoncentralT,
  });
}

/**
 * The noncentrality with P(T <= tObserved | ncp) = target. pnt is strictly decreasing in ncp, so bisection is safe
 * once the root is bracketed; no root finder is among our dependencies. The bracket starts at [t - 10, t + 10] (R's
 * uniroot bracket in the reference script) and is widened until it holds the root: T's spread grows with the
 * noncentrality (about sqrt(1 + t^2 / (2 df))), so a large difference on few df puts a limit farther than 10 from t.
 */
function solveNcp(tObserved: number, df: number, target: number): number | null {
  const f = (ncp: number): number => pnt(tObserved, df, ncp) - target;
  let width = 10;
  let lo = tObserved - width;
  let hi = tObserved + width;
  let fLo = f(lo);
  while (!(fLo > 0 && f(hi) < 0) && width < 1e6) {
    width *= 2;
    lo = tObserved - width;
    hi = tObserved + width;
    fLo = f(lo);
  }
  if (!(fLo > 0 && f(hi) < 0)) return null;
  for (let i = 0; i < 200 && hi - lo > 1e-14 * Math.max(1, Math.abs(lo)); i++) {
    const mid = (lo + hi) / 2;
    const fMid = f(mid);
    if (fMid === 0) return mid;
    if (fMid > 0 === fLo > 0) {
      lo = mid;
      fLo = fMid;
    } else {
      hi = mid;
    }
  }
  return (lo + hi) / 2;
}
