/**
 * Goldens: DIA antidepressant trial (HAMD17), reference/stats-reference/outputs/antidepressant_hamd17_reference.json,
 * model chg ~ baseline * visit_f + arm * visit_f + us(visit_f | subject), REML (scripts/02_antidepressant.R).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertGolden, readReference } from '../golden.test-support.ts';
import { adjustedBetaCovariance, contrast, kenwardRogerFTest } from './contrast.ts';
import { antidepressantModel } from './datasets.test-support.ts';
import { fitMmrm, type MmrmFit } from './fit.ts';
import { referenceGridRow } from './lsmeans.ts';
import { checkFitQuantities, checkInference, checkVcov, type MmrmPkgBlock } from './mmrm-pkg.test-support.ts';

const SOURCE = 'stats-reference/outputs/antidepressant_hamd17_reference.json';

interface Reference {
  mmrm_pkg: Record<string, MmrmPkgBlock>;
  sas_proc_mixed_kr_published: {
    minus2_reml_loglik: number;
    R_matrix: number[][];
    type3: { effect: string; num_df: number; den_df: number; F: number; p: string }[];
    lsmeans: { therapy: string; visit: number; estimate: number; se: number; df: number }[];
    diffs_drug_minus_placebo: { visit: number; estimate: number; se: number; df: number; t: number; p: number }[];
  };
}

const reference = readReference<Reference>(SOURCE);
const model = antidepressantModel();
const fitted = fitMmrm(model.input, { method: 'REML' });
assert.ok(fitted.ok && fitted.value.converged);
const fit: MmrmFit = fitted.value;

test(`${SOURCE} sas_proc_mixed_kr_published: -2RLL, R matrix, LS means and DRUG - PLACEBO (SAS DDFM=KR)`, () => {
  const sas = reference.sas_proc_mixed_kr_published;
  assertGolden(fit.minus2LogLik, sas.minus2_reml_loglik, 'sasPrinted', 'SAS -2 Res Log Likelihood');
  sas.R_matrix.forEach((row, i) =>
    row.forEach((v, j) => assertGolden(fit.covariance[i]![j]!, v, 'sasPrinted', `SAS R matrix [${i}][${j}]`)),
  );
  const grid = (therapy: string, visit: number) =>
    referenceGridRow(model.spec, model.columns, { arm: therapy, visit_f: String(visit) });
  for (const row of sas.lsmeans) {
    const r = contrast(fit, grid(row.therapy, row.visit), 'kenward-roger');
    const where = `SAS LSMEANS ${row.therapy} visit ${row.visit}`;
    assertGolden(r.estimate, row.estimate, 'sasPrinted', `${where} estimate`);
    assertGolden(r.se, row.se, 'sasPrinted', `${where} se`);
    // SAS prints the KR df as an integer: compare with the rounded df.
    assert.equal(Math.round(r.df), row.df, `${where} df (SAS prints it rounded)`);
  }
  for (const row of sas.diffs_drug_minus_placebo) {
    const difference = grid('DRUG', row.visit).map((v, j) => v - grid('PLACEBO', row.visit)[j]!);
    const r = contrast(fit, difference, 'kenward-roger');
    const where = `SAS DIFFS DRUG - PLACEBO visit ${row.visit}`;
    assertGolden(r.estimate, row.estimate, 'sasPrinted', `${where} estimate`);
    assertGolden(r.se, row.se, 'sasPrinted', `${where} se`);
    assertGolden(r.p, row.p, 'sasPrinted', `${where} p`);
    assert.equal(Math.round(r.df), row.df, `${where} df (SAS prints it rounded)`);
    // t printed to 2 decimals: compare at that precision.
    assert.equal(r.t.toFixed(2), row.t.toFixed(2), `${where} t`);
  }
  // The primary result as the task states it: week 6 (VISIT 7) -2.8018, SE 1.1163, df 150, p 0.0131.
  const week6 = contrast(
    fit,
    reference.mmrm_pkg['Kenward-Roger|Kenward-Roger-Linear']!.primary_contrast.L,
    'kenward-roger',
  );
  assert.equal(week6.estimate.toFixed(4), '-2.8018');
  assert.equal(week6.se.toFixed(4), '1.1163');
  assert.equal(Math.round(week6.df), 150);
  assert.equal(week6.p.toFixed(4), '0.0131');
});

for (const key of ['Kenward-Roger|Kenward-Roger-Linear', 'Satterthwaite|Asymptotic', 'Residual|Asymptotic']) {
  test(`${SOURCE} mmrm_pkg["${key}"]: fit, coefficients, vcov, LS means, diffs, primary contrast`, () => {
    const block = reference.mmrm_pkg[key]!;
    const label = `${SOURCE} mmrm_pkg[${key}]`;
    checkFitQuantities(fit, block, label);
    checkInference(fit, model, block, label);
    const vcov = key.startsWith('Kenward') ? adjustedBetaCovariance(fit)! : fit.betaCovariance;
    checkVcov(vcov, fit, block, label);
  });
}

test(`${SOURCE} mmrm_pkg["Kenward-Roger|Kenward-Roger"]: same REML fit; its SE is not SAS's (documented divergence)`, () => {
  const block = reference.mmrm_pkg['Kenward-Roger|Kenward-Roger']!;
  checkFitQuantities(fit, block, `${SOURCE} mmrm_pkg[Kenward-Roger|Kenward-Roger]`);
  // mmrm's plain KR differentiates a Cholesky parameterisation (non-zero second derivatives of V), giving SE 1.1080
  // where SAS prints 1.1163; ours is SAS's (sigma_ij parameterisation), so it must NOT equal mmrm's plain KR SE,
  // while the df (which uses first derivatives only) agrees.
  const r = contrast(fit, block.primary_contrast.L, 'kenward-roger');
  assert.ok(Math.abs(r.se - block.primary_contrast.se) > 1e-3, 'differs from mmrm plain KR SE');
  assertGolden(r.df, block.primary_contrast.df, 'mmrmDf', 'plain KR df equals KR-Linear df');
});

test(`${SOURCE}: convergence diagnostics`, () => {
  assert.equal(fit.converged, true);
  assert.ok(fit.maxAbsGradient < 1e-8, `max |gradient| ${fit.maxAbsGradient}`);
  assert.ok(fit.iterations < 30);
  assert.equal(fit.observations, 608);
  assert.equal(fit.subjects, 172);
  assert.deepEqual(model.aliased, []);
});

test(`${SOURCE} sas_proc_mixed_kr_published.type3: Kenward-Roger F tests (multi-row KR df and lambda)`, () => {
  // SAS's MODEL chg = basval*VISIT arm*VISIT (with intercept): the type 3 hypotheses are, in our parameterisation,
  // all baseline slope columns = 0 (4 df) and all arm/visit cell columns = 0 (7 df; cell means at basval = 0).
  const unitRows = (names: string[]) => names.map((n) => fit.columnNames.map((c) => (c === n ? 1 : 0)));
  const hypotheses: Record<string, string[]> = {
    'basval*VISIT': ['baseline', 'baseline:visit_f5', 'baseline:visit_f6', 'baseline:visit_f7'],
    'VISIT*THERAPY': [
      'visit_f5',
      'visit_f6',
      'visit_f7',
      'armDRUG',
      'visit_f5:armDRUG',
      'visit_f6:armDRUG',
      'visit_f7:armDRUG',
    ],
  };
  for (const row of reference.sas_proc_mixed_kr_published.type3) {
    const r = kenwardRogerFTest(fit, unitRows(hypotheses[row.effect]!));
    assert.equal(r.numDf, row.num_df, `${row.effect} num df`);
    // SAS prints den df as an integer and F to 2 decimals.
    assert.equal(Math.round(r.denDf), row.den_df, `${row.effect} den df ${r.denDf}`);
    assert.equal(r.F.toFixed(2), row.F.toFixed(2), `${row.effect} F ${r.F}`);
    if (row.p.startsWith('<')) assert.ok(r.p < Number(row.p.slice(1)), `${row.effect} p ${r.p}`);
    else assertGolden(r.p, Number(row.p), 'sasPrinted', `${row.effect} p`);
  }
});
