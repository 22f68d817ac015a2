/** Procedure -> ProcedureFact (e.g. a GI perforation repair, a caution before IL-6 blockade). */
import type { Procedure } from '@medplum/fhirtypes';
import { toDayNumber } from '../record/index.ts';
import type { ProcedureFact } from '../record/index.ts';
import { readConcept, readPeriod } from './datatypes.ts';
import { readDate, readString, warn } from './read.ts';
import type { ReadContext, Untrusted } from './read.ts';

export function readProcedure(ctx: ReadContext, resource: Untrusted<Procedure>): ProcedureFact | undefined {
  const code = readConcept(ctx, resource.code, 'code');
  if (code === undefined) {
    warn(ctx, 'code', 'Procedure has no code; ignored');
    return undefined;
  }
  let status = readString(ctx, resource.status, 'status');
  if (status === undefined) {
    warn(ctx, 'status', 'no status; read as unknown');
    status = 'unknown';
  }
  const asText = readString(ctx, resource.performedString, 'performedString');
  const performed =
    readDate(ctx, resource.performedDateTime, 'performedDateTime') ??
    readPeriod(ctx, resource.performedPeriod, 'performedPeriod')?.start ??
    (asText !== undefined && toDayNumber(asText) !== undefined ? asText : undefined);
  return { ref: ctx.ref, code, status, ...(performed !== undefined && { performed }) };
}
