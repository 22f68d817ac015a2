/**
 * Power and sample size for comparing two proportions (a binary outcome such as remission or response), equal
 * allocation, exactly as R's `power.prop.test`: the normal approximation with the pooled variance under H0,
 *
 *   power = pnorm((sqrt(n) |p1 - p2| - qnorm(alpha / sides, lower.tail = FALSE) sqrt((p1 + p2)(q1 + q2) / 2))
 *                 / sqrt(p1 q1 + p2 q2)),
 *
 * n per arm. Two-sided power counts only the rejection tail on the side of the effect, as R does; `strict: true`
 * adds the far tail (R `strict = TRUE`). n is the root of power(n) = target on R's bracket [2, 1e7], to 1e-12.
 *
 * With an allocation ratio K (allocation.ts: n2 = K n1, p1 the control arm's proportion, p2 the treatment arm's), the
 * same normal approximation with the pooled proportion under H0 weighted by the arms, pbar = (p1 + K p2) / (1 + K)
 * (Fleiss, Tytun and Ury 1980; Fleiss, Levin and Paik 2003, Statistical Methods for Rates and Proportions, 3rd ed.,
 * chapter 4; R Hmisc::bpower / bsamsize with fraction = 1 / (1 + K)):
 *
 *   power = pnorm((|p1 - p2| - z sqrt(pbar qbar (1/n1 + 1/n2))) / sqrt(p1 q1 / n1 + p2 q2 / n2)),
 *
 * which is power.prop.test's formula at K = 1, and whose root is bsamsize's closed-form n1.
 *
 * Beside it, the continuity-corrected n many protocols quote (Fleiss, Tytun and Ury 1980, Biometrics 36:343-346):
 * n_cc = n / 4 (1 + sqrt(1 + 2 (K + 1) / (n K |p1 - p2|)))^2, from the uncorrected n (4 / (n |p1 - p2|) at K = 1),
 * n2_cc = K n_cc. R's power.prop.test has no correction.
 */
import { issue, ok, fail, type Issue, type Result } from '../../record/index.ts';
import { numberNeededToTreat } from '../binary.ts';
import { pnorm, qnorm } from '../distributions.ts';
import { checkPower, solveSampleSize, type SampleSize, type Sides } from './ttest.ts';
import {
  armSizes,
  checkAllocation,
  checkTreatmentArm,
  isDefaultAllocation,
  randomisedRatio,
  type Allocation,
  type ArmSizes,
} from './allocation.ts';

export interface ProportionsSettings {
  /** Proportion with the outcome in one arm (e.g. placebo), in (0, 1). */
  readonly p1: number;
  /** Proportion with the outcome in the other arm (e.g. active), in (0, 1), different from p1. */
  readonly p2: number;
  /** Type I error rate (two-sided alpha when sides = 2). Default 0.05. */
  readonly alpha?: number;
  readonly sides?: Sides;
  /** Count both rejection tails in two-sided power (R strict = TRUE). Default false, as power.prop.test. */
  readonly strict?: boolean;
}

export interface ProportionsPowerInput extends ProportionsSettings, Allocation {
  /** Patients per arm, the control (p1) arm's with a ratio (may be fractional, as in R), >= 1. */
  readonly n: number;
}

export interface ProportionsSampleSizeInput extends ProportionsSettings, Allocation {
  /** Target power, in (0, 1). */
  readonly power: number;
}

/** The effect the design is sized for: |p1 - p2| and the number needed to treat it implies. */
export interface ProportionsEffect {
  readonly absoluteDifference: number;
  /** 1 / |p1 - p2|, and rounded up to a whole patient, as src/stats/binary.ts reports NNTs. */
  readonly nnt: { readonly estimate: number; readonly rounded: number };
}

export interface ProportionsSampleSize extends SampleSize, ProportionsEffect {
  /** Fleiss, Tytun and Ury (1980) continuity-corrected n, from nPerArmExact; not part of R's power.prop.test. */
  readonly continuityCorrected: {
    readonly method: 'fleiss-tytun-ury-1980';
    readonly nPerArmExact: number;
    readonly nPerArm: number;
    readonly totalN: number;
    /** Only with a ratio or a dropout, as SampleSize.arms. */
    readonly arms?: ArmSizes;
  };
}

export interface ProportionsPower extends ProportionsEffect {
  readonly power: number;
}

/** R power.prop.test searches n in [2, 1e7]. */
const N_BRACKET: readonly [number, number] = [2, 1e7];

export function checkProportionsSettings(input: ProportionsSettings, path = 'design'): Issue[] {
  const issues: Issue[] = [];
  const { p1, p2, alpha = 0.05, sides = 2 } = input;
  for (const [name, p] of [
    ['p1', p1],
    ['p2', p2],
  ] as const) {
    if (!(p > 0 && p < 1))
      issues.push(issue(`design.${name}.invalid`, `${name} must be in (0, 1) (got ${p})`, `${path}.${name}`));
  }
  if (issues.length === 0 && p1 === p2) {
    issues.push(
      issue(
        'design.proportions.equal',
        `p1 and p2 must differ (both ${p1}): there is no difference to detect`,
        `${path}.p2`,
      ),
    );
  }
  if (!(alpha > 0 && alpha < 1)) {
    issues.push(issue('design.alpha.invalid', `alpha must be in (0, 1) (got ${alpha})`, `${path}.alpha`));
  }
  if (sides !== 1 && sides !== 2) {
    issues.push(issue('design.sides.invalid', `sides must be 1 or 2 (got ${String(sides)})`, `${path}.sides`));
  }
  return issues;
}

function withDefaults(input: ProportionsSettings): Required<ProportionsSettings> {
  return {
    p1: input.p1,
    p2: input.p2,
    alpha: input.alpha ?? 0.05,
    sides: input.sides ?? 2,
    strict: input.strict ?? false,
  };
}

/**
 * Power at n per arm (n with p1, ratio x n with p2), without input checks (the caller validated): R
 * power.prop.test's p.body, and Hmisc::bpower's formula with a ratio, both multiplied through by sqrt(n). Ratio 1
 * computes bit for bit power.prop.test's (p1 + p2)(q1 + q2) / 2 and p1 q1 + p2 q2.
 */
export function proportionsPowerAt(n: number, s: Required<ProportionsSettings>, ratio = 1): number {
  const { p1, p2 } = s;
  const q1 = 1 - p1;
  const q2 = 1 - p2;
  const critical = qnorm(s.alpha / s.sides, false);
  const shift = Math.sqrt(n) * Math.abs(p1 - p2);
  // pbar qbar (1 + 1/K) with pbar = (p1 + K p2) / (1 + K), qbar = (q1 + K q2) / (1 + K)
  const nullSd = Math.sqrt(((p1 + ratio * p2) * (q1 + ratio * q2)) / (ratio * (1 + ratio)));
  const sd = Math.sqrt(p1 * q1 + (p2 * q2) / ratio);
  const near = pnorm((shift - critical * nullSd) / sd);
  return s.sides === 2 && s.strict ? near + pnorm((shift + critical * nullSd) / sd, false) : near;
}

function effect(p1: number, p2: number): ProportionsEffect {
  const d = Math.abs(p1 - p2);
  const { estimate, rounded } = numberNeededToTreat(d, [d, d]);
  return { absoluteDifference: d, nnt: { estimate, rounded } };
}

/** Fleiss, Tytun and Ury (1980): the continuity-corrected n per arm (the control arm's with a ratio) from the uncorrected n. */
export function continuityCorrectedN(n: number, absoluteDifference: number, ratio = 1): number {
  return (n / 4) * (1 + Math.sqrt(1 + (2 * (ratio + 1)) / (n * ratio * absoluteDifference))) ** 2;
}

/**
 * Power with `n` patients per arm (R: power.prop.test(n, p1, p2, sig.level)$power).
 * @example proportionsPower({ n: 50, p1: 0.5, p2: 0.75 }) // ok, power 0.7401659013313878
 */
export function proportionsPower(input: ProportionsPowerInput): Result<ProportionsPower> {
  const issues = [...checkProportionsSettings(input), ...checkAllocation(input)];
  // R power.prop.test: "number of observations in each group must be at least 1".
  if (!(Number.isFinite(input.n) && input.n >= 1)) {
    issues.push(issue('design.n.invalid', `n per arm must be a number >= 1 (got ${input.n})`, 'design.n'));
  }
  if (issues.length === 0) issues.push(...checkTreatmentArm(input.n, input, 1));
  if (issues.length > 0) return fail(issues);
  return ok({
    power: proportionsPowerAt(input.n, withDefaults(input), randomisedRatio(input.n, input.ratio)),
    ...effect(input.p1, input.p2),
  });
}

/**
 * Sample size per arm (R: power.prop.test(p1, p2, power, sig.level, tol = 1e-12)$n), with the continuity-corrected
 * n beside it.
 * @example proportionsSampleSize({ p1: 0.313, p2: 0.539, power: 0.8 }) // nPerArmExact 73.962..., nPerArm 74
 */
export function proportionsSampleSize(input: ProportionsSampleSizeInput): Result<ProportionsSampleSize> {
  const issues = [...checkProportionsSettings(input), ...checkPower(input.power), ...checkAllocation(input)];
  if (issues.length > 0) return fail(issues);
  const settings = withDefaults(input);
  const solved = solveSampleSize(
    (n, ratio) => proportionsPowerAt(n, settings, ratio),
    input.power,
    N_BRACKET,
    'p1, p2 and power',
    input,
  );
  if (!solved.ok) return solved;
  const e = effect(input.p1, input.p2);
  const ccExact = continuityCorrectedN(solved.value.nPerArmExact, e.absoluteDifference, input.ratio);
  const cc = armSizes(ccExact, input);
  return ok({
    ...solved.value,
    ...e,
    continuityCorrected: {
      method: 'fleiss-tytun-ury-1980',
      nPerArmExact: ccExact,
      nPerArm: cc.control.randomise,
      totalN: cc.randomiseTotal,
      ...(!isDefaultAllocation(input) && { arms: cc }),
    },
  });
}
