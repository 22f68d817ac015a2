/**
 * Power and sample size of the two-sample t-test with equal allocation, exactly as R's `power.t.test`
 * (type = "two.sample"): df = 2(n - 1), ncp = sqrt(n / 2) delta / sd, n per arm.
 *
 * Two-sided power by default counts only the rejection tail on the side of the effect, as R does; `strict: true`
 * adds the far tail (R `strict = TRUE`, pwr::pwr.t.test). The difference is below 1e-4 in power for any design
 * that matters, but it moves the fractional n in the 4th decimal.
 */
import { issue, ok, fail, type Issue, type Result } from '../../record/index.ts';
import { pnt } from '../noncentral-t.ts';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';
import { brentRoot } from './brent.ts';

export type Sides = 1 | 2;

export interface TTestSettings {
  /** Difference in means to detect (active - control, on the outcome scale), > 0. */
  readonly delta: number;
  /** Common within-arm standard deviation, > 0. */
  readonly sd: number;
  /** Type I error rate (two-sided alpha when sides = 2). Default 0.05. */
  readonly alpha?: number;
  readonly sides?: Sides;
  /** Count both rejection tails in two-sided power (R strict = TRUE). Default false, as power.t.test. */
  readonly strict?: boolean;
}

export interface TTestPowerInput extends TTestSettings {
  /** Patients per arm (may be fractional, as in R). */
  readonly n: number;
}

export interface TTestSampleSizeInput extends TTestSettings {
  /** Target power, in (0, 1). */
  readonly power: number;
}

export interface SampleSize {
  /** Root of power(n) = target, to 1e-12 absolute: comparable with R's uniroot(tol = 1e-12). */
  readonly nPerArmExact: number;
  /** Patients to recruit per arm: ceiling of the exact n. */
  readonly nPerArm: number;
  readonly totalN: number;
  /** Power actually reached with nPerArm patients per arm. */
  readonly achievedPower: number;
  readonly iterations: number;
}

/** R's uniroot tol for power.t.test is ~1.2e-4; this solves to 1e-12 so the result is reproducible digit for digit. */
export const ROOT_TOLERANCE_N = 1e-12;
/** R power.t.test searches n in [2, 1e7]. */
const N_BRACKET: readonly [number, number] = [2, 1e7];

/**
 * "power must be in (0, 1) (got 80: a proportion, 0.8 for 80%)": a whole number between 1 and 100 is most likely
 * a percentage, and the message says how to write it.
 */
export function notAProportion(name: string, value: number): string {
  const hint =
    Number.isInteger(value) && value > 1 && value < 100 ? `: a proportion, ${value / 100} for ${value}%` : '';
  return `${name} must be in (0, 1) (got ${value}${hint})`;
}

export function checkTTestSettings(input: TTestSettings, path = 'design'): Issue[] {
  const issues: Issue[] = [];
  const { delta, sd, alpha = 0.05, sides = 2 } = input;
  if (!(Number.isFinite(delta) && delta > 0)) {
    issues.push(issue('design.delta.invalid', `delta must be a finite number > 0 (got ${delta})`, `${path}.delta`));
  }
  if (!(Number.isFinite(sd) && sd > 0)) {
    issues.push(issue('design.sd.invalid', `sd must be a finite number > 0 (got ${sd})`, `${path}.sd`));
  }
  if (!(alpha > 0 && alpha < 1)) {
    issues.push(issue('design.alpha.invalid', notAProportion('alpha', alpha), `${path}.alpha`));
  }
  if (sides !== 1 && sides !== 2) {
    issues.push(issue('design.sides.invalid', `sides must be 1 or 2 (got ${String(sides)})`, `${path}.sides`));
  }
  return issues;
}

export function checkPower(power: number, path = 'design.power'): Issue[] {
  return power > 0 && power < 1 ? [] : [issue('design.power.invalid', notAProportion('power', power), path)];
}

/**
 * Power of a t-test with noncentrality `ncp` and `df` degrees of freedom: the probability that the statistic falls
 * in the rejection region. Shared by the t-test and ANCOVA designs.
 */
export function noncentralTPower(ncp: number, df: number, alpha: number, sides: Sides, strict: boolean): number {
  // R: qt(alpha / sides, df, lower.tail = FALSE), i.e. -qt(alpha / sides) by symmetry, with no 1 - p rounding.
  const critical = -tQuantile(alpha / sides, df);
  const upper = pnt(critical, df, ncp, false);
  return sides === 2 && strict ? upper + pnt(-critical, df, ncp, true) : upper;
}

/** Power at n per arm, without input checks (the caller validated). */
export function ttestPowerAt(n: number, s: Required<TTestSettings>): number {
  const df = 2 * (n - 1);
  const ncp = (Math.sqrt(n / 2) * s.delta) / s.sd;
  return noncentralTPower(ncp, df, s.alpha, s.sides, s.strict);
}

function withDefaults(input: TTestSettings): Required<TTestSettings> {
  return {
    delta: input.delta,
    sd: input.sd,
    alpha: input.alpha ?? 0.05,
    sides: input.sides ?? 2,
    strict: input.strict ?? false,
  };
}

/**
 * Power of the two-sample t-test with `n` patients per arm (R: power.t.test(n, delta, sd, sig.level)$power).
 * @example ttestPower({ n: 100, delta: 3, sd: 8 }) // ok, 0.7513692695410026
 */
export function ttestPower(input: TTestPowerInput): Result<number> {
  const issues = checkTTestSettings(input);
  if (!(Number.isFinite(input.n) && input.n >= 2)) {
    issues.push(issue('design.n.invalid', `n per arm must be a number >= 2 (got ${input.n})`, 'design.n'));
  }
  if (issues.length > 0) return fail(issues);
  return ok(ttestPowerAt(input.n, withDefaults(input)));
}

/**
 * Solves power(n) = target for the fractional n per arm and rounds up to the n to recruit.
 * `powerAt` must increase with n. Shared by the t-test, ANCOVA and two-proportion designs; `settingsNamed` names the
 * settings to check when even the smallest n reaches the target.
 */
export function solveSampleSize(
  powerAt: (n: number) => number,
  target: number,
  bracket: readonly [number, number],
  patientsPerArmToTotal = 2,
  settingsNamed = 'delta, sd and power',
): Result<SampleSize> {
  if (powerAt(bracket[0]) >= target) {
    return fail([
      issue(
        'design.sample-size.below-minimum',
        `the target power ${target} is already reached with ${bracket[0]} patients per arm: check ${settingsNamed}`,
        'design.power',
      ),
    ]);
  }
  const root = brentRoot((n) => powerAt(n) - target, bracket[0], bracket[1], { tolerance: ROOT_TOLERANCE_N });
  if (!root.converged) {
    const why =
      root.reason === 'no-sign-change'
        ? `the target power is not reached between n = ${bracket[0]} and ${bracket[1]} per arm`
        : `the root finder stopped (${root.reason ?? 'unknown'})`;
    return fail([issue('design.sample-size.no-solution', `no sample size found: ${why}`, 'design.power')]);
  }
  const nPerArm = Math.ceil(root.root - 1e-9); // an exact integer root must not round up to the next patient
  return ok({
    nPerArmExact: root.root,
    nPerArm,
    totalN: patientsPerArmToTotal * nPerArm,
    achievedPower: powerAt(nPerArm),
    iterations: root.iterations,
  });
}

/**
 * Sample size per arm of the two-sample t-test (R: power.t.test(delta, sd, power, sig.level, tol = 1e-12)$n).
 * @example ttestSampleSize({ delta: 3, sd: 8, power: 0.8 }) // ok, nPerArmExact 112.5969678914..., nPerArm 113
 */
export function ttestSampleSize(input: TTestSampleSizeInput): Result<SampleSize> {
  const issues = [...checkTTestSettings(input), ...checkPower(input.power)];
  if (issues.length > 0) return fail(issues);
  const settings = withDefaults(input);
  return solveSampleSize((n) => ttestPowerAt(n, settings), input.power, N_BRACKET);
}
