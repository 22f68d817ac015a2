/** Current medications in an excluded class (INSIGHT: antibiotics, NSAIDs, oral/injectable corticosteroids). */
import type { CriterionTest } from '../schema.ts';
import { unverifiedEntries } from '../../knowledge/index.ts';
import type { MatchContext, TestOutcome } from '../context.ts';
import { undecided, unverifiedNote } from '../context.ts';
import { currentMedicationsInSet, namedOnlyCurrentInSet } from '../medications.ts';
import { namedOnlyPhrase } from '../../pathway/medication-use.ts';
import { inSentence } from '../sentence.ts';

type NoMedicationIn = Extract<CriterionTest, { type: 'no-medication-in' }>;

export function noMedicationIn(ctx: MatchContext, test: NoMedicationIn): TestOutcome {
  const title = inSentence(ctx.knowledge.codeSets.get(test.codeSet)?.title ?? test.codeSet);
  const current = currentMedicationsInSet(ctx.record, ctx.knowledge, test.codeSet, ctx.facts);
  if (current.length > 0) {
    const names = current.map(({ medication: m }) => m.medication.text ?? m.medication.codings[0]?.display ?? m.ref);
    const notes = unverifiedEntries(
      ctx.knowledge,
      current.map((c) => c.match),
    ).map(unverifiedNote);
    return {
      holds: false,
      reason: `Current ${title}: ${names.join(', ')}`,
      evidence: current.map((c) => c.medication.ref),
      unverifiedNotes: notes,
    };
  }
  const named = namedOnlyCurrentInSet(ctx.record, ctx.knowledge, test.codeSet, ctx.facts);
  if (named.length > 0) {
    const which = named.map(({ medication, named: n }) => `${medication.ref} ${namedOnlyPhrase(n)}`).join('; ');
    return undecided(
      `Possible current ${title}, to confirm: ${which}`,
      `confirm the medicine, that it is taken and current, and record it coded`,
      named.map((n) => n.medication.ref),
    );
  }
  return {
    holds: true,
    bySilence: true,
    reason: `No current ${title} recorded on ${ctx.asOf}`,
    evidence: [],
    collect: `confirm no current ${title}`,
  };
}
