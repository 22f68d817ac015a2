/**
 * Goldens: Potthoff-Roy dental growth (nlme::Orthodont), reference/stats-reference/outputs/orthodont_reference.json,
 * model distance ~ sex * age + us(age_f | subject) (scripts/03_fev_orthodont.R part b): ML (the SAS PROC MIXED
 * documentation "Repeated Measures" example, TYPE=UN) and REML with KR-Linear.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertGolden, readReference } from '../golden.test-support.ts';
import { contrast, type DfMethod } from './contrast.ts';
import { orthodontModel } from './datasets.test-support.ts';
import { fitMmrm, type MmrmFit } from './fit.ts';

const SOURCE = 'stats-reference/outputs/orthodont_reference.json';

interface Block {
  loglik: number;
  coefficients: { term: string; estimate: number; se: number; df: number; statistic: number; p_value: number }[];
  covariance_matrix: { values: number[][] };
}
interface Reference {
  mmrm_ML: Block;
  mmrm_REML: Block;
  gls_ML: { minus2_loglik: number };
}

const reference = readReference<Reference>(SOURCE);
const model = orthodontModel();

function check(fit: MmrmFit, block: Block, df: DfMethod, label: string) {
  assert.equal(fit.converged, true);
  assertGolden(fit.logLik, block.loglik, 'mmrm', `${label} loglik`);
  block.covariance_matrix.values.forEach((row, i) =>
    row.forEach((v, j) => assertGolden(fit.covariance[i]![j]!, v, 'mmrm', `${label} covariance_matrix[${i}][${j}]`)),
  );
  for (const c of block.coefficients) {
    const j = fit.columnNames.indexOf(c.term);
    const r = contrast(
      fit,
      fit.columnNames.map((_, k) => (k === j ? 1 : 0)),
      df,
    );
    assertGolden(r.estimate, c.estimate, 'mmrm', `${label} ${c.term} estimate`);
    assertGolden(r.se, c.se, 'mmrm', `${label} ${c.term} se`);
    assertGolden(r.df, c.df, 'mmrmDf', `${label} ${c.term} df`);
    assertGolden(r.t, c.statistic, 'mmrm', `${label} ${c.term} t`);
    assertGolden(r.p, c.p_value, 'mmrm', `${label} ${c.term} p`);
  }
}

test(`${SOURCE} mmrm_ML (Satterthwaite on the ML fit) and the SAS documentation example (ML, TYPE=UN)`, () => {
  const fitted = fitMmrm(model.input, { method: 'ML' });
  assert.ok(fitted.ok && fitted.value.converged);
  check(fitted.value, reference.mmrm_ML, 'satterthwaite', `${SOURCE} mmrm_ML`);
  // SAS doc (README section 3): -2LL 419.4770; intercept 15.8423 (SE 0.9356), Gender F 1.5831 (1.4658),
  // Age 0.8268 (0.07911), Age x F -0.3504 (0.1239). The model-based SE equals SAS's; nlme's gls would inflate it by
  // sqrt(N/(N-p)) (0.9534), which is why gls_ML is used only for -2LL.
  assertGolden(fitted.value.minus2LogLik, 419.477, 'sasPrinted', 'SAS doc -2 Log Likelihood');
  assertGolden(fitted.value.minus2LogLik, reference.gls_ML.minus2_loglik, 'mmrm', `${SOURCE} gls_ML minus2_loglik`);
  const sas: [string, number, number][] = [
    ['(Intercept)', 15.8423, 0.9356],
    ['sexFemale', 1.5831, 1.4658],
    ['age', 0.8268, 0.07911],
    ['sexFemale:age', -0.3504, 0.1239],
  ];
  for (const [term, estimate, se] of sas) {
    const j = fitted.value.columnNames.indexOf(term);
    assertGolden(fitted.value.beta[j]!, estimate, 'sasPrinted', `SAS doc ${term} estimate`);
    assertGolden(Math.sqrt(fitted.value.betaCovariance[j]![j]!), se, 'sasPrinted', `SAS doc ${term} se`);
  }
});

test(`${SOURCE} mmrm_REML (Kenward-Roger-Linear)`, () => {
  const fitted = fitMmrm(model.input, { method: 'REML' });
  assert.ok(fitted.ok && fitted.value.converged);
  check(fitted.value, reference.mmrm_REML, 'kenward-roger', `${SOURCE} mmrm_REML`);
});
