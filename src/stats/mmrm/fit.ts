/**
 * Fits the UN-covariance MMRM by REML or ML: Fisher scoring for the first steps (robust far from the optimum), then
 * Newton-Raphson on the observed Hessian (quadratic convergence, so the estimates reach the ~1e-12 precision the
 * R/SAS references were refitted to), with step halving. The steps are taken in the log-Cholesky parameterisation
 * (log-cholesky.ts), where every point is a positive-definite Sigma: in sigma_ij, visits correlated 0.9999 put the
 * optimum so close to the positive-definite boundary that Newton steps kept leaving it and were halved to nothing.
 * The derivatives come from reml.ts in sigma_ij and the result is reported there (Kenward-Roger needs it).
 * Non-convergence and rank problems come back as data, never as exceptions: an MmrmFitFailure (`converged: false`,
 * `reason`, `issues`) that carries no estimate, so a caller cannot read beta or Sigma from where the optimiser stopped
 * without first checking `converged` (TypeScript refuses it).
 */
import { EigenvalueDecomposition, Matrix, inverse } from 'ml-matrix';
import { fail, issue, ok, type Issue, type Result } from '../../record/index.ts';
import { isZeroSpread } from '../linear/ols.ts';
import { covarianceFromTheta, thetaFromCovariance } from './covariance.ts';
import { choleskyFromPhi, congruence, phiChainRule, phiFromTheta, thetaFromPhi } from './log-cholesky.ts';
import { prepareMmrmData, visitName, type MmrmData, type MmrmInput } from './data.ts';
import { evaluateLikelihood, type LikelihoodEvaluation, type LikelihoodMethod } from './reml.ts';
import { factorSpd } from './spd.ts';

export interface MmrmOptions {
  readonly method: LikelihoodMethod;
  /** Newton/Fisher iterations allowed (default 200). */
  readonly maxIterations?: number;
}

/** A converged fit: the only kind that carries estimates. */
export interface MmrmFit {
  readonly method: LikelihoodMethod;
  readonly converged: true;
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
  /**
   * Cov(theta-hat) = 2 * inverse observed Hessian of -2 log L (Satterthwaite's and Kenward-Roger's W); a fit whose
   * Hessian is not positive definite is an MmrmFitFailure.
   */
  readonly thetaCovariance: readonly (readonly number[])[];
  readonly observations: number;
  readonly subjects: number;
  readonly issues: readonly Issue[];
  /** The evaluation at the estimate (derivatives included), for the df methods. */
  readonly evaluation: LikelihoodEvaluation;
  readonly data: MmrmData;
}

/** A fit that did not converge (or whose inference cannot be computed): why, and no estimate. */
export interface MmrmFitFailure {
  readonly method: LikelihoodMethod;
  readonly converged: false;
  /** The issues' messages in one line. */
  readonly reason: string;
  readonly iterations: number;
  readonly issues: readonly Issue[];
}

export type MmrmFitOutcome = MmrmFit | MmrmFitFailure;

/**
 * Fits the model; fails (`ok: false`) only for invalid input, a visit without residual variation, or when no starting
 * covariance gives a finite likelihood. Otherwise the value is a converged MmrmFit or an MmrmFitFailure.
 */
export function fitMmrm(input: MmrmInput, options: MmrmOptions): Result<MmrmFitOutcome> {
  const prepared = prepareMmrmData(input);
  if (!prepared.ok) return prepared;
  const data = prepared.value;
  const issues: Issue[] = [];
  const maxIterations = options.maxIterations ?? 200;
  const method = options.method;

  const K = data.visitCount;
  const start = startingTheta(data, method);
  if (start.flatVisit !== null) {
    return fail([
      issue(
        'stats.mmrm.no-residual-variation',
        `no residual variation at ${visitName(data, start.flatVisit)}: the outcome there is an exact function of the fixed effects (a constant change, or no more subjects there than fixed effects at that visit), so no covariance can be estimated`,
      ),
    ]);
  }
  let phi = start.theta && phiFromTheta(start.theta, K);
  let current = phi && evaluateLikelihood(data, thetaFromPhi(phi, K), method, 2);
  if (!phi || !current) {
    return fail([
      issue('stats.mmrm.start', 'no finite likelihood at the starting covariance (is X of full column rank?)'),
    ]);
  }
  let converged = false;
  let iterations = 0;
  let stalls = 0;
  while (iterations < maxIterations) {
    iterations++;
    const chain = phiChainRule(phi, K, current.gradient!);
    const gradient = chain.gradient;
    const newton =
      iterations > 2 ? newtonDirection(congruence(chain.jacobian, current.hessian!, chain.curvature), gradient) : null;
    const direction = newton ?? scoringDirection(congruence(chain.jacobian, current.expectedInformation!), gradient);
    if (!direction) {
      issues.push(
        failureIssue(data, phi, issue('stats.mmrm.singular-information', 'information matrix not positive definite')),
      );
      break;
    }
    // Newton decrement: predicted reduction of -2 log L is decrement / 2. Invariant to rescaling phi, so one bound
    // serves every outcome scale.
    const decrement = direction.reduce((sum, d, k) => sum - d * gradient[k]!, 0);
    const rounding = roundingOf(current.minus2LogLik);
    let step = 1;
    let next: LikelihoodEvaluation | null = null;
    let nextPhi: number[] = phi;
    for (let halving = 0; halving < 40; halving++) {
      nextPhi = phi.map((value, k) => value + step * direction[k]!);
      const candidate = evaluateLikelihood(data, thetaFromPhi(nextPhi, K), method, 0);
      // Accept a decrease, or any step that does not increase -2 log L beyond its rounding.
      if (candidate && candidate.minus2LogLik <= current.minus2LogLik + rounding) {
        next = candidate;
        break;
      }
      step /= 2;
    }
    const stalled = !next || next.minus2LogLik >= current.minus2LogLik - rounding;
    stalls = stalled ? stalls + 1 : 0;
    if (newton && (decrement < CONVERGED_DECREMENT || (stalled && decrement < STALLED_DECREMENT))) {
      // At the optimum to within rounding: the full Newton step is taken when -2 log L allows, and the fit is done
      // either way (what is left of the step moves -2 log L by less than decrement / 2).
      const stepped = next && step === 1 ? evaluateLikelihood(data, thetaFromPhi(nextPhi, K), method, 2) : null;
      if (stepped) {
        phi = nextPhi;
        current = stepped;
      }
      converged = true;
      break;
    }
    if (!next || stalls >= 3) {
      issues.push(
        failureIssue(
          data,
          phi,
          issue(
            'stats.mmrm.line-search',
            `-2 log L no longer decreases within rounding while a step still predicts a decrease of ${(decrement / 2).toPrecision(2)} (likely a near-singular covariance: outcomes almost perfectly correlated across visits, with few subjects)`,
          ),
        ),
      );
      break;
    }
    const evaluated = evaluateLikelihood(data, thetaFromPhi(nextPhi, K), method, 2);
    if (!evaluated) {
      issues.push(failureIssue(data, nextPhi, issue('stats.mmrm.singular-information', "X'V^-1 X not invertible")));
      break;
    }
    phi = nextPhi;
    current = evaluated;
    if (collapsedVisit(phi, K, COLLAPSED_VARIANCE_RATIO) !== null) {
      issues.push(failureIssue(data, phi, issue('stats.mmrm.singular-covariance', 'singular covariance')));
      break;
    }
  }
  if (!converged && iterations >= maxIterations) {
    issues.push(issue('stats.mmrm.max-iterations', `no convergence within ${maxIterations} iterations`));
  }
  const theta = thetaFromPhi(phi, K);
  const hessianFactor = factorSpd(current.hessian!);
  if (!hessianFactor) {
    issues.push(
      issue('stats.mmrm.hessian', `observed ${method} information not positive definite: small-sample df unavailable`),
    );
  }
  const thetaCovariance = hessianFactor ? hessianFactor.inverse.map((row) => row.map((v) => 2 * v)) : null;
  const covariance = covarianceFromTheta(theta, data.visitCount);
  const condition = correlationCondition(covariance);
  const tooIllConditioned = !(condition <= CONDITION_LIMIT);
  if (converged && hessianFactor && tooIllConditioned) {
    issues.push(
      issue(
        'stats.mmrm.ill-conditioned',
        `the fitted covariance is near-singular (correlation matrix condition number ${condition.toPrecision(2)}, above ${CONDITION_LIMIT.toPrecision(1)}): the REML estimates are found, but their Kenward-Roger standard errors and df cannot be computed to 2 significant digits in double precision; too few subjects for outcomes this correlated across visits`,
      ),
    );
  }
  if (!converged || !thetaCovariance || tooIllConditioned) {
    const failure: MmrmFitFailure = {
      method,
      converged: false,
      reason: issues.map((i) => i.message).join('; '),
      iterations,
      issues,
    };
    return ok(failure, issues);
  }
  const maxAbsGradient = current.gradient!.reduce((m, g) => Math.max(m, Math.abs(g)), 0);
  const fit: MmrmFit = {
    method,
    converged: true,
    iterations,
    maxAbsGradient,
    logLik: -current.minus2LogLik / 2,
    minus2LogLik: current.minus2LogLik,
    columnNames: data.columnNames,
    beta: current.beta,
    betaCovariance: current.phi,
    covariance,
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

/**
 * Convergence: a Newton step from a positive-definite observed Hessian predicts a further reduction of -2 log L below
 * 5e-11, i.e. the estimates are within ~1e-5 of their standard errors from the optimum (the step itself is then
 * taken, which with quadratic convergence leaves far less); the R references were refitted to this precision.
 */
const CONVERGED_DECREMENT = 1e-10;

/**
 * When visits are almost perfectly correlated, rounding in -2 log L (which grows with the condition number of Sigma)
 * can exceed what is left to gain: steps stop decreasing it before the decrement reaches 1e-10. The fit is then
 * accepted when the decrement is below 1e-6 (estimates within ~1e-3 of their standard errors from the optimum, far
 * tighter than mmrm's default stopping rule, see reference/stats-reference/README.md section 0).
 */
const STALLED_DECREMENT = 1e-6;

/** The rounding level of -2 log L: a step that changes it by less is neither better nor worse. */
function roundingOf(minus2LogLik: number): number {
  return 1e-12 * Math.max(1, Math.abs(minus2LogLik));
}

/**
 * Conditional variance of a visit given the earlier ones, relative to its variance, below which Sigma is singular in
 * double precision (the visit's outcome an exact linear function of the earlier visits' to ~7 significant digits):
 * the REML optimum does not exist and the fit stops.
 */
const COLLAPSED_VARIANCE_RATIO = 1e-14;

/**
 * A fit that failed is blamed on a (near-)singular covariance when some visit's variance given all the other visits is
 * below this share of its variance (R^2 above 0.999): the REML optimum then lies at or next to a singular Sigma, and
 * fits heading there break down in double precision (the information matrix stops being positive definite) before the
 * share reaches 1e-8.
 */
const DEGENERATE_VARIANCE_SHARE = 1e-3;

/** The first visit whose conditional variance given the earlier visits is below ratio times its variance, or null. */
function collapsedVisit(phi: readonly number[], visitCount: number, ratio: number): number | null {
  const theta = thetaFromPhi(phi, visitCount);
  for (let visit = 0; visit < visitCount; visit++) {
    const index = (visit * (visit + 3)) / 2; // UN(visit, visit) in SAS order
    if (Math.exp(2 * phi[index]!) < ratio * theta[index]!) return visit;
  }
  return null;
}

/**
 * Why a fit stopped: a covariance heading to singular (REML has no optimum, or one next to a singular Sigma: at some
 * visit too few subjects remain to estimate its variance beyond what the other visits and the fixed effects explain)
 * is named as such, with the visit
 * whose variance given all the other visits (1 / (Sigma^-1)_vv, whatever the visit order) is the smallest share of its
 * variance, and its number of subjects; otherwise the optimiser's own reason.
 */
function failureIssue(data: MmrmData, phi: readonly number[], otherwise: Issue): Issue {
  const lower = new Matrix(choleskyFromPhi(phi, data.visitCount));
  const lowerInverse = inverse(lower);
  const theta = thetaFromPhi(phi, data.visitCount);
  const subjectsAt = (v: number) =>
    data.patterns.reduce((sum, p) => sum + (p.localOf[v]! >= 0 ? p.subjectRows.length : 0), 0);
  // Of the visits caught in the near-linear relation, the one with the fewest subjects is the likely culprit.
  let visit = -1;
  let smallest = Number.POSITIVE_INFINITY;
  for (let v = 0; v < data.visitCount; v++) {
    let precision = 0; // (Sigma^-1)_vv = sum_k (L^-1)_kv^2
    for (let k = 0; k < data.visitCount; k++) precision += lowerInverse.get(k, v) ** 2;
    const share = 1 / (precision * theta[(v * (v + 3)) / 2]!);
    if (!(share < DEGENERATE_VARIANCE_SHARE)) continue;
    if (visit < 0 || subjectsAt(v) < subjectsAt(visit) || (subjectsAt(v) === subjectsAt(visit) && share < smallest)) {
      [visit, smallest] = [v, share];
    }
  }
  if (visit < 0) return otherwise;
  const subjects = subjectsAt(visit);
  return issue(
    'stats.mmrm.singular-covariance',
    `the REML covariance estimate is singular or nearly so: ${visitName(data, visit)} (${subjects} subjects) is almost a linear function of the other visits (R^2 = 1 - ${Math.max(smallest, 0).toPrecision(1)} when the fit stopped): too few subjects to estimate an unstructured covariance there, or outcomes repeated across visits; drop or merge sparse visits`,
  );
}

/**
 * Kenward-Roger's adjustment sums products of Sigma^-1 terms that cancel, so its rounding error grows with the
 * square of the condition number kappa of the fitted correlation matrix: on simulated complete-data trials (where
 * the adjustment is exactly 0) the relative error of the KR standard error stayed below ~1.3e-12 kappa^2 (e.g. 8
 * subjects, visits correlated 0.999: kappa 1.5e5, error 3%; 80 subjects, 0.9999: kappa 9e4, error 5e-5;
 * src/stats/mmrm/near-singular.test.ts). Above kappa 1e5 (an error possibly beyond 1%) the fit is not reported.
 */
const CONDITION_LIMIT = 1e5;

/** Ratio of the largest to the smallest eigenvalue of the correlation matrix of sigma (Infinity when singular). */
function correlationCondition(sigma: readonly (readonly number[])[]): number {
  const correlation = sigma.map((row, i) => row.map((v, j) => v / Math.sqrt(sigma[i]![i]! * sigma[j]![j]!)));
  if (correlation.some((row) => row.some((v) => !Number.isFinite(v)))) return Number.POSITIVE_INFINITY;
  const eigenvalues = new EigenvalueDecomposition(new Matrix(correlation), { assumeSymmetric: true }).realEigenvalues;
  const smallest = Math.min(...eigenvalues);
  return smallest > 0 ? Math.max(...eigenvalues) / smallest : Number.POSITIVE_INFINITY;
}

/** Fisher scoring direction, regularised (Levenberg) when rounding leaves the information not positive definite. */
function scoringDirection(information: readonly (readonly number[])[], gradient: readonly number[]): number[] | null {
  const largest = information.reduce((m, row, i) => Math.max(m, Math.abs(row[i]!)), 0);
  for (let ridge = 0; ridge <= 1e-2 * largest; ridge = ridge === 0 ? 1e-12 * largest : ridge * 100) {
    const direction = newtonDirection(
      information.map((row, i) => row.map((v, j) => (i === j ? v + ridge : v))),
      gradient,
    );
    if (direction) return direction;
    if (largest === 0) break;
  }
  return null;
}

/** Solves information * d = -gradient, or null when the information is not positive definite. */
function newtonDirection(information: readonly (readonly number[])[], gradient: readonly number[]): number[] | null {
  const factor = factorSpd(information);
  if (!factor) return null;
  return factor.inverse.map((row) => -row.reduce((sum, v, j) => sum + v * gradient[j]!, 0));
}

/**
 * Start from the covariance of OLS residuals: pairwise-complete covariances when that matrix is positive definite,
 * otherwise only the per-visit variances. For REML each cross-product sum is divided by its count times (n - p) / n,
 * the share of residual degrees of freedom: with complete data and every covariate interacted with visit (the trial
 * model), that is exactly the REML estimate, E'E / (N - p/K), so the fit starts at its optimum.
 */
function startingTheta(data: MmrmData, method: LikelihoodMethod): { theta: number[] | null; flatVisit: number | null } {
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
  if (!factor) return { theta: null, flatVisit: null };
  const beta = factor.inverse.map((row) => row.reduce((sum, v, j) => sum + v * xty[j]!, 0));
  const sums = Array.from({ length: K }, () => new Array<number>(K).fill(0));
  const counts = Array.from({ length: K }, () => new Array<number>(K).fill(0));
  const outcomes: number[][] = Array.from({ length: K }, () => []);
  for (const pattern of data.patterns) {
    for (const rows of pattern.subjectRows) {
      pattern.visits.forEach((a, c) => outcomes[a]!.push(data.y[rows[c]!]!));
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
  // A visit whose outcome the fixed effects fit exactly (a constant change, say) has no variance to estimate. Its
  // rounding residuals come from coefficients shared with the other visits, so they are measured against the larger of
  // the visit's and the whole outcome's scale: at a visit where every change is 0 the visit's own RMS is 0.
  const allOutcomes = Array.from(data.y);
  const flatVisit = outcomes.findIndex((values, a) => {
    const spread = Math.sqrt(sums[a]![a]! / values.length);
    return values.length > 0 && (isZeroSpread(spread, values) || isZeroSpread(spread, allOutcomes));
  });
  if (flatVisit >= 0) return { theta: null, flatVisit };
  const share = method === 'REML' && data.rowCount > p ? (data.rowCount - p) / data.rowCount : 1;
  const pooled = sums.reduce((total, row, a) => total + row[a]!, 0) / Math.max(1, data.rowCount * share);
  const variance = (a: number) =>
    counts[a]![a]! > 1 && sums[a]![a]! > 0 ? sums[a]![a]! / (counts[a]![a]! * share) : pooled || 1;
  const pairwise = sums.map((row, a) =>
    row.map((sum, b) => (a === b ? variance(a) : counts[a]![b]! > 2 ? sum / (counts[a]![b]! * share) : 0)),
  );
  if (factorSpd(pairwise)) return { theta: thetaFromCovariance(pairwise), flatVisit: null };
  return {
    theta: thetaFromCovariance(pairwise.map((row, a) => row.map((v, b) => (a === b ? v : 0)))),
    flatVisit: null,
  };
}
