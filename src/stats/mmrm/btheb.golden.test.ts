/**
 * Goldens: Beat the Blues (HSAUR3::BtheB), reference/stats-reference/outputs/btheb_reference.json, UN MMRM
 * chg ~ baseline * visit_f + arm * visit_f + drug + length + us(visit_f | subject) with chg = BDI (scripts/04_btheb.R).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertGolden, readReference } from '../golden.test-support.ts';
import { adjustedBetaCovariance } from './contrast.ts';
import { bthebModel } from './datasets.test-support.ts';
import { fitMmrm } from './fit.ts';
import { referenceCovariateValues } from './lsmeans.ts';
import { checkFitQuantities, checkInference, checkVcov, type MmrmPkgBlock } from './mmrm-pkg.test-support.ts';

const SOURCE = 'stats-reference/outputs/btheb_reference.json';

interface Reference {
  mmrm_pkg: Record<string, MmrmPkgBlock>;
  mmrm_gls: { minus2_reml_loglik: number; reference_grid_covariate_means: { baseline: number } };
}

const reference = readReference<Reference>(SOURCE);
const model = bthebModel();
const fitted = fitMmrm(model.input, { method: 'REML' });
assert.ok(fitted.ok && fitted.value.converged);
const fit = fitted.value;

for (const key of ['Kenward-Roger|Kenward-Roger-Linear', 'Satterthwaite|Asymptotic', 'Residual|Asymptotic']) {
  test(`${SOURCE} mmrm_pkg["${key}"]: fit, coefficients, vcov, LS means, diffs, primary contrast`, () => {
    const block = reference.mmrm_pkg[key]!;
    const label = `${SOURCE} mmrm_pkg[${key}]`;
    checkFitQuantities(fit, block, label);
    checkInference(fit, model, block, label);
    checkVcov(key.startsWith('Kenward') ? adjustedBetaCovariance(fit)! : fit.betaCovariance, fit, block, label);
  });
}

test(`${SOURCE} mmrm_gls: same REML optimum (nlme) and LS-means covariate mean over the long rows`, () => {
  assertGolden(
    fit.minus2LogLik,
    reference.mmrm_gls.minus2_reml_loglik,
    'mmrm',
    `${SOURCE} mmrm_gls minus2_reml_loglik`,
  );
  const means = referenceCovariateValues(model.spec);
  assertGolden(
    means.baseline!,
    reference.mmrm_gls.reference_grid_covariate_means.baseline,
    'closedForm',
    `${SOURCE} mmrm_gls reference_grid_covariate_means.baseline`,
  );
  assert.equal(fit.observations, 280);
  assert.equal(fit.subjects, 97);
});
