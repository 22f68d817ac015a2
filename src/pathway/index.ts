/**
 * The care-pathway engine (docs/care-pathway.md): `assess` gives the recommendation for one patient; `deriveFacts`
 * gives the derivations alone (definitions 0-10) for reuse by the trial matcher.
 */
export { assess, assessFacts } from './assess.ts';
export type { AssessOptions } from './assess.ts';
export { onlyToConfirm } from './cautions.ts';
export { cutOffDependentCodes } from './decide.ts';
export { deriveFacts } from './derive.ts';
export { datedReference, withEvidenceDates } from './evidence-dates.ts';
export { classifyCrp, CRP_MOLAR_FACTOR_ITEM, crpMolarFactor } from './inflammation.ts';
export { convert as convertObservationQuantity, describeQuantity, readByLabel } from './observations.ts';
export { ageYearsText } from './summaries.ts';
export { REFERRAL_TRACK } from './workup.ts';
export { ASSESSMENT_SCHEMA, RECOMMENDATION_CODES } from './assessment.ts';
export type { Assessment, Recommendation, RecommendationCode, TraceStep } from './assessment.ts';
export type * from './facts.ts';
