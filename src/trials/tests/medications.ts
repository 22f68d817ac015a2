/**
 * Current medications in an excluded class (INSIGHT: antibiotics, NSAIDs, oral/injectable corticosteroids). A record
 * that may be one but is not confirmed (named without a listed code; coded but recorded as a cream) leaves it unknown.
 */
import type { CriterionTest } from '../schema.ts';
import { nonSystemicRoute, unverifiedEntries, unverifiedRoutes } from '../../knowledge/index.ts';
import type { MatchContext, TestOutcome } from '../context.ts';
import { undecided, unverifiedNote } from '../context.ts';
import { currentMedicationsInSet, lastEndedInSet, namedOnlyCurrentInSet, startsByName } from '../medications.ts';
import type { NamedInSet } from '../medications.ts';
import type { MedicationFact } from '../../record/index.ts';
import { namedOnlyPhrase } from '../../pathway/medication-use.ts';
import { inSentence } from '../sentence.ts';

type NoMedicationIn = Extract<CriterionTest, { type: 'no-medication-in' }>;

export function noMedicationIn(ctx: MatchContext, test: NoMedicationIn): TestOutcome {
  const title = inSentence(ctx.knowledge.codeSets.get(test.codeSet)?.title ?? test.codeSet);
  const all = currentMedicationsInSet(ctx.record, ctx.knowledge, test.codeSet, ctx.facts);
  // A coded record whose texts say it is applied or inhaled ("cream"): an ingredient code does not give the route.
  const current = all.filter((c) => nonSystemicRoute(ctx.knowledge, c.medication) === undefined);
  if (current.length > 0) {
    const names = current.map(({ medication: m }) => nameOf(m));
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
  const topical = all.filter((c) => !current.includes(c)).map((c) => c.medication);
  if (named.length > 0 || topical.length > 0) return toConfirm(ctx, title, topical, named);
  // A record naming one of the set's medicines as a cream or eye drops is not systemic, by the [U] route words.
  const setAside = found.map((f) => `${f.medication.ref} names "${f.named.name}" as ${f.nonSystemic ?? ''}`);
  const routes = setAside.length === 0 ? undefined : unverifiedRoutes(ctx.knowledge);
  // One stopped days ago is named with its end and cited, never passed over as silence (the status is unchanged); one
  // whose end is not recorded likewise, with its start: it may have ended yesterday.
  const { ended, endUnknown } = lastEndedInSet(ctx.record, ctx.knowledge, test.codeSet, ctx.facts);
  const notes = [
    ...(ended.length === 0
      ? []
      : [`last recorded: ${ended.map((e) => `${nameOf(e.medication)}, ended ${e.end}`).join(' and ')}`]),
    ...(endUnknown.length === 0
      ? []
      : [
          `end not recorded: ${startsByName(endUnknown.map((m) => ({ name: nameOf(m), start: m.period.start?.slice(0, 10) })))}`,
        ]),
    ...(setAside.length === 0 ? [] : [`not systemic: ${setAside.join('; ')}`]),
  ];
  return {
    holds: true,
    bySilence: true,
    reason: `No current ${title} recorded on ${ctx.asOf}${notes.length === 0 ? '' : ` (${notes.join('; ')})`}`,
    evidence: [...ended.map((e) => e.medication.ref), ...endUnknown.map((m) => m.ref)],
    collect: `confirm no current ${title}`,
    ...(routes === undefined ? {} : { unverifiedNotes: [unverifiedNote(routes)] }),
  };
}

/** The medicine as the record names it: its text, else its first coding's display, else the record. */
const nameOf = (m: MedicationFact): string => m.medication.text ?? m.medication.codings[0]?.display ?? m.ref;

/**
 * Possible current medicines of the list, to confirm: coded ones whose texts say they are applied or inhaled, and ones
 * named without a code of the list (docs/care-pathway.md, "Medications named without a listed code").
 */
function toConfirm(
  ctx: MatchContext,
  title: string,
  topical: readonly MedicationFact[],
  named: readonly NamedInSet[],
): TestOutcome {
  const route = (m: MedicationFact): string => nonSystemicRoute(ctx.knowledge, m) ?? '';
  const which = [
    ...topical.map((m) => `${m.ref} is coded as one but recorded as "${route(m)}"`),
    ...named.map(({ medication, named: n }) => `${medication.ref} ${namedOnlyPhrase(n)}`),
  ].join('; ');
  const medicines = [
    ...new Set([
      ...topical.map((m) => `of ${m.ref}`),
      ...named.map((n) => `named "${n.named.name}" (${n.medication.ref})`),
    ]),
  ].join(', ');
  const routes = topical.length === 0 ? undefined : unverifiedRoutes(ctx.knowledge);
  return {
    ...undecided(
      `Possible current ${title}, to confirm: ${which}`,
      `confirm the medicine ${medicines}: that it is taken by mouth or injected and is current; record it coded`,
      [...topical.map((m) => m.ref), ...named.map((n) => n.medication.ref)],
    ),
    ...(routes === undefined ? {} : { unverifiedNotes: [unverifiedNote(routes)] }),
  };
}
