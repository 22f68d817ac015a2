/**
 * When a Condition counts as present on the as-of date (docs/care-pathway.md definition 1, reused by definitions 5, 6
 * and 10): clinicalStatus active, recurrence or relapse (or absent), verificationStatus not refuted or
 * entered-in-error, onset on or before the as-of date, and no abatement before it; a condition that does not last
 * (definitions.statuslessConditions) recorded with neither a status nor an end, only within its days from onset.
 */
import type { Days, Pathway } from '../knowledge/schema-pathway.ts';
import type { ConditionFact } from '../record/index.ts';
import { dayOf, noteIssue, useThreshold, windowStart } from './context.ts';
import type { EngineContext } from './context.ts';
import { inAnySet } from './lookups.ts';

/**
 * A Condition as reasons name it: its first code and its text or display ("J18.9 Pneumonia"), else its reference, so
 * that a finding says which condition it rests on, not only a resource id.
 */
export function conditionLabel(c: ConditionFact): string {
  const coding = c.code.codings[0];
  const code = coding?.code === undefined ? '' : `${coding.code} `;
  return `${code}${c.code.text ?? coding?.display ?? ''}`.trim() || c.ref;
}

/**
 * A finding that rests on Conditions: "active condition recorded: J18.9 Pneumonia", naming each (conditionLabel), with
 * their references as evidence. Contraindications, cautions and the comorbid diseases all word it so.
 */
export function conditionsFound(
  what: string,
  found: readonly ConditionFact[],
): { readonly detail: string; readonly evidence: string[] } {
  return { detail: `${what}: ${found.map(conditionLabel).join('; ')}`, evidence: found.map((c) => c.ref) };
}

const ACTIVE_CLINICAL = new Set(['active', 'recurrence', 'relapse']);
const REJECTED_VERIFICATION = new Set(['refuted', 'entered-in-error']);

/**
 * undefined when the condition is current on `asOfDay`, else the reason it is not. With `statuslessDays`, a
 * condition with neither a clinical status nor an abatement is current only from its onset to that many days after.
 */
export function whyNotCurrent(c: ConditionFact, asOfDay: number, statuslessDays?: Days): string | undefined {
  if (c.clinicalStatus !== undefined && !ACTIVE_CLINICAL.has(c.clinicalStatus)) {
    return `clinical status is ${c.clinicalStatus}`;
  }
  if (c.verificationStatus !== undefined && REJECTED_VERIFICATION.has(c.verificationStatus)) {
    return `verification status is ${c.verificationStatus}`;
  }
  const onset = dayOf(c.onset ?? c.recordedDate, 'start');
  if (onset !== undefined && onset > asOfDay) return `onset ${c.onset ?? c.recordedDate} is after the as-of date`;
  if (c.abatement !== undefined) {
    const abated = dayOf(c.abatement, 'end');
    // A non-date abatement (abatementBoolean true) means resolved at an unknown time: not current.
    if (abated === undefined) return 'abated';
    if (abated < asOfDay) return `abated on ${c.abatement}`;
  }
  if (statuslessDays !== undefined && c.clinicalStatus === undefined && c.abatement === undefined) {
    if (onset !== undefined && onset < windowStart(asOfDay, statuslessDays)) {
      return `no clinical status or end is recorded and its onset (${c.onset ?? c.recordedDate}) is more than ${statuslessDays.value} days before the as-of date`;
    }
  }
  return undefined;
}

/** The definitions.statuslessConditions entry of a condition with neither a clinical status nor an abatement. */
function statuslessEntry(ctx: EngineContext, c: ConditionFact): StatuslessEntry | undefined {
  return statuslessEntryOf(ctx.pathway, c, (codeSets) => inAnySet(ctx, codeSets, c.code));
}

type StatuslessEntry = Pathway['definitions']['statuslessConditions'][number];

/**
 * The one reading of which definitions.statuslessConditions entry applies to a condition: none when it has a clinical
 * status or an abatement, else the first whose code sets hold it (`inSets`: the caller's membership test, the engine's
 * or a trial criterion's classified codes).
 */
export function statuslessEntryOf(
  pathway: Pathway,
  c: ConditionFact,
  inSets: (codeSets: readonly string[]) => boolean,
): StatuslessEntry | undefined {
  if (c.clinicalStatus !== undefined || c.abatement !== undefined) return undefined;
  return pathway.definitions.statuslessConditions.find((e) => inSets(e.codeSets));
}

/** The last day a condition without a status or end is taken as current (its onset + its days), if one applies. */
export function statuslessLastDay(ctx: EngineContext, c: ConditionFact): number | undefined {
  const entry = statuslessEntry(ctx, c);
  const onset = dayOf(c.onset ?? c.recordedDate, 'start');
  return entry === undefined || onset === undefined ? undefined : onset + entry.currentDays.value;
}

/**
 * whyNotCurrent with the pathway's days for a condition that does not last (definitions.statuslessConditions: the
 * first entry whose code sets hold it). A statusless condition so judged relies on those days ([U] when unverified),
 * and one taken as over is an issue that asks to confirm it.
 */
export function whyConditionNotCurrent(ctx: EngineContext, c: ConditionFact): string | undefined {
  const entry = statuslessEntry(ctx, c);
  if (entry === undefined) return whyNotCurrent(c, ctx.asOfDay);
  const why = whyNotCurrent(c, ctx.asOfDay, entry.currentDays);
  if (why === undefined || whyNotCurrent(c, ctx.asOfDay) !== undefined) return why;
  useThreshold(
    ctx,
    `${entry.codeSets.join(', ')}: days a condition without a status or end stays current`,
    entry.currentDays,
  );
  noteIssue(
    ctx,
    'pathway.condition.statusless',
    `${c.ref}: ${why}: taken as over (definitions.statuslessConditions${entry.currentDays.verified ? '' : ' [U]'}); confirm that it has resolved`,
    c.ref,
  );
  return why;
}

/** Ever recorded (any clinical status) on or before the as-of date, and not refuted or entered in error. */
export function isRecordedHistory(c: ConditionFact, asOfDay: number): boolean {
  if (c.verificationStatus !== undefined && REJECTED_VERIFICATION.has(c.verificationStatus)) return false;
  const onset = dayOf(c.onset ?? c.recordedDate, 'start');
  return onset === undefined || onset <= asOfDay;
}
