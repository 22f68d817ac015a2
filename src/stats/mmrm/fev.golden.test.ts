/**
 * Goldens: mmrm::fev_data (simulated COPD trial), reference/stats-reference/outputs/fev_data_reference.json,
 * model FEV1 ~ RACE + SEX + ARMCD * AVISIT + us(AVISIT | USUBJID), REML (scripts/03_fev_orthodont.R part a).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertGolden, readReference } from '../golden.test-support.ts';
import { adjustedBetaCovariance, contrast } from './contrast.ts';
import { thetaFromCovariance } from './covariance.ts';
import { fevModel, fevSimpleModel } from './datasets.test-support.ts';
import { fitMmrm, type MmrmFit } from './fit.ts';
import { referenceGridRow } from './lsmeans.ts';
import { checkFitQuantities, checkInference, checkVcov, type MmrmPkgBlock } from './mmrm-pkg.test-support.ts';
import { evaluateLikelihood } from './reml.ts';

const SOURCE = 'stats-reference/outputs/fev_data_reference.json';

interface Reference {
  mmrm_pkg: Record<string, MmrmPkgBlock>;
  sas_proc_mixed_satterthwaite_published: {
    minus2_reml_loglik: number;
    lsmeans: { visit: string; arm: string; estimate: number; se: number; df: number }[];
    diffs_trt_minus_pbo: { visit: string; estimate: number; se: number; df: number; lower: number; upper: number }[];
    covariance_UN: number[][];
  };
  simple_kr_linear: {
    df_1d_ARMCD: { est: number; se: number; df: number; t_stat: number; p_val: number };
    sas_published: { se: number; df: number };
  };
}

const reference = readReference<Reference>(SOURCE);
const model = fevModel();
const fitted = fitMmrm(model.input, { method: 'REML' });
assert.ok(fitted.ok && fitted.value.converged);
const fit: MmrmFit = fitted.value;
const grid = (arm: string, visit: string) => referenceGridRow(model.spec, model.columns, { arm, visit_f: visit });
const difference = (visit: string) => grid('TRT', visit).map((v, j) => v - grid('PBO', visit)[j]!);

test(`${SOURCE} sas_proc_mixed_satterthwaite_published: -2RLL, LS means, TRT - PBO (VIS4 4.3985, SE 1.6805, df 133)`, () => {
  const sas = reference.sas_proc_mixed_satterthwaite_published;
  assertGolden(fit.minus2LogLik, sas.minus2_reml_loglik, 'sasPrinted', 'SAS -2 Res Log Likelihood');
  for (const row of sas.lsmeans) {
    const r = contrast(fit, grid(row.arm, row.visit), 'satterthwaite');
    assertGolden(r.estimate, row.estimate, 'sasPrinted', `SAS LSMEANS ${row.arm} ${row.visit} estimate`);
  }
  for (const row of sas.diffs_trt_minus_pbo) {
    const r = contrast(fit, difference(row.visit), 'satterthwaite');
    assertGolden(r.estimate, row.estimate, 'sasPrinted', `SAS DIFFS TRT - PBO ${row.visit} estimate`);
  }
  const vis4 = sas.diffs_trt_minus_pbo.find((row) => row.visit === 'VIS4')!;
  const r = contrast(fit, difference('VIS4'), 'satterthwaite');
  assertGolden(r.se, vis4.se, 'sasPrinted', 'SAS DIFFS VIS4 se');
  assert.equal(Math.round(r.df), vis4.df, 'SAS DIFFS VIS4 df (printed rounded)');
  assertGolden(r.ci[0], vis4.lower, 'sasPrinted', 'SAS DIFFS VIS4 lower');
  assertGolden(r.ci[1], vis4.upper, 'sasPrinted', 'SAS DIFFS VIS4 upper');
});

test(`${SOURCE} sas_proc_mixed_satterthwaite_published: known divergence, SAS stopped short of the REML optimum`, () => {
  // SAS's printed UN covariance differs from mmrm's and ours by up to ~2e-3 relative (e.g. UN(1,1) 40.5509 vs
  // 40.55444; mmrm and we agree to 5e-8), so several SAS SEs, the VIS2 interaction (-0.04231 vs -0.04209) and one
  // LS-mean df (144 vs 143.49) differ in the 4th-5th digit. The likelihood is flat there (-2RLL agrees to 2e-9),
  // i.e. SAS met its default convergence criterion earlier. Check that our optimum is at least as good as SAS's.
  const sasTheta = thetaFromCovariance(reference.sas_proc_mixed_satterthwaite_published.covariance_UN);
  const atSas = evaluateLikelihood(fit.data, sasTheta, 'REML', 0);
  assert.ok(atSas, 'SAS covariance is positive definite');
  assert.ok(
    fit.minus2LogLik <= atSas.minus2LogLik,
    `ours ${fit.minus2LogLik} <= at SAS estimate ${atSas.minus2LogLik}`,
  );
});

for (const key of ['Kenward-Roger|Kenward-Roger-Linear', 'Satterthwaite|Asymptotic', 'Residual|Asymptotic']) {
  test(`${SOURCE} mmrm_pkg["${key}"]: fit, coefficients, vcov, LS means, diffs, primary contrast`, () => {
    const block = reference.mmrm_pkg[key]!;
    const label = `${SOURCE} mmrm_pkg[${key}]`;
    checkFitQuantities(fit, block, label);
    checkInference(fit, model, block, label);
    checkVcov(key.startsWith('Kenward') ? adjustedBetaCovariance(fit)! : fit.betaCovariance, fit, block, label);
  });
}

test(`${SOURCE} simple_kr_linear: FEV1 ~ ARMCD, KR-Linear df_1d (mmrm) and SAS DDFM=KR`, () => {
  const simple = fitMmrm(fevSimpleModel().input, { method: 'REML' });
  assert.ok(simple.ok && simple.value.converged);
  const r = contrast(simple.value, [0, 1], 'kenward-roger');
  const ref = reference.simple_kr_linear.df_1d_ARMCD;
  assertGolden(r.estimate, ref.est, 'mmrm', 'simple_kr_linear est');
  assertGolden(r.se, ref.se, 'mmrm', 'simple_kr_linear se');
  assertGolden(r.df, ref.df, 'mmrmDf', 'simple_kr_linear df');
  assertGolden(r.t, ref.t_stat, 'mmrm', 'simple_kr_linear t');
  assertGolden(r.p, ref.p_val, 'mmrm', 'simple_kr_linear p');
  // SAS (sas_published: se 0.661244, df 160.733) differs from mmrm by ~1e-4 (SE) and 3e-4 (df) relative; the mmrm
  // authors accept it at 1e-3 in tests/testthat/test-kenwardroger.R. We reproduce mmrm, so we assert only the
  // SAS values' leading digits.
  assert.equal(r.se.toFixed(3), reference.simple_kr_linear.sas_published.se.toFixed(3));
  assert.equal(Math.round(r.df), Math.round(reference.simple_kr_linear.sas_published.df));
});
