/**
 * Allocation concealment in the HTTP layer, in two parts:
 * 1. by construction: records the store returns for participants carry the kit code, never the arm; an allocation
 *    leaves the server only through `allocationView`, which gives blinded viewers `blindAllocation`'s object
 *    (src/trial/blinding.ts; the type `BlindedAllocation` has no arm), and the routes that return allocations
 *    declare that type;
 * 2. fail closed: every trial response to a viewer who may not see arms is scanned for the protocol's arm ids and
 *    labels before it is sent; a hit replaces the response with a 500 and logs the route (never the body). Only the
 *    emergency-unblinding route, which exists to disclose one participant's arm, is exempt.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { blindAllocation } from '../../trial/blinding.ts';
import type { Allocation, BlindedAllocation } from '../../trial/model.ts';
import { seesAllocation } from '../../trial/roles.ts';
import type { TrialUser } from './auth.ts';

export interface ArmLabel {
  readonly id: string;
  readonly label: string;
}

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

/** The words that disclose an allocation: each arm's id and label. */
export function armTerms(arms: readonly ArmLabel[]): string[] {
  const terms = new Set<string>();
  for (const arm of arms) for (const t of [arm.id, arm.label]) if (t.trim().length > 0) terms.add(t.toLowerCase());
  return [...terms];
}

export function containsArmTerm(text: string, terms: readonly string[]): boolean {
  const lower = text.toLowerCase();
  return terms.some((t) => lower.includes(t));
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set only on the emergency-unblinding route. */
    disclosesAllocation?: boolean;
  }
}

/**
 * The fail-closed check (part 2). `locked` is read per response, since the statistician's view changes at lock.
 */
export function guardResponses(
  app: FastifyInstance,
  armTermsNow: () => Promise<readonly string[]>,
  locked: () => Promise<boolean>,
): void {
  app.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const user = request.trialUser;
    if (payload === null || payload === undefined) return payload;
    if (user === undefined || request.routeOptions.config.disclosesAllocation === true) return payload;
    if (viewerSeesArms({ user, databaseLocked: await locked() })) return payload;
    const text =
      typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : undefined;
    if (text !== undefined && !containsArmTerm(text, await armTermsNow())) return payload;
    request.log.error({ route: request.routeOptions.url, code: 'trial.blinding.withheld' }, 'response withheld');
    reply.code(500).type('application/json');
    return JSON.stringify({ error: 'response withheld: it would disclose an allocation' });
  });
}
