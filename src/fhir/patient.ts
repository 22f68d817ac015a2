/** Patient -> PatientFacts: only what the pathway uses (age, sex, deceased); names and identifiers are not read. */
import type { Patient } from '@medplum/fhirtypes';
import type { PatientFacts } from '../record/index.ts';
import { isFhirDate, readBoolean, readDate, readString, warn } from './read.ts';
import type { ReadContext, Untrusted, Writable } from './read.ts';

const SEXES: ReadonlySet<string> = new Set(['male', 'female', 'other', 'unknown']);

export function readPatient(ctx: ReadContext, resource: Untrusted<Patient>): PatientFacts {
  const birthDate = readDate(ctx, resource.birthDate, 'birthDate');
  const gender = readString(ctx, resource.gender, 'gender');
  let sex: PatientFacts['sex'];
  if (gender !== undefined) {
    if (SEXES.has(gender)) sex = gender as PatientFacts['sex'];
    else warn(ctx, 'gender', `gender '${gender}' is not male, female, other or unknown; ignored`);
  }
  const rawFlag = resource.deceasedBoolean as unknown;
  const rawTime = resource.deceasedDateTime as unknown;
  // "true" as text is read below as a death, with its own message; any other non-boolean is reported and ignored.
  const flagText = typeof rawFlag === 'string' && rawFlag.trim().toLowerCase() === 'true';
  let deceased = flagText ? undefined : readBoolean(ctx, rawFlag, 'deceasedBoolean');
  let deceasedDate: string | undefined;
  if (rawTime !== undefined && rawTime !== null) {
    // A stated death is a death even when its time cannot be read (the safe reading: never taken to be alive).
    deceasedDate = typeof rawTime === 'string' && isFhirDate(rawTime) ? rawTime : undefined;
    if (deceasedDate === undefined) {
      warn(
        ctx,
        'deceasedDateTime',
        'deceasedDateTime is not a FHIR date: the patient is taken as deceased, date unknown',
      );
    }
    deceased ??= true;
  } else if (flagText) {
    deceased = true;
    warn(ctx, 'deceasedBoolean', 'deceasedBoolean is the text "true", not a boolean: the patient is taken as deceased');
  }
  const facts: Writable<PatientFacts> = { ref: ctx.ref };
  if (birthDate !== undefined) facts.birthDate = birthDate;
  if (sex !== undefined) facts.sex = sex;
  if (deceased !== undefined) facts.deceased = deceased;
  if (deceasedDate !== undefined) facts.deceasedDate = deceasedDate;
  return facts;
}
