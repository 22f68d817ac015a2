/**
 * NCT07493317: "If patient is on antidepressant medication, they must be on a stable dose for >= 4 weeks". A
 * conditional criterion: a patient on no antidepressant meets it; a patient on one meets it only when every
 * antidepressant taken now has been taken for minWeeks (days on the drug as the pathway's exposure counts them). Dose
 * stability is not checked (an exposure carries the lowest dose of its run), so a met result says so. Reads the
 * pathway's exposures and its "current" test.
 */
import type { CriterionTest } from '../schema.ts';
import type { MatchContext, TestOutcome } from '../context.ts';
import { isCurrent } from './antidepressants.ts';

type StableIfTaking = Extract<CriterionTest, { type: 'antidepressant-stable-if-taking' }>;

export function antidepressantStableIfTaking(ctx: MatchContext, test: StableIfTaking): TestOutcome {
  const minDays = test.minWeeks * 7;
  const currentRefs = new Set(ctx.facts.medications.current);
  const current = ctx.facts.treatmentResistance.exposures.filter((e) => isCurrent(e, currentRefs));
  if (current.length === 0) {
    return {
      holds: true,
      reason: `No antidepressant recorded as taken on ${ctx.asOf}: the criterion applies only to a patient on one`,
      evidence: [],
    };
  }
  const short: string[] = [];
  const undated: string[] = [];
  const taken: string[] = [];
  for (const e of current) {
    // Days on the drug as the pathway's exposure counts them (gap days do not count, a request is one supply).
    const days = e.days;
    if (days === undefined) {
      undated.push(e.ingredient);
      continue;
    }
    (days >= minDays ? taken : short).push(`${e.ingredient} for ${days} days on the drug since ${e.start ?? ''}`);
  }
  const evidence = current.flatMap((e) => e.sources);
  const wanted = `(>= ${minDays} days; dose stability not checked)`;
  if (short.length > 0) return { holds: false, reason: `${short.join('; ')} ${wanted}`, evidence };
  if (undated.length > 0) {
    const names = [...new Set(undated)].join(', ');
    return {
      holds: undefined,
      reason: `${names} taken now, for a time the record does not establish (no start, end or supply duration) ${wanted}`,
      evidence,
      collect: `how long ${names} has been taken`,
    };
  }
  return { holds: true, reason: `${taken.join('; ')} ${wanted}`, evidence };
}
