/** Patient -> PatientFacts: only what the pathway uses (age, sex, deceased); names and identifiers are not read. */
import type { Patient } from '@medplum/fhirtypes';
import type { PatientFacts } from '../record/index.ts';
import { readBoolean, readDate, readString, warn } from './read.ts';
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
  let deceased = readBoolean(ctx, resource.deceasedBoolean, 'deceasedBoolean');
  const deceasedDate = readDate(ctx, resource.deceasedDateTime, 'deceasedDateTime');
  if (deceased === undefined && deceasedDate !== undefined) deceased = true;
  const facts: Writable<PatientFacts> = { ref: ctx.ref };
  if (birthDate !== undefined) facts.birthDate = birthDate;
  if (sex !== undefined) facts.sex = sex;
  if (deceased !== undefined) facts.deceased = deceased;
  if (deceasedDate !== undefined) facts.deceasedDate = deceasedDate;
  return facts;
}
