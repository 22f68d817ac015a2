/**
 * Definition 1: a current depressive episode or recurrent depressive disorder. Remission codes are checked first
 * because the depression sets may include a whole ICD-10 category (F33) whose remission code (F33.4) must not count.
 */
import type { DepressionFacts } from './facts.ts';
import { whyNotCurrent } from './conditions.ts';
import { byRef, dayOf } from './context.ts';
import type { EngineContext } from './context.ts';
import { inAnySet, matchIn } from './lookups.ts';

export function deriveDepression(ctx: EngineContext): DepressionFacts {
  const def = ctx.pathway.definitions.depression;
  const qualifying: { ref: string; onset?: string; onsetDay: number }[] = [];
  const excluded: { source: string; reason: string }[] = [];
  for (const c of ctx.record.conditions) {
    const remission = matchIn(ctx, def.remissionCodeSets, c.code);
    const isDepression = remission === undefined && inAnySet(ctx, def.codeSets, c.code);
    if (remission !== undefined) {
      excluded.push({ source: c.ref, reason: `coded as in remission (${remission.entry.code})` });
      continue;
    }
    if (!isDepression) continue;
    const why = whyNotCurrent(c, ctx.asOfDay);
    if (why !== undefined) {
      excluded.push({ source: c.ref, reason: why });
      continue;
    }
    const onsetDay = dayOf(c.onset, 'start');
    qualifying.push(
      onsetDay === undefined || c.onset === undefined
        ? { ref: c.ref, onsetDay: Number.NEGATIVE_INFINITY }
        : { ref: c.ref, onset: c.onset, onsetDay },
    );
  }
  qualifying.sort((a, b) => b.onsetDay - a.onsetDay || byRef(a.ref, b.ref));
  excluded.sort((a, b) => byRef(a.source, b.source));
  // The current episode is the most recent qualifying diagnosis (Maudsley staging times the current episode).
  const latest = qualifying.find((q) => q.onset !== undefined);
  const present = qualifying.length > 0;
  const conditions = qualifying.map((q) => q.ref);
  // Two literals rather than a spread (`{ ...facts, onset }` measured at over 1 us per call in V8).
  return latest?.onset === undefined
    ? { present, conditions, excluded }
    : { present, conditions, excluded, onset: latest.onset };
}
