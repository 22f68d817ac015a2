/**
 * The log-Cholesky parameterisation the optimiser works in: Sigma = L L' with L lower triangular, phi holding
 * log L_ii on the diagonal and L_ij below it, in the SAS order of covariance.ts (phi_k belongs to the same visit pair
 * as theta_k). It is the mmrm package's parameterisation of us() (Pinheiro & Bates 1996, "Unconstrained
 * parametrizations for variance-covariance matrices"). Every phi gives a positive-definite Sigma, so a step never
 * leaves the parameter space; and when visits are almost perfectly correlated the optimum, which in sigma_ij sits a
 * hair inside the positive-definite boundary (every Newton step across it is infeasible and halved), is an ordinary
 * interior point with log L_ii moderately negative.
 *
 * The likelihood and its derivatives stay in the sigma_ij parameterisation (reml.ts: second derivatives of V vanish
 * there, which Kenward-Roger as SAS computes it needs); this module carries the gradient and Hessian over by the
 * chain rule. Hand-written: no library offers the derivatives of this map.
 */
import { thetaElements } from './covariance.ts';

/** Lower-triangular L (K x K) from phi. */
export function choleskyFromPhi(phi: readonly number[], visitCount: number): number[][] {
  const lower = Array.from({ length: visitCount }, () => new Array<number>(visitCount).fill(0));
  thetaElements(visitCount).forEach(({ row, col }, k) => {
    lower[row]![col] = row === col ? Math.exp(phi[k]!) : phi[k]!;
  });
  return lower;
}

/** theta (sigma_ij, SAS order) of Sigma = L L' for phi. */
export function thetaFromPhi(phi: readonly number[], visitCount: number): number[] {
  const lower = choleskyFromPhi(phi, visitCount);
  return thetaElements(visitCount).map(({ row, col }) => {
    let sum = 0;
    for (let c = 0; c <= col; c++) sum += lower[row]![c]! * lower[col]![c]!;
    return sum;
  });
}

/** phi of a positive-definite Sigma given by theta, or null when Sigma is not positive definite. */
export function phiFromTheta(theta: readonly number[], visitCount: number): number[] | null {
  const sigma = Array.from({ length: visitCount }, () => new Array<number>(visitCount).fill(0));
  thetaElements(visitCount).forEach(({ row, col }, k) => {
    sigma[row]![col] = theta[k]!;
    sigma[col]![row] = theta[k]!;
  });
  const lower = Array.from({ length: visitCount }, () => new Array<number>(visitCount).fill(0));
  for (let i = 0; i < visitCount; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = sigma[i]![j]!;
      for (let c = 0; c < j; c++) sum -= lower[i]![c]! * lower[j]![c]!;
      if (i === j) {
        if (!(sum > 0)) return null;
        lower[i]![i] = Math.sqrt(sum);
      } else lower[i]![j] = sum / lower[j]![j]!;
    }
  }
  return thetaElements(visitCount).map(({ row, col }) =>
    row === col ? Math.log(lower[row]![row]!) : lower[row]![col]!,
  );
}

/**
 * Gradient and Hessian of a function of theta, carried over to phi:
 *   grad_phi = J' grad_theta,   H_phi = J' H_theta J + C,   C = sum_k grad_theta_k d2 theta_k / dphi dphi',
 * J = d theta / d phi. With l_m the entry of L that phi_m sets (s_m = dl_m/dphi_m: l_m on the diagonal, 1 below)
 * and dSigma_ij/dL_ab = delta_ia L_jb + delta_ja L_ib, d2 Sigma_ij/dL_ab dL_cd = (delta_ia delta_jc + delta_ja
 * delta_ic) delta_bd; the log on the diagonal adds grad_phi_m itself to C[m][m]. Fisher scoring uses J' I J alone
 * (the expected gradient is zero).
 */
export interface PhiChainRule {
  /** jacobian[k][m] = d theta_k / d phi_m. */
  readonly jacobian: number[][];
  readonly gradient: number[];
  /** C above: the curvature of the map weighted by the theta gradient. */
  readonly curvature: number[][];
}

export function phiChainRule(
  phi: readonly number[],
  visitCount: number,
  gradientTheta: readonly number[],
): PhiChainRule {
  const lower = choleskyFromPhi(phi, visitCount);
  const elements = thetaElements(visitCount);
  const scale = elements.map(({ row, col }) => (row === col ? lower[row]![row]! : 1));
  const jacobian = elements.map(({ row: i, col: j }) =>
    elements.map(({ row: a, col: b }, m) => {
      let value = 0;
      if (i === a) value += lower[j]![b]!;
      if (j === a) value += lower[i]![b]!;
      return value * scale[m]!;
    }),
  );
  const gradient = elements.map((_, m) => gradientTheta.reduce((sum, g, k) => sum + g * jacobian[k]![m]!, 0));
  const curvature = elements.map(({ row: a, col: b }, m) =>
    elements.map(({ row: c, col: d }, n) => {
      if (b !== d) return 0;
      let value = 0;
      elements.forEach(({ row: i, col: j }, k) => {
        const second = (i === a && j === c ? 1 : 0) + (j === a && i === c ? 1 : 0);
        if (second !== 0) value += gradientTheta[k]! * second;
      });
      return value * scale[m]! * scale[n]!;
    }),
  );
  elements.forEach(({ row, col }, m) => {
    if (row === col) curvature[m]![m]! += gradient[m]!;
  });
  return { jacobian, gradient, curvature };
}

/** J' M J (+ extra when given): a theta-space second-derivative matrix carried over to phi. */
export function congruence(
  jacobian: readonly (readonly number[])[],
  matrix: readonly (readonly number[])[],
  extra?: readonly (readonly number[])[],
): number[][] {
  const q = jacobian.length;
  const mj = matrix.map((row) => jacobian[0]!.map((_, n) => row.reduce((sum, v, l) => sum + v * jacobian[l]![n]!, 0)));
  return jacobian[0]!.map((_, m) =>
    jacobian[0]!.map((_, n) => {
      let sum = extra ? extra[m]![n]! : 0;
      for (let k = 0; k < q; k++) sum += jacobian[k]![m]! * mj[k]![n]!;
      return sum;
    }),
  );
}
