/** Current medications in an excluded class (INSIGHT: antibiotics, NSAIDs, oral/injectable corticosteroids). */
import type { CriterionTest } from '../schema.ts';
import { unverifiedEntries, unverifiedRoutes } from '../../knowledge/index.ts';
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
  const found = namedOnlyCurrentInSet(ctx.record, ctx.knowledge, test.codeSet, ctx.facts);
  const named = found.filter((f) => f.nonSystemic === undefined);
  if (named.length > 0) {
    const which = named.map(({ medication, named: n }) => `${medication.ref} ${namedOnlyPhrase(n)}`).join('; ');
    const medicines = [...new Set(named.map((n) => `"${n.named.name}" (${n.medication.ref})`))].join(', ');
    return undecided(
      `Possible current ${title}, to confirm: ${which}`,
      `confirm the medicine named ${medicines}: that it is taken and current; record it coded`,
      named.map((n) => n.medication.ref),
    );
  }
  // A record naming one of the set's medicines as a cream or eye drops is not systemic, by the [U] route words.
  const setAside = found.map((f) => `${f.medication.ref} names "${f.named.name}" as ${f.nonSystemic ?? ''}`);
  const routes = setAside.length === 0 ? undefined : unverifiedRoutes(ctx.knowledge);
  return {
    holds: true,
    bySilence: true,
    reason: `No current ${title} recorded on ${ctx.asOf}${setAside.length === 0 ? '' : ` (not systemic: ${setAside.join('; ')})`}`,
    evidence: [],
    collect: `confirm no current ${title}`,
    ...(routes === undefined ? {} : { unverifiedNotes: [unverifiedNote(routes)] }),
  };
}
