/**
 * Allocation concealment in the HTTP layer, in two parts:
 * 1. by construction: records the store returns for participants carry the kit code, never the arm; an allocation
 *    leaves the server only through `allocationView`, which gives blinded viewers `blindAllocation`'s object
 *    (src/trial/blinding.ts; the type `BlindedAllocation` has no arm), and the routes that return allocations
 *    declare that type;
 * 2. masking: text people entered (an adverse event term, a participant code) may name an arm without disclosing an
 *    allocation ("previously on placebo in another study"); for a viewer who may not see arms each occurrence is
 *    shown as `[concealed]` (maskArms, maskStrings: JSON by the preSerialization hook `maskResponses`, pages before
 *    rendering). The store keeps the text as entered; the pharmacist, and the statistician after lock, see it so;
 * 3. fail closed: every trial response to a viewer who may not see arms is scanned for the protocol's arm ids and
 *    labels before it is sent; a hit replaces the response with a 500 and logs the route (never the body). Only the
 *    emergency-unblinding route, which exists to disclose one participant's arm, is exempt from 2 and 3.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { operationOutcome } from '../api/operation-outcome.ts';
import { armTerms, blindAllocation, containsArmTerm, maskArms, maskStrings, REDACTED } from '../../trial/blinding.ts';
import type { ArmLabel } from '../../trial/blinding.ts';
import type { Allocation, BlindedAllocation } from '../../trial/model.ts';
import { seesAllocation } from '../../trial/roles.ts';
import type { TrialUser } from './auth.ts';

// The text masking is the trial's own (src/trial/blinding.ts), shared with the blinded exports.
export { armTerms, containsArmTerm, maskArms, maskStrings };
export type { ArmLabel };

export interface Viewer {
  readonly user: TrialUser;
  readonly databaseLocked: boolean;
}

export function viewerSeesArms(viewer: Viewer): boolean {
  return seesAllocation(viewer.user.role, viewer.databaseLocked);
}

/** The allocation as this viewer may receive it: the whole record, or the kit code without the arm. */
export function allocationView(a: Allocation, viewer: Viewer): Allocation | BlindedAllocation {
  return viewerSeesArms(viewer) ? a : blindAllocation(a);
}

/** What protocol wording read from the protocol file says instead of an arm (text stored in the trial: REDACTED). */
export const STUDY_DRUG = 'study drug';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set only on the emergency-unblinding route. */
    disclosesAllocation?: boolean;
  }
}

/** Whether this response must be blinded: a signed-in viewer who may not see arms, on a route that discloses none. */
async function blindedResponse(request: FastifyRequest, locked: () => Promise<boolean>): Promise<boolean> {
  const user = request.trialUser;
  if (user === undefined || request.routeOptions.config.disclosesAllocation === true) return false;
  return !viewerSeesArms({ user, databaseLocked: await locked() });
}

/**
 * Masking of JSON responses (part 2): every string of the payload, as REDACTED, before serialisation. `locked` is
 * read per response, since the statistician's view changes at lock.
 */
export function maskResponses(
  app: FastifyInstance,
  armTermsNow: () => Promise<readonly string[]>,
  locked: () => Promise<boolean>,
): void {
  app.addHook('preSerialization', async (request: FastifyRequest, _reply: FastifyReply, payload: unknown) => {
    if (!(await blindedResponse(request, locked))) return payload;
    return maskStrings(payload, await armTermsNow(), REDACTED);
  });
}

/**
 * The fail-closed check (part 3). `locked` is read per response, since the statistician's view changes at lock.
 */
export function guardResponses(
  app: FastifyInstance,
  armTermsNow: () => Promise<readonly string[]>,
  locked: () => Promise<boolean>,
): void {
  app.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    if (payload === null || payload === undefined) return payload;
    if (!(await blindedResponse(request, locked))) return payload;
    const text =
      typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : undefined;
    if (text !== undefined && !containsArmTerm(text, await armTermsNow())) return payload;
    request.log.error({ route: request.routeOptions.url, code: 'trial.blinding.withheld' }, 'response withheld');
    reply.code(500).type('application/fhir+json');
    return JSON.stringify(
      operationOutcome('exception', 'response withheld: it would disclose an allocation', 'trial.blinding.withheld'),
    );
  });
}
