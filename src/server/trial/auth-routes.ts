/**
 * Sign-in and sign-out. Refused sign-ins are rate limited per client address (@fastify/rate-limit counts each
 * attempt as it arrives, so parallel guesses each count; one that succeeds is taken back) and spend the same scrypt
 * work whether or not the user exists; success starts a session (auth.ts) and is audited. The answer never says
 * which of user name and password was wrong.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { hashToken, sessionCookie, sessionCookieOptions, startSession } from './auth.ts';
import type { TrialDeps } from './context.ts';
import { parseBody, writeContext } from './context.ts';
import { sendTrialError } from './errors.ts';
import { resumableAction, resumePage, safeNext, signInRefusedPage } from './pages.ts';
import { MAX_PASSWORD_LENGTH, verifyPassword } from './password.ts';
import { signInKey } from './sign-in-limit.ts';

export interface LoginRateLimit {
  /** Refused sign-in attempts allowed per client address within the window. */
  readonly max: number;
  readonly windowMs: number;
}

export const defaultLoginRateLimit: LoginRateLimit = { max: 10, windowMs: 15 * 60 * 1000 };

const LoginSchema = z.strictObject({
  username: z.string().trim().min(1).max(64),
  password: z.string().min(1).max(MAX_PASSWORD_LENGTH),
  /** Where the login form came from (a page under /trial), for the redirect after sign-in. */
  next: z.string().max(200).optional(),
  /** A page form posted after its session ended (pages.ts sessionEndedPage): its action and what was typed. */
  resumeAction: z.string().max(300).optional(),
  /** The user whose session ended: only they are shown what was typed. */
  resumeFor: z.string().max(200).optional(),
  resume: z.string().optional(),
});

/**
 * The fields a session that ended left unsaved, when they are a page form's (pages.ts resumableAction) and the user
 * signing in is the one whose session it was (pages.ts sessionEndedPage); otherwise nothing is shown.
 */
function carried(
  body: z.infer<typeof LoginSchema>,
  userId: string,
): { action: string; values: Record<string, string> } | undefined {
  if (body.resumeAction === undefined || body.resume === undefined || !resumableAction(body.resumeAction)) {
    return undefined;
  }
  if (body.resumeFor !== userId) return undefined;
  try {
    const parsed = JSON.parse(body.resume) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
    const values = Object.entries(parsed as Record<string, unknown>);
    if (!values.every(([, v]) => typeof v === 'string')) return undefined;
    return { action: body.resumeAction, values: Object.fromEntries(values) as Record<string, string> };
  } catch {
    return undefined;
  }
}

const wantsHtml = (request: FastifyRequest): boolean =>
  (request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');

/** A page's sign-in or sign-out form (not the API's JSON): its refusals are answered with a page. */
export const isFormPostTo = (request: FastifyRequest, path: '/trial/login' | '/trial/logout'): boolean =>
  request.method === 'POST' && request.routeOptions.url === path && wantsHtml(request);

export function registerAuthRoutes(app: FastifyInstance, deps: TrialDeps, limit: LoginRateLimit): void {
  app.post(
    '/login',
    {
      config: {
        trialAccess: 'public',
        // Checked once the form is read (preHandler, not onRequest), still before the credentials are: the page that
        // says sign-in is paused shows the sign-in form again with the user name as typed (index.ts, pages.ts).
        rateLimit: {
          max: limit.max,
          timeWindow: limit.windowMs,
          keyGenerator: (request) => signInKey(request.ip),
          hook: 'preHandler',
        },
      },
    },
    async (request, reply) => {
      const body = parseBody(LoginSchema, request.body);
      const account = await deps.store.getUserByUsername(body.username.toLowerCase());
      const passwordOk = await verifyPassword(body.password, account?.passwordHash);
      if (account === null || !account.active || !passwordOk) {
        request.log.warn({ code: 'trial.login.failed' }, 'sign-in refused');
        // A refused sign-in to an existing account is audited under that account (21 CFR 11.300(d)); an unknown
        // user name has no account to record it under. What was typed is never stored.
        if (account !== null) {
          const actor = { userId: account.id, role: account.role, site: account.site };
          await deps.store.recordEvent({ actor, reason: 'sign-in refused' }, 'login-failed', {
            username: account.username,
            inactive: !account.active,
          });
        }
        if (wantsHtml(request)) return signInRefusedPage(reply, body);
        return sendTrialError(reply, 401, 'user name or password not accepted', 'trial.login.failed');
      }
      // Only refused sign-ins count against the address (the rate limit counted this one before it was checked).
      await deps.store.uncountSignInAttempt(signInKey(request.ip));
      const session = await startSession(deps.auth, account.id);
      reply.setCookie(sessionCookie(deps.auth), session.token, sessionCookieOptions(deps.auth));
      request.trialUser = {
        id: account.id,
        username: account.username,
        displayName: account.displayName,
        role: account.role,
        site: account.site,
      };
      request.session = { _csrf: session.csrfSecret };
      await deps.store.recordEvent(writeContext(request, 'sign-in'), 'login', { username: account.username });
      const resume = wantsHtml(request) ? carried(body, account.id) : undefined;
      if (resume !== undefined) return resumePage(deps, request, reply, resume.action, resume.values);
      if (wantsHtml(request)) return reply.code(303).redirect(safeNext(body.next));
      return { user: request.trialUser, csrfToken: reply.generateCsrf() };
    },
  );

  app.post('/logout', { config: { trialAccess: 'authenticated' } }, async (request, reply: FastifyReply) => {
    const token = request.cookies[sessionCookie(deps.auth)];
    if (token !== undefined) await deps.store.deleteSession(hashToken(token));
    await deps.store.recordEvent(writeContext(request, 'sign-out'), 'logout', {});
    reply.clearCookie(sessionCookie(deps.auth), sessionCookieOptions(deps.auth));
    if (wantsHtml(request)) return reply.code(303).redirect('/trial/login');
    return { signedOut: true };
  });
}
