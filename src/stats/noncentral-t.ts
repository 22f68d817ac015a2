/**
 * Noncentral Student t distribution: `pnt` (distribution function) and `qnt` (quantile), as R's `pt(q, df, ncp)` and
 * `qt(p, df, ncp)`.
 *
 * Hand-written because no npm package provides it: @stdlib has no noncentral t, and jstat's is only good to ~3e-8
 * (reference/stats-reference/README.md section 6). Power and sample-size calculations need it to R's precision.
 *
 * Algorithm AS 243: Lenth RV (1989), "Cumulative distribution function of the non-central t distribution",
 * Applied Statistics 38:185-189, which sums Guenther's (1978) twin series of incomplete beta functions. This follows
 * R's nmath/pnt.c (R 4.x) and its refinements over the published algorithm:
 *  - ncp = 0 delegates to the central t;
 *  - a left tail with ncp > 40 returns 0 at once (pt(t, df, ncp) <= pnorm(-ncp));
 *  - df > 4e5 or ncp^2 > 2 ln 2 * 1021 (the series' first term underflows) uses the normal approximation of
 *    Abramowitz & Stegun 26.7.10;
 *  - 1 - x is computed as df / (t^2 + df), and 0.5 - exp(-ncp^2/2)/2 as -expm1(-ncp^2/2)/2 when small, to avoid
 *    cancellation;
 *  - the loop stops on |error bound| < 1e-12, on 1000 terms, or when the Poisson weights are exhausted.
 * R accumulates the series in 80-bit long double; here it is 64-bit, which agrees with R to ~3e-14 absolute on the
 * golden grid (the series terms are positive and few).
 * Like R, the upper tail is 1 - lower tail, so it carries an absolute (not relative) error of ~1e-16; that is what
 * power calculations need (power is not a tiny tail probability).
 */
import betainc from '@stdlib/math-base-special-betainc';
import gammaln from '@stdlib/math-base-special-gammaln';
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import tCdf from '@stdlib/stats-base-dists-t-cdf';
import { brentRoot } from './design/brent.ts';

const ITERATION_LIMIT = 1000;
const ERROR_LIMIT = 1e-12;
/** sqrt(2 / pi) = 1 / (Gamma(1.5) sqrt(2)). */
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
/** ln(sqrt(pi)). */
const LN_SQRT_PI = 0.5 * Math.log(Math.PI);
/** -DBL_MIN_EXP in C: 1021; above 2 ln2 * 1021 for ncp^2 the series' first weight exp(-ncp^2/2) underflows. */
const NEG_DBL_MIN_EXP = 1021;

/**
 * P(T <= t) (or P(T > t) when `lowerTail` is false) for T ~ noncentral t with `df` degrees of freedom (may be
 * fractional) and noncentrality `ncp`. Returns NaN for df <= 0 or NaN inputs.
 * @example pnt(1.9602, 98, 2.5, false) // 0.7052521909840958 (R: pt(1.9602, 98, 2.5, lower.tail = FALSE))
 */
export function pnt(t: number, df: number, ncp: number, lowerTail = true): number {
  if (Number.isNaN(t) || Number.isNaN(df) || Number.isNaN(ncp) || df <= 0) return Number.NaN;
  if (ncp === 0) return lowerTail ? tCdf(t, df) : tCdf(-t, df);
  if (!Number.isFinite(t)) return t < 0 === lowerTail ? 0 : 1;

  let negativeT: boolean;
  let tAbs: number;
  let del: number;
  if (t >= 0) {
    negativeT = false;
    tAbs = t;
    del = ncp;
  } else {
    // pt(t, df, ncp) <= pt(0, df, ncp) = pnorm(-ncp), which is below 1e-300 for ncp > 40.
    if (ncp > 40) return lowerTail ? 0 : 1;
    negativeT = true;
    tAbs = -t;
    del = -ncp;
  }
  // For t < 0, P(T <= t | ncp) = P(T >= -t | -ncp): compute the lower tail at (|t|, del) and flip.
  const returnLower = lowerTail !== negativeT;

  if (df > 4e5 || del * del > 2 * Math.LN2 * NEG_DBL_MIN_EXP) {
    // Abramowitz & Stegun 26.7.10: T(1 - 1/(4 df)) is approximately N(ncp, 1 + T^2 / (2 df)).
    const s = 1 / (4 * df);
    const z = (tAbs * (1 - s) - del) / Math.sqrt(1 + tAbs * tAbs * 2 * s);
    return returnLower ? normalCdf(z, 0, 1) : normalCdf(-z, 0, 1);
  }

  let tnc: number;
  const tSquared = t * t;
  const oneMinusX = df / (tSquared + df);
  const x = tSquared / (tSquared + df);
  if (x > 0) {
    const lambda = del * del;
    let p = 0.5 * Math.exp(-0.5 * lambda);
    if (p === 0) return returnLower ? 0 : 1; // unreachable given the guard above, kept as R does
    let q = SQRT_2_OVER_PI * p * del;
    let s = 0.5 - p;
    if (s < 1e-7) s = -0.5 * Math.expm1(-0.5 * lambda);
    let a = 0.5;
    const b = 0.5 * df;
    const rxb = Math.pow(oneMinusX, b);
    const logBetaHalfB = LN_SQRT_PI + gammaln(b) - gammaln(0.5 + b);
    let xOdd = betainc(x, a, b);
    let gOdd = 2 * rxb * Math.exp(a * Math.log(x) - logBetaHalfB);
    const bx = b * x;
    let xEven = bx < Number.EPSILON ? bx : 1 - rxb;
    let gEven = bx * rxb;
    tnc = p * xOdd + q * xEven;
    for (let it = 1; it <= ITERATION_LIMIT; it++) {
      a += 1;
      xOdd -= gOdd;
      xEven -= gEven;
      gOdd *= (x * (a + b - 1)) / a;
      gEven *= (x * (a + b - 0.5)) / (a + 0.5);
      p *= lambda / (2 * it);
      q *= lambda / (2 * it + 1);
      tnc += p * xOdd + q * xEven;
      s -= p;
      // s < 0 means the Poisson weights are spent (rounding): R stops here with a precision warning.
      if (s < -1e-10) break;
      if (s <= 0 && it > 1) break;
      const errorBound = 2 * s * (xOdd - gOdd);
      if (Math.abs(errorBound) < ERROR_LIMIT) break;
    }
  } else {
    tnc = 0;
  }
  tnc += normalCdf(-del, 0, 1);
  const lower = Math.min(tnc, 1);
  return returnLower ? lower : 0.5 - lower + 0.5;
}

/**
 * Quantile of the noncentral t: the t with pnt(t, df, ncp, lowerTail) = p. Solved by Brent's method on a bracket
 * grown from the normal approximation; R's qnt uses bisection to ~1e-11 relative, this solves to 1e-12 relative.
 * Returns NaN when p is outside [0, 1] or df <= 0.
 */
export function qnt(p: number, df: number, ncp: number, lowerTail = true): number {
  if (Number.isNaN(p) || !(df > 0) || p < 0 || p > 1 || Number.isNaN(ncp)) return Number.NaN;
  const pLower = lowerTail ? p : 0.5 - p + 0.5;
  if (pLower === 0) return Number.NEGATIVE_INFINITY;
  if (pLower === 1) return Number.POSITIVE_INFINITY;
  const f = (t: number) => pnt(t, df, ncp, true) - pLower;
  let lo = ncp - 1;
  let hi = ncp + 1;
  let step = 2;
  // Grow the bracket geometrically; heavy tails at small df may need a wide one.
  while (f(lo) > 0 && step < 1e300) {
    lo -= step;
    step *= 2;
  }
  step = 2;
  while (f(hi) < 0 && step < 1e300) {
    hi += step;
    step *= 2;
  }
  const scale = Math.max(1, Math.abs(lo), Math.abs(hi));
  return brentRoot(f, lo, hi, { tolerance: 1e-12 * scale }).root;
}
