/**
 * Checks one `mmrm_pkg` block of a reference JSON (written by analysis_lib.R::mmrm_pkg: mmrm 0.3.18 refitted with
 * nlminb rel.tol 1e-15) against a fit of the same model: fit quantities, coefficient table, vcov, UN covariance,
 * LS means and differences by visit, and the primary contrast. Values at TOLERANCE.mmrm, df at TOLERANCE.mmrmDf.
 */
import assert from 'node:assert/strict';
import { assertGolden } from '../golden.test-support.ts';
import { contrast, type DfMethod } from './contrast.ts';
import type { MmrmFit } from './fit.ts';
import { referenceGridRow } from './lsmeans.ts';
import type { ReferenceModel } from './datasets.test-support.ts';

interface Matrix {
  rownames: string[];
  colnames: string[];
  values: number[][];
}
interface Coefficient {
  term: string;
  estimate: number;
  se: number;
  df: number;
  statistic: number;
  p_value: number;
  ci_lower: number;
  ci_upper: number;
}
interface EmmRow {
  arm?: string;
  contrast?: string;
  visit_f: string;
  emmean?: number;
  estimate?: number;
  se: number;
  df: number;
  ci_lower: number;
  ci_upper: number;
  statistic: number;
  p_value: number;
}
export interface MmrmPkgBlock {
  method: string;
  vcov: string;
  reml_loglik: number;
  covariance_matrix: Matrix;
  coefficients: Coefficient[];
  vcov_beta: Matrix;
  lsmeans: EmmRow[];
  diff: EmmRow[];
  primary_contrast: { L: number[]; estimate: number; se: number; df: number; t: number; p_value: number; ci: number[] };
}

export function dfMethodOf(block: MmrmPkgBlock): DfMethod {
  if (block.method === 'Kenward-Roger') return 'kenward-roger';
  if (block.method === 'Satterthwaite') return 'satterthwaite';
  return 'residual';
}

/** Fit-level quantities shared by all four variants (same REML optimum). */
export function checkFitQuantities(fit: MmrmFit, block: MmrmPkgBlock, label: string): void {
  assert.equal(fit.converged, true, `${label}: converged`);
  assertGolden(fit.logLik, block.reml_loglik, 'mmrm', `${label} reml_loglik`);
  block.covariance_matrix.values.forEach((row, i) =>
    row.forEach((v, j) => assertGolden(fit.covariance[i]![j]!, v, 'mmrm', `${label} covariance_matrix[${i}][${j}]`)),
  );
  block.coefficients.forEach((c) => {
    const j = fit.columnNames.indexOf(c.term);
    assert.ok(j >= 0, `${label}: column ${c.term} present`);
    assertGolden(fit.beta[j]!, c.estimate, 'mmrm', `${label} coefficients ${c.term} estimate`);
  });
}

/** Inference of a variant: coefficient SE/df/t/p/CI, LS means, differences and the primary contrast. */
export function checkInference(fit: MmrmFit, model: ReferenceModel, block: MmrmPkgBlock, label: string): void {
  const method = dfMethodOf(block);
  const unit = (j: number) => fit.columnNames.map((_, k) => (k === j ? 1 : 0));
  block.coefficients.forEach((c) => {
    const r = contrast(fit, unit(fit.columnNames.indexOf(c.term)), method);
    assertGolden(r.se, c.se, 'mmrm', `${label} coefficients ${c.term} se`);
    assertGolden(r.df, c.df, 'mmrmDf', `${label} coefficients ${c.term} df`);
    assertGolden(r.t, c.statistic, 'mmrm', `${label} coefficients ${c.term} t`);
    assertGolden(r.p, c.p_value, 'mmrm', `${label} coefficients ${c.term} p`);
    assertGolden(r.ci[0], c.ci_lower, 'mmrm', `${label} coefficients ${c.term} ci_lower`);
    assertGolden(r.ci[1], c.ci_upper, 'mmrm', `${label} coefficients ${c.term} ci_upper`);
  });
  const armLevels = (model.spec.variables.arm as { levels: readonly string[] }).levels;
  for (const row of block.lsmeans) {
    const r = contrast(
      fit,
      referenceGridRow(model.spec, model.columns, { arm: row.arm!, visit_f: row.visit_f }),
      method,
    );
    const where = `${label} lsmeans ${row.arm} visit ${row.visit_f}`;
    assertGolden(r.estimate, row.emmean!, 'mmrm', `${where} emmean`);
    assertGolden(r.se, row.se, 'mmrm', `${where} se`);
    assertGolden(r.df, row.df, 'mmrmDf', `${where} df`);
    assertGolden(r.ci[0], row.ci_lower, 'mmrm', `${where} ci_lower`);
    assertGolden(r.ci[1], row.ci_upper, 'mmrm', `${where} ci_upper`);
  }
  for (const row of block.diff) {
    const active = referenceGridRow(model.spec, model.columns, { arm: armLevels[1]!, visit_f: row.visit_f });
    const control = referenceGridRow(model.spec, model.columns, { arm: armLevels[0]!, visit_f: row.visit_f });
    const r = contrast(
      fit,
      active.map((v, j) => v - control[j]!),
      method,
    );
    const where = `${label} diff ${row.contrast} visit ${row.visit_f}`;
    assertGolden(r.estimate, row.estimate!, 'mmrm', `${where} estimate`);
    assertGolden(r.se, row.se, 'mmrm', `${where} se`);
    assertGolden(r.df, row.df, 'mmrmDf', `${where} df`);
    assertGolden(r.t, row.statistic, 'mmrm', `${where} t`);
    assertGolden(r.p, row.p_value, 'mmrm', `${where} p`);
  }
  const pc = block.primary_contrast;
  const r = contrast(fit, pc.L, method);
  assertGolden(r.estimate, pc.estimate, 'mmrm', `${label} primary_contrast estimate`);
  assertGolden(r.se, pc.se, 'mmrm', `${label} primary_contrast se`);
  assertGolden(r.df, pc.df, 'mmrmDf', `${label} primary_contrast df`);
  assertGolden(r.t, pc.t, 'mmrm', `${label} primary_contrast t`);
  assertGolden(r.p, pc.p_value, 'mmrm', `${label} primary_contrast p`);
  assertGolden(r.ci[0], pc.ci[0]!, 'mmrm', `${label} primary_contrast ci lower`);
  assertGolden(r.ci[1], pc.ci[1]!, 'mmrm', `${label} primary_contrast ci upper`);
}

/** vcov_beta of the block: model-based (Asymptotic) or KR-adjusted, by column name. */
export function checkVcov(vcov: readonly (readonly number[])[], fit: MmrmFit, block: MmrmPkgBlock, label: string) {
  block.vcov_beta.rownames.forEach((rowName, i) =>
    block.vcov_beta.colnames.forEach((colName, j) => {
      const a = fit.columnNames.indexOf(rowName);
      const b = fit.columnNames.indexOf(colName);
      assertGolden(vcov[a]![b]!, block.vcov_beta.values[i]![j]!, 'mmrm', `${label} vcov_beta[${rowName}, ${colName}]`);
    }),
  );
}
