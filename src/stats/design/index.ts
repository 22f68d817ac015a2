/** Trial design: sample size and power (t-test, ANCOVA, two proportions), enrichment by CRP analytically and by simulation. */
export * from './ttest.ts';
export * from './allocation.ts';
export * from './ancova.ts';
export * from './proportions.ts';
export * from './enrichment.ts';
export * from './crp-lognormal.ts';
export * from './enrichment-simulation.ts';
export * from './simulation-summary.ts';
export * from './two-arm-tests.ts';
export { brentRoot, type RootResult, type BrentOptions } from './brent.ts';
