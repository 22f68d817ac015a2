/**
 * Condition -> ConditionFact. Status codes are kept as codes (the engine decides what counts as current).
 * Onset and abatement come from their dateTime, Period and string forms; an Age or Range onset is left unknown
 * (it needs the birth date and has year precision at best), while any abatement form without a date still says
 * that the condition abated, recorded as `abated`.
 * @see https://hl7.org/fhir/R4/condition.html
 */
import type { Condition } from '@medplum/fhirtypes';
import { toDayNumber } from '../record/index.ts';
import type { ConditionFact } from '../record/index.ts';
import { readConcept, readConcepts, readPeriod, readStatusCode } from './datatypes.ts';
import { readBoolean, readDate, readObject, readString, warn } from './read.ts';
import type { ReadContext, Untrusted, Writable } from './read.ts';

export const ABATED_WITHOUT_DATE = 'abated';

/** A string onset/abatement counts only when it is a date ("2019-03"); free text like "childhood" is not one. */
function dateFromString(ctx: ReadContext, value: unknown, path: string): string | undefined {
  const text = readString(ctx, value, path);
  return text !== undefined && toDayNumber(text) !== undefined ? text : undefined;
}

export function readCondition(ctx: ReadContext, resource: Untrusted<Condition>): ConditionFact | undefined {
  const code = readConcept(ctx, resource.code, 'code');
  if (code === undefined) {
    warn(ctx, 'code', 'Condition has no code; ignored');
    return undefined;
  }
  const clinicalStatus = readStatusCode(ctx, resource.clinicalStatus, 'clinicalStatus');
  const verificationStatus = readStatusCode(ctx, resource.verificationStatus, 'verificationStatus');
  const onset =
    readDate(ctx, resource.onsetDateTime, 'onsetDateTime') ??
    readPeriod(ctx, resource.onsetPeriod, 'onsetPeriod')?.start ??
    dateFromString(ctx, resource.onsetString, 'onsetString');
  const abatementPeriod = readPeriod(ctx, resource.abatementPeriod, 'abatementPeriod');
  let abatement =
    readDate(ctx, resource.abatementDateTime, 'abatementDateTime') ??
    abatementPeriod?.end ??
    abatementPeriod?.start ??
    dateFromString(ctx, resource.abatementString, 'abatementString');
  if (
    abatement === undefined &&
    (readString(ctx, resource.abatementString, 'abatementString') !== undefined ||
      readObject(ctx, resource.abatementAge, 'abatementAge') !== undefined ||
      readObject(ctx, resource.abatementRange, 'abatementRange') !== undefined ||
      readBoolean(ctx, (resource as Record<string, unknown>)['abatementBoolean'], 'abatementBoolean') === true)
  ) {
    abatement = ABATED_WITHOUT_DATE;
  }
  const recordedDate = readDate(ctx, resource.recordedDate, 'recordedDate');
  const categories: string[] = [];
  for (const concept of readConcepts(ctx, resource.category, 'category')) {
    for (const coding of concept.codings) if (coding.code !== undefined) categories.push(coding.code);
  }
  // Assigned in the fact's key order: conditional spreads would each build a temporary object.
  const fact: Partial<Writable<ConditionFact>> = { ref: ctx.ref, code };
  if (clinicalStatus !== undefined) fact.clinicalStatus = clinicalStatus;
  if (verificationStatus !== undefined) fact.verificationStatus = verificationStatus;
  if (onset !== undefined) fact.onset = onset;
  if (abatement !== undefined) fact.abatement = abatement;
  if (recordedDate !== undefined) fact.recordedDate = recordedDate;
  fact.categories = categories;
  return fact as ConditionFact;
}
