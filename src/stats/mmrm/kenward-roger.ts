/**
 * Kenward & Roger (1997) small-sample adjustment for the UN-covariance MMRM in the sigma_ij parameterisation.
 * Second derivatives of V vanish (R_ij = 0), so this is SAS PROC MIXED DDFM=KR for TYPE=UN and equals mmrm's
 * "Kenward-Roger-Linear" (mmrm's plain "Kenward-Roger" uses a Cholesky parameterisation with non-zero R_ij and gives a
 * different SE; see reference/stats-reference/README.md section 0).
 *   Phi_A = Phi + 2 Phi { sum_ij W_ij (Q_ij - P_i Phi P_j) } Phi,
 *   P_i = -X'V^-1 E_i V^-1 X = -F_i,  Q_ij = X'V^-1 E_i V^-1 E_j V^-1 X.
 * The denominator df and F scaling follow Kenward & Roger's formulas as coded in mmrm's h_kr_df (R/kenwardroger.R);
 * for a single contrast the df equals Satterthwaite's and lambda is 1.
 */
import { Matrix, inverse } from 'ml-matrix';
import type { MmrmFit } from './fit.ts';
import { thetaElements } from './covariance.ts';

/** The Kenward-Roger adjusted covariance of beta (REML fits; the adjustment is defined for REML only). */
export function kenwardRogerCovariance(fit: MmrmFit): number[][] | null {
  const w = fit.thetaCovariance;
  const f = fit.evaluation.f;
  if (!f || fit.method !== 'REML') return null;
  const p = fit.beta.length;
  const phi = new Matrix(fit.betaCovariance.map((row) => [...row]));
  const elements = thetaElements(fit.data.visitCount);
  const q = elements.length;
  const fMatrices = f.map((fk) => new Matrix(fk));
  const phiF = fMatrices.map((fk) => phi.mmul(fk));
  // sum_ij W_ij Q_ij, accumulated per pattern: Q_ij = sum_cd (A E_i A E_j A)[c][d] crossX[c][d].
  const weightedQ = new Float64Array(p * p);
  for (const { pattern, sigmaInverse: a } of fit.evaluation.patternStates) {
    const m = pattern.visits.length;
    const locals = elements.map(({ row, col }) => {
      const i = pattern.localOf[row]!;
      const j = pattern.localOf[col]!;
      return i < 0 || j < 0 ? null : ([i, j] as const);
    });
    // Combined m x m weights: sum_ij W_ij (A E_i A E_j A).
    const combined = Array.from({ length: m }, () => new Array<number>(m).fill(0));
    for (let i = 0; i < q; i++) {
      const li = locals[i];
      if (!li) continue;
      const aEiA = sandwich(a, li[0], li[1], a);
      for (let j = 0; j < q; j++) {
        const lj = locals[j];
        const wij = w[i]![j]!;
        if (!lj || wij === 0) continue;
        const term = sandwich(aEiA, lj[0], lj[1], a);
        for (let c = 0; c < m; c++) for (let d = 0; d < m; d++) combined[c]![d]! += wij * term[c]![d]!;
      }
    }
    for (let c = 0; c < m; c++) {
      for (let d = 0; d < m; d++) {
        const weight = combined[c]![d]!;
        if (weight === 0) continue;
        const block = pattern.crossX[c * m + d]!;
        for (let k = 0; k < block.length; k++) weightedQ[k]! += weight * block[k]!;
      }
    }
  }
  const inner = Matrix.zeros(p, p);
  for (let r = 0; r < p; r++) for (let c = 0; c < p; c++) inner.set(r, c, weightedQ[r * p + c]!);
  for (let i = 0; i < q; i++) {
    for (let j = 0; j < q; j++) {
      const wij = w[i]![j]!;
      if (wij === 0) continue;
      // P_i Phi P_j = F_i Phi F_j
      inner.sub(fMatrices[i]!.mmul(phiF[j]!).mul(wij));
    }
  }
  const adjusted = phi.add(phi.mmul(inner).mmul(phi).mul(2));
  const out = adjusted.to2DArray();
  for (let r = 0; r < p; r++) {
    for (let c = 0; c < r; c++) {
      const v = (out[r]![c]! + out[c]![r]!) / 2;
      out[r]![c] = v;
      out[c]![r] = v;
    }
  }
  return out;
}

export interface KenwardRogerTest {
  /** Denominator df m. */
  readonly df: number;
  /** F scaling lambda (1 for a single contrast). */
  readonly lambda: number;
}

/** Kenward-Roger denominator df and scale for a contrast matrix L (rows = contrasts), from the unadjusted Phi. */
export function kenwardRogerDf(fit: MmrmFit, contrastRows: readonly (readonly number[])[]): KenwardRogerTest {
  const w = fit.thetaCovariance;
  const f = fit.evaluation.f;
  if (!f) return { df: Number.NaN, lambda: Number.NaN };
  const l = new Matrix(contrastRows.map((row) => [...row]));
  const v0 = new Matrix(fit.betaCovariance.map((row) => [...row]));
  const nl = l.rows;
  const m = l
    .transpose()
    .mmul(inverse(l.mmul(v0).mmul(l.transpose())))
    .mmul(l);
  const mv0 = m.mmul(v0);
  // T_i = M Phi P_i Phi with P_i = -F_i (the sign cancels in every product below). tr(T_i T_j) is taken
  // elementwise (p^2 per pair instead of a p^3 product): this loop dominates LS-means tables otherwise.
  const terms = f.map((fi) => mv0.mmul(new Matrix(fi)).mmul(v0).to2DArray());
  const traces = terms.map((t) => t.reduce((sum, row, i) => sum + row[i]!, 0));
  const p = fit.beta.length;
  let a1 = 0;
  let a2 = 0;
  for (let i = 0; i < terms.length; i++) {
    for (let j = 0; j < terms.length; j++) {
      const wij = w[i]![j]!;
      a1 += wij * traces[i]! * traces[j]!;
      const ti = terms[i]!;
      const tj = terms[j]!;
      let trace = 0;
      for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) trace += ti[a]![b]! * tj[b]![a]!;
      a2 += wij * trace;
    }
  }
  const b = (a1 + 6 * a2) / (2 * nl);
  const eStar = 1 / (1 - a2 / nl);
  const g = ((nl + 1) * a1 - (nl + 4) * a2) / ((nl + 2) * a2);
  const denom = 3 * nl + 2 - 2 * g;
  const c1 = g / denom;
  const c2 = (nl - g) / denom;
  const c3 = (nl + 2 - g) / denom;
  const vStar = ((2 / nl) * (1 + c1 * b)) / (1 - c2 * b) ** 2 / (1 - c3 * b);
  const rho = vStar / (2 * eStar ** 2);
  const df = 4 + (nl + 2) / (nl * rho - 1);
  const lambda = df / (eStar * (df - 2));
  return { df, lambda };
}

/** A E_ab B for the symmetric 0/1 E_ab (a, b local indices). */
function sandwich(left: readonly (readonly number[])[], a: number, b: number, right: readonly (readonly number[])[]) {
  const m = left.length;
  return Array.from({ length: m }, (_, c) =>
    Array.from({ length: m }, (_, d) => {
      let value = left[c]![a]! * right[b]![d]!;
      if (a !== b) value += left[c]![b]! * right[a]![d]!;
      return value;
    }),
  );
}
