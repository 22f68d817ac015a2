export * from './plan.ts';
export { allocationTable, stratumList } from './blocks.ts';
export type { AllocationRow } from './blocks.ts';
export { countAllocation, emptyCounts, imbalanceIf, maxMarginalImbalance, minimise } from './minimisation.ts';
export type { MarginalCounts } from './minimisation.ts';
export { shuffled, streamFor, streamFromState, weightedIndex } from './random.ts';
export type { GeneratorState, IntSource } from './random.ts';
