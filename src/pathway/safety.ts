/**
 * Definition 7a, the `suicide-risk` safety alert: within the window (90 days) the most recent PHQ-9 item 9, BDI-II
 * item 9 or MADRS item 10 at or above its threshold; or an active suicidal-ideation Condition; or self-harm or a
 * suicide attempt dated in the last 180 days (or undated). A score at or above the threshold with no usable date counts
 * too (it may be recent). Same-day scores that times cannot order are read at their highest (the
 * safe reading). The alert never changes the decision; it is shown first and a referral's summary says to assess and
 * manage the risk first. An item answered with no score the pathway knows (symptoms.ts: issue
 * `pathway.scale.unreadable`) never undoes an older score at or above the threshold; when it is the newest answer it
 * may itself be at or above it, so it raises the alert (assess the risk directly) rather than letting an older lower
 * score stand for "no risk".
 */
import { isRecordedHistory, whyConditionNotCurrent } from './conditions.ts';
import { byRef, dayOf, sortInPlace, useThreshold, windowStart } from './context.ts';
import type { EngineContext } from './context.ts';
import type { SafetyAlert } from './facts.ts';
import { inAnySet } from './lookups.ts';
import { laterFirst, latestTies } from './observations.ts';
import { itemReadings, undatedItemScores } from './symptoms.ts';
import type { ItemReading } from './symptoms.ts';

/** Most recent first (definition 5: by instant where both give one, else by day); ties keep a stable order. */
const newestFirst = (a: ItemReading, b: ItemReading): number =>
  laterFirst(a.day, a.instant, b.day, b.instant) || byRef(a.source, b.source);

type SuicideItem = EngineContext['pathway']['definitions']['safety']['suicideRisk']['items'][number];

/**
 * A score at or above the threshold in a response or Observation with no usable date cannot be placed in the window,
 * and may be recent: the safe reading counts it (as an undated self-harm record), saying it is undated.
 */
function noteUndatedScores(ctx: EngineContext, item: SuicideItem, details: string[], evidence: Set<string>): void {
  for (const { score, source } of undatedItemScores(ctx, item)) {
    const limit = useThreshold(ctx, `${item.instrument} item ${item.item} suicide-risk score`, item.atLeast);
    if (item.atLeast.inclusive ? score < limit : score <= limit) continue;
    details.push(`${item.instrument} item ${item.item} = ${score} recorded without a usable date (it may be recent)`);
    evidence.add(source);
  }
}

export function deriveSafetyAlerts(ctx: EngineContext): SafetyAlert[] {
  const rule = ctx.pathway.definitions.safety.suicideRisk;
  const details: string[] = [];
  const evidence = new Set<string>();
  const from = windowStart(ctx.asOfDay, rule.windowDays);
  for (const item of rule.items) {
    noteUndatedScores(ctx, item, details, evidence);
    const inWindow = itemReadings(ctx, item).filter((r) => r.day >= from);
    if (inWindow.length === 0) continue;
    useThreshold(ctx, 'suicide-risk window (days)', rule.windowDays);
    const limit = useThreshold(ctx, `${item.instrument} item ${item.item} suicide-risk score`, item.atLeast);
    // An unreadable answer never undoes an older score at or above the threshold (the newest scored one is read), and
    // when it is the newest, it may itself be at or above it: the alert asks for the risk to be assessed.
    const sorted = inWindow.sort(newestFirst); // not sortInPlace: newestFirst is no total order
    const latest = latestTies(sorted.filter((r): r is ItemReading & { score: number } => r.score !== undefined));
    const worst = latest.length === 0 ? undefined : latest.reduce((a, b) => (b.score > a.score ? b : a));
    const meets = worst !== undefined && (item.atLeast.inclusive ? worst.score >= limit : worst.score > limit);
    // Same-day readings times cannot order are all the most recent (latestTies).
    const unscored = latestTies(sorted).find((r) => r.score === undefined);
    if (worst !== undefined && meets) {
      // A score found by the item's printed question says so: that reading is unverified (listed in `unverified`).
      const read = worst.byWording === true ? ' (read by its question text [U])' : '';
      details.push(`${item.instrument} item ${item.item} = ${worst.score} on ${worst.date}${read}`);
      evidence.add(worst.source);
    } else if (unscored !== undefined) {
      details.push(
        `${item.instrument} item ${item.item} on ${unscored.date} has an answer the pathway cannot score (it may be ${limit} or more): assess the risk directly`,
      );
      evidence.add(unscored.source);
    }
  }
  for (const c of ctx.record.conditions) {
    if (inAnySet(ctx, rule.ideationCodeSets, c.code) && whyConditionNotCurrent(ctx, c) === undefined) {
      details.push(
        `active suicidal ideation recorded${c.onset === undefined ? '' : ` (onset ${c.onset.slice(0, 10)})`}`,
      );
      evidence.add(c.ref);
    }
  }
  const harmFrom = windowStart(ctx.asOfDay, rule.selfHarmWindowDays);
  for (const c of ctx.record.conditions) {
    if (!inAnySet(ctx, rule.selfHarmCodeSets, c.code) || !isRecordedHistory(c, ctx.asOfDay)) continue;
    const date = c.onset ?? c.recordedDate;
    useThreshold(ctx, 'self-harm window (days)', rule.selfHarmWindowDays);
    // The safe reading of an imprecise date: a month or year counts if any day of it is in the window, and an
    // undated record may be recent (the alert asks for an assessment; it never changes the decision).
    const day = dayOf(date, 'end');
    if (day !== undefined && day < harmFrom) continue;
    details.push(
      day === undefined
        ? 'self-harm or suicide attempt recorded without a usable date (it may be recent)'
        : `self-harm or suicide attempt on ${(date ?? '').slice(0, 10)}`,
    );
    evidence.add(c.ref);
  }
  if (details.length === 0) return [];
  return [
    {
      code: 'suicide-risk',
      title: rule.title,
      detail: details.join('; '),
      evidence: sortInPlace([...evidence], byRef),
      citation: rule.citation,
    },
  ];
}
