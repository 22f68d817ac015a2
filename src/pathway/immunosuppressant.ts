/**
 * Definition 6 `immunosuppressant` (docs/care-pathway.md): a current (definition 3a, washout included) biologic
 * immunosuppressant or JAK inhibitor. A patient already on an IL-6 blocker for another disease gets the pathway's own
 * message: keep taking it; IL-6 blockade for depression is offered only within a trial. Drug names in the message come
 * from the knowledge's code-set entries, never from the record's free text. A record that only names one of these
 * medicines (no listed code) is not a confirmed use: the work-up asks to confirm it instead (workup.ts).
 */
import type { ContraindicationRule } from '../knowledge/schema-pathway.ts';
import { byRef, sortInPlace } from './context.ts';
import type { EngineContext } from './context.ts';
import type { Contraindication } from './facts.ts';
import { matchIn } from './lookups.ts';
import { medicationUses, membership } from './medication-use.ts';
import type { MedicationUse } from './medication-use.ts';

type Rule = Extract<ContraindicationRule, { predicate: 'current-medication' }>;
type Found = Omit<Contraindication, 'code' | 'title' | 'citation'>;

function drugName(ctx: EngineContext, codeSets: readonly string[], u: MedicationUse): string {
  const m = u.fact;
  const match =
    matchIn(ctx, codeSets, m.medication) ?? m.ingredients.map((i) => matchIn(ctx, codeSets, i.code)).find(Boolean);
  return match?.entry.display ?? 'an IL-6 blocker';
}

export function findImmunosuppressant(ctx: EngineContext, rule: Rule): Found | undefined {
  const uses: MedicationUse[] = [];
  const il6: MedicationUse[] = [];
  for (const u of medicationUses(ctx)) {
    if (!u.current) continue;
    const isIl6 = membership(ctx, rule.il6BlockerCodeSets, u) === 'code';
    if (isIl6) il6.push(u);
    if (isIl6 || membership(ctx, rule.codeSets, u) === 'code') uses.push(u);
  }
  if (uses.length === 0) return undefined;
  const evidence = uses.map((u) => u.fact.ref);
  if (il6.length === 0) return { detail: rule.detail, evidence };
  const drugs = sortInPlace([...new Set(il6.map((u) => drugName(ctx, rule.il6BlockerCodeSets, u)))], byRef).join(', ');
  return { detail: rule.il6BlockerDetail.replaceAll('{drugs}', drugs), evidence };
}
