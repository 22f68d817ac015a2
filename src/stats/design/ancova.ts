/**
 * Sample size and power of an ANCOVA (outcome adjusted for a baseline covariate correlated rho with it), two arms,
 * equal allocation or n2 = K n1 (allocation.ts; n is then the control arm's, and the t-test n Borm's factor scales is
 * pwr::pwr.t2n.test's).
 *
 * - `borm`: Borm, Fransen & Lemmens (2007), J Clin Epidemiol 60:1234-1238: n_ancova = n_ttest (1 - rho^2), where
 *   n_ttest is R's power.t.test n (one-tail power, as power.t.test). The design factor 1 - rho^2 is the residual
 *   variance fraction after adjusting for the covariate.
 * - `exact`: noncentral t with df = 2n - 3 (two means and one slope) and residual SD sd sqrt(1 - rho^2), both
 *   rejection tails counted; solved for n as reference/stats-reference/scripts/05_design.R does (uniroot, tol 1e-12).
 *   It ignores the small variance of the estimated slope, so it is a little liberal for very small n.
 */
import { issue, ok, fail, type Result } from '../../record/index.ts';
import {
  armSizes,
  checkAllocation,
  checkTreatmentArm,
  isDefaultAllocation,
  randomisedRatio,
  smallestControlArm,
  type Allocation,
} from './allocation.ts';
import {
  checkPower,
  checkTTestSettings,
  noncentralTPower,
  solveSampleSize,
  ttestPowerAt,
  type SampleSize,
  type TTestSettings,
} from './ttest.ts';

export type AncovaMethod = 'borm' | 'exact';

export interface AncovaSettings extends TTestSettings, Allocation {
  /** Correlation between the baseline covariate and the outcome, in (-1, 1). */
  readonly rho: number;
  readonly method?: AncovaMethod;
}

export interface AncovaSampleSizeInput extends AncovaSettings {
  readonly power: number;
}

export interface AncovaSampleSize extends SampleSize {
  readonly method: AncovaMethod;
  /** Residual SD after adjustment: sd sqrt(1 - rho^2). */
  readonly residualSd: number;
  /** Fractional t-test n per arm without the covariate, for comparison. */
  readonly nPerArmTTestExact: number;
  /**
   * Borm only, when its n falls short of the target power by the exact noncentral t (the approximation is liberal
   * at small n, e.g. rho near 1): the exact method's n per arm, so that the shortfall is never shown alone.
   */
  readonly nPerArmExactMethod?: number;
}

/** n per arm must leave residual df 2n - 3 > 0; R's reference solves on [3, 1e5]. */
const EXACT_BRACKET: readonly [number, number] = [3, 1e7];
const TTEST_BRACKET: readonly [number, number] = [2, 1e7];

function checkRho(rho: number) {
  return rho > -1 && rho < 1 ? [] : [issue('design.rho.invalid', `rho must be in (-1, 1) (got ${rho})`, 'design.rho')];
}

function settings(input: AncovaSettings) {
  return {
    delta: input.delta,
    sd: input.sd,
    alpha: input.alpha ?? 0.05,
    sides: input.sides ?? 2,
    strict: input.strict ?? false,
  } as const;
}

/**
 * Power of the exact ANCOVA version at n per arm, n control and ratio x n treatment (both tails when two-sided):
 * df n1 + n2 - 3, ncp delta / (residual SD sqrt(1/n1 + 1/n2)); ratio 1 computes bit for bit df 2n - 3, sqrt(2 / n).
 */
export function ancovaExactPowerAt(n: number, input: AncovaSettings, ratio = 1): number {
  const s = settings(input);
  const residualSd = s.sd * Math.sqrt(1 - input.rho * input.rho);
  const ncp = s.delta / residualSd / Math.sqrt((1 + 1 / ratio) / n);
  return noncentralTPower(ncp, n + ratio * n - 3, s.alpha, s.sides, true);
}

/**
 * Power of the ANCOVA with n per arm: the exact noncentral t with df 2n - 3, whatever the method. Borm's factor is a
 * sample-size approximation; inverted (the t-test at n / (1 - rho^2) patients, with the t-test df) it overstates the
 * power at small n (3 per arm at rho 0.99: 0.90 against 0.60), and the sample-size answer already shows the exact
 * power at its recommended n, so the same design asked the other way round gives the same power.
 */
export function ancovaPower(input: AncovaSettings & { readonly n: number }): Result<number> {
  const issues = [...checkTTestSettings(input), ...checkRho(input.rho), ...checkAllocation(input)];
  if (!(Number.isFinite(input.n) && input.n >= 2)) {
    issues.push(issue('design.n.invalid', `n per arm must be a number >= 2 (got ${input.n})`, 'design.n'));
  }
  if (issues.length === 0) issues.push(...checkTreatmentArm(input.n, input, 2));
  if (issues.length > 0) return fail(issues);
  return ok(ancovaExactPowerAt(input.n, input, randomisedRatio(input.n, input.ratio)));
}

/**
 * Sample size per arm of an ANCOVA.
 * @example ancovaSampleSize({ delta: 3, sd: 8, rho: 0.5, power: 0.8, method: 'exact' }) // nPerArmExact 84.698...
 */
export function ancovaSampleSize(input: AncovaSampleSizeInput): Result<AncovaSampleSize> {
  const issues = [
    ...checkTTestSettings(input),
    ...checkPower(input.power),
    ...checkRho(input.rho),
    ...checkAllocation(input),
  ];
  if (issues.length > 0) return fail(issues);
  const method = input.method ?? 'borm';
  const s = settings(input);
  const residualSd = s.sd * Math.sqrt(1 - input.rho * input.rho);
  const exactPowerAt = (n: number, ratio: number) => ancovaExactPowerAt(n, input, ratio);
  const ttest = solveSampleSize((n, ratio) => ttestPowerAt(n, s, ratio), input.power, TTEST_BRACKET, undefined, input);
  if (!ttest.ok) return ttest;
  const nPerArmTTestExact = ttest.value.nPerArmExact;
  if (method === 'borm') {
    const factor = 1 - input.rho * input.rho;
    const nPerArmExact = nPerArmTTestExact * factor;
    // The ANCOVA needs residual df 2n - 3 >= 1 whatever the approximation says (rho near 1 gives n < 1), and the
    // power at the recommended n is the exact noncentral t, so a Borm n that falls short at small n shows it.
    const arms = armSizes(Math.max(smallestControlArm(EXACT_BRACKET[0], input.ratio), nPerArmExact), input);
    const { control, treatment } = arms;
    const achievedPower = exactPowerAt(control.randomise, treatment.randomise / control.randomise);
    const exact =
      achievedPower < input.power
        ? solveSampleSize(exactPowerAt, input.power, EXACT_BRACKET, undefined, input)
        : undefined;
    return ok({
      method,
      residualSd,
      nPerArmTTestExact,
      nPerArmExact,
      nPerArm: control.randomise,
      totalN: arms.randomiseTotal,
      achievedPower,
      iterations: ttest.value.iterations,
      ...(exact?.ok === true && { nPerArmExactMethod: exact.value.nPerArm }),
      ...(!isDefaultAllocation(input) && { arms }),
    });
  }
  const exact = solveSampleSize(exactPowerAt, input.power, EXACT_BRACKET, undefined, input);
  if (!exact.ok) return exact;
  return ok({ method, residualSd, nPerArmTTestExact, ...exact.value });
}
