/**
 * The screening log's eligibility: criterion by criterion, from the trial matcher (a FHIR Bundle) or answered by the
 * coordinator, combined into the matcher's verdict rule (src/trials/match.ts). Pure.
 */
import type { TrialMatchResult, TrialVerdict } from '../trials/index.ts';
import { verdictOf } from '../trials/match.ts';
import type { ScreeningCriterion } from './model.ts';

/** The matcher's result as screening-log criteria. */
export function criteriaFromMatch(result: TrialMatchResult): ScreeningCriterion[] {
  return result.criteria.map((c) => ({
    id: c.id,
    kind: c.kind,
    status: c.status,
    reason: c.reason,
    source: 'record',
    verified: c.verified,
  }));
}

/**
 * Coordinator answers override the record's status of the same criterion (a `manual` criterion is always unknown
 * from the record); every criterion of the protocol must be present once.
 */
export function mergeAnswers(
  fromRecord: readonly ScreeningCriterion[],
  answers: readonly ScreeningCriterion[],
): ScreeningCriterion[] {
  const byId = new Map(answers.map((a) => [a.id, a]));
  return fromRecord.map((c) => byId.get(c.id) ?? c);
}

export function screeningVerdict(criteria: readonly ScreeningCriterion[]): { verdict: TrialVerdict; failed: string[] } {
  return verdictOf(criteria);
}
