/**
 * Monte-Carlo power of an enriched design (randomise only CRP >= threshold) versus an all-comers design when the
 * treatment effect depends on CRP.
 *
 * Each simulated patient has CRP drawn from the calibrated log-normal (crp-lognormal.ts), in the enriched design
 * from that distribution truncated at the threshold. The outcome (e.g. MADRS change, sign chosen so the effect is
 * positive) is normal with SD `sd`; the treated arm's mean is shifted by the effect:
 *  - `logCrp`: beta0 + beta1 ln(CRP / threshold) (beta0 = effect at the threshold, beta1 = per unit of ln CRP);
 *  - `step`:   deltaPlus if CRP >= threshold, else deltaMinus (the binary-biomarker model of 05_design.R).
 * CRP is not prognostic (no effect in the control arm). Each trial is analysed three ways: the pooled t-test,
 * a stratified model y ~ arm + [CRP >= threshold], and an ANCOVA y ~ arm + ln(CRP / threshold).
 *
 * The core is pure and deterministic: `runEnrichmentReplicates(config, { seed, replicateRange })` returns rejection
 * counts for replicates [start, end), each with its own random stream (random/streams.ts), so counts from any split
 * of the range add up to the single-run counts exactly.
 */
import tQuantile from '@stdlib/stats-base-dists-t-quantile';
import { forEachReplicateStream, type UniformSource } from '../random/streams.ts';
import { standardNormal, standardNormalAbove } from '../random/normal.ts';
import type { CrpLogNormal } from './crp-lognormal.ts';
import { ancovaOneCovariate, pooledTTest, type ArmSample, type TwoArmStatistic } from './two-arm-tests.ts';
import type { Sides } from './ttest.ts';

export type EffectModel =
  | { readonly model: 'logCrp'; readonly beta0: number; readonly beta1: number }
  | { readonly model: 'step'; readonly deltaPlus: number; readonly deltaMinus: number };

export const DESIGNS = ['enriched', 'allComers'] as const;
export type Design = (typeof DESIGNS)[number];
export const ANALYSES = ['ttest', 'stratified', 'ancovaLogCrp'] as const;
export type Analysis = (typeof ANALYSES)[number];

export interface EnrichmentSimulationConfig {
  readonly crp: CrpLogNormal;
  readonly effect: EffectModel;
  /** Within-arm outcome SD. */
  readonly sd: number;
  readonly nPerArm: Readonly<Record<Design, number>>;
  readonly alpha: number;
  readonly sides: Sides;
}

export interface ReplicateRange {
  readonly seed: number;
  /** Half-open [start, end) replicate indices. */
  readonly replicateRange: readonly [number, number];
}

/** Rejection counts: plain data, so it crosses worker boundaries and sums across chunks. */
export interface RejectionCounts {
  readonly replicates: number;
  readonly rejections: Record<Design, Record<Analysis, number>>;
}

export function emptyCounts(): RejectionCounts {
  return {
    replicates: 0,
    rejections: {
      enriched: { ttest: 0, stratified: 0, ancovaLogCrp: 0 },
      allComers: { ttest: 0, stratified: 0, ancovaLogCrp: 0 },
    },
  };
}

export function addCounts(a: RejectionCounts, b: RejectionCounts): RejectionCounts {
  const sum = emptyCounts();
  for (const design of DESIGNS) {
    for (const analysis of ANALYSES) {
      sum.rejections[design][analysis] = a.rejections[design][analysis] + b.rejections[design][analysis];
    }
  }
  return { replicates: a.replicates + b.replicates, rejections: sum.rejections };
}

interface ArmBuffers {
  readonly y: Float64Array;
  readonly logCrp: Float64Array;
  readonly high: Float64Array;
}

function armBuffers(n: number): ArmBuffers {
  return { y: new Float64Array(n), logCrp: new Float64Array(n), high: new Float64Array(n) };
}

export function effectAt(effect: EffectModel, logCrpRelative: number): number {
  if (effect.model === 'logCrp') return effect.beta0 + effect.beta1 * logCrpRelative;
  return logCrpRelative >= 0 ? effect.deltaPlus : effect.deltaMinus;
}

function fillArm(
  source: UniformSource,
  buffers: ArmBuffers,
  n: number,
  treated: boolean,
  enriched: boolean,
  config: EnrichmentSimulationConfig,
): void {
  const { crp, sd, effect } = config;
  const logThreshold = Math.log(crp.thresholdMgPerL);
  const shift = crp.meanLog - logThreshold;
  for (let i = 0; i < n; i++) {
    const z = enriched ? standardNormalAbove(source, crp.prevalenceAboveThreshold) : standardNormal(source);
    const logCrpRelative = shift + crp.sdLog * z;
    buffers.logCrp[i] = logCrpRelative;
    buffers.high[i] = logCrpRelative >= 0 ? 1 : 0;
    const mean = treated ? effectAt(effect, logCrpRelative) : 0;
    buffers.y[i] = mean + sd * standardNormal(source);
  }
}

function rejects(stat: TwoArmStatistic, alpha: number, sides: Sides, critical: Map<number, number>): boolean {
  let c = critical.get(stat.df);
  if (c === undefined) {
    c = -tQuantile(alpha / sides, stat.df);
    critical.set(stat.df, c);
  }
  return sides === 2 ? Math.abs(stat.t) > c : stat.t > c;
}

/** Simulates and analyses replicates [start, end) of both designs; see the module comment. */
export function runEnrichmentReplicates(config: EnrichmentSimulationConfig, range: ReplicateRange): RejectionCounts {
  const counts = emptyCounts();
  const [start, end] = range.replicateRange;
  const buffers = {
    enriched: { treated: armBuffers(config.nPerArm.enriched), control: armBuffers(config.nPerArm.enriched) },
    allComers: { treated: armBuffers(config.nPerArm.allComers), control: armBuffers(config.nPerArm.allComers) },
  };
  const critical = new Map<number, number>();
  forEachReplicateStream(range.seed, start, end, (_replicate, source) => {
    for (const design of DESIGNS) {
      const n = config.nPerArm[design];
      const enriched = design === 'enriched';
      const { treated, control } = buffers[design];
      fillArm(source, treated, n, true, enriched, config);
      fillArm(source, control, n, false, enriched, config);
      const arm = (b: ArmBuffers, x: Float64Array): ArmSample => ({ y: b.y, x, n });
      const stats: Record<Analysis, TwoArmStatistic> = {
        ttest: pooledTTest(arm(treated, treated.high), arm(control, control.high)),
        stratified: ancovaOneCovariate(arm(treated, treated.high), arm(control, control.high)),
        ancovaLogCrp: ancovaOneCovariate(arm(treated, treated.logCrp), arm(control, control.logCrp)),
      };
      for (const analysis of ANALYSES) {
        if (rejects(stats[analysis], config.alpha, config.sides, critical)) counts.rejections[design][analysis] += 1;
      }
    }
  });
  return { replicates: Math.max(0, end - start), rejections: counts.rejections };
}
