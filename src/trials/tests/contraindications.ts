/**
 * The care pathway's absolute contraindications (definition 6), reused as trial exclusions. A contraindication found
 * fails the test. When none is found, lab- and screen-based ones are only ruled out if the work-up they rest on is
 * present (facts.missingWorkup; which work-up item rules out which contraindication is the pathway's
 * `missingWorkup[].rulesOut`); the others rest on the record's silence, unless a work-up item that `confirms` one is
 * listed (a stale or name-only immunosuppressant record): then it may be present, and the criterion is unknown.
 */
import type { Pathway, WorkupRule } from '../../knowledge/schema-pathway.ts';
import type { WorkupCode } from '../../pathway/facts.ts';
import type { ResourceRef } from '../../record/index.ts';
import { unitForReading } from '../../units/index.ts';
import type { CriterionTest } from '../schema.ts';
import type { MatchContext, TestOutcome } from '../context.ts';
import { once, unverifiedNote } from '../context.ts';
import { inSentence } from '../sentence.ts';

type NoContraindication = Extract<CriterionTest, { type: 'no-contraindication' }>;

/** What a test object asks, worked out once (protocols are loaded once; this runs per patient). */
interface Plan {
  readonly codes: ReadonlySet<string>;
  readonly needed: ReadonlySet<WorkupCode>;
  /** The work-up items that rule the checked contraindications out (labs and screens), in the pathway's order. */
  readonly ruling: readonly WorkupRule[];
  /** Work-up items that, while listed, leave a checked contraindication to confirm (`confirms`). */
  readonly confirming: ReadonlySet<WorkupCode>;
  /** The contraindications checked, by the pathway's titles (a code id such as "hepatic" is not for the reader). */
  readonly checked: string;
  /** The contraindications ruled out only by the record's silence (no work-up rules them out), by title; '' if none. */
  readonly silent: string;
  /** For each work-up item that rules out or `confirms` a checked contraindication, those codes, in the test's order. */
  readonly leavesOpen: ReadonlyMap<WorkupCode, readonly string[]>;
}
/** The pathway's titles of these contraindications, in a sentence: "neutropenia (ANC below 2.0 x10^9/L); ...". */
function titlesOf(pathway: Pathway, codes: readonly string[]): string {
  return codes
    .map((code) => inSentence(pathway.contraindications.find((c) => c.code === code)?.title ?? code))
    .join('; ');
}

const plans = new WeakMap<Pathway, WeakMap<NoContraindication, Plan>>();
function planOf(pathway: Pathway, test: NoContraindication): Plan {
  let byTest = plans.get(pathway);
  if (byTest === undefined) plans.set(pathway, (byTest = new WeakMap()));
  let plan = byTest.get(test);
  if (plan === undefined) {
    const ruling = (code: NoContraindication['codes'][number]) =>
      pathway.missingWorkup.filter((w) => 'rulesOut' in w && w.rulesOut.includes(code));
    const needed = new Set(test.codes.flatMap((c) => ruling(c).map((w) => w.code)));
    plan = {
      codes: new Set<string>(test.codes),
      needed,
      ruling: pathway.missingWorkup.filter((w) => needed.has(w.code)),
      confirming: new Set(
        pathway.missingWorkup
          .filter((w) => 'confirms' in w && w.confirms.some((c) => test.codes.includes(c)))
          .map((w) => w.code),
      ),
      checked: titlesOf(pathway, test.codes),
      silent: titlesOf(
        pathway,
        test.codes.filter((c) => ruling(c).length === 0),
      ),
      leavesOpen: new Map(
        pathway.missingWorkup.flatMap((w) => {
          const named: readonly string[] = [
            ...('rulesOut' in w ? w.rulesOut : []),
            ...('confirms' in w ? w.confirms : []),
          ];
          const open = test.codes.filter((c) => named.includes(c));
          return open.length > 0 ? [[w.code, open] as const] : [];
        }),
      ),
    };
    byTest.set(test, plan);
  }
  return plan;
}

/** The unverified values the pathway's rules for `codes` relied on (a threshold, a code), as `unverifiedNotes`. */
function notesOf(
  ctx: MatchContext,
  codes: readonly NoContraindication['codes'][number][],
): {
  unverifiedNotes?: string[];
} {
  const seen = new Set<string>();
  const notes: string[] = [];
  for (const code of codes) {
    for (const u of ctx.facts.contraindicationsUnverified[code] ?? []) {
      if (seen.has(u.item)) continue;
      seen.add(u.item);
      notes.push(unverifiedNote(u));
    }
  }
  return notes.length === 0 ? {} : { unverifiedNotes: notes };
}

export function noContraindication(ctx: MatchContext, test: NoContraindication): TestOutcome {
  // Several protocols check the same contraindications (each trial's label-safety exclusion), and the outcome names
  // the work-up results and unverified values it rests on: worked out once per patient, its evidence list each
  // criterion's own.
  const outcome = once(ctx, `no-contraindication|${test.codes.join(',')}`, () => evaluate(ctx, test));
  return { ...outcome, evidence: [...outcome.evidence] };
}

function evaluate(ctx: MatchContext, test: NoContraindication): TestOutcome {
  const { codes, needed, ruling, confirming, checked, silent, leavesOpen } = planOf(ctx.knowledge.pathway, test);
  const found = ctx.facts.contraindications.filter((c) => codes.has(c.code));
  if (found.length > 0) {
    return {
      holds: false,
      reason: found.map((c) => c.detail).join('; '),
      evidence: found.flatMap((c) => c.evidence),
      ...notesOf(
        ctx,
        found.map((c) => c.code),
      ),
    };
  }
  const missing = ctx.facts.missingWorkup.filter((w) => needed.has(w.code));
  const toConfirm = ctx.facts.missingWorkup.filter((w) => confirming.has(w.code));
  if (missing.length > 0 || toConfirm.length > 0) {
    // Only the contraindications the listed work-up leaves open cannot be ruled out; the others are none found, with
    // the results that rule them out, as below: an ANC on file is not "cannot rule out neutropenia" for want of an IGRA.
    const open = new Set([...missing, ...toConfirm].flatMap((w) => leavesOpen.get(w.code) ?? []));
    const closed = test.codes.filter((c) => !open.has(c));
    const workup = ruling
      .filter(
        (w) => !missing.some((m) => m.code === w.code) && (leavesOpen.get(w.code) ?? []).every((c) => !open.has(c)),
      )
      .flatMap((w) => workupResult(ctx, w));
    const why = [
      ...(missing.length > 0 ? [`${missing.map((w) => w.title).join(', ')} missing`] : []),
      ...toConfirm.map((w) => w.title),
    ];
    const ruledOut =
      closed.length > 0 ? `; none found: ${titlesOf(ctx.knowledge.pathway, closed)}${workedUp(workup)}` : '';
    return {
      holds: undefined,
      reason: `Cannot rule out ${titlesOf(
        ctx.knowledge.pathway,
        test.codes.filter((c) => open.has(c)),
      )}: ${why.join('; ')}${ruledOut}`,
      evidence: [...new Set(workup.map((w) => w.source))],
      collect: [...missing, ...toConfirm].map((w) => w.action).join('; '),
      // "None found" for those rests on their rules, and on the unverified values each relied on.
      ...notesOf(ctx, closed),
    };
  }
  // The work-up that rules the lab- and screen-based ones out is named with its values and dates, and cited.
  const workup = ruling.flatMap((w) => workupResult(ctx, w));
  const reason = `None found: ${checked}${workedUp(workup)}`;
  const evidence = [...new Set(workup.map((w) => w.source))];
  // "None found" rests on every checked rule, and on the unverified values each relied on.
  const notes = notesOf(ctx, test.codes);
  if (silent === '') return { holds: true, reason, evidence, ...notes };
  return { holds: true, reason, evidence, bySilence: true, collect: `confirm none of: ${silent}`, ...notes };
}

/** The work-up results named after "none found": " (work-up: ANC 3.8 x10^9/L on 2026-11-06; ...)", '' for none. */
function workedUp(workup: readonly { text: string }[]): string {
  return workup.length > 0 ? ` (work-up: ${workup.map((w) => w.text).join('; ')})` : '';
}

/**
 * The result a work-up item rests on (the pathway's latest valid lab in its window, or its screen), in words:
 * "absolute neutrophil count 3.8 x10^9/L on 2026-11-06", "latent tuberculosis screen negative on 2026-10-30".
 */
function workupResult(ctx: MatchContext, w: WorkupRule): { text: string; source: ResourceRef }[] {
  if (w.predicate === 'lab-in-window') {
    const r = ctx.facts.labs[w.analyte];
    if (r === undefined) return [];
    const value = `${r.comparator ?? ''}${r.value} ${unitForReading(r.unit)}`;
    return [{ text: `${inSentence(w.title)} ${value} on ${r.date}`, source: r.source }];
  }
  if (w.predicate === 'screen-in-window') {
    const r = ctx.facts.screens[w.screen];
    return r === undefined ? [] : [{ text: `${inSentence(w.title)} ${r.outcome} on ${r.date}`, source: r.source }];
  }
  return [];
}
