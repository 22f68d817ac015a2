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
import { blindAllocation, REDACTED } from '../../trial/blinding.ts';
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

/** What protocol wording read from the protocol file says instead of an arm (text stored in the trial: REDACTED). */
export const STUDY_DRUG = 'study drug';

/** One pass over the text, longest term first, so that a label containing an id is replaced whole. */
function armPattern(terms: readonly string[]): RegExp | null {
  if (terms.length === 0) return null;
  const escaped = [...terms].sort((a, b) => b.length - a.length).map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(escaped.join('|'), 'gi');
}

/** The text with each arm id and label (any case) replaced by `replacement`. */
export function maskArms(text: string, terms: readonly string[], replacement: string): string {
  const pattern = armPattern(terms);
  return pattern === null ? text : text.replace(pattern, replacement);
}

/** `value` with maskArms applied to every string in it (values, not keys), through arrays and plain objects. */
export function maskStrings<T>(value: T, terms: readonly string[], replacement: string): T {
  const pattern = armPattern(terms);
  if (pattern === null) return value;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return v.replace(pattern, replacement);
    if (Array.isArray(v)) return v.map(walk);
    if (v === null || typeof v !== 'object') return v;
    const proto: unknown = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) return v; // not JSON data: left to the guard
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
  };
  return walk(value) as T;
}

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
