/**
 * NCT07493317: "If patient is on antidepressant medication, they must be on a stable dose for >= 4 weeks". A
 * conditional criterion: a patient on no antidepressant meets it, but the record's silence is not "on none", so it is
 * asked. A patient on one meets it only when every antidepressant taken now has been taken for minWeeks (days on the
 * drug as the pathway's exposure counts them) at one dose: every record of its run that falls in those weeks must give
 * the same established daily dose. A change of dose, or a record whose dose is not established, leaves it undecided
 * (an exposure carries only the lowest dose of its run, and two overlapping records may be a split dose). Reads the
 * pathway's exposures, their records (segments) and its "current" test.
 */
import type { Exposure, ExposureSegment } from '../../pathway/facts.ts';
import { toDayNumber } from '../../record/index.ts';
import type { CriterionTest } from '../schema.ts';
import type { MatchContext, TestOutcome } from '../context.ts';
import { isCurrent, lastRecorded } from './antidepressants.ts';

type StableIfTaking = Extract<CriterionTest, { type: 'antidepressant-stable-if-taking' }>;

export function antidepressantStableIfTaking(ctx: MatchContext, test: StableIfTaking): TestOutcome {
  const minDays = test.minWeeks * 7;
  const currentRefs = new Set(ctx.facts.medications.current);
  const current = ctx.facts.treatmentResistance.exposures.filter((e) => isCurrent(e, currentRefs));
  if (current.length === 0) {
    // The record's silence does not show that none is taken (another prescriber, a lapsed order), as for INSIGHT's
    // current antidepressant (antidepressants.ts): met only once the patient says so. One stopped lately is named.
    const last = lastRecorded(ctx);
    return {
      holds: undefined,
      reason: `No antidepressant recorded as taken on ${ctx.asOf}${last.text}: the criterion applies only to a patient on one`,
      evidence: last.evidence,
      collect: 'whether the patient takes an antidepressant now, and if so for how long at the current dose',
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
  const wanted = `(>= ${minDays} days at a stable dose)`;
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
  const unsteady = current.map((e) => unsteadyDose(ctx, e, minDays)).filter((u) => u !== undefined);
  if (unsteady.length > 0) {
    return {
      holds: undefined,
      reason: `${unsteady.map((u) => u.reason).join('; ')} ${wanted}`,
      evidence,
      collect: unsteady.map((u) => u.collect).join('; '),
    };
  }
  return {
    holds: true,
    reason: `${taken.join('; ')}, one dose throughout the last ${minDays} days ${wanted}`,
    evidence,
  };
}

/**
 * Why the run's dose is not shown stable over the last `minDays` days: its records (the pathway's segments) that fall
 * in them give different daily doses, or one gives none; undefined when they all give the same dose.
 */
function unsteadyDose(
  ctx: MatchContext,
  exposure: Exposure,
  minDays: number,
): { reason: string; collect: string } | undefined {
  const from = ctx.asOfDay - minDays + 1;
  const sources = new Set(exposure.sources);
  const inWindow = ctx.facts.treatmentResistance.segments.filter((s: ExposureSegment) => {
    if (!sources.has(s.source)) return false;
    const start = toDayNumber(s.start);
    const end = toDayNumber(s.end, 'end');
    return (start === undefined || start <= ctx.asOfDay) && (end === undefined || end >= from);
  });
  const collect = `whether the ${exposure.ingredient} dose has been the same for the last ${minDays} days`;
  const undosed = inWindow.filter((s) => s.dailyDoseMg === undefined);
  if (undosed.length > 0) {
    const refs = undosed.map((s) => s.source).join(', ');
    return { reason: `${exposure.ingredient}: daily dose not established (${refs})`, collect };
  }
  const doses = [...new Set(inWindow.map((s) => s.dailyDoseMg))];
  if (doses.length <= 1) return undefined;
  const byStart = [...inWindow].sort((a, b) => (a.start ?? '').localeCompare(b.start ?? ''));
  const each = byStart.map((s) => `${s.dailyDoseMg ?? ''} mg/day (${s.source}, from ${s.start ?? '?'})`);
  return { reason: `${exposure.ingredient} dose changed in the last ${minDays} days: ${each.join(', ')}`, collect };
}
