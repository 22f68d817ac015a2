/**
 * Definition 10 (informational): active rheumatoid arthritis or giant cell arteritis, where on-label tocilizumab may
 * treat both conditions.
 */
import { whyConditionNotCurrent } from './conditions.ts';
import { byRef, sortInPlace } from './context.ts';
import type { EngineContext } from './context.ts';
import type { ComorbidIl6Disease } from './facts.ts';
import { inAnySet } from './lookups.ts';

export function deriveComorbidIl6Disease(ctx: EngineContext): ComorbidIl6Disease[] {
  const out: ComorbidIl6Disease[] = [];
  for (const d of ctx.pathway.definitions.comorbidIl6Disease) {
    const refs = sortInPlace(
      ctx.record.conditions
        .filter((c) => inAnySet(ctx, d.codeSets, c.code) && whyConditionNotCurrent(ctx, c) === undefined)
        .map((c) => c.ref),
      byRef,
    );
    if (refs.length > 0) {
      out.push({
        code: d.code,
        title: d.title,
        detail: 'active condition recorded',
        evidence: refs,
        citation: d.citation,
      });
    }
  }
  return out;
}
