/** Immunization -> ImmunizationFact (a recent live vaccine is a caution before IL-6 blockade). */
import type { Immunization } from '@medplum/fhirtypes';
import { toDayNumber } from '../record/index.ts';
import type { ImmunizationFact } from '../record/index.ts';
import { readConcept } from './datatypes.ts';
import { readDate, readString, warn } from './read.ts';
import type { ReadContext, Untrusted } from './read.ts';

export function readImmunization(ctx: ReadContext, resource: Untrusted<Immunization>): ImmunizationFact | undefined {
  const vaccine = readConcept(ctx, resource.vaccineCode, 'vaccineCode');
  if (vaccine === undefined) {
    warn(ctx, 'vaccineCode', 'Immunization has no vaccineCode; ignored');
    return undefined;
  }
  let status = readString(ctx, resource.status, 'status');
  if (status === undefined) {
    warn(ctx, 'status', 'no status; read as unknown');
    status = 'unknown';
  }
  const asText = readString(ctx, resource.occurrenceString, 'occurrenceString');
  const occurrence =
    readDate(ctx, resource.occurrenceDateTime, 'occurrenceDateTime') ??
    (asText !== undefined && toDayNumber(asText) !== undefined ? asText : undefined);
  return { ref: ctx.ref, vaccine, status, ...(occurrence !== undefined && { occurrence }) };
}
