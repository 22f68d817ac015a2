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
// Literals are the published values rounded to the nearest double (what the longer decimals parse to anyway).
const CENTRAL_NUM = [
  2509.0809287301227, 33430.57558358813, 67265.7709270087, 45921.95393154987, 13731.69376550946, 1971.5909503065513,
  133.14166789178438, 3.3871328727963665,
];
const CENTRAL_DEN = [
  5226.495278852854, 28729.085735721943, 39307.89580009271, 21213.794301586597, 5394.196021424751, 687.1870074920579,
  42.31333070160091, 1,
];
const INTERMEDIATE_NUM = [
  0.0007745450142783414, 0.022723844989269184, 0.2417807251774506, 1.2704582524523684, 3.6478483247632045,
  5.769497221460691, 4.630337846156546, 1.4234371107496835,
];
const INTERMEDIATE_DEN = [
  1.0507500716444169e-9, 0.0005475938084995345, 0.015198666563616457, 0.14810397642748008, 0.6897673349851,
  1.6763848301838038, 2.053191626637759, 1,
];
const TAIL_NUM = [
  2.0103343992922881e-7, 2.7115555687434876e-5, 0.0012426609473880784, 0.026532189526576124, 0.29656057182850487,
  1.7848265399172913, 5.463784911164114, 6.657904643501103,
];
const TAIL_DEN = [
  2.0442631033899397e-15, 1.421511758316446e-7, 1.8463183175100548e-5, 0.0007868691311456133, 0.014875361290850615,
  0.1369298809227358, 0.599832206555888, 1,
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
