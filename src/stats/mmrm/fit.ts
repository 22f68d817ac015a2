/**
 * Fits the UN-covariance MMRM by REML or ML: Fisher scoring for the first steps (robust far from the optimum), then
 * Newton-Raphson on the observed Hessian (quadratic convergence, so the estimates reach the ~1e-12 precision the
 * R/SAS references were refitted to), with step halving and a positive-definiteness guard on Sigma.
 * Non-convergence and rank problems come back as data (`converged: false`, `issues`), never as exceptions.
 */
import { fail, issue, ok, type Issue, type Result } from '../../record/index.ts';
import { covarianceFromTheta, thetaFromCovariance } from './covariance.ts';
import { prepareMmrmData, type MmrmData, type MmrmInput } from './data.ts';
import { evaluateLikelihood, type LikelihoodEvaluation, type LikelihoodMethod } from './reml.ts';
import { factorSpd } from './spd.ts';

export interface MmrmOptions {
  readonly method: LikelihoodMethod;
  /** Newton/Fisher iterations allowed (default 200). */
  readonly maxIterations?: number;
}

export interface MmrmFit {
  readonly method: LikelihoodMethod;
  readonly converged: boolean;
  readonly iterations: number;
  /** Largest |d(-2 log L)/d sigma_ij| at the estimate. */
  readonly maxAbsGradient: number;
  readonly logLik: number;
  readonly minus2LogLik: number;
  readonly columnNames: readonly string[];
  readonly beta: readonly number[];
  /** Model-based covariance of beta, (X' V^-1 X)^-1 (SAS's default COVB, mmrm's "Asymptotic"). */
  readonly betaCovariance: readonly (readonly number[])[];
  /** Estimated K x K unstructured covariance. */
  readonly covariance: readonly (readonly number[])[];
  /** sigma_ij in SAS order UN(1,1), UN(2,1), UN(2,2), ... */
  readonly theta: readonly number[];
  /** Cov(theta-hat) = 2 * inverse observed Hessian of -2 log L (Satterthwaite's and Kenward-Roger's W). */
  readonly thetaCovariance: readonly (readonly number[])[] | null;
  readonly observations: number;
  readonly subjects: number;
  readonly issues: readonly Issue[];
  /** The evaluation at the estimate (derivatives included), for the df methods. */
  readonly evaluation: LikelihoodEvaluation;
  readonly data: MmrmData;
}

/** Fits the model; fails only for invalid input or when no starting covariance gives a finite likelihood. */
export function fitMmrm(input: MmrmInput, options: MmrmOptions): Result<MmrmFit> {
  const prepared = prepareMmrmData(input);
  if (!prepared.ok) return prepared;
  const data = prepared.value;
  const issues: Issue[] = [];
  const maxIterations = options.maxIterations ?? 200;
  const method = options.method;

  const start = startingTheta(data);
  let current = start && evaluateLikelihood(data, start, method, 2);
  if (!start || !current) {
    return fail([
      issue('stats.mmrm.start', 'no finite likelihood at the starting covariance (is X of full column rank?)'),
    ]);
  }
  let theta: number[] = start;
  let converged = false;
  let iterations = 0;
  while (iterations < maxIterations) {
    iterations++;
    const gradient = current.gradient!;
    const useNewton = iterations > 2;
    const direction =
      (useNewton && newtonDirection(current.hessian!, gradient)) ||
      newtonDirection(current.expectedInformation!, gradient);
    if (!direction) {
      issues.push(issue('stats.mmrm.singular-information', 'information matrix not positive definite'));
      break;
    }
    // Newton decrement: predicted reduction of -2 log L is decrement / 2.
    const decrement = direction.reduce((sum, d, k) => sum - d * gradient[k]!, 0);
    let step = 1;
    let next: LikelihoodEvaluation | null = null;
    let nextTheta: number[] = theta;
    for (let halving = 0; halving < 40; halving++) {
      nextTheta = theta.map((value, k) => value + step * direction[k]!);
      const candidate = evaluateLikelihood(data, nextTheta, method, 0);
      // Accept a decrease, or any feasible step once we are at rounding level.
      if (candidate && candidate.minus2LogLik <= current.minus2LogLik + 1e-12 * Math.abs(current.minus2LogLik)) {
        next = candidate;
        break;
      }
      step /= 2;
    }
    if (!next) {
      converged = decrement < 1e-8;
      if (!converged) issues.push(issue('stats.mmrm.line-search', 'step halving found no decrease of -2 log L'));
      break;
    }
    theta = nextTheta;
    current = evaluateLikelihood(data, theta, method, 2)!;
    if (useNewton && step === 1 && decrement < 1e-11) {
      converged = true;
      break;
    }
  }
  if (!converged && iterations >= maxIterations) {
    issues.push(issue('stats.mmrm.max-iterations', `no convergence within ${maxIterations} iterations`));
  }
  const hessianFactor = factorSpd(current.hessian!);
  if (!hessianFactor) {
    issues.push(
      issue('stats.mmrm.hessian', `observed ${method} information not positive definite: small-sample df unavailable`),
    );
  }
  const thetaCovariance = hessianFactor ? hessianFactor.inverse.map((row) => row.map((v) => 2 * v)) : null;
  const maxAbsGradient = current.gradient!.reduce((m, g) => Math.max(m, Math.abs(g)), 0);
  const fit: MmrmFit = {
    method,
    converged: converged && hessianFactor !== null,
    iterations,
    maxAbsGradient,
    logLik: -current.minus2LogLik / 2,
    minus2LogLik: current.minus2LogLik,
    columnNames: data.columnNames,
    beta: current.beta,
    betaCovariance: current.phi,
    covariance: covarianceFromTheta(theta, data.visitCount),
    theta,
    thetaCovariance,
    observations: data.rowCount,
    subjects: data.subjectCount,
    issues,
    evaluation: current,
    data,
  };
  return ok(fit, issues);
}

/** Solves information * d = -gradient, or null when the information is not positive definite. */
function newtonDirection(information: readonly (readonly number[])[], gradient: readonly number[]): number[] | null {
  const factor = factorSpd(information);
  if (!factor) return null;
  return factor.inverse.map((row) => -row.reduce((sum, v, j) => sum + v * gradient[j]!, 0));
}

/**
 * Start from the covariance of OLS residuals: pairwise-complete covariances when that matrix is positive definite,
 * otherwise only the per-visit variances.
 */
function startingTheta(data: MmrmData): number[] | null {
  const p = data.columnCount;
  const K = data.visitCount;
  const xtx = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  const xty = new Array<number>(p).fill(0);
  for (let row = 0; row < data.rowCount; row++) {
    for (let i = 0; i < p; i++) {
      const xi = data.x[row * p + i]!;
      xty[i]! += xi * data.y[row]!;
      for (let j = 0; j < p; j++) xtx[i]![j]! += xi * data.x[row * p + j]!;
    }
  }
  const factor = factorSpd(xtx);
  if (!factor) return null;
  const beta = factor.inverse.map((row) => row.reduce((sum, v, j) => sum + v * xty[j]!, 0));
  const sums = Array.from({ length: K }, () => new Array<number>(K).fill(0));
  const counts = Array.from({ length: K }, () => new Array<number>(K).fill(0));
  for (const pattern of data.patterns) {
    for (const rows of pattern.subjectRows) {
      const residuals = rows.map((row) => {
        let fitted = 0;
        for (let j = 0; j < p; j++) fitted += data.x[row * p + j]! * beta[j]!;
        return data.y[row]! - fitted;
      });
      pattern.visits.forEach((a, c) =>
        pattern.visits.forEach((b, d) => {
          sums[a]![b]! += residuals[c]! * residuals[d]!;
          counts[a]![b]!++;
        }),
      );
    }
  }
  const pooled = sums.reduce((total, row, a) => total + row[a]!, 0) / Math.max(1, data.rowCount);
  const variance = (a: number) =>
    counts[a]![a]! > 1 && sums[a]![a]! > 0 ? sums[a]![a]! / counts[a]![a]! : pooled || 1;
  const pairwise = sums.map((row, a) =>
    row.map((sum, b) => (a === b ? variance(a) : counts[a]![b]! > 2 ? sum / counts[a]![b]! : 0)),
  );
  if (factorSpd(pairwise)) return thetaFromCovariance(pairwise);
  return thetaFromCovariance(pairwise.map((row, a) => row.map((v, b) => (a === b ? v : 0))));
}
