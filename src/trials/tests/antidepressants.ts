/**
 * Two DIFFERENT antidepressant criteria, kept apart on purpose (docs/trial-criteria.md):
 * - `adequate-trials-at-least`: the care pathway's treatment-resistance definition (>= N adequate trials of distinct
 *   ingredients, each at the minimum adequate dose for the pathway's minimum duration, within its lookback);
 * - `current-adequate-antidepressant`: INSIGHT's "non/slow response" criterion, ONE antidepressant taken now at an
 *   adequate dose for >= minWeeks. One current adequate antidepressant is not TRD, and TRD does not imply a current
 *   antidepressant; each result says which definition it applied.
 * Both read the pathway's exposures (joined runs with their doses and the table's minimum doses); neither re-derives.
 */
import type { Exposure } from '../../pathway/facts.ts';
import type { ResourceRef } from '../../record/index.ts';
import type { CriterionTest } from '../schema.ts';
import { unverifiedMinimumDose } from '../../knowledge/index.ts';
import type { MatchContext, TestOutcome } from '../context.ts';
import { unverifiedNote } from '../context.ts';
import { startsByName } from '../medications.ts';

type AdequateTrials = Extract<CriterionTest, { type: 'adequate-trials-at-least' }>;
type CurrentAdequate = Extract<CriterionTest, { type: 'current-adequate-antidepressant' }>;
type CurrentAny = Extract<CriterionTest, { type: 'current-antidepressant' }>;

export function adequateTrialsAtLeast(ctx: MatchContext, test: AdequateTrials): TestOutcome {
  const tr = ctx.facts.treatmentResistance;
  const names = tr.adequateTrials.map((t) => `${t.ingredient} ${t.dailyDoseMg} mg/day for ${t.days} days`);
  const evidence = tr.adequateTrials.flatMap((t) => t.sources);
  const definition = `care-pathway TRD definition: >= ${test.count} adequate trials`;
  // A trial counted as adequate on an unverified minimum dose ([U], e.g. moclobemide) is flagged as such.
  const unverifiedNotes = tr.adequateTrials
    .map((t) => unverifiedMinimumDose(ctx.knowledge, t.ingredient))
    .filter((u) => u !== undefined)
    .map(unverifiedNote);
  const found = `${tr.count} adequate trial${tr.count === 1 ? '' : 's'}${names.length > 0 ? ` (${names.join('; ')})` : ''}`;
  if (tr.count >= test.count) return { holds: true, reason: `${found}; ${definition}`, evidence, unverifiedNotes };
  if (tr.count + tr.unverifiedTrials.length >= test.count) {
    const confirm = tr.unverifiedTrials.map((t) => `${t.ingredient}: ${t.missing.join(', ')}`).join('; ');
    return {
      holds: undefined,
      reason: `${found} and ${tr.unverifiedTrials.length} unverified; ${definition}`,
      evidence: [...evidence, ...tr.unverifiedTrials.flatMap((t) => t.sources)],
      collect: `confirm antidepressant history (${confirm})`,
      unverifiedNotes,
    };
  }
  return { holds: false, reason: `${found}; ${definition}`, evidence };
}

/** A run with a record that is current on the as-of day (docs/care-pathway.md, definition 3a, judged by the pathway). */
export function isCurrent(exposure: Exposure, current: ReadonlySet<string>): boolean {
  return exposure.sources.some((s) => current.has(s));
}

/**
 * The antidepressant run that ended last, for a criterion that finds none taken now, and every run not taken now whose
 * end is not recorded (any of them may have ended later): " (last recorded: escitalopram, ended 2025-07-13; end not
 * recorded: sertraline from 2026-06-01)" and their records, or nothing when there is none.
 */
export function lastRecorded(ctx: MatchContext): { text: string; evidence: readonly ResourceRef[] } {
  const current = new Set(ctx.facts.medications.current);
  const notNow = ctx.facts.treatmentResistance.exposures.filter((e) => !isCurrent(e, current));
  const last = notNow
    .filter((e) => e.end !== undefined)
    .sort((a, b) => (a.end ?? '').localeCompare(b.end ?? ''))
    .at(-1);
  const endUnknown = notNow.filter((e) => e.end === undefined);
  const notes = [
    ...(last === undefined ? [] : [`last recorded: ${last.ingredient}, ended ${last.end ?? ''}`]),
    ...(endUnknown.length === 0
      ? []
      : [
          `end not recorded: ${startsByName(
            endUnknown.map((e) => ({ name: e.ingredient, start: e.start })),
            'courses',
          )}`,
        ]),
  ];
  if (notes.length === 0) return { text: '', evidence: [] };
  const evidence = [...(last?.sources ?? []), ...endUnknown.flatMap((e) => e.sources)];
  return { text: ` (${notes.join('; ')})`, evidence: [...new Set(evidence)] };
}

export function currentAntidepressant(ctx: MatchContext, test: CurrentAdequate | CurrentAny): TestOutcome {
  const minDays = test.minWeeks * 7;
  const needsDose = test.type === 'current-adequate-antidepressant';
  const count = ctx.facts.treatmentResistance.count;
  const trd = `not the TRD definition (${count} adequate trial${count === 1 ? '' : 's'} by that one)`;
  const definition = needsDose
    ? `INSIGHT definition: one current antidepressant at adequate dose for >= ${test.minWeeks} weeks, ${trd}`
    : `a current antidepressant for >= ${test.minWeeks} weeks at any dose, ${trd}`;
  const currentRefs = new Set(ctx.facts.medications.current);
  const current = ctx.facts.treatmentResistance.exposures.filter((e) => isCurrent(e, currentRefs));
  if (current.length === 0) {
    // The record's silence does not show that no antidepressant is taken (another prescriber, a lapsed order).
    const last = lastRecorded(ctx);
    return {
      holds: undefined,
      reason: `No antidepressant recorded as taken on ${ctx.asOf}${last.text}; ${definition}`,
      evidence: last.evidence,
      collect: 'current antidepressant, its daily dose and start date',
    };
  }
  const notes: string[] = [];
  const failures: string[] = [];
  let pending: { reason: string; collect: string; exposure: Exposure } | undefined;
  for (const e of current) {
    // Days on the drug as the pathway's exposure counts them (definition 2): gap days between joined records do not
    // count, and a request is one supply; never the calendar days since the run started.
    const days = e.days;
    const min = needsDose ? e.minimumDailyDoseMg : 0;
    const dose = needsDose ? e.dailyDoseMg : (e.dailyDoseMg ?? 0);
    if (needsDose && min !== undefined) {
      notes.push(`${e.ingredient}: minimum adequate dose ${min} mg/day is the label lower bound, not the BNF`);
    }
    if (dose !== undefined && min !== undefined && days !== undefined) {
      const doseText = e.dailyDoseMg === undefined ? '' : ` ${e.dailyDoseMg} mg/day`;
      const what = `${e.ingredient}${doseText} for ${days} days on the drug (${needsDose ? `minimum ${min} mg/day for ` : ''}${minDays} days)`;
      if (dose >= min && days >= minDays) {
        return { holds: true, reason: `${what}; ${definition}`, evidence: e.sources, unverifiedNotes: notes };
      }
      failures.push(what);
      continue;
    }
    const missing = [
      dose === undefined ? 'daily dose' : undefined,
      min === undefined ? 'minimum adequate dose' : undefined,
      days === undefined ? 'start date or duration' : undefined,
    ].filter((m): m is string => m !== undefined);
    pending ??= {
      reason: `${e.ingredient} taken now, ${missing.join(' and ')} not established`,
      collect: `${e.ingredient} ${missing.join(' and ')}`,
      exposure: e,
    };
  }
  if (pending !== undefined) {
    return {
      holds: undefined,
      reason: `${pending.reason}; ${definition}`,
      evidence: pending.exposure.sources,
      collect: pending.collect,
      unverifiedNotes: notes,
    };
  }
  return {
    holds: false,
    reason: `${failures.join('; ')}; ${definition}`,
    evidence: current.flatMap((e) => e.sources),
    unverifiedNotes: notes,
  };
}
