/**
 * Allocation ratio and dropout allowance, shared by the t-test, ANCOVA and two-proportion designs.
 *
 * - `ratio` K: n_treatment = K x n_control (2 for 2:1 drug:placebo), default 1 (equal arms). The designs solve for
 *   the fractional control-arm n with the treatment arm K times it, as R's pwr::pwr.t2n.test and Hmisc::bsamsize do,
 *   and round each arm up on its own.
 * - `dropout` D: the proportion expected to be lost before the primary outcome, default 0. Each arm's n to recruit is
 *   its n to randomise / (1 - D), rounded up, so that the expected number analysed is at least the n the power needs.
 *   This is the usual inflation; it assumes the patients lost are missing at random and that the analysis is of
 *   those who reach the outcome.
 */
import { issue, type Issue } from '../../record/index.ts';
import { notAProportion } from './ttest.ts';

export interface Allocation {
  /** n_treatment / n_control, in [MIN_RATIO, MAX_RATIO]. Default 1. */
  readonly ratio?: number;
  /** Proportion lost before the outcome, in [0, MAX_DROPOUT]. Default 0. */
  readonly dropout?: number;
}

/** 1:10 to 10:1: beyond that one arm is too small for the normal or t approximation to carry the comparison. */
export const MIN_RATIO = 0.1;
export const MAX_RATIO = 10;
/** A trial planned to lose more than half its patients has no primary analysis worth sizing. */
export const MAX_DROPOUT = 0.5;

export function isDefaultAllocation(a: Allocation): boolean {
  return (a.ratio ?? 1) === 1 && (a.dropout ?? 0) === 0;
}

export function checkAllocation(a: Allocation, path = 'design'): Issue[] {
  const issues: Issue[] = [];
  const { ratio = 1, dropout = 0 } = a;
  if (!(Number.isFinite(ratio) && ratio >= MIN_RATIO && ratio <= MAX_RATIO)) {
    issues.push(
      issue(
        'design.ratio.invalid',
        `ratio must be between ${MIN_RATIO} and ${MAX_RATIO}, n treatment / n control (got ${ratio}; 2 for 2:1 treatment:control)`,
        `${path}.ratio`,
      ),
    );
  }
  if (!(Number.isFinite(dropout) && dropout >= 0 && dropout <= MAX_DROPOUT)) {
    issues.push(
      issue(
        'design.dropout.invalid',
        notAProportion(
          'dropout',
          dropout,
          `[0, ${MAX_DROPOUT}]`,
          'the proportion expected to be lost before the outcome; a trial losing more than half has no primary analysis to size',
        ),
        `${path}.dropout`,
      ),
    );
  }
  return issues;
}

/**
 * The smallest control arm whose treatment arm (ratio x n) also has `minimumPerArm` patients: the lower end of the
 * sample-size search, and of the n a power is asked at. `minimumPerArm` at ratio 1 (and above).
 */
export function smallestControlArm(minimumPerArm: number, ratio = 1): number {
  return Math.max(minimumPerArm, minimumPerArm / ratio);
}

/**
 * The power at a given n (the control arm's) asks both arms to have `minimumPerArm` patients, as each design asks of
 * n per arm: 2 per arm at ratio 0.5 would leave the treatment arm 1 patient. Call after checkAllocation passed.
 */
export function checkTreatmentArm(n: number, allocation: Allocation, minimumPerArm: number): Issue[] {
  const ratio = allocation.ratio ?? 1;
  if (ratio === 1 || !(Number.isFinite(n) && n >= minimumPerArm) || ratio * n >= minimumPerArm) return [];
  return [
    issue(
      'design.n.invalid',
      `the treatment arm (ratio x n = ${ratio} x ${n} = ${ratio * n}) must have at least ${minimumPerArm} patient${minimumPerArm === 1 ? '' : 's'}: n >= ${smallestControlArm(minimumPerArm, ratio)}`,
      'design.n',
    ),
  ];
}

/**
 * The ratio of the arms as randomised with a control arm of n: the treatment arm ratio x n rounded up on its own, as
 * armSizes rounds it (31 control at 1.5:1 randomises 47 treatment, not 46.5), so that the power at a given n is the
 * power of the trial the arms describe. Ratio 1 stays 1 (n per arm may be fractional there, as in R).
 */
export function randomisedRatio(n: number, ratio = 1): number {
  return ratio === 1 ? 1 : Math.ceil(ratio * n - 1e-9) / n;
}

/** The n to recruit so that n_randomised (1 - dropout) are expected to reach the outcome, rounded up. */
export function toRecruit(nRandomised: number, dropout: number): number {
  return Math.ceil(nRandomised / (1 - dropout) - 1e-9); // 21 / 0.7 = 30.000000000000004 must stay 30
}

export interface Arm {
  /** The exact (fractional) n the power calculation gives this arm. */
  readonly exact: number;
  /** Patients to randomise to this arm: the exact n rounded up. */
  readonly randomise: number;
  /** Patients to recruit to this arm: randomise / (1 - dropout), rounded up. */
  readonly recruit: number;
}

export interface ArmSizes {
  readonly ratio: number;
  readonly dropout: number;
  readonly control: Arm;
  readonly treatment: Arm;
  /** Patients to randomise, both arms. */
  readonly randomiseTotal: number;
  /** Patients to recruit, both arms, after the dropout allowance. */
  readonly recruitTotal: number;
}

/** Both arms from the control arm's exact n: treatment = ratio x control, each rounded up on its own. */
export function armSizes(nControlExact: number, allocation: Allocation): ArmSizes {
  const ratio = allocation.ratio ?? 1;
  const dropout = allocation.dropout ?? 0;
  const arm = (exact: number): Arm => {
    const randomise = Math.ceil(exact - 1e-9); // an exact integer n must not round up to the next patient
    return { exact, randomise, recruit: toRecruit(randomise, dropout) };
  };
  const control = arm(nControlExact);
  const treatment = arm(ratio * nControlExact);
  return {
    ratio,
    dropout,
    control,
    treatment,
    randomiseTotal: control.randomise + treatment.randomise,
    recruitTotal: control.recruit + treatment.recruit,
  };
}
