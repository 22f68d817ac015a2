/** AllergyIntolerance -> AllergyFact (a tocilizumab hypersensitivity is an absolute contraindication). */
import type { AllergyIntolerance } from '@medplum/fhirtypes';
import type { AllergyFact } from '../record/index.ts';
import { readConcept, readPeriod, readStatusCode } from './datatypes.ts';
import { readDate, warn } from './read.ts';
import type { ReadContext, Untrusted, Writable } from './read.ts';

export function readAllergy(ctx: ReadContext, resource: Untrusted<AllergyIntolerance>): AllergyFact | undefined {
  const code = readConcept(ctx, resource.code, 'code');
  if (code === undefined) {
    warn(ctx, 'code', 'AllergyIntolerance has no code; ignored');
    return undefined;
  }
  const clinicalStatus = readStatusCode(ctx, resource.clinicalStatus, 'clinicalStatus');
  const verificationStatus = readStatusCode(ctx, resource.verificationStatus, 'verificationStatus');
  const onset =
    readDate(ctx, resource.onsetDateTime, 'onsetDateTime') ??
    readPeriod(ctx, resource.onsetPeriod, 'onsetPeriod')?.start;
  const recordedDate = readDate(ctx, resource.recordedDate, 'recordedDate');
  const fact: Writable<AllergyFact> = { ref: ctx.ref, code };
  if (clinicalStatus !== undefined) fact.clinicalStatus = clinicalStatus;
  if (verificationStatus !== undefined) fact.verificationStatus = verificationStatus;
  if (onset !== undefined) fact.onset = onset;
  if (recordedDate !== undefined) fact.recordedDate = recordedDate;
  return fact;
}
