/**
 * Seeded simulated trials for the MMRM's hard cases: outcomes whose visits are almost perfectly correlated
 * (AR(1) correlation rho^|i-j| with rho 0.999 and above), few subjects, and monotone dropout (missing at random).
 * change = -2 (visit) - (visit - 1) on treatment + 0.3 (baseline - 20) + error, visit SDs 4, 5, 6, ...
 */
import { standardNormal } from '../random/normal.ts';
import { replicateStreams } from '../random/streams.ts';
import type { MmrmTrialRow, MmrmTrialSpec } from './trial.ts';

export interface SimulatedTrial {
  readonly seed: number;
  readonly perArm: number;
  readonly visits: number;
  readonly rho: number;
  /** Probability of dropping out before each visit after the first (0: complete data). */
  readonly dropout: number;
}

export function simulateTrial({ seed, perArm, visits, rho, dropout }: SimulatedTrial): MmrmTrialRow[] {
  const [[, source]] = [...replicateStreams(seed, 0, 1)] as [[number, { uniform(): number }]];
  const sds = Array.from({ length: visits }, (_, v) => 4 + v);
  // Cholesky factor of the AR(1) correlation matrix.
  const lower = sds.map(() => new Array<number>(visits).fill(0));
  for (let i = 0; i < visits; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = rho ** (i - j);
      for (let k = 0; k < j; k++) sum -= lower[i]![k]! * lower[j]![k]!;
      lower[i]![j] = i === j ? Math.sqrt(sum) : sum / lower[j]![j]!;
    }
  }
  const rows: MmrmTrialRow[] = [];
  for (const arm of ['placebo', 'drug']) {
    for (let s = 0; s < perArm; s++) {
      const baseline = 20 + 4 * standardNormal(source);
      const z = sds.map(() => standardNormal(source));
      let dropped = false;
      for (let v = 0; v < visits; v++) {
        let error = 0;
        for (let k = 0; k <= v; k++) error += lower[v]![k]! * z[k]!;
        const mean = -2 * (v + 1) - (arm === 'drug' ? v : 0) + 0.3 * (baseline - 20);
        if (v > 0 && dropout > 0 && source.uniform() < dropout) dropped = true;
        rows.push({
          subject: `${arm}-${s}`,
          arm,
          visit: String(v + 1),
          change: dropped ? null : mean + sds[v]! * error,
          baseline,
        });
      }
    }
  }
  return rows;
}

export function simulatedSpec(visits: number): MmrmTrialSpec {
  const labels = Array.from({ length: visits }, (_, v) => String(v + 1));
  return { treatment: 'drug', control: 'placebo', visits: labels, primaryVisit: labels.at(-1)!, stratum: false };
}
