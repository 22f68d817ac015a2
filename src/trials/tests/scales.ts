/**
 * Scale thresholds on a sum of items (a subscore such as INSIGHT's BDI-II somatic score, or one item such as BDI-II
 * item 9) or on a whole scale (SHAPS in its 14-56 scoring). The most recent reading of each listed scale in the window
 * is used; when several scales are listed (BDI-II item 9 or PHQ-9 item 9), a finding against the patient wins.
 * Missing items leave the sum undecided unless the answered items already settle it. A `below` test that names the
 * pathway's safety alert (INSIGHT's suicidal thoughts: `suicide-risk`) never passes while that alert is raised.
 */
import type { CriterionTest, ScaleSource } from '../schema.ts';
import type { MatchContext, TestOutcome } from '../context.ts';
import { olderThanWindow, once, sameDayOutcome, thresholdNote, unverifiedNote } from '../context.ts';
import { latestTies } from '../../pathway/observations.ts';
import { scaleReadings } from '../scale-readings.ts';
import { observationsMaybeIn } from '../classified.ts';
import type { ScaleReading } from '../scale-readings.ts';

type ScaleTest = Extract<CriterionTest, { type: 'scale-total-at-least' | 'scale-total-below' }>;

interface Sum {
  /** Sum of the answered items (or the total). */
  readonly value: number;
  /** Items needed but not answered. */
  readonly missing: readonly number[];
  /** The largest possible sum given the missing items (itemRange max), when itemRange is known. */
  readonly maxValue?: number;
}

function describe(source: ScaleSource): string {
  if (source.items === undefined) return `${source.scale} total${source.scoring ? ` (${source.scoring} scoring)` : ''}`;
  const items = source.items.length === 1 ? `item ${source.items[0]}` : `items ${source.items.join(', ')}`;
  return `${source.scale} ${items}`;
}

/** The reading's sum for the source, or a reason it cannot be used. */
function sumOf(reading: ScaleReading, source: ScaleSource): Sum | string {
  if (reading.total !== undefined) {
    if (source.items !== undefined) return 'only a total score is recorded, not the items';
    if (source.scoring !== undefined && reading.total.scoring !== source.scoring) {
      return `the total is in ${reading.total.scoring ?? 'an unstated'} scoring, not ${source.scoring}`;
    }
    return { value: reading.total.value, missing: [] };
  }
  const wanted = source.items ?? Array.from({ length: source.itemCount ?? 0 }, (_, i) => i + 1);
  let value = 0;
  const missing: number[] = [];
  for (const item of wanted) {
    const score = reading.items.get(item);
    if (score === undefined) {
      missing.push(item);
      continue;
    }
    if (source.itemRange !== undefined && (score < source.itemRange[0] || score > source.itemRange[1])) {
      return `item ${item} scored ${score}, outside ${source.itemRange[0]}-${source.itemRange[1]} (${source.scoring ?? 'the expected'} scoring)`;
    }
    value += score;
  }
  return source.itemRange === undefined
    ? { value, missing }
    : { value, missing, maxValue: value + missing.length * source.itemRange[1] };
}

const setsOf = (source: ScaleSource): string[] =>
  source.totalCodeSet === undefined ? [source.itemCodeSet] : [source.itemCodeSet, source.totalCodeSet];

function evaluateSource(ctx: MatchContext, test: ScaleTest, source: ScaleSource): TestOutcome {
  const name = describe(source);
  const from = ctx.asOfDay - test.withinDays;
  // Several criteria read the same scale in the same window (BDI-II somatic items and item 9).
  const readings = once(ctx, `scale|${source.itemCodeSet}|${source.totalCodeSet ?? ''}|${from}`, () =>
    scaleReadings(ctx.record, ctx.knowledge, source, from, ctx.asOfDay, observationsMaybeIn(ctx, setsOf(source))),
  );
  const collect = `${name} (within ${test.withinDays} days)`;
  // A sum of items cannot be read from a total-only record: it is passed over while a reading with items is in the
  // window (as a result without a value is), and otherwise named, so the criterion asks for the items.
  const withItems = source.items === undefined ? readings : readings.filter((r) => r.total === undefined);
  const latest = latestTies(withItems.length > 0 ? withItems : readings);
  if (latest.length === 0) {
    const before = once(ctx, `scale|${source.itemCodeSet}|${source.totalCodeSet ?? ''}|before|${from}`, () =>
      scaleReadings(
        ctx.record,
        ctx.knowledge,
        source,
        Number.NEGATIVE_INFINITY,
        from - 1,
        observationsMaybeIn(ctx, setsOf(source)),
      ),
    )[0];
    return {
      holds: undefined,
      reason: `No ${source.scale} in the last ${test.withinDays} days${olderThanWindow(before)}`,
      evidence: [],
      collect,
    };
  }
  const outcomes = latest.map((reading) => readingAgainst(test, source, name, reading, collect));
  return sameDayOutcome(outcomes, `${outcomes.length} ${source.scale} readings on ${latest[0]?.date}`, collect);
}

/** One reading's sum against the test's threshold. */
function readingAgainst(
  test: ScaleTest,
  source: ScaleSource,
  name: string,
  reading: ScaleReading,
  collect: string,
): TestOutcome {
  const sum = sumOf(reading, source);
  const at = `on ${reading.date}`;
  const unverifiedNotes = reading.unverified.map(unverifiedNote);
  if (typeof sum === 'string') {
    return { holds: undefined, reason: `${name} ${at}: ${sum}`, evidence: [reading.ref], collect, unverifiedNotes };
  }
  const threshold = test.type === 'scale-total-at-least' ? test.min : test.below;
  const relation = test.type === 'scale-total-at-least' ? `>= ${threshold}` : `< ${threshold}`;
  // With unanswered items, the sum is a lower bound: it settles the question only if it already reaches the threshold.
  const reached = sum.value >= threshold;
  const cannotReach = sum.maxValue !== undefined && sum.maxValue < threshold;
  if (sum.missing.length > 0 && !reached && !cannotReach) {
    return {
      holds: undefined,
      reason: `${name} ${at}: ${sum.value} from answered items, items ${sum.missing.join(', ')} missing (${relation})`,
      evidence: [reading.ref],
      collect: `${source.scale} items ${sum.missing.join(', ')}`,
      unverifiedNotes,
    };
  }
  const holds = test.type === 'scale-total-at-least' ? reached : !reached;
  const partial = sum.missing.length > 0 ? ` (items ${sum.missing.join(', ')} unanswered)` : '';
  return {
    holds,
    reason: `${name} = ${sum.value} ${at}${partial} ${thresholdNote(holds, relation)}`,
    evidence: [reading.ref],
    unverifiedNotes,
  };
}

export function scaleThreshold(ctx: MatchContext, test: ScaleTest): TestOutcome {
  const outcome = scalesOutcome(ctx, test);
  if (test.type !== 'scale-total-below' || test.safetyAlert === undefined || outcome.holds === false) return outcome;
  // The pathway's alert reads more than these scales (MADRS item 10, a newest answer it cannot score, 90 days): while
  // it is raised, a low score here does not rule the risk out, so the criterion asks for a direct assessment.
  const alert = ctx.facts.safetyAlerts.find((a) => a.code === test.safetyAlert);
  if (alert === undefined) return outcome;
  return {
    holds: undefined,
    reason: `${outcome.reason}; but the care pathway raises ${alert.code}: ${alert.detail}`,
    evidence: [...new Set([...outcome.evidence, ...alert.evidence])],
    collect: `assess directly (${alert.title}): ${alert.detail}`,
    unverifiedNotes: outcome.unverifiedNotes,
  };
}

function scalesOutcome(ctx: MatchContext, test: ScaleTest): TestOutcome {
  const outcomes = test.scales.map((s) => evaluateSource(ctx, test, s));
  // at-least is a requirement: any listed scale meeting it suffices. below guards a risk: any scale above it decides.
  const decisive = test.type === 'scale-total-at-least';
  const found = outcomes.find((o) => o.holds === decisive);
  if (found !== undefined) return found;
  const open = outcomes.filter((o) => o.holds === undefined && o.evidence.length > 0);
  const settled = outcomes.filter((o) => o.holds !== undefined);
  if (settled.length > 0 && open.length === 0) return settled[0] ?? outcomes[0]!;
  const first = open[0] ?? outcomes.find((o) => o.holds === undefined);
  if (first === undefined) return outcomes[0]!;
  return {
    holds: undefined,
    reason: outcomes.map((o) => o.reason).join('; '),
    evidence: outcomes.flatMap((o) => o.evidence),
    collect: first.collect ?? 'scale score',
  };
}
