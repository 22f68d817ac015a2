/**
 * Definition 0, scope: the pathway is for living adults with unipolar depression. The first reason that applies, in
 * the schema's order (SCOPE_REASONS): deceased (deceasedBoolean true, or deceasedDateTime on or before the as-of date),
 * minor (under 18 at the as-of date; the 18th birthday is adult; a year- or month-only birth date counts from its
 * latest possible day; an unknown birth date is a caution, not out of scope), bipolar or psychotic disorder (a Condition at any time up to the as-of date, not refuted or entered in
 * error), no depression (definition 1).
 */
import type { ScopeReason } from '../knowledge/schema-pathway.ts';
import type { ConditionFact } from '../record/index.ts';
import { isRecordedHistory } from './conditions.ts';
import { byRef, dayOf, noteIssue, sortInPlace, useThreshold } from './context.ts';
import type { EngineContext } from './context.ts';
import type { DepressionFacts, ScopeFacts } from './facts.ts';
import { inAnySet } from './lookups.ts';

function diagnosedEver(ctx: EngineContext, codeSets: readonly string[]): ConditionFact[] {
  return sortInPlace(
    ctx.record.conditions.filter((c) => inAnySet(ctx, codeSets, c.code) && isRecordedHistory(c, ctx.asOfDay)),
    (a, b) => byRef(a.ref, b.ref),
  );
}

function outOfScope(reason: ScopeReason, evidence: readonly string[]): ScopeFacts {
  return { inScope: false, reason, evidence };
}

/**
 * @param youngest the patient's age, the youngest one a birth date given only as a year or month allows (adult only when
 * certainly adult)
 * @param oldest the oldest age it allows (the same for a full birth date): below 0, born after the as-of date
 */
export function deriveScope(
  ctx: EngineContext,
  youngest: number | undefined,
  oldest: number | undefined,
  depression: DepressionFacts,
): ScopeFacts {
  const def = ctx.pathway.definitions.scope;
  const patient = ctx.record.patient;
  if (patient.deceased === true) {
    // A death dated after the as-of date had not happened yet on it.
    const diedDay = dayOf(patient.deceasedDate, 'start');
    if (diedDay === undefined || diedDay <= ctx.asOfDay) return outOfScope('deceased', [patient.ref]);
    // Alive on the as-of date, but a death is recorded after it: at the point of care (as-of today) a date in the
    // future is a data error, and the result must not read as a plain living patient without saying so.
    noteIssue(
      ctx,
      'pathway.scope.deceased-later',
      `the record gives a date of death (${patient.deceasedDate ?? ''}) after the as-of date: read as alive on ${ctx.asOf}; if that date is wrong, correct the record`,
      patient.ref,
    );
  }
  if (oldest !== undefined && oldest < 0) {
    // Not born yet on the as-of date: out of scope as a minor (no referral), but most likely a mistyped as-of date
    // (a screen run as of 1926) or birth date, which must not read as a plain child's record.
    noteIssue(
      ctx,
      'pathway.scope.born-later',
      `the record gives a birth date (${patient.birthDate ?? ''}) after the as-of date (${ctx.asOf}): not born yet on it, so out of scope as a minor; if the as-of date or the birth date is wrong, correct it`,
      patient.ref,
    );
  }
  if (youngest !== undefined) {
    const adult = useThreshold(ctx, 'adult age (years)', def.adultAgeYears);
    const isAdult = def.adultAgeYears.inclusive ? youngest >= adult : youngest > adult;
    if (!isAdult) return outOfScope('minor', [patient.ref]);
  }
  for (const [reason, codeSets] of [
    ['bipolar', def.bipolarCodeSets],
    ['psychotic-disorder', def.psychoticCodeSets],
  ] as const) {
    const found = diagnosedEver(ctx, codeSets);
    if (found.length === 0) continue;
    // Only possible diagnoses (provisional, differential): still out of scope, but said as possible, never as recorded.
    const possible = new Set<string>(def.unconfirmedVerificationStatuses);
    const unconfirmed = found.every((c) => c.verificationStatus !== undefined && possible.has(c.verificationStatus));
    const facts = outOfScope(
      reason,
      found.map((c) => c.ref),
    );
    return unconfirmed ? { ...facts, unconfirmed: true } : facts;
  }
  if (!depression.present) return outOfScope('no-depression', depression.conditions);
  return { inScope: true, reason: 'in-scope', evidence: depression.conditions };
}
