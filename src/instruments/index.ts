export { INSTRUMENT_SCHEMA, InstrumentSchema, ScoringSchema } from './schema.ts';
export type { InstrumentDefinition, Scoring } from './schema.ts';
export { scoreInstrument } from './score.ts';
export type { InstrumentScore, ItemAnswer } from './score.ts';
