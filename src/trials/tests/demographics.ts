/** Age and pregnancy tests: read the care pathway's patient facts and pregnancy contraindication. */
import type { CriterionTest } from '../schema.ts';
import type { MatchContext, TestOutcome } from '../context.ts';
import { undecided } from '../context.ts';

type AgeBetween = Extract<CriterionTest, { type: 'age-between' }>;

export function ageBetween(ctx: MatchContext, test: AgeBetween): TestOutcome {
  const { age, reference } = ctx.facts.patient;
  if (age === undefined) return undecided('No birth date in the record', 'date of birth', [reference]);
  const range = `${test.minYears}-${test.maxYears} years${test.inclusive ? ' inclusive' : ' exclusive'}`;
  const holds = test.inclusive
    ? age >= test.minYears && age <= test.maxYears
    : age > test.minYears && age < test.maxYears;
  return { holds, reason: `Age ${age} on ${ctx.asOf} (${range})`, evidence: [reference] };
}

export function notPregnantOrBreastfeeding(ctx: MatchContext): TestOutcome {
  const found = ctx.facts.contraindications.find((c) => c.code === 'pregnancy');
  if (found !== undefined) return { holds: false, reason: found.detail, evidence: found.evidence };
  const { sex, reference } = ctx.facts.patient;
  if (sex === 'male') return { holds: true, reason: 'Male patient', evidence: [reference] };
  return {
    holds: true,
    bySilence: true,
    reason: 'No pregnancy or breastfeeding recorded',
    evidence: [],
    collect: 'pregnancy test and breastfeeding status',
  };
}
