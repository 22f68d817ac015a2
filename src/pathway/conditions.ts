/**
 * When a Condition counts as present on the as-of date (docs/care-pathway.md definition 1, reused by definitions 6 and 10):
 * clinicalStatus active, recurrence or relapse (or absent), verificationStatus not refuted or entered-in-error,
 * onset on or before the as-of date, and no abatement before it.
 */
import type { ConditionFact } from '../record/index.ts';
import { dayOf } from './context.ts';

const ACTIVE_CLINICAL = new Set(['active', 'recurrence', 'relapse']);
const REJECTED_VERIFICATION = new Set(['refuted', 'entered-in-error']);

/** undefined when the condition is current on `asOfDay`, else the reason it is not. */
export function whyNotCurrent(c: ConditionFact, asOfDay: number): string | undefined {
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
  return undefined;
}

/** Ever recorded (any clinical status) on or before the as-of date, and not refuted or entered in error. */
export function isRecordedHistory(c: ConditionFact, asOfDay: number): boolean {
  if (c.verificationStatus !== undefined && REJECTED_VERIFICATION.has(c.verificationStatus)) return false;
  const onset = dayOf(c.onset ?? c.recordedDate, 'start');
  return onset === undefined || onset <= asOfDay;
}
