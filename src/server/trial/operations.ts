/**
 * Operations shared by the JSON API (api.ts) and the pages' form actions (pages.ts), so a page and an API call do
 * exactly the same checks: the caller's site, eligibility from the engine, blinding of the allocation returned.
 */
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { InputError } from '../../record/issues.ts';
import { ScreeningCriterionSchema } from '../../trial/model.ts';
import { criteriaFromMatch, mergeAnswers } from '../../trial/screening.ts';
import type {
  BlindedAllocation,
  Allocation,
  Participant,
  ScreeningCriterion,
  ScreeningEntry,
} from '../../trial/model.ts';
import type { TrialRole } from '../../trial/roles.ts';
import { checkSite, NotFound, siteScope, userOf } from './auth.ts';
import { can } from './permissions.ts';
import { allocationView } from './blinding.ts';
import { currentProtocol, viewerOf, writeContext } from './context.ts';
import type { TrialDeps } from './context.ts';

/** A participant the caller may see (another site's participant is "not found"). */
export async function participantInScope(deps: TrialDeps, request: FastifyRequest, id: string): Promise<Participant> {
  const participant = await deps.store.getParticipant(id);
  if (participant === null) throw new NotFound();
  checkSite(userOf(request), participant.site);
  return participant;
}

/** A participant record as a role that sees no safety data reads it (the outcome rater): no `emergencyUnblinded`. */
export type ParticipantWithoutSafety = Omit<Participant, 'emergencyUnblinded'>;

/**
 * A participant as this role may read it. A role without `safety.read` (the outcome rater) gets it without
 * `emergencyUnblinded`: an emergency unblinding answers a medical emergency, most often a serious adverse event or a
 * neutropenic infection, which are commoner on the active drug, and its alert is withheld from the rater as every
 * safety alert is; the flag would tell the rater the same.
 */
export function participantView(p: Participant, role: TrialRole): Participant | ParticipantWithoutSafety {
  if (can(role, 'safety.read')) return p;
  const { emergencyUnblinded: _emergencyUnblinded, ...rest } = p;
  return rest;
}

/** The screening request: entered criteria, or a FHIR Bundle evaluated by the engine with answers for the rest. */
export const ScreeningRequestSchema = z.strictObject({
  site: z.string().trim().min(1).max(120),
  screeningCode: z.string().trim().min(1).max(120),
  screenedOn: z.iso.date(),
  bundle: z.unknown().optional(),
  /** Entered criteria; with a bundle they answer what the record leaves unknown (consent, language). */
  criteria: z.array(ScreeningCriterionSchema.omit({ source: true })).default([]),
});
export type ScreeningRequest = z.infer<typeof ScreeningRequestSchema>;

/** A correction of a screening entry: its code, date or entered criteria (entered answers, as in ScreeningRequest). */
export const ScreeningCorrectionRequestSchema = z
  .strictObject({
    screeningCode: ScreeningRequestSchema.shape.screeningCode.optional(),
    screenedOn: ScreeningRequestSchema.shape.screenedOn.optional(),
    criteria: z.array(ScreeningCriterionSchema.omit({ source: true })).optional(),
  })
  .refine((c) => Object.keys(c).length > 0, 'give at least one field');

/** Records a screening-log entry; with a Bundle the criteria come from the engine's trial match (engine.match). */
/** Runs `read` on a pasted Bundle: a Bundle the engine refuses is the refusal of the `bundle` field (a page marks it). */
function bundleRefusal<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof InputError && error.field === undefined)
      throw new InputError(error.message, error.code, 'bundle');
    throw error;
  }
}

export async function screen(
  deps: TrialDeps,
  request: FastifyRequest,
  body: ScreeningRequest,
): Promise<ScreeningEntry> {
  const scope = siteScope(userOf(request));
  if (scope !== undefined && scope !== body.site) throw new InputError('site: not your site', 'trial.forbidden');
  const protocol = await currentProtocol(deps);
  const entered = body.criteria.map((c): ScreeningCriterion => ({ ...c, source: 'entered' }));
  let criteria: ScreeningCriterion[] = entered;
  if (body.bundle !== undefined) {
    const [match] = bundleRefusal(() =>
      deps.engine.match(body.bundle, { asOf: body.screenedOn, trials: [protocol.id] }),
    );
    if (match === undefined) throw new InputError('the trial protocol could not be evaluated', 'trial.not-found');
    criteria = mergeAnswers(criteriaFromMatch(match), entered);
  }
  return deps.store.addScreening(writeContext(request, 'screening'), {
    site: body.site,
    screeningCode: body.screeningCode,
    screenedOn: body.screenedOn,
    criteria,
  });
}

/** Randomizes (atomically, in the store) and returns what this caller may see of the allocation. */
export async function randomize(
  deps: TrialDeps,
  request: FastifyRequest,
  participantId: string,
): Promise<Allocation | BlindedAllocation> {
  await participantInScope(deps, request, participantId);
  const allocation = await deps.store.randomize(writeContext(request, 'randomization'), participantId);
  return allocationView(allocation, await viewerOf(request, deps));
}
