/**
 * The two analyses run on every simulated trial, in closed form so 10,000 trials take well under a second each:
 * the pooled two-sample t-test, and the ANCOVA y ~ arm + x (one covariate: a CRP stratum indicator or log CRP).
 * For y ~ arm + x the arm coefficient is the difference in means minus the pooled within-arm slope times the
 * difference in covariate means; its variance is s^2 (1/n1 + 1/n0 + (xbar1 - xbar0)^2 / Sxx_within), df = N - 3.
 * This is exactly what lm() gives for that model (checked against an ml-matrix least-squares fit in the tests).
 */

export interface ArmSample {
  readonly y: Float64Array;
  readonly x: Float64Array;
  /** Number of patients in use (the arrays may be longer buffers). */
  readonly n: number;
}

export interface TwoArmStatistic {
  /** Treatment estimate (arm 1 - arm 0). */
  readonly estimate: number;
  readonly se: number;
  readonly t: number;
  readonly df: number;
}

function mean(values: Float64Array, n: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i]!;
  return sum / n;
}

/** Pooled-variance t-test of mean(arm1.y) - mean(arm0.y) (R t.test(var.equal = TRUE)). */
export function pooledTTest(arm1: ArmSample, arm0: ArmSample): TwoArmStatistic {
  const m1 = mean(arm1.y, arm1.n);
  const m0 = mean(arm0.y, arm0.n);
  let ss = 0;
  for (let i = 0; i < arm1.n; i++) ss += (arm1.y[i]! - m1) ** 2;
  for (let i = 0; i < arm0.n; i++) ss += (arm0.y[i]! - m0) ** 2;
  const df = arm1.n + arm0.n - 2;
  const se = Math.sqrt((ss / df) * (1 / arm1.n + 1 / arm0.n));
  const estimate = m1 - m0;
  return { estimate, se, t: estimate / se, df };
}

/**
 * ANCOVA y ~ arm + x. When x does not vary within arms (e.g. every patient of an enriched trial is CRP-high) the
 * covariate is dropped and the t-test is returned, as R's simulation in 05_design.R does.
 */
export function ancovaOneCovariate(arm1: ArmSample, arm0: ArmSample): TwoArmStatistic {
  const my1 = mean(arm1.y, arm1.n);
  const my0 = mean(arm0.y, arm0.n);
  const mx1 = mean(arm1.x, arm1.n);
  const mx0 = mean(arm0.x, arm0.n);
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (const [arm, mx, my] of [
    [arm1, mx1, my1],
    [arm0, mx0, my0],
  ] as const) {
    for (let i = 0; i < arm.n; i++) {
      const dx = arm.x[i]! - mx;
      const dy = arm.y[i]! - my;
      sxx += dx * dx;
      sxy += dx * dy;
      syy += dy * dy;
    }
  }
  // Relative test: a covariate constant within arms leaves only rounding noise in sxx.
  const scale = Math.max(1, mx1 * mx1, mx0 * mx0) * (arm1.n + arm0.n);
  if (sxx <= 1e-12 * scale) return pooledTTest(arm1, arm0);
  const slope = sxy / sxx;
  const df = arm1.n + arm0.n - 3;
  const residualVariance = (syy - slope * sxy) / df;
  const dx = mx1 - mx0;
  const estimate = my1 - my0 - slope * dx;
  const se = Math.sqrt(residualVariance * (1 / arm1.n + 1 / arm0.n + (dx * dx) / sxx));
  return { estimate, se, t: estimate / se, df };
}
