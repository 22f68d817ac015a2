/**
 * Satterthwaite degrees of freedom for one contrast, as SAS DDFM=SATTERTHWAITE and mmrm's "Satterthwaite":
 *   df = 2 (L Phi L')^2 / (g' W g),  g_k = d(L Phi L')/d theta_k = L Phi F_k Phi L',
 * with W = Cov(theta-hat) = 2 * inverse observed Hessian of -2 log L (invariant to the parameterisation because it
 * is evaluated at the optimum).
 */
import type { MmrmFit } from './fit.ts';

/** Phi L' for a contrast row L. */
export function phiTimes(phi: readonly (readonly number[])[], contrast: readonly number[]): number[] {
  return phi.map((row) => row.reduce((sum, v, j) => sum + v * (contrast[j] ?? 0), 0));
}

/** Gradient of the contrast variance L Phi L' with respect to theta. */
export function contrastVarianceGradient(fit: MmrmFit, contrast: readonly number[]): number[] {
  const phiL = phiTimes(fit.betaCovariance, contrast);
  return (fit.evaluation.f ?? []).map((fk) =>
    fk.reduce((sum, row, i) => sum + phiL[i]! * row.reduce((inner, v, j) => inner + v * phiL[j]!, 0), 0),
  );
}

/** Satterthwaite df of the contrast (a converged fit always has a positive-definite information, fit.ts). */
export function satterthwaiteDf(fit: MmrmFit, contrast: readonly number[]): number {
  const w = fit.thetaCovariance;
  const phiL = phiTimes(fit.betaCovariance, contrast);
  const variance = phiL.reduce((sum, v, i) => sum + v * (contrast[i] ?? 0), 0);
  const g = contrastVarianceGradient(fit, contrast);
  const gwg = g.reduce((sum, gk, k) => sum + gk * w[k]!.reduce((inner, v, l) => inner + v * g[l]!, 0), 0);
  return (2 * variance * variance) / gwg;
}
