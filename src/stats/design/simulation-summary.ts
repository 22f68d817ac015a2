/**
 * Turns rejection counts into power with its Monte-Carlo SE, and puts next to them what the designs cost (screened
 * patients) and the analytic t-test power of each design from the effect's mean and variance in its population.
 */
import { issue, ok, fail, type Issue, type Result } from '../../record/index.ts';
import { isValidSeed } from '../random/streams.ts';
import { logCrpMoments } from './crp-lognormal.ts';
import {
  ANALYSES,
  DESIGNS,
  runEnrichmentReplicates,
  type Analysis,
  type Design,
  type EnrichmentSimulationConfig,
  type RejectionCounts,
} from './enrichment-simulation.ts';
import { notAProportion, ttestPowerAt } from './ttest.ts';

export interface SimulatedPower {
  readonly power: number;
  /** Monte-Carlo SE: sqrt(p (1 - p) / replicates). */
  readonly mcSe: number;
  readonly rejections: number;
}

export interface SimulatedDesign {
  readonly nPerArm: number;
  readonly randomised: number;
  /** 1 / P(CRP >= threshold) for the enriched design, 1 for all-comers. */
  readonly screenedPerRandomised: number;
  readonly screenedExpected: number;
  /** Mean and SD of the treatment effect over the patients this design randomises. */
  readonly meanEffect: number;
  readonly effectSd: number;
  /**
   * t-test power from the mean effect and the pooled SD sqrt(sd^2 + Var(effect) / 2), as the analytic method, with the
   * rejection region of the simulated tests: both tails when two-sided (R power.t.test strict = TRUE), for any mean.
   */
  readonly analyticTTestPower: number;
  readonly power: Record<Analysis, SimulatedPower>;
}

export interface EnrichmentSimulationSummary {
  readonly seed: number;
  readonly replicates: number;
  readonly designs: Record<Design, SimulatedDesign>;
}

/** Bounds that keep a simulation finishing in minutes on one core, far above any trial that is planned. */
export const SIMULATION_LIMITS = {
  maxNPerArm: 100_000,
  maxTrials: 1_000_000,
  /** Simulated patients in total (trials x both designs x both arms). */
  maxPatients: 2_000_000_000,
} as const;

export function checkSimulationConfig(config: EnrichmentSimulationConfig, seed: number, replicates: number): Issue[] {
  const issues: Issue[] = [];
  for (const design of DESIGNS) {
    const n = config.nPerArm[design];
    if (!(Number.isInteger(n) && n >= 3 && n <= SIMULATION_LIMITS.maxNPerArm)) {
      issues.push(
        issue(
          'design.n.invalid',
          `n per arm (${design}) must be an integer from 3 to ${SIMULATION_LIMITS.maxNPerArm} (got ${n})`,
          'design.n',
        ),
      );
    }
  }
  if (!(Number.isFinite(config.sd) && config.sd > 0)) {
    issues.push(issue('design.sd.invalid', `sd must be a finite number > 0 (got ${config.sd})`, 'design.sd'));
  }
  if (!(config.alpha > 0 && config.alpha < 1)) {
    issues.push(issue('design.alpha.invalid', notAProportion('alpha', config.alpha), 'design.alpha'));
  }
  const e = config.effect;
  const effectValues = e.model === 'logCrp' ? [e.beta0, e.beta1] : [e.deltaPlus, e.deltaMinus];
  if (!effectValues.every(Number.isFinite)) {
    issues.push(issue('design.effect.invalid', 'effect parameters must be finite numbers', 'design.effect'));
  }
  if (!isValidSeed(seed)) {
    issues.push(
      issue('design.seed.invalid', `seed must be an integer in [0, 2147483647] (got ${seed})`, 'design.seed'),
    );
  }
  if (!(Number.isInteger(replicates) && replicates >= 1 && replicates <= SIMULATION_LIMITS.maxTrials)) {
    issues.push(
      issue(
        'design.trials.invalid',
        `trials must be an integer from 1 to ${SIMULATION_LIMITS.maxTrials} (got ${replicates})`,
        'design.trials',
      ),
    );
  } else if (issues.length === 0) {
    const patients = replicates * 2 * DESIGNS.reduce((sum, d) => sum + config.nPerArm[d], 0);
    if (patients > SIMULATION_LIMITS.maxPatients) {
      issues.push(
        issue(
          'design.trials.too-much-work',
          `trials x n per arm asks for ${patients} simulated patients (at most ${SIMULATION_LIMITS.maxPatients}); lower --trials`,
          'design.trials',
        ),
      );
    }
  }
  return issues;
}

function effectMoments(config: EnrichmentSimulationConfig, design: Design): { mean: number; variance: number } {
  const e = config.effect;
  const pi = config.crp.prevalenceAboveThreshold;
  if (e.model === 'step') {
    if (design === 'enriched') return { mean: e.deltaPlus, variance: 0 };
    return {
      mean: pi * e.deltaPlus + (1 - pi) * e.deltaMinus,
      variance: pi * (1 - pi) * (e.deltaPlus - e.deltaMinus) ** 2,
    };
  }
  const l = logCrpMoments(config.crp, design === 'enriched' ? 'aboveThreshold' : 'all');
  return { mean: e.beta0 + e.beta1 * l.mean, variance: e.beta1 * e.beta1 * l.variance };
}

export function summariseEnrichmentSimulation(
  config: EnrichmentSimulationConfig,
  counts: RejectionCounts,
  seed: number,
): EnrichmentSimulationSummary {
  const r = counts.replicates;
  const design = (d: Design): SimulatedDesign => {
    const n = config.nPerArm[d];
    const { mean, variance } = effectMoments(config, d);
    const screenedPerRandomised = d === 'enriched' ? 1 / config.crp.prevalenceAboveThreshold : 1;
    const pooledSd = Math.sqrt(config.sd * config.sd + variance / 2);
    // Both tails, as the simulated tests reject (|t| > q): power.t.test's one-tail power left the far tail out, which
    // is most of the power for a mean effect near 0 (0.034 beside a simulated 0.054) and all of it for a negative one.
    const analyticTTestPower = ttestPowerAt(n, {
      delta: mean,
      sd: pooledSd,
      alpha: config.alpha,
      sides: config.sides,
      strict: true,
    });
    const power = {} as Record<Analysis, SimulatedPower>;
    for (const analysis of ANALYSES) {
      const rejections = counts.rejections[d][analysis];
      const p = r > 0 ? rejections / r : Number.NaN;
      power[analysis] = { power: p, mcSe: Math.sqrt((p * (1 - p)) / r), rejections };
    }
    return {
      nPerArm: n,
      randomised: 2 * n,
      screenedPerRandomised,
      screenedExpected: 2 * n * screenedPerRandomised,
      meanEffect: mean,
      effectSd: Math.sqrt(variance),
      analyticTTestPower,
      power,
    };
  };
  return { seed, replicates: r, designs: { enriched: design('enriched'), allComers: design('allComers') } };
}

/** Single-thread simulation of `replicates` trials per design (the worker adapter splits the same computation). */
export function simulateEnrichmentPower(
  config: EnrichmentSimulationConfig,
  seed: number,
  replicates: number,
): Result<EnrichmentSimulationSummary> {
  const issues = checkSimulationConfig(config, seed, replicates);
  if (issues.length > 0) return fail(issues);
  const counts = runEnrichmentReplicates(config, { seed, replicateRange: [0, replicates] });
  return ok(summariseEnrichmentSimulation(config, counts, seed));
}
