/**
 * Normal variates by inversion, z = Phi^-1(u), one uniform per variate: the method R uses by default (normal.kind
 * "Inversion"). Inversion keeps each variate a fixed function of one uniform, so a truncated normal (log CRP above
 * a threshold) is drawn exactly by inverting only the upper tail.
 *
 * The quantile is Wichura's AS 241 (PPND16; Applied Statistics 1988, 37:477-484), accurate to ~1e-16 and the
 * algorithm inside R's qnorm. Hand-written rather than @stdlib's normal quantile because this is the simulation's
 * inner loop: AS 241 is a few multiply-adds and at most one log and one sqrt, ~5x faster here, and more accurate in
 * the far tail (see the qnorm golden in normal.test.ts).
 */
import type { UniformSource } from './streams.ts';

// Coefficients of AS 241, highest degree first, for Horner evaluation.
const CENTRAL_NUM = [
  2509.0809287301226727, 33430.575583588128105, 67265.770927008700853, 45921.953931549871457, 13731.693765509461125,
  1971.5909503065514427, 133.14166789178437745, 3.387132872796366608,
];
const CENTRAL_DEN = [
  5226.495278852854561, 28729.085735721942674, 39307.89580009271061, 21213.794301586595867, 5394.1960214247511077,
  687.1870074920579083, 42.313330701600911252, 1,
];
const INTERMEDIATE_NUM = [
  7.7454501427834140764e-4, 0.0227238449892691845833, 0.24178072517745061177, 1.27045825245236838258,
  3.64784832476320460504, 5.7694972214606914055, 4.6303378461565452959, 1.42343711074968357734,
];
const INTERMEDIATE_DEN = [
  1.05075007164441684324e-9, 5.475938084995344946e-4, 0.0151986665636164571966, 0.14810397642748007459,
  0.68976733498510000455, 1.6763848301838038494, 2.05319162663775882187, 1,
];
const TAIL_NUM = [
  2.01033439929228813265e-7, 2.71155556874348757815e-5, 0.0012426609473880784386, 0.026532189526576123093,
  0.29656057182850489123, 1.7848265399172913358, 5.4637849111641143699, 6.6579046435011037772,
];
const TAIL_DEN = [
  2.04426310338993978564e-15, 1.4215117583164458887e-7, 1.8463183175100546818e-5, 7.868691311456132591e-4,
  0.0148753612908506148525, 0.13692988092273580531, 0.59983220655588793769, 1,
];

/** Degree-7 polynomial by Horner's rule, unrolled: a loop here made the quantile slower than @stdlib's. */
function horner(c: readonly number[], x: number): number {
  return ((((((c[0]! * x + c[1]!) * x + c[2]!) * x + c[3]!) * x + c[4]!) * x + c[5]!) * x + c[6]!) * x + c[7]!;
}

/** Standard normal quantile Phi^-1(p) for p in [0, 1] (AS 241); +-Infinity at 0 and 1, NaN outside. */
export function normalQuantile(p: number): number {
  if (!(p >= 0 && p <= 1)) return Number.NaN;
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return (q * horner(CENTRAL_NUM, r)) / horner(CENTRAL_DEN, r);
  }
  const tail = q > 0 ? 1 - p : p;
  if (tail === 0) return q > 0 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  let r = Math.sqrt(-Math.log(tail));
  let value: number;
  if (r <= 5) {
    r -= 1.6;
    value = horner(INTERMEDIATE_NUM, r) / horner(INTERMEDIATE_DEN, r);
  } else {
    r -= 5;
    value = horner(TAIL_NUM, r) / horner(TAIL_DEN, r);
  }
  return q < 0 ? -value : value;
}

export function standardNormal(source: UniformSource): number {
  return normalQuantile(source.uniform());
}

/**
 * Standard normal conditioned on Z >= a, given upperTail = P(Z >= a) = Phi(-a): z = -Phi^-1(u upperTail), inverted in
 * the upper tail so no precision is lost when a is large.
 */
export function standardNormalAbove(source: UniformSource, upperTail: number): number {
  return -normalQuantile(source.uniform() * upperTail);
}
