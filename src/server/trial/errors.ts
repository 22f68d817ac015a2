/**
 * Errors of the trial routes in the service's one error format (src/server/api/operation-outcome.ts): a FHIR R4
 * OperationOutcome whose issue type fits the status, whose diagnostics is the message (it names fields, never
 * input) and whose details carry the trial's code (trial.forbidden, trial.conflict, input.body.invalid, ...).
 */
import type { FastifyReply } from 'fastify';
import { operationOutcome, sendOutcome } from '../api/operation-outcome.ts';
import type { IssueType } from '../api/operation-outcome.ts';

/** The FHIR issue type of each status a trial route answers with (http://hl7.org/fhir/issue-type). */
const ISSUE_TYPES: Readonly<Record<number, IssueType>> = {
  400: 'invalid',
  401: 'login',
  403: 'security',
  404: 'not-found',
  409: 'conflict',
  413: 'too-costly',
  415: 'not-supported',
  429: 'throttled',
  500: 'exception',
};

/** Store error codes (src/trial/store/port.ts, "Errors") -> HTTP status. */
export function statusOfCode(code: string): number {
  if (code === 'trial.forbidden') return 403;
  if (code === 'trial.not-found') return 404;
  if (code.startsWith('trial.conflict') || code.endsWith('.already') || code.includes('locked')) return 409;
  return 400;
}

/** Sends the trial error `code` with `status` and `message` as an OperationOutcome (issue type from the status). */
export function sendTrialError(
  reply: FastifyReply,
  status: number,
  message: string,
  code: string,
  type: IssueType = ISSUE_TYPES[status] ?? 'invalid',
): FastifyReply {
  return sendOutcome(reply, status, operationOutcome(type, message, code));
}
