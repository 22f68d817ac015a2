/**
 * Unadjusted two-sample t-tests (treatment minus control), reported beside the ANCOVA as a descriptive check, as R's
 * `t.test(y1, y2, var.equal = TRUE)` (Student, pooled variance) and `t.test(y1, y2)` (Welch-Satterthwaite df).
 */
import { tInference, type TInference } from './linear/ols.ts';

export interface SampleSummary {
  readonly n: number;
  readonly mean: number;
  /** Sample SD with denominator n - 1. */
  readonly sd: number;
}

export interface TwoSampleTTests {
  readonly treatment: SampleSummary;
  readonly control: SampleSummary;
  readonly student: TInference;
  readonly welch: TInference;
}

/** Mean and SD (n - 1 denominator); two-pass for accuracy. */
export function summarize(values: readonly number[]): SampleSummary {
  const n = values.length;
  const mean = values.reduce((s, v) => s + v, 0) / n;
  const ss = values.reduce((s, v) => s + (v - mean) ** 2, 0);
  return { n, mean, sd: Math.sqrt(ss / (n - 1)) };
}

/** Student and Welch t-tests of mean(treatment) - mean(control); each group needs at least 2 values. */
export function twoSampleTTests(
  treatment: readonly number[],
  control: readonly number[],
  level = 0.95,
): TwoSampleTTests {
  const a = summarize(treatment);
  const b = summarize(control);
  const diff = a.mean - b.mean;
  const dfPooled = a.n + b.n - 2;
  const pooledVar = ((a.n - 1) * a.sd ** 2 + (b.n - 1) * b.sd ** 2) / dfPooled;
  const student = tInference(diff, Math.sqrt(pooledVar * (1 / a.n + 1 / b.n)), dfPooled, level);
  const va = a.sd ** 2 / a.n;
  const vb = b.sd ** 2 / b.n;
  const dfWelch = (va + vb) ** 2 / (va ** 2 / (a.n - 1) + vb ** 2 / (b.n - 1));
  const welch = tInference(diff, Math.sqrt(va + vb), dfWelch, level);
  return { treatment: a, control: b, student, welch };
}
