/**
 * Brent's root finder (Brent 1973, "Algorithms for Minimization without Derivatives", ch. 4: the `zeroin`
 * algorithm that R's `uniroot` wraps as R_zeroin2). Hand-written because no maintained npm package exposes a
 * bracketing root finder with an absolute x tolerance and an iteration report; the sample-size goldens were made
 * with `uniroot(..., tol = 1e-12)`, so this mirrors that contract.
 */

export interface RootResult {
  readonly root: number;
  /** f(root); near 0 when converged. */
  readonly fRoot: number;
  readonly iterations: number;
  readonly converged: boolean;
  /** Why the search stopped without a root (no sign change, iteration limit). */
  readonly reason?: 'no-sign-change' | 'max-iterations' | 'non-finite';
}

export interface BrentOptions {
  /** Absolute tolerance on x (R uniroot `tol`). */
  readonly tolerance?: number;
  readonly maxIterations?: number;
}

/**
 * Finds x in [lower, upper] with f(x) = 0, given f(lower) and f(upper) of opposite signs.
 * @example brentRoot((x) => x * x - 2, 0, 2).root // 1.4142135623730951
 */
export function brentRoot(
  f: (x: number) => number,
  lower: number,
  upper: number,
  { tolerance = 1e-12, maxIterations = 1000 }: BrentOptions = {},
): RootResult {
  let a = lower;
  let b = upper;
  let fa = f(a);
  let fb = f(b);
  if (!Number.isFinite(fa) || !Number.isFinite(fb)) {
    return { root: Number.NaN, fRoot: Number.NaN, iterations: 0, converged: false, reason: 'non-finite' };
  }
  if (fa === 0) return { root: a, fRoot: 0, iterations: 0, converged: true };
  if (fb === 0) return { root: b, fRoot: 0, iterations: 0, converged: true };
  if (fa > 0 === fb > 0) {
    return { root: Number.NaN, fRoot: Number.NaN, iterations: 0, converged: false, reason: 'no-sign-change' };
  }
  let c = a;
  let fc = fa;
  let d = b - a;
  let e = d;
  for (let iteration = 1; iteration <= maxIterations; iteration++) {
    if (Math.abs(fc) < Math.abs(fb)) {
      // Keep b as the best estimate, c on the other side of the root.
      a = b;
      b = c;
      c = a;
      fa = fb;
      fb = fc;
      fc = fa;
    }
    const tol1 = 2 * Number.EPSILON * Math.abs(b) + tolerance / 2;
    const midpointStep = (c - b) / 2;
    if (Math.abs(midpointStep) <= tol1 || fb === 0) {
      return { root: b, fRoot: fb, iterations: iteration, converged: true };
    }
    let step = midpointStep;
    if (Math.abs(e) >= tol1 && Math.abs(fa) > Math.abs(fb)) {
      // Try interpolation: secant when only two points are distinct, inverse quadratic otherwise.
      let p: number;
      let q: number;
      const s = fb / fa;
      if (a === c) {
        p = 2 * midpointStep * s;
        q = 1 - s;
      } else {
        const qa = fa / fc;
        const r = fb / fc;
        p = s * (2 * midpointStep * qa * (qa - r) - (b - a) * (r - 1));
        q = (qa - 1) * (r - 1) * (s - 1);
      }
      if (p > 0) q = -q;
      else p = -p;
      // Accept interpolation only if it stays well inside the bracket and converges faster than bisection.
      if (2 * p < Math.min(3 * midpointStep * q - Math.abs(tol1 * q), Math.abs(e * q))) {
        e = d;
        d = p / q;
        step = d;
      } else {
        d = midpointStep;
        e = d;
      }
    } else {
      d = midpointStep;
      e = d;
    }
    a = b;
    fa = fb;
    b += Math.abs(step) > tol1 ? step : midpointStep > 0 ? tol1 : -tol1;
    fb = f(b);
    if (!Number.isFinite(fb)) {
      return { root: b, fRoot: fb, iterations: iteration, converged: false, reason: 'non-finite' };
    }
    if (fb > 0 === fc > 0) {
      c = a;
      fc = fa;
      d = b - a;
      e = d;
    }
  }
  return { root: b, fRoot: fb, iterations: maxIterations, converged: false, reason: 'max-iterations' };
}
