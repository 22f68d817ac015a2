/**
 * The one tolerance table for golden tests against R and SAS (see reference/README.md). Relative tolerance applies
 * to |expected| >= 1; below that the same number is used as an absolute tolerance, so values near zero (p-values,
 * interaction terms) are not held to an impossible relative standard.
 */
export const TOLERANCE = {
  /** lm, glm closed forms, exact tests, Wilson/Newcombe intervals, distributions (R agrees with @stdlib to ~1e-11). */
  closedForm: 1e-10,
  /** REML/ML fits (MMRM): the R references were refitted to a gradient of 1e-7..1e-12, so ~1e-6 relative. */
  mmrm: 1e-6,
  /** Kenward-Roger / Satterthwaite df depend on second derivatives at the optimum: a little looser than the fit. */
  mmrmDf: 1e-5,
  /** Values SAS printed to 4-5 decimals (transcribed listings): half a unit in the last printed place. */
  sasPrinted: 5e-5,
  /** Iterative root finding (sample sizes by uniroot with tol 1e-12 in R). */
  rootFinding: 1e-8,
} as const;

export type ToleranceName = keyof typeof TOLERANCE;

/** True when `actual` is within the named tolerance of `expected` (relative above 1 in magnitude, absolute below). */
export function withinTolerance(actual: number, expected: number, tolerance: number): boolean {
  if (Number.isNaN(expected)) return Number.isNaN(actual);
  if (!Number.isFinite(expected)) return actual === expected;
  const scale = Math.max(1, Math.abs(expected));
  return Math.abs(actual - expected) <= tolerance * scale;
}
