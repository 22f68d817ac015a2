/**
 * The (restricted) log-likelihood of the UN-covariance MMRM, with its analytic gradient, observed Hessian and
 * expected information in the sigma_ij parameterisation (see covariance.ts), all on the -2 log L scale as SAS prints.
 *
 * With V = blockdiag(Sigma_i), P = V^-1 - V^-1 X Phi X' V^-1, Phi = (X' V^-1 X)^-1, E_k = dV/dtheta_k (0/1):
 *   REML  -2l = sum log|Sigma_i| + log|X'V^-1 X| + r'V^-1 r + (n - p) log 2pi
 *         g_k = tr(P E_k) - u' E_k u,                                      u = V^-1 r = P y
 *         H_kl = -tr(P E_k P E_l) + 2 u' E_k P E_l u,   E[H_kl] = tr(P E_k P E_l)
 *   ML    -2l = sum log|Sigma_i| + r'V^-1 r + n log 2pi (profiled over beta)
 *         g_k = tr(V^-1 E_k) - u' E_k u,   H_kl = -tr(V^-1 E_k V^-1 E_l) + 2 u' E_k P E_l u
 * (second derivatives of V vanish in this parameterisation). Every term reduces to per-pattern K x K algebra plus the
 * per-pattern design cross-products from data.ts, so no n x n matrix is ever formed.
 */
import { thetaElements, covarianceFromTheta } from './covariance.ts';
import type { MmrmData, PatternGroup } from './data.ts';
import { factorSpd } from './spd.ts';

export type LikelihoodMethod = 'REML' | 'ML';

/** 0: objective and beta; 1: plus gradient; 2: plus observed Hessian and expected information. */
export type DerivativeOrder = 0 | 1 | 2;

export interface PatternState {
  readonly pattern: PatternGroup;
  /** Inverse of Sigma restricted to the pattern's visits (local order). */
  readonly sigmaInverse: number[][];
}

export interface LikelihoodEvaluation {
  /** -2 log L (REML or ML) including the 2pi constant, as SAS's -2 Res Log Likelihood. */
  readonly minus2LogLik: number;
  readonly beta: number[];
  /** Model-based covariance of beta, (X' V^-1 X)^-1. */
  readonly phi: number[][];
  readonly patternStates: readonly PatternState[];
  /** F_k = X' V^-1 E_k V^-1 X (p x p), one per theta; -F_k is Kenward-Roger's P_k. Present for order >= 1. */
  readonly f?: number[][][];
  readonly gradient?: number[];
  readonly hessian?: number[][];
  readonly expectedInformation?: number[][];
}

const LOG_2PI = Math.log(2 * Math.PI);

/** tr(M E_ab) for the symmetric 0/1 matrix E_ab with ones at (a, b) and (b, a). */
function traceWithE(matrix: readonly (readonly number[])[], a: number, b: number): number {
  return a === b ? matrix[a]![a]! : matrix[a]![b]! + matrix[b]![a]!;
}

/** A E_ab B for m x m matrices A, B. */
function sandwichE(left: readonly (readonly number[])[], a: number, b: number, right: readonly (readonly number[])[]) {
  const m = left.length;
  const out = Array.from({ length: m }, () => new Array<number>(m).fill(0));
  for (let c = 0; c < m; c++) {
    for (let d = 0; d < m; d++) {
      let value = left[c]![a]! * right[b]![d]!;
      if (a !== b) value += left[c]![b]! * right[a]![d]!;
      out[c]![d] = value;
    }
  }
  return out;
}

function multiply(left: readonly (readonly number[])[], right: readonly (readonly number[])[]): number[][] {
  const rows = left.length;
  const inner = right.length;
  const cols = right[0]?.length ?? 0;
  const out = Array.from({ length: rows }, () => new Array<number>(cols).fill(0));
  for (let i = 0; i < rows; i++) {
    for (let k = 0; k < inner; k++) {
      const lik = left[i]![k]!;
      if (lik === 0) continue;
      for (let j = 0; j < cols; j++) out[i]![j]! += lik * right[k]![j]!;
    }
  }
  return out;
}

/** sum_cd weights[c][d] * blocks[c*m+d] into a p x p (flat) accumulator. */
function accumulateBlocks(
  target: Float64Array,
  weights: readonly (readonly number[])[],
  blocks: readonly Float64Array[],
) {
  const m = weights.length;
  for (let c = 0; c < m; c++) {
    for (let d = 0; d < m; d++) {
      const w = weights[c]![d]!;
      if (w === 0) continue;
      const block = blocks[c * m + d]!;
      for (let i = 0; i < block.length; i++) target[i]! += w * block[i]!;
    }
  }
}

function toSquare(flat: Float64Array, size: number): number[][] {
  return Array.from({ length: size }, (_, i) => Array.from(flat.subarray(i * size, (i + 1) * size)));
}

/** Local (a, b) of theta element k in a pattern, or null when one of its visits is unobserved there. */
function localPair(pattern: PatternGroup, row: number, col: number): [number, number] | null {
  const a = pattern.localOf[row]!;
  const b = pattern.localOf[col]!;
  return a < 0 || b < 0 ? null : [a, b];
}

/**
 * Evaluates -2 log L and, on request, its derivatives at theta. Returns null when theta is infeasible (some Sigma
 * subset not positive definite) or X'V^-1 X is singular.
 */
export function evaluateLikelihood(
  data: MmrmData,
  theta: readonly number[],
  method: LikelihoodMethod,
  order: DerivativeOrder,
): LikelihoodEvaluation | null {
  const p = data.columnCount;
  const sigma = covarianceFromTheta(theta, data.visitCount);
  const patternStates: PatternState[] = [];
  let logDetSum = 0;
  const xtvx = new Float64Array(p * p);
  const xtvy = new Float64Array(p);
  for (const pattern of data.patterns) {
    const subset = pattern.visits.map((a) => pattern.visits.map((b) => sigma[a]![b]!));
    const factor = factorSpd(subset);
    if (!factor) return null;
    patternStates.push({ pattern, sigmaInverse: factor.inverse });
    logDetSum += pattern.subjectRows.length * factor.logDet;
    accumulateBlocks(xtvx, factor.inverse, pattern.crossX);
    const m = pattern.visits.length;
    for (let c = 0; c < m; c++) {
      for (let d = 0; d < m; d++) {
        const w = factor.inverse[c]![d]!;
        const vector = pattern.crossXy[c * m + d]!;
        for (let i = 0; i < p; i++) xtvy[i]! += w * vector[i]!;
      }
    }
  }
  const information = factorSpd(toSquare(xtvx, p));
  if (!information) return null;
  const phi = information.inverse;
  const beta = phi.map((row) => row.reduce((sum, v, j) => sum + v * xtvy[j]!, 0));

  // Residuals, and per pattern R = sum r_i r_i' and D[c*m+d] = sum x_c r_d (local visits).
  const residual = new Float64Array(data.rowCount);
  for (let row = 0; row < data.rowCount; row++) {
    let fitted = 0;
    for (let j = 0; j < p; j++) fitted += data.x[row * p + j]! * beta[j]!;
    residual[row] = data.y[row]! - fitted;
  }
  let quadratic = 0;
  const residualCross: number[][][] = [];
  for (const { pattern, sigmaInverse } of patternStates) {
    const m = pattern.visits.length;
    const cross = Array.from({ length: m }, () => new Array<number>(m).fill(0));
    for (const rows of pattern.subjectRows) {
      for (let c = 0; c < m; c++) {
        const rc = residual[rows[c]!]!;
        for (let d = 0; d < m; d++) cross[c]![d]! += rc * residual[rows[d]!]!;
      }
    }
    residualCross.push(cross);
    for (let c = 0; c < m; c++) for (let d = 0; d < m; d++) quadratic += sigmaInverse[c]![d]! * cross[d]![c]!;
  }
  const n = data.rowCount;
  const minus2LogLik =
    method === 'REML'
      ? logDetSum + information.logDet + quadratic + (n - p) * LOG_2PI
      : logDetSum + quadratic + n * LOG_2PI;
  if (order === 0) return { minus2LogLik, beta, phi, patternStates };

  const elements = thetaElements(data.visitCount);
  const q = elements.length;
  const traceV = new Array<number>(q).fill(0); // tr(V^-1 E_k)
  const dataTerm = new Array<number>(q).fill(0); // u' E_k u
  const fFlat = elements.map(() => new Float64Array(p * p));
  // Per pattern and k: M_k = A E_k A and U = A R A, kept for the Hessian.
  const mByPattern: (number[][] | null)[][] = [];
  const uByPattern: number[][][] = [];
  patternStates.forEach(({ pattern, sigmaInverse: a }, index) => {
    const u = multiply(multiply(a, residualCross[index]!), a);
    uByPattern.push(u);
    const count = pattern.subjectRows.length;
    mByPattern.push(
      elements.map(({ row, col }, k) => {
        const pair = localPair(pattern, row, col);
        if (!pair) return null;
        traceV[k]! += count * traceWithE(a, pair[0], pair[1]);
        dataTerm[k]! += traceWithE(u, pair[0], pair[1]);
        const mk = sandwichE(a, pair[0], pair[1], a);
        accumulateBlocks(fFlat[k]!, mk, pattern.crossX);
        return mk;
      }),
    );
  });
  const f = fFlat.map((flat) => toSquare(flat, p));
  const phiF = f.map((fk) => multiply(phi, fk));
  const gradient = elements.map((_, k) => {
    if (method === 'ML') return traceV[k]! - dataTerm[k]!;
    let tracePhiF = 0;
    for (let i = 0; i < p; i++) tracePhiF += phiF[k]![i]![i]!;
    return traceV[k]! - tracePhiF - dataTerm[k]!;
  });
  if (order === 1) return { minus2LogLik, beta, phi, patternStates, f, gradient };

  const t1 = square(q); // tr(V^-1 E_k V^-1 E_l)
  const t2 = square(q); // tr(V^-1 E_k B E_l), B = V^-1 X Phi X' V^-1
  const quad = square(q); // u' E_k V^-1 E_l u
  const h = elements.map(() => new Float64Array(p)); // X' V^-1 E_k u
  patternStates.forEach(({ pattern, sigmaInverse: a }, index) => {
    const m = pattern.visits.length;
    const count = pattern.subjectRows.length;
    // Q[c][d] = tr(Phi crossX[c][d]) = sum over subjects of x_c' Phi x_d.
    const qMatrix = Array.from({ length: m }, (_, c) =>
      Array.from({ length: m }, (_, d) => {
        const block = pattern.crossX[c * m + d]!;
        let sum = 0;
        for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) sum += phi[i]![j]! * block[i * p + j]!;
        return sum;
      }),
    );
    const qa = multiply(qMatrix, a);
    // D[c*m+d] = sum over subjects of x_c r_d.
    const dVectors = Array.from({ length: m * m }, () => new Float64Array(p));
    for (const rows of pattern.subjectRows) {
      for (let c = 0; c < m; c++) {
        const rc = rows[c]! * p;
        for (let d = 0; d < m; d++) {
          const rd = residual[rows[d]!]!;
          const vector = dVectors[c * m + d]!;
          for (let i = 0; i < p; i++) vector[i]! += data.x[rc + i]! * rd;
        }
      }
    }
    const u = uByPattern[index]!;
    const ms = mByPattern[index]!;
    elements.forEach((_, k) => {
      const mk = ms[k];
      if (!mk) return;
      const mkqa = multiply(mk, qa);
      const aEkU = sandwichE(a, ...(localPair(pattern, elements[k]!.row, elements[k]!.col) as [number, number]), u);
      for (let l = 0; l < q; l++) {
        const pair = localPair(pattern, elements[l]!.row, elements[l]!.col);
        if (!pair) continue;
        t1[k]![l]! += count * traceWithE(mk, pair[0], pair[1]);
        t2[k]![l]! += traceWithE(mkqa, pair[0], pair[1]);
        // u' E_l A E_k u = tr(A E_k U E_l)
        quad[l]![k]! += traceWithE(aEkU, pair[0], pair[1]);
      }
      const hk = h[k]!;
      for (let c = 0; c < m; c++) {
        for (let d = 0; d < m; d++) {
          const w = mk[c]![d]!;
          if (w === 0) continue;
          const vector = dVectors[c * m + d]!;
          for (let i = 0; i < p; i++) hk[i]! += w * vector[i]!;
        }
      }
    });
  });
  const phiH = h.map((hk) => phi.map((row) => row.reduce((sum, v, j) => sum + v * hk[j]!, 0)));
  const hessian = square(q);
  const expectedInformation = square(q);
  for (let k = 0; k < q; k++) {
    for (let l = 0; l < q; l++) {
      let t3 = 0; // tr(Phi F_k Phi F_l)
      for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) t3 += phiF[k]![i]![j]! * phiF[l]![j]![i]!;
      let hPhiH = 0;
      for (let i = 0; i < p; i++) hPhiH += h[k]![i]! * phiH[l]![i]!;
      const traceP = t1[k]![l]! - t2[k]![l]! - t2[l]![k]! + t3; // tr(P E_k P E_l)
      const dataSecond = 2 * (quad[k]![l]! - hPhiH); // 2 u' E_k P E_l u
      if (method === 'REML') {
        hessian[k]![l] = -traceP + dataSecond;
        expectedInformation[k]![l] = traceP;
      } else {
        hessian[k]![l] = -t1[k]![l]! + dataSecond;
        expectedInformation[k]![l] = t1[k]![l]!;
      }
    }
  }
  return { minus2LogLik, beta, phi, patternStates, f, gradient, hessian, expectedInformation };
}

function square(size: number): number[][] {
  return Array.from({ length: size }, () => new Array<number>(size).fill(0));
}
