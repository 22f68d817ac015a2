/**
 * A trial exclusion that is one of the care pathway's cautions (definition 7): INSIGHT's recent live vaccine and
 * concurrent conventional immunosuppressant. The pathway's finding decides, so `trd match` and `trd assess` cannot
 * disagree; when the pathway finds nothing, the absence rests on the record's silence and the criterion's question
 * is asked, as it is when the caution rests only on records to confirm (a medicine named without a listed code).
 */
import type { CriterionTest } from '../schema.ts';
import { onlyToConfirm } from '../../pathway/index.ts';
import { undecided } from '../context.ts';
import type { MatchContext, TestOutcome } from '../context.ts';

type NoPathwayCaution = Extract<CriterionTest, { type: 'no-pathway-caution' }>;

export function noPathwayCaution(ctx: MatchContext, test: NoPathwayCaution): TestOutcome {
  const found = ctx.facts.cautions.find((c) => c.code === test.code);
  // A caution resting only on records that name the medicine without a listed code is a possible use: to confirm.
  if (found !== undefined && onlyToConfirm(found)) {
    return undecided(`${found.title}: ${found.detail}`, test.question, found.evidence);
  }
  if (found !== undefined) {
    return { holds: false, reason: `${found.title}: ${found.detail}`, evidence: found.evidence };
  }
  const title = ctx.knowledge.pathway.cautions.find((c) => c.code === test.code)?.title ?? test.code;
  return {
    holds: true,
    bySilence: true,
    // Not "not recorded": a record outside the caution (an MMR 40 days ago, a methotrexate stopped) may be on file.
    reason: `The care pathway's caution "${title}" is not raised on the record`,
    evidence: [],
    collect: test.question,
  };
}
