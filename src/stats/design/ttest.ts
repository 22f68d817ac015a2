/**
 * Power and sample size of the two-sample t-test, exactly as R's `power.t.test` (type = "two.sample") with equal
 * allocation: df = 2(n - 1), ncp = sqrt(n / 2) delta / sd, n per arm. With an allocation ratio K (n2 = K n1, see
 * allocation.ts) as R's pwr::pwr.t2n.test: df = n1 + n2 - 2, ncp = delta / (sd sqrt(1/n1 + 1/n2)), n = n1 the
 * control arm's.
 *
 * Two-sided power by default counts only the rejection tail on the side of the effect, as R does; `strict: true`
 * adds the far tail (R `strict = TRUE`, pwr::pwr.t.test). The difference is below 1e-4 in power for any design
 * that matters, but it moves the fractional n in the 4th decimal.
 */
import { issue, ok, fail, type Issue, type Result } from '../../record/index.ts';
import { pnt } from '../noncentral-t.ts';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';
import { brentRoot } from './brent.ts';
import {
  armSizes,
  checkAllocation,
  checkTreatmentArm,
  isDefaultAllocation,
  randomisedRatio,
  smallestControlArm,
  type Allocation,
  type ArmSizes,
} from './allocation.ts';

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

export interface TTestPowerInput extends TTestSettings, Allocation {
  /** Patients per arm, the control arm's with a ratio (may be fractional, as in R). */
  readonly n: number;
}

export interface TTestSampleSizeInput extends TTestSettings, Allocation {
  /** Target power, in (0, 1). */
  readonly power: number;
}

export interface SampleSize {
  /** Root of power(n) = target, to 1e-12 absolute: comparable with R's uniroot(tol = 1e-12). The control arm's n with a ratio. */
  readonly nPerArmExact: number;
  /** Patients to randomise per arm: ceiling of the exact n (the control arm's with a ratio; before dropout). */
  readonly nPerArm: number;
  /** Patients to randomise, both arms. */
  readonly totalN: number;
  /** Power actually reached with nPerArm patients per arm (with a ratio, with both arms rounded up). */
  readonly achievedPower: number;
  readonly iterations: number;
  /** Each arm, the total to randomise and the total to recruit after dropout; only with a ratio or a dropout. */
  readonly arms?: ArmSizes;
}

/** R's uniroot tol for power.t.test is ~1.2e-4; this solves to 1e-12 so the result is reproducible digit for digit. */
export const ROOT_TOLERANCE_N = 1e-12;
/** R power.t.test searches n in [2, 1e7]. */
const N_BRACKET: readonly [number, number] = [2, 1e7];

/**
 * "power must be in (0, 1) (got 80: a proportion, 0.8 for 80%)": a whole number between 1 and 100 is most likely
 * a percentage, and the message says how to write it.
 */
export function notAProportion(name: string, value: number, range = '(0, 1)', why = ''): string {
  const hint =
    Number.isInteger(value) && value > 1 && value < 100 ? `: a proportion, ${value / 100} for ${value}%` : '';
  return `${name} must be in ${range} (got ${value}${hint})${why === '' ? '' : `: ${why}`}`;
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

/**
 * Power at n per arm (n control and ratio x n treatment), without input checks (the caller validated). Written so
 * that ratio 1 computes bit for bit what power.t.test does: (n - 1) + (n - 1) = 2(n - 1), n / (1 + 1) = n / 2.
 */
export function ttestPowerAt(n: number, s: Required<TTestSettings>, ratio = 1): number {
  const df = n - 1 + (ratio * n - 1);
  // 1/n1 + 1/n2 = (1 + 1/K) / n1
  const ncp = (Math.sqrt(n / (1 + 1 / ratio)) * s.delta) / s.sd;
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
  const issues = [...checkTTestSettings(input), ...checkAllocation(input)];
  if (!(Number.isFinite(input.n) && input.n >= 2)) {
    issues.push(issue('design.n.invalid', `n per arm must be a number >= 2 (got ${input.n})`, 'design.n'));
  }
  if (issues.length === 0) issues.push(...checkTreatmentArm(input.n, input, 2));
  if (issues.length > 0) return fail(issues);
  return ok(ttestPowerAt(input.n, withDefaults(input), randomisedRatio(input.n, input.ratio)));
}

/**
 * Solves power(n) = target for the fractional n per arm and rounds up to the n to recruit.
 * `powerAt(n, ratio)` (n control, ratio x n treatment) must increase with n. Shared by the t-test, ANCOVA and
 * two-proportion designs; `settingsNamed` names the settings to check when even the smallest n reaches the target.
 * With a ratio or a dropout (allocation.ts) the result has `arms`, and nPerArm is the control arm's.
 */
export function solveSampleSize(
  powerAt: (n: number, ratio: number) => number,
  target: number,
  bracket: readonly [number, number],
  settingsNamed = 'delta, sd and power',
  allocation: Allocation = {},
): Result<SampleSize> {
  const ratio = allocation.ratio ?? 1;
  const perArm = ratio === 1 ? 'patients per arm' : 'patients in the control arm';
  // Both arms at least the bracket's minimum: the control arm's lower end is raised when it is the larger one.
  const lower = smallestControlArm(bracket[0], ratio);
  if (powerAt(lower, ratio) >= target) {
    return fail([
      issue(
        'design.sample-size.below-minimum',
        `the target power ${target} is already reached with ${lower} ${perArm}: check ${settingsNamed}`,
        'design.power',
      ),
    ]);
  }
  const root = brentRoot((n) => powerAt(n, ratio) - target, lower, bracket[1], { tolerance: ROOT_TOLERANCE_N });
  if (!root.converged) {
    const why =
      root.reason === 'no-sign-change'
        ? `the target power is not reached between n = ${lower} and ${bracket[1]} per arm`
        : `the root finder stopped (${root.reason ?? 'unknown'})`;
    return fail([issue('design.sample-size.no-solution', `no sample size found: ${why}`, 'design.power')]);
  }
  const arms = armSizes(root.root, allocation);
  const { control, treatment } = arms;
  return ok({
    nPerArmExact: root.root,
    nPerArm: control.randomise,
    totalN: arms.randomiseTotal,
    // Both arms rounded up: the treatment arm is not ratio x the rounded control arm.
    achievedPower: powerAt(control.randomise, treatment.randomise / control.randomise),
    iterations: root.iterations,
    ...(!isDefaultAllocation(allocation) && { arms }),
  });
}

/**
 * Sample size per arm of the two-sample t-test (R: power.t.test(delta, sd, power, sig.level, tol = 1e-12)$n).
 * @example ttestSampleSize({ delta: 3, sd: 8, power: 0.8 }) // ok, nPerArmExact 112.5969678914..., nPerArm 113
 */
export function ttestSampleSize(input: TTestSampleSizeInput): Result<SampleSize> {
  const issues = [...checkTTestSettings(input), ...checkPower(input.power), ...checkAllocation(input)];
  if (issues.length > 0) return fail(issues);
  const settings = withDefaults(input);
  return solveSampleSize((n, ratio) => ttestPowerAt(n, settings, ratio), input.power, N_BRACKET, undefined, input);
}
