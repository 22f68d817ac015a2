/**
 * Unstructured (UN) covariance parameterised by its elements, as SAS PROC MIXED TYPE=UN: theta lists sigma_ij for
 * i >= j in SAS order UN(1,1), UN(2,1), UN(2,2), UN(3,1), ... Each dSigma/dtheta_k is then a 0/1 matrix and every
 * second derivative vanishes, which is why Kenward-Roger in this parameterisation equals SAS DDFM=KR
 * (mmrm's "Kenward-Roger-Linear").
 */

/** Visit pair (row, col) of theta_k, with row >= col (0-based visit indices). */
export interface ThetaElement {
  readonly row: number;
  readonly col: number;
}

/** The theta elements of a K x K UN covariance in SAS order. */
export function thetaElements(visitCount: number): ThetaElement[] {
  const elements: ThetaElement[] = [];
  for (let row = 0; row < visitCount; row++) {
    for (let col = 0; col <= row; col++) elements.push({ row, col });
  }
  return elements;
}

/** Builds the symmetric K x K covariance matrix from theta (SAS order). */
export function covarianceFromTheta(theta: readonly number[], visitCount: number): number[][] {
  const sigma = Array.from({ length: visitCount }, () => new Array<number>(visitCount).fill(0));
  thetaElements(visitCount).forEach(({ row, col }, k) => {
    const value = theta[k] ?? Number.NaN;
    sigma[row]![col] = value;
    sigma[col]![row] = value;
  });
  return sigma;
}

/** Reads theta (SAS order) off a symmetric K x K covariance matrix. */
export function thetaFromCovariance(sigma: readonly (readonly number[])[]): number[] {
  return thetaElements(sigma.length).map(({ row, col }) => sigma[row]?.[col] ?? Number.NaN);
}

/** SAS-style labels of theta, e.g. `UN(2,1)` (1-based as SAS prints them). */
export function thetaLabels(visitCount: number): string[] {
  return thetaElements(visitCount).map(({ row, col }) => `UN(${row + 1},${col + 1})`);
}
