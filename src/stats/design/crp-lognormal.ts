/**
 * The distribution of hs-CRP in depressed patients, as a log-normal calibrated on two published prevalences:
 * P(CRP > 3 mg/L) = 0.27 and P(CRP > 1 mg/L) = 0.58 (Osimo et al. 2019, Psychol Med 49(12):1958-1970; see
 * reference section 3.1, docs/README.md; the values are passed in from knowledge/design/crp-distribution.json).
 *
 * With log CRP ~ N(mu, s^2) and z_p the standard normal quantile, P(CRP > c) = pi gives (ln c - mu) / s = z_{1-pi};
 * two thresholds give two linear equations in (mu, s). With the defaults: mu = 0.2723, s = 1.3485 (median CRP
 * 1.31 mg/L). Only P(CRP > 3) matters for the enrichment prevalence; the second point fixes the spread, which sets
 * how much a log-CRP-dependent effect varies within each population.
 */
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import { issue, ok, fail, type Issue, type Result } from '../../record/index.ts';

export interface CrpCalibration {
  /** Threshold defining "high CRP" (the enrichment criterion), mg/L. */
  readonly thresholdMgPerL: number;
  /** Proportion of patients with CRP above the threshold, in (0, 1). */
  readonly prevalenceAboveThreshold: number;
  /** A second, lower threshold that fixes the spread, mg/L. */
  readonly secondThresholdMgPerL: number;
  /** Proportion above the second threshold (greater than prevalenceAboveThreshold). */
  readonly prevalenceAboveSecondThreshold: number;
}

export interface CrpLogNormal {
  /** Mean of ln(CRP in mg/L). */
  readonly meanLog: number;
  /** SD of ln(CRP in mg/L). */
  readonly sdLog: number;
  readonly medianMgPerL: number;
  readonly thresholdMgPerL: number;
  /** P(CRP >= threshold) under the fitted distribution (equals the calibration prevalence). */
  readonly prevalenceAboveThreshold: number;
}

export function calibrateCrpLogNormal(c: CrpCalibration): Result<CrpLogNormal> {
  const issues: Issue[] = [];
  const path = 'design.crp';
  if (!(c.thresholdMgPerL > 0 && c.secondThresholdMgPerL > 0 && c.secondThresholdMgPerL < c.thresholdMgPerL)) {
    issues.push(
      issue('design.crp.threshold.invalid', 'CRP thresholds must be > 0 mg/L, the second below the first', path),
    );
  }
  const p1 = c.prevalenceAboveThreshold;
  const p2 = c.prevalenceAboveSecondThreshold;
  if (!(p1 > 0 && p1 < 1 && p2 > 0 && p2 < 1 && p2 > p1)) {
    issues.push(
      issue(
        'design.crp.prevalence.invalid',
        `CRP prevalences must be in (0, 1), more patients above the lower threshold (got ${p1} above ${c.thresholdMgPerL}, ${p2} above ${c.secondThresholdMgPerL})`,
        path,
      ),
    );
  }
  if (issues.length > 0) return fail(issues);
  const z1 = normalQuantile(1 - p1, 0, 1);
  const z2 = normalQuantile(1 - p2, 0, 1);
  const sdLog = (Math.log(c.thresholdMgPerL) - Math.log(c.secondThresholdMgPerL)) / (z1 - z2);
  const meanLog = Math.log(c.thresholdMgPerL) - z1 * sdLog;
  return ok({
    meanLog,
    sdLog,
    medianMgPerL: Math.exp(meanLog),
    thresholdMgPerL: c.thresholdMgPerL,
    prevalenceAboveThreshold: normalCdf(-z1, 0, 1),
  });
}

/** Mean and variance of L = ln(CRP / threshold), in all patients or only those at or above the threshold. */
export interface LogCrpMoments {
  readonly mean: number;
  readonly variance: number;
}

export function logCrpMoments(d: CrpLogNormal, population: 'all' | 'aboveThreshold'): LogCrpMoments {
  const shift = Math.log(d.thresholdMgPerL);
  if (population === 'all') return { mean: d.meanLog - shift, variance: d.sdLog * d.sdLog };
  // Normal truncated below at a = (ln threshold - mu) / s: mean mu + s lambda, variance s^2 (1 + a lambda - lambda^2),
  // with lambda = phi(a) / (1 - Phi(a)) the inverse Mills ratio.
  const a = (shift - d.meanLog) / d.sdLog;
  const phi = Math.exp(-0.5 * a * a) / Math.sqrt(2 * Math.PI);
  const lambda = phi / normalCdf(-a, 0, 1);
  return {
    mean: d.meanLog + d.sdLog * lambda - shift,
    variance: d.sdLog * d.sdLog * (1 + a * lambda - lambda * lambda),
  };
}
