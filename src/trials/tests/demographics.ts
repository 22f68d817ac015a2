/** Age and pregnancy tests: read the care pathway's patient facts and pregnancy contraindication. */
import type { CriterionTest } from '../schema.ts';
import type { MatchContext, TestOutcome } from '../context.ts';
import { undecided } from '../context.ts';

type AgeBetween = Extract<CriterionTest, { type: 'age-between' }>;

export function ageBetween(ctx: MatchContext, test: AgeBetween): TestOutcome {
  const { age, ageRange, reference } = ctx.facts.patient;
  if (age === undefined) return undecided('No birth date in the record', 'date of birth', [reference]);
  const range = `${test.minYears}-${test.maxYears} years${test.inclusive ? ' inclusive' : ' exclusive'}`;
  const within = (years: number): boolean =>
    test.inclusive ? years >= test.minYears && years <= test.maxYears : years > test.minYears && years < test.maxYears;
  // A birth date given as a year or month allows two ages: the test holds or fails only if both agree.
  if (ageRange !== undefined && within(ageRange.youngest) !== within(ageRange.oldest)) {
    return undecided(
      `Birth date given only as a year or month: age ${ageRange.youngest} or ${ageRange.oldest} on ${ctx.asOf} (${range})`,
      'full date of birth',
      [reference],
    );
  }
  const shown = ageRange === undefined ? `${age}` : `${ageRange.youngest} or ${ageRange.oldest}`;
  return { holds: within(age), reason: `Age ${shown} on ${ctx.asOf} (${range})`, evidence: [reference] };
}

/**
 * The pathway's issues about a pregnancy test or breastfeeding answer it could not use (src/pathway/pregnancy.ts: a
 * quantitative hCG without an interpretation, a positive test older than the window, an unreadable breastfeeding
 * answer): such a record is not "nothing recorded", and the criterion names it.
 */
const UNREAD_PREGNANCY_ISSUE = /^pathway\.(pregnancy-test|breastfeeding)\./;

export function notPregnantOrBreastfeeding(ctx: MatchContext): TestOutcome {
  const found = ctx.facts.contraindications.find((c) => c.code === 'pregnancy');
  if (found !== undefined) return { holds: false, reason: found.detail, evidence: found.evidence };
  // A test that reads as neither way and a later decided one settles raises no issue (src/pathway/pregnancy.ts).
  const unread = ctx.facts.issues.filter((i) => UNREAD_PREGNANCY_ISSUE.test(i.code));
  if (unread.length > 0) {
    return undecided(
      unread.map((i) => i.message).join('; '),
      'pregnancy test with its result read as positive or negative, and breastfeeding status',
      [...new Set(unread.flatMap((i) => (i.path === undefined ? [] : [i.path])))],
    );
  }
  const { sex, reference } = ctx.facts.patient;
  if (sex === 'male') return { holds: true, reason: 'Male patient', evidence: [reference] };
  // A negative test or a "not breastfeeding" answer in the pathway's windows is named, not asked for again; a negative
  // test does not show that the patient is not pregnant now, so the criterion still rests on the record's silence.
  const { negativePregnancyTest: negative, notBreastfeeding: notFeeding } = ctx.facts;
  if (negative !== undefined || notFeeding !== undefined) {
    const found = [
      ...(negative === undefined ? [] : [`Negative pregnancy test on ${negative.date}`]),
      ...(notFeeding === undefined ? [] : [`not breastfeeding on ${notFeeding.date}`]),
    ].join('; ');
    const ask = [
      ...(notFeeding === undefined ? ['breastfeeding status'] : []),
      negative === undefined ? 'pregnancy test' : `any pregnancy since the negative test of ${negative.date}`,
    ];
    return {
      holds: true,
      bySilence: true,
      reason: `${found.charAt(0).toUpperCase()}${found.slice(1)}; no pregnancy or breastfeeding recorded`,
      evidence: [
        ...(negative === undefined ? [] : [negative.source]),
        ...(notFeeding === undefined ? [] : [notFeeding.source]),
      ],
      collect: ask.join(', and '),
    };
  }
  return {
    holds: true,
    bySilence: true,
    reason: 'No pregnancy or breastfeeding recorded',
    evidence: [],
    collect: 'pregnancy test and breastfeeding status',
  };
}
