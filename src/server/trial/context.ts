/**
 * What the trial routes share: the store, the engine, the protocol being run, and the per-request helpers that turn
 * a session into the store's WriteContext, validate a body with the store's own zod schemas, and scope reads to
 * the caller's site.
 */
import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { Engine } from '../../engine/index.ts';
import type { InstrumentDefinition } from '../../instruments/index.ts';
import { InputError } from '../../record/issues.ts';
import type { TrialInfo, WriteContext } from '../../trial/model.ts';
import type { TrialStore } from '../../trial/store/port.ts';
import type { TrialProtocol } from '../../trials/schema.ts';
import { siteScope, userOf } from './auth.ts';
import type { AuthOptions, TrialUser } from './auth.ts';
import type { ArmLabel, Viewer } from './blinding.ts';

export interface TrialDeps {
  readonly store: TrialStore;
  readonly engine: Engine;
  readonly auth: AuthOptions;
  /** Instrument definitions (knowledge/instruments/) for the visit forms. */
  readonly instruments: ReadonlyMap<string, InstrumentDefinition>;
  /** scrypt cost for new password hashes (tests lower it; production keeps the default). */
  readonly passwordCost?: { N: number; r: number; p: number };
}

const TRIAL_INFO_TTL_MS = 1000;
const trialInfoCache = new WeakMap<TrialStore, { at: number; info: Promise<TrialInfo | null> }>();

/**
 * The trial's set-up (protocol, arms, lock) read at most once a second per store: every request needs it (guard,
 * blinding check) and it changes only at init and lock. A lock made elsewhere (the CLI) is seen within a second;
 * until then the statistician simply stays blinded, and the store itself refuses writes after lock at once.
 */
export function trialInfo(deps: TrialDeps): Promise<TrialInfo | null> {
  const now = Date.now();
  const cached = trialInfoCache.get(deps.store);
  if (cached !== undefined && now - cached.at < TRIAL_INFO_TTL_MS) return cached.info;
  const info = deps.store.trial();
  trialInfoCache.set(deps.store, { at: now, info });
  info.catch(() => trialInfoCache.delete(deps.store));
  return info;
}

/** Forgets the cached set-up (after init or lock through this server). */
export function trialInfoChanged(deps: TrialDeps): void {
  trialInfoCache.delete(deps.store);
}

/** The protocol the store was initialised with, resolved once per request (the trial may be initialised later). */
export async function currentProtocol(deps: TrialDeps): Promise<TrialProtocol> {
  const trial = await trialInfo(deps);
  if (trial === null) throw new InputError('the trial is not initialised (trd trial init)', 'trial.not-initialised');
  const protocol = deps.engine.protocols.find((p) => p.id === trial.protocolId);
  if (protocol === undefined) throw new InputError('the trial protocol is not in the knowledge', 'trial.not-found');
  return protocol;
}

/** Arm ids and labels of the running trial (for the fail-closed response check). */
export async function armLabels(deps: TrialDeps): Promise<ArmLabel[]> {
  const trial = await trialInfo(deps);
  if (trial === null) return [];
  const protocol = deps.engine.protocols.find((p) => p.id === trial.protocolId);
  const described = protocol?.arms ?? [];
  return trial.arms.map((id) => ({ id, label: described.find((a) => a.id === id)?.label ?? id }));
}

export function writeContext(request: FastifyRequest, reason: string): WriteContext {
  const user = userOf(request);
  return { actor: { userId: user.id, role: user.role, site: user.site }, reason };
}

export async function viewerOf(request: FastifyRequest, deps: TrialDeps): Promise<Viewer> {
  const trial = await trialInfo(deps);
  return { user: userOf(request), databaseLocked: trial?.lockedAt != null };
}

/** The body checked by the store's schema; the message names fields, never their content. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const first = result.error.issues[0];
  const where = first === undefined || first.path.length === 0 ? 'the body' : first.path.join('.');
  // A rule of this code base (a refine: "give at least one field") says its own words; a library's message may quote
  // the value refused, so the others give their code.
  const what = first?.code === 'custom' ? first.message : (first?.code ?? 'invalid');
  throw new InputError(`${where}: ${what}`, 'input.body.invalid');
}

/** A required reason (audit trail): trimmed, 1-500 characters. */
export function reasonFrom(body: unknown): string {
  const reason = (body as { reason?: unknown } | null)?.reason;
  if (typeof reason !== 'string' || reason.trim().length === 0 || reason.length > 500) {
    throw new InputError('reason: required (1-500 characters)', 'input.reason.missing', 'reason');
  }
  return reason.trim();
}

export function siteFilter(user: TrialUser): { site?: string } {
  const site = siteScope(user);
  return site === undefined ? {} : { site };
}
