/**
 * A threshold on a measurement the care pathway does not derive (NCT07493317's monocyte count, NCT07052058's body
 * weight and BMI): the most recent valid result of the code set in the window, converted to the protocol's UCUM unit
 * by src/units. "Most recent", the valid statuses and the units read are the pathway's own (docs/care-pathway.md
 * definition 5, src/pathway/observations.ts): same-day results that times cannot order are all the most recent, and
 * when they fall on different sides of the threshold the criterion is undecided, never settled by entry order or id.
 * Unknown or non-UCUM units are never guessed: the criterion is then undecided. The newest result decides as in the
 * pathway (observations.ts latestWithValue): a value that is not a number leaves the criterion undecided, and a result
 * with no value at all (dataAbsentReason) is passed over.
 */
import type { ObservationFact, Quantity } from '../../record/index.ts';
import { matchConcept, unverifiedEntry } from '../../knowledge/index.ts';
import type { CodeMatch } from '../../knowledge/index.ts';
import {
  carriesValue,
  convert,
  describeQuantity,
  instantOf,
  isoDay,
  latestWithValue,
  newestFirst,
  readByLabel,
  statusSet,
  unitLabelsUnverified,
} from '../../pathway/observations.ts';
import type { DatedObservation } from '../../pathway/observations.ts';
import type { CriterionTest } from '../schema.ts';
import type { MatchContext, TestOutcome } from '../context.ts';
import { olderThanWindow, sameDayOutcome, thresholdNote, unverifiedNote } from '../context.ts';
import { observationsCodedIn } from '../classified.ts';

type LabTest = Extract<CriterionTest, { type: 'lab-at-least' | 'measurement-at-most' }>;

/**
 * The most recent results of the code set in the window: one, or several on one day that times cannot order; and
 * the most recent result before the window (named when the window holds none, never used).
 */
function latest(ctx: MatchContext, test: LabTest): { found: DatedObservation[]; older?: ObservationFact } {
  const statuses = statusSet(ctx.knowledge.pathway.definitions.labs.validStatuses);
  // Only the latest day's results are kept while scanning (a long record holds hundreds of weights); their times are
  // read at the end, into the pathway's own dated results (newestFirst, latestTies).
  let newestDay: ObservationFact[] = [];
  let newest = Number.NEGATIVE_INFINITY;
  let older: { obs: ObservationFact; day: number } | undefined;
  for (const { fact: obs, day } of observationsCodedIn(ctx, test.codeSet)) {
    // The pathway's "newest decides" (definitions 5 and 6): a result with no value at all is passed over; one whose
    // value is not a number is kept, and leaves the criterion unknown rather than letting an older result decide.
    if (!carriesValue(obs) || !statuses.has(obs.status)) continue;
    if (day === undefined || day > ctx.asOfDay) continue;
    if (day < ctx.asOfDay - test.withinDays) {
      if (older === undefined || day > older.day) older = { obs, day };
      continue;
    }
    if (day < newest) continue;
    if (day > newest) {
      newest = day;
      newestDay = [obs];
    } else newestDay.push(obs);
  }
  const dated = newestDay.map((obs): DatedObservation => {
    const instant = instantOf(obs.effective);
    return instant === undefined ? { obs, day: newest } : { obs, day: newest, instant };
  });
  const found = latestWithValue(dated.sort(newestFirst));
  return older === undefined ? { found } : { found, older: older.obs };
}

/** Whether the true value is at least `threshold`, or undefined when a censored result straddles it. */
function atLeast(value: number, comparator: Quantity['comparator'], threshold: number): boolean | undefined {
  switch (comparator) {
    case undefined:
      return value >= threshold;
    case '<':
      return value <= threshold ? false : undefined;
    case '<=':
      return value < threshold ? false : undefined;
    case '>':
    case '>=':
      return value >= threshold ? true : undefined;
  }
}

/** Whether the true value is at most `max`, or undefined when a censored result straddles it. */
function atMost(value: number, comparator: Quantity['comparator'], max: number): boolean | undefined {
  switch (comparator) {
    case undefined:
      return value <= max;
    case '>':
      return value >= max ? false : undefined;
    case '>=':
      return value > max ? false : undefined;
    case '<':
    case '<=':
      return value <= max ? true : undefined;
  }
}

export function labThreshold(ctx: MatchContext, test: LabTest): TestOutcome {
  const collect = `${test.analyte} (within ${test.withinDays} days)`;
  const { found, older } = latest(ctx, test);
  const first = found[0];
  if (first === undefined) {
    return {
      holds: undefined,
      reason: `No ${test.analyte} in the last ${test.withinDays} days${olderThanWindow(older === undefined ? undefined : { ref: older.ref, date: isoDay(older) })}`,
      evidence: [],
      collect,
    };
  }
  const outcomes = found.map((hit) => resultAgainst(ctx, test, hit, collect));
  return sameDayOutcome(outcomes, `${outcomes.length} ${test.analyte} results on ${isoDay(first.obs)}`, collect);
}

/** One result against the threshold, converted to the protocol's unit. */
function resultAgainst(ctx: MatchContext, test: LabTest, { obs }: DatedObservation, collect: string): TestOutcome {
  const wanted = `${test.type === 'lab-at-least' ? '>=' : '<='} ${test.value} ${test.unit}`;
  const date = isoDay(obs);
  if (obs.value?.kind !== 'quantity') {
    return {
      holds: undefined,
      reason: `the most recent ${test.analyte} (${date}) has no numeric value: it cannot be read, and an older result is not used`,
      evidence: [obs.ref],
      collect,
    };
  }
  const quantity = obs.value.quantity;
  // latest() keeps only results coded in the set.
  const match = matchConcept(ctx.knowledge, test.codeSet, obs.code) as CodeMatch;
  const u = unverifiedEntry(ctx.knowledge, match);
  const reported = describeQuantity(quantity);
  const converted = convert(quantity, test.unit);
  // A unit as laboratories write it ("K/uL") is read by the pathway's unit labels, as the assessment and the timeline
  // read it (readByLabel), and the criterion then rests on that list while it is unverified.
  const unitLabels = ctx.knowledge.pathway.definitions.unitLabels;
  const byLabel = converted.ok ? undefined : readByLabel(unitLabels, quantity, test.unit);
  if (!converted.ok && byLabel === undefined) {
    return {
      holds: undefined,
      reason: `${test.analyte} ${reported} on ${date}: ${converted.reason}`,
      evidence: [obs.ref],
      collect,
    };
  }
  const labels = byLabel === undefined ? undefined : unitLabelsUnverified(unitLabels);
  const unverifiedNotes = [u, labels].flatMap((entry) => (entry === undefined ? [] : [unverifiedNote(entry)]));
  const value = converted.ok ? converted.value : (byLabel as { value: number }).value;
  const unitNote = converted.ok
    ? converted.fromText
      ? ' (unit given as text)'
      : ''
    : ` (unit '${byLabel?.sent}' read as ${byLabel?.ucum} by the pathway's unit labels${labels === undefined ? '' : ' [U]'})`;
  // A converted value is shown to 4 significant digits (221 lb: 100.2 kg) where that keeps its side of the limit, as
  // the pathway shows a converted CRP (crpText); otherwise in full (220.46 lb: 99.9989... kg, never "100 kg").
  const rounded = Number(value.toPrecision(4));
  const sameSide = Math.sign(rounded - test.value) === Math.sign(value - test.value);
  const shownValue = quantity.ucum === test.unit || !sameSide ? value : rounded;
  const shown = `${test.analyte} ${shownValue} ${test.unit}${quantity.ucum === test.unit ? '' : ` (reported ${reported})`}${unitNote} on ${date}`;
  // A censored result decides only when its bound lies on one side of the threshold.
  const holds =
    test.type === 'lab-at-least'
      ? atLeast(value, quantity.comparator, test.value)
      : atMost(value, quantity.comparator, test.value);
  if (holds === undefined)
    return { holds, reason: `${shown} cannot be placed against ${wanted}`, evidence: [obs.ref], collect };
  return { holds, reason: `${shown} ${thresholdNote(holds, wanted)}`, evidence: [obs.ref], unverifiedNotes };
}
