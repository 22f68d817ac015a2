/**
 * Definition 10 (informational): active rheumatoid arthritis or giant cell arteritis, where on-label tocilizumab may
 * treat both conditions.
 */
import { conditionsFound, whyConditionNotCurrent } from './conditions.ts';
import { byRef, sortInPlace } from './context.ts';
import type { EngineContext } from './context.ts';
import type { ComorbidIl6Disease } from './facts.ts';
import { inAnySet } from './lookups.ts';

export function deriveComorbidIl6Disease(ctx: EngineContext): ComorbidIl6Disease[] {
  const out: ComorbidIl6Disease[] = [];
  for (const d of ctx.pathway.definitions.comorbidIl6Disease) {
    const found = sortInPlace(
      ctx.record.conditions.filter(
        (c) => inAnySet(ctx, d.codeSets, c.code) && whyConditionNotCurrent(ctx, c) === undefined,
      ),
      (a, b) => byRef(a.ref, b.ref),
    );
    if (found.length > 0) {
      // Which condition, named, not only its reference (a resource id in an EHR's export).
      out.push({
        code: d.code,
        title: d.title,
        ...conditionsFound('active condition recorded', found),
        citation: d.citation,
      });
    }
  }
  return out;
}
