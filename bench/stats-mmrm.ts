/**
 * MMRM fit time on simulated trials (200 and 2,000 subjects x 4 visits, UN covariance, ~20% monotone dropout),
 * with a baseline measured in the same run: one OLS fit (QR) of the same long data and design. Prints medians of
 * several runs, Newton iterations and the ratio. Goal: under 1 s for 2,000 subjects (full trial analysis: fit,
 * Kenward-Roger covariance, LS means and differences at every visit). The fit timed is the compiled build's
 * (dist/, rebuilt first if older than the sources: bench/compiled.ts), as `trd analyze` runs it.
 * Run alone: npx tsx bench/stats-mmrm.ts
 */
import { Matrix, QrDecomposition } from 'ml-matrix';
import { loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import type * as Mmrm from '../src/stats/mmrm/index.ts';
import type { MmrmTrialRow, MmrmTrialSpec } from '../src/stats/mmrm/index.ts';
import { ensureBuild, importBuilt } from './compiled.ts';

const VISITS = ['week1', 'week2', 'week4', 'week8'];
// Change-from-baseline covariance (MADRS points^2): variance and correlation grow over time, like real TRD trials.
const SIGMA = [
  [25, 18, 16, 14],
  [18, 36, 27, 24],
  [16, 27, 45, 36],
  [14, 24, 36, 55],
];
const SPEC: MmrmTrialSpec = {
  treatment: 'ACTIVE',
  control: 'PLACEBO',
  visits: VISITS,
  primaryVisit: 'week8',
  stratum: true,
};

/** mulberry32: a small seeded PRNG, local to the bench (no dependency on the project's RNG module). */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normalSampler(uniform: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

/** Simulated long data: arm effect growing to -3 points at week 8, baseline slope -0.3, dropout ~20% by week 8. */
export function simulateTrial(subjects: number, seed: number): MmrmTrialRow[] {
  const uniform = mulberry32(seed);
  const normal = normalSampler(uniform);
  const cholesky = lowerCholesky(SIGMA);
  const rows: MmrmTrialRow[] = [];
  for (let s = 0; s < subjects; s++) {
    const arm = s % 2 === 0 ? 'PLACEBO' : 'ACTIVE';
    const baseline = 32 + 5 * normal();
    const stratum = uniform() < 0.45 ? 1 : 0;
    const z = VISITS.map(() => normal());
    const noise = cholesky.map((row) => row.reduce((sum, v, j) => sum + v * z[j]!, 0));
    // Monotone dropout: ~7% leave after each visit from week 2 on, about 20% missing at week 8.
    let dropped = false;
    VISITS.forEach((visit, k) => {
      if (k > 0 && !dropped && uniform() < 0.07) dropped = true;
      const mean = -2 * (k + 1) - 0.3 * (baseline - 32) - (arm === 'ACTIVE' ? 0.75 * (k + 1) : 0) - stratum;
      rows.push({ subject: `S${s}`, arm, visit, baseline, stratum, change: dropped ? null : mean + noise[k]! });
    });
  }
  return rows;
}

function lowerCholesky(matrix: number[][]): number[][] {
  const n = matrix.length;
  const l = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = matrix[i]![j]!;
      for (let k = 0; k < j; k++) sum -= l[i]![k]! * l[j]![k]!;
      l[i]![j] = i === j ? Math.sqrt(sum) : sum / l[j]![j]!;
    }
  }
  return l;
}

/** The same model by ordinary least squares (QR), ignoring the within-subject correlation: the baseline. */
function olsFit(rows: readonly MmrmTrialRow[]): number[] {
  const observed = rows.filter((r) => r.change !== null);
  const x = observed.map((r) => {
    const arm = r.arm === 'ACTIVE' ? 1 : 0;
    const visit = VISITS.slice(1).map((v) => (r.visit === v ? 1 : 0));
    return [
      1,
      arm,
      ...visit,
      r.baseline,
      r.stratum ?? 0,
      ...visit.map((v) => v * arm),
      ...visit.map((v) => v * r.baseline),
    ];
  });
  const qr = new QrDecomposition(new Matrix(x));
  return qr.solve(Matrix.columnVector(observed.map((r) => r.change as number))).to1DArray();
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export async function benchMmrm(): Promise<void> {
  ensureBuild('bench:stats');
  const { fitMmrmTrial } = await importBuilt<typeof Mmrm>('stats/mmrm/index.js');
  // The machine is shared: report the load so wall times can be read in context (CPU time is less affected).
  console.log(
    `MMRM (UN covariance, REML, KR + Satterthwaite LS means at 4 visits) vs OLS baseline; load average ${loadavg()
      .map((v) => v.toFixed(1))
      .join(' ')}`,
  );
  for (const [subjects, runs] of [
    [200, 7],
    [2000, 5],
  ] as const) {
    const rows = simulateTrial(subjects, 20261127 + subjects);
    const observed = rows.filter((r) => r.change !== null).length;
    // The first call (cold: JIT compilation, lazily built tables) is timed and reported apart; then one more warm-up
    // call, so that the timed runs measure the steady state a service or a batch would see.
    const first0 = performance.now();
    fitMmrmTrial(rows, SPEC);
    const firstMs = performance.now() - first0;
    fitMmrmTrial(rows, SPEC);
    olsFit(rows);
    olsFit(rows);
    const mmrmMs: number[] = [];
    const mmrmCpuMs: number[] = [];
    const olsMs: number[] = [];
    let iterations = 0;
    let converged = true;
    let primary = Number.NaN;
    for (let run = 0; run < runs; run++) {
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const result = fitMmrmTrial(rows, SPEC);
      const t1 = performance.now();
      const cpu = process.cpuUsage(cpu0);
      mmrmCpuMs.push((cpu.user + cpu.system) / 1000);
      olsFit(rows);
      const t2 = performance.now();
      mmrmMs.push(t1 - t0);
      olsMs.push(t2 - t1);
      converged &&= result.converged;
      if (!result.converged) continue; // a failure carries no estimate; the verdict line says converged false
      iterations = result.iterations;
      primary = result.primary.difference.kenwardRoger.estimate;
    }
    const mmrm = median(mmrmMs);
    const ols = median(olsMs);
    console.log(
      `  ${String(subjects).padStart(5)} subjects, ${observed} observed rows (${((1 - observed / rows.length) * 100).toFixed(1)}% missing): ` +
        `MMRM ${mmrm.toFixed(1)} ms wall, ${median(mmrmCpuMs).toFixed(1)} ms CPU (median of ${runs}, ` +
        `${iterations} iterations, converged ${converged}, ` +
        `week-8 difference ${primary.toFixed(3)}); OLS ${ols.toFixed(2)} ms; ratio ${(mmrm / ols).toFixed(1)}x; ` +
        `first (cold) call ${firstMs.toFixed(1)} ms`,
    );
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  benchMmrm().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
