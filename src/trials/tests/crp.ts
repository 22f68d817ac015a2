/**
 * CRP thresholds against the care pathway's valid CRP (most recent in its window, converted to mg/L, post-tocilizumab
 * results rejected). Censored results are placed against the protocol's threshold when the censoring decides it.
 * Same-day results that times cannot order (the pathway's `sameDay`) settle the threshold only when all agree. A result
 * the pathway converted with an unverified molar factor (a CRP in nmol/L) makes the criterion unverified, as it makes
 * the assessment list the factor (the pathway's `unverifiedConversion` on the result, src/pathway/facts.ts).
 */
import type { CrpResult } from '../../pathway/facts.ts';
import { crpText } from '../../pathway/inflammation.ts';
import type { CriterionTest } from '../schema.ts';
import type { MatchContext, TestOutcome } from '../context.ts';
import { sameDayOutcome, thresholdNote, undecided, unverifiedNote } from '../context.ts';

type CrpTest = Extract<CriterionTest, { type: 'crp-at-least' | 'crp-below' }>;

const HS_CRP = 'hs-CRP (high-sensitivity assay)';

/** Whether the true value is at least `threshold`, or undefined when a censored result straddles it. */
function atLeast(crp: CrpResult, threshold: number): boolean | undefined {
  switch (crp.comparator) {
    case undefined:
      return crp.mgPerL >= threshold;
    case '<':
      return crp.mgPerL <= threshold ? false : undefined;
    case '<=':
      return crp.mgPerL < threshold ? false : undefined;
    case '>':
      return crp.mgPerL >= threshold ? true : undefined;
    case '>=':
      return crp.mgPerL >= threshold ? true : undefined;
  }
}

export function crpThreshold(ctx: MatchContext, test: CrpTest): TestOutcome {
  const inflammation = ctx.facts.inflammation;
  const crp = inflammation.crp;
  if (crp === undefined) {
    // The results the pathway set aside, each with why (drawn after tocilizumab, which suppresses CRP: a new one would
    // be set aside too), as the assessment lists them; never only counted.
    const rejected = inflammation.rejected;
    const notUsed =
      rejected.length === 0 ? '' : `; not used: ${rejected.map((r) => `${r.source}: ${r.reason}`).join('; ')}`;
    return undecided(
      `No valid CRP in the last ${inflammation.windowDays} days (${inflammation.reason})${notUsed}`,
      HS_CRP,
      rejected.map((r) => r.source),
    );
  }
  // Same-day results that times cannot order are all the most recent: each is placed against the threshold, and
  // they settle it only when they agree (docs/trial-criteria.md), never by the one value the pathway reports.
  const tied = inflammation.sameDay ?? [crp];
  const outcomes = tied.map((r) => resultAgainst(ctx, test, r));
  return sameDayOutcome(outcomes, `${tied.length} CRP results on ${crp.date}`, HS_CRP);
}

/** One CRP result against the protocol's threshold. */
function resultAgainst(ctx: MatchContext, test: CrpTest, crp: CrpResult): TestOutcome {
  const inflammation = ctx.facts.inflammation;
  const wanted = test.type === 'crp-at-least' ? `>= ${test.mgPerL} mg/L` : `< ${test.mgPerL} mg/L`;
  const label = crp.assay === 'high-sensitivity' ? 'hs-CRP' : 'CRP (standard assay)';
  // Read as the pathway reads it (rounded only where no threshold is crossed, [U] when an unverified factor converted it):
  // the pathway's cut-off and acute threshold count too, so that 2.9998 mg/L is not shown as "3 mg/L" beside a 20 mg/L
  // exclusion while another criterion and the assessment read it as below 3.
  const thresholds = [test.mgPerL, inflammation.cutOffMgPerL, inflammation.acuteAboveMgPerL];
  const shown = `${label} ${crpText(crp, thresholds)} on ${crp.date}`;
  if (test.assay === 'high-sensitivity' && crp.assay !== 'high-sensitivity') {
    return undecided(`${shown}: the protocol requires a high-sensitivity assay (${wanted})`, HS_CRP, [crp.source]);
  }
  const above = atLeast(crp, test.mgPerL);
  if (above === undefined) {
    return undecided(`${shown} cannot be placed against ${test.mgPerL} mg/L`, HS_CRP, [crp.source]);
  }
  const holds = test.type === 'crp-at-least' ? above : !above;
  const unverifiedNotes = unverifiedConversion(ctx, crp);
  // The pathway's own reason: a CRP is acute above the acute threshold, or at or above the cut-off during or soon
  // after an infection (definition 5); a second wording here would say the wrong one.
  const acute = inflammation.status === 'acute' ? `; the care pathway reads it as acute: ${inflammation.reason}` : '';
  return { holds, reason: `${shown} ${thresholdNote(holds, wanted)}${acute}`, evidence: [crp.source], unverifiedNotes };
}

/** The [U] note of the factor that converted this CRP, when the pathway says an unverified one did. */
function unverifiedConversion(ctx: MatchContext, crp: CrpResult): string[] {
  if (crp.unverifiedConversion === undefined) return [];
  const factor = ctx.knowledge.pathway.definitions.inflammation.molarFactor;
  const note = factor.note ?? `${crp.unverifiedConversion} = ${factor.value} ${factor.unit} is not verified`;
  return [unverifiedNote({ item: crp.unverifiedConversion, note, citation: factor.citation })];
}
