/**
 * A threshold on a measurement the care pathway does not derive (NCT07493317's monocyte count, NCT07052058's body
 * weight and BMI): the most recent valid result of the code set in the window, converted to the protocol's UCUM unit
 * by src/units. Unknown or non-UCUM units are never guessed: the criterion is then undecided.
 */
import { convertQuantity } from '../../units/index.ts';
import { toDayNumber } from '../../record/index.ts';
import type { ObservationFact, Quantity } from '../../record/index.ts';
import { matchConcept, unverifiedEntry } from '../../knowledge/index.ts';
import type { CodeMatch } from '../../knowledge/index.ts';
import type { CriterionTest } from '../schema.ts';
import type { MatchContext, TestOutcome } from '../context.ts';
import { unverifiedNote } from '../context.ts';

type LabTest = Extract<CriterionTest, { type: 'lab-at-least' | 'measurement-at-most' }>;

const VALID = new Set(['final', 'amended', 'corrected']);

interface LabHit {
  obs: ObservationFact;
  quantity: Quantity;
  day: number;
  match: CodeMatch;
}

function latest(ctx: MatchContext, test: LabTest): LabHit | undefined {
  let best: LabHit | undefined;
  for (const obs of ctx.record.observations) {
    if (!VALID.has(obs.status) || obs.value?.kind !== 'quantity') continue;
    const day = toDayNumber(obs.effective);
    if (day === undefined || day > ctx.asOfDay || day < ctx.asOfDay - test.withinDays) continue;
    const match = matchConcept(ctx.knowledge, test.codeSet, obs.code);
    if (match === undefined) continue;
    if (best === undefined || day > best.day) best = { obs, quantity: obs.value.quantity, day, match };
  }
  return best;
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
  const wanted = `${test.type === 'lab-at-least' ? '>=' : '<='} ${test.value} ${test.unit}`;
  const collect = `${test.analyte} (within ${test.withinDays} days)`;
  const found = latest(ctx, test);
  if (found === undefined) {
    return {
      holds: undefined,
      reason: `No ${test.analyte} in the last ${test.withinDays} days`,
      evidence: [],
      collect,
    };
  }
  const { obs, quantity } = found;
  const u = unverifiedEntry(ctx.knowledge, found.match);
  const unverifiedNotes = u === undefined ? [] : [unverifiedNote(u)];
  const date = obs.effective?.slice(0, 10) ?? '';
  const reported = `${quantity.comparator ?? ''}${quantity.value} ${quantity.unitText ?? quantity.ucum ?? ''}`.trim();
  if (quantity.ucum === undefined) {
    return {
      holds: undefined,
      reason: `${test.analyte} ${reported} on ${date}: unit not UCUM`,
      evidence: [obs.ref],
      collect,
    };
  }
  const converted = convertQuantity(quantity, test.unit);
  if (!converted.ok) {
    return {
      holds: undefined,
      reason: `${test.analyte} ${reported} on ${date}: ${converted.reason}`,
      evidence: [obs.ref],
      collect,
    };
  }
  const value = Number(converted.value.toPrecision(12));
  const shown = `${test.analyte} ${value} ${test.unit}${quantity.ucum === test.unit ? '' : ` (reported ${reported})`} on ${date}`;
  // A censored result decides only when its bound lies on one side of the threshold.
  const holds =
    test.type === 'lab-at-least'
      ? atLeast(value, quantity.comparator, test.value)
      : atMost(value, quantity.comparator, test.value);
  if (holds === undefined)
    return { holds, reason: `${shown} cannot be placed against ${wanted}`, evidence: [obs.ref], collect };
  return { holds, reason: `${shown} (${wanted})`, evidence: [obs.ref], unverifiedNotes };
}
