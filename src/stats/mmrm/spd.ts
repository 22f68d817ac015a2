/**
 * Symmetric positive-definite factorisation through ml-matrix's Cholesky: the inverse and log-determinant that the
 * likelihood needs, or null when the matrix is not positive definite (the optimiser treats that as an infeasible
 * step, the caller as a rank or convergence problem).
 */
import { CholeskyDecomposition, Matrix } from 'ml-matrix';

export interface SpdFactor {
  readonly inverse: number[][];
  readonly logDet: number;
}

/** Inverse and log-determinant of a symmetric matrix, or null unless it is (numerically) positive definite. */
export function factorSpd(matrix: readonly (readonly number[])[]): SpdFactor | null {
  const size = matrix.length;
  // Symmetrise exactly: ml-matrix's Cholesky rejects matrices that are asymmetric by rounding.
  const symmetric = Matrix.zeros(size, size);
  for (let i = 0; i < size; i++) {
    for (let j = 0; j <= i; j++) {
      const value = ((matrix[i]?.[j] ?? Number.NaN) + (matrix[j]?.[i] ?? Number.NaN)) / 2;
      if (!Number.isFinite(value)) return null;
      symmetric.set(i, j, value);
      symmetric.set(j, i, value);
    }
  }
  const cholesky = new CholeskyDecomposition(symmetric);
  if (!cholesky.isPositiveDefinite()) return null;
  const lower = cholesky.lowerTriangularMatrix;
  let logDet = 0;
  for (let i = 0; i < size; i++) {
    const diagonal = lower.get(i, i);
    if (!(diagonal > 0)) return null;
    logDet += 2 * Math.log(diagonal);
  }
  const inverse = cholesky.solve(Matrix.eye(size, size)).to2DArray();
  // Rounding leaves the solved inverse very slightly asymmetric; downstream traces assume exact symmetry.
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < i; j++) {
      const value = (inverse[i]![j]! + inverse[j]![i]!) / 2;
      inverse[i]![j] = value;
      inverse[j]![i] = value;
    }
  }
  return { inverse, logDet };
}
