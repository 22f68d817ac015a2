/**
 * Trial matching: trial protocols as cited data (schema.ts), matched against one patient with the care pathway's
 * derivations (match.ts). The loader (load.ts) is the Node adapter and is imported separately.
 */
export { matchTrials, matchProtocol, evaluateCriterion, evaluateTest } from './match.ts';
export { parseProtocols, checkProtocol } from './parse.ts';
export { addTrialCodeSets } from './trial-knowledge.ts';
export { TRIAL_PROTOCOL_SCHEMA, TrialProtocolSchema, CriterionSchema, TestSchema } from './schema.ts';
export type { TrialProtocol, Criterion, CriterionTest, TestType, ScaleSource } from './schema.ts';
export { TRIAL_MATCH_SCHEMA } from './result.ts';
export type { TrialMatchResult, CriterionResult, CriterionStatus, TrialVerdict } from './result.ts';
export type { MatchContext, TestOutcome } from './context.ts';
