/**
 * Mixed model for repeated measures with unstructured covariance (SAS PROC MIXED TYPE=UN, R mmrm us()), fitted by
 * REML or ML, with Kenward-Roger (= SAS DDFM=KR, mmrm "Kenward-Roger-Linear"), Satterthwaite and residual df.
 * Validated against SAS and R in *.golden.test.ts (reference/stats-reference/outputs).
 */
export { fitMmrm, type MmrmFit, type MmrmFitFailure, type MmrmFitOutcome, type MmrmOptions } from './fit.ts';
export type { MmrmInput } from './data.ts';
export {
  contrast,
  adjustedBetaCovariance,
  kenwardRogerFTest,
  type ContrastResult,
  type DfMethod,
  type FTestResult,
} from './contrast.ts';
export { satterthwaiteDf } from './satterthwaite.ts';
export { kenwardRogerCovariance, kenwardRogerDf, type KenwardRogerTest } from './kenward-roger.ts';
export {
  buildDesign,
  designColumns,
  isEstimable,
  type DesignColumn,
  type DesignMatrix,
  type DesignSpec,
  type DesignVariable,
} from './design.ts';
export { referenceCovariateValues, referenceGridRow } from './lsmeans.ts';
export { covarianceFromTheta, thetaFromCovariance, thetaLabels } from './covariance.ts';
export type { LikelihoodMethod } from './reml.ts';
export {
  fitMmrmTrial,
  trialDesignSpec,
  type LsMeanResult,
  type MmrmCoefficient,
  type MmrmTrialFailure,
  type MmrmTrialFit,
  type MmrmTrialResult,
  type MmrmTrialRow,
  type MmrmTrialSpec,
  type MmrmVisitOutcome,
  type MmrmVisitResult,
  type MmrmVisitUnavailable,
} from './trial.ts';
