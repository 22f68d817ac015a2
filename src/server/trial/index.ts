/**
 * Trial operations inside `trd serve` (mounted at /trial): sign-in, the JSON API (api.ts) and the coordinator's pages
 * (pages.ts), on the trial store (src/trial/store). This folder is an adapter: rules (randomization, scoring, safety
 * grading, audit) live in the pure modules and the store; here are authentication, roles, blinding of responses and
 * rendering. It may import the engine door, src/trial and src/server; nothing imports it but the serve command.
 */
import cookie from '@fastify/cookie';
import csrfProtection from '@fastify/csrf-protection';
import rateLimit from '@fastify/rate-limit';
import { signInAttemptCounter } from './sign-in-limit.ts';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Engine } from '../../engine/index.ts';
import { loadInstruments } from '../../instruments/load.ts';
import { InputError } from '../../record/issues.ts';
import type { TrialStore } from '../../trial/store/port.ts';
import type { ServerPlugin } from '../app.ts';
import { frameworkError, HttpError } from '../api/operation-outcome.ts';
import type { IssueType } from '../api/operation-outcome.ts';
import { wantsPage } from '../unmatched.ts';
import { registerApi } from './api.ts';
import { registerFormBody } from './form-body.ts';
import { sendTrialError, statusOfCode } from './errors.ts';
import { AccessDenied, guardRoutes } from './auth.ts';
import type { AuthOptions, GuardedRoute } from './auth.ts';
import { defaultLoginRateLimit, isFormPostTo, registerAuthRoutes } from './auth-routes.ts';
import type { LoginRateLimit } from './auth-routes.ts';
import { armTerms, guardResponses, maskResponses } from './blinding.ts';
import { armLabels, trialInfo } from './context.ts';
import type { TrialDeps } from './context.ts';
import {
  isPageFormPost,
  refusedPage,
  registerPages,
  sessionEndedPage,
  signInLimitedPage,
  signOutAgainPage,
} from './pages.ts';
import type { StaleFormPage } from './pages.ts';

export interface TrialServerOptions {
  /** The opened trial store (src/trial/store/open.ts openTrialStore); closed when the server closes. */
  readonly store: TrialStore;
  readonly engine: Engine;
  /** Idle timeout of a session in seconds; default 30 minutes. */
  readonly sessionSeconds?: number;
  /** Absolute session lifetime in seconds; default 12 hours. */
  readonly maxSessionSeconds?: number;
  /** Secure cookies (when served over HTTPS). */
  readonly secureCookies?: boolean;
  readonly loginRateLimit?: LoginRateLimit;
  readonly passwordCost?: { N: number; r: number; p: number };
  /** The clock for sessions; default the system clock. */
  readonly now?: () => Date;
}

export interface TrialServer {
  readonly plugin: ServerPlugin;
  /** Every trial route as registered (filled when the plugin registers), with its declared access. */
  readonly routes: readonly GuardedRoute[];
  readonly store: TrialStore;
}

export { statusOfCode };

function sendError(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  message: string,
  code: string,
  type?: IssueType,
) {
  request.log.info({ code, status }, 'trial request refused');
  // A browser opening a page (not the API) gets the refusal as a page in the trial's layout.
  const path = request.url.split('?')[0] ?? '';
  if ((request.method === 'GET' || request.method === 'HEAD') && wantsPage(request, path)) {
    return refusedPage(request, reply, status, message);
  }
  return sendTrialError(reply, status, message, code, type);
}

export function trialErrorHandler(
  error: FastifyError | Error,
  request: FastifyRequest,
  reply: FastifyReply,
  deps: TrialDeps,
  staleFormPage?: StaleFormPage,
) {
  // A page form posted after its session ended: the sign-in page, carrying what was typed (nothing is lost).
  if (error instanceof AccessDenied && error.statusCode === 401 && isPageFormPost(request)) {
    request.log.info({ code: 'trial.session-ended', status: 401 }, 'trial request refused');
    return sessionEndedPage(deps, request, reply);
  }
  // Sign out pressed on a page whose session had already ended (idle at the page): the user is signed out already, so
  // the answer is a sign-out's (the sign-in page), never an error that reads as still signed in. The cookie is left
  // alone: it names no session any more, and a post another site made the browser send came without it.
  if (error instanceof AccessDenied && error.statusCode === 401 && isFormPostTo(request, '/trial/logout')) {
    request.log.info({ code: 'trial.session-ended', status: 303 }, 'sign-out after the session ended');
    return reply.code(303).redirect('/trial/login');
  }
  // Sign out pressed on a page of an earlier session (signed in again in another tab): the CSRF token is stale, and an
  // error would leave the user signed in; the page offers Sign out with this session's token.
  const staleToken = (error as { code?: unknown }).code === 'FST_CSRF_INVALID_TOKEN';
  if (staleToken && request.trialUser !== undefined && isFormPostTo(request, '/trial/logout')) {
    request.log.info({ code: 'FST_CSRF_INVALID_TOKEN', status: 403 }, 'trial request refused');
    return signOutAgainPage(reply);
  }
  // Any other page form of an earlier session (signed in again in another tab): nothing is saved, and the form comes
  // back as typed with this session's token, never as an error that loses what was typed. Not for a post the browser
  // marks as cross-site (isPageFormPost), which stays a plain CSRF refusal.
  if (staleToken && request.trialUser !== undefined && staleFormPage !== undefined && isPageFormPost(request)) {
    request.log.info({ code: 'FST_CSRF_INVALID_TOKEN', status: 403 }, 'trial request refused');
    return staleFormPage(request, reply);
  }
  // The sign-in form from an address over the sign-in limit: the sign-in page saying so, not an OperationOutcome, with
  // the user name as typed (the limit is checked once the form is read: auth-routes.ts).
  if ((error as { statusCode?: unknown }).statusCode === 429 && isFormPostTo(request, '/trial/login')) {
    request.log.info({ code: 'trial.login.limited', status: 429 }, 'trial request refused');
    return signInLimitedPage(reply, request.body);
  }
  if (error instanceof InputError)
    return sendError(request, reply, statusOfCode(error.code), error.message, error.code);
  // The body parsers' errors (src/server/app.ts utf8Body) keep their issue type (structure, not-supported).
  if (error instanceof HttpError)
    return sendError(request, reply, error.statusCode, error.message, 'trial.refused', error.issueType);
  const framework = frameworkError(error as FastifyError);
  if (framework !== undefined) {
    const code = (error as { code?: unknown }).code;
    return sendError(
      request,
      reply,
      framework.status,
      framework.message,
      typeof code === 'string' ? code : 'trial.refused',
      framework.type,
    );
  }
  const status = (error as { statusCode?: unknown }).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const code = (error as { code?: unknown }).code;
    // Framework and guard messages name no input (CSRF, rate limit, access, body size); pass them on.
    return sendError(request, reply, status, error.message, typeof code === 'string' ? code : 'trial.refused');
  }
  request.log.error({ code: 'trial.internal', name: error.name }, 'trial request failed');
  return sendError(request, reply, 500, 'internal error', 'trial.internal');
}

export async function registerTrial(
  app: FastifyInstance,
  deps: TrialDeps,
  loginLimit: LoginRateLimit,
  table: GuardedRoute[] = [],
): Promise<void> {
  if (!app.hasRequestDecorator('cookies')) await app.register(cookie);
  if (!app.hasContentTypeParser('application/x-www-form-urlencoded')) registerFormBody(app);
  await app.register(csrfProtection, { sessionPlugin: '@fastify/session' });
  // The attempts are counted in the trial store: shared by every server process on the database (sign-in-limit.ts).
  await app.register(rateLimit, { global: false, store: signInAttemptCounter(deps.store) });
  // The pages' answer to a page form with a stale CSRF token (registered with the pages, below).
  const pages: { staleForm?: StaleFormPage } = {};
  app.setErrorHandler((error: FastifyError, request, reply) =>
    trialErrorHandler(error, request, reply, deps, pages.staleForm),
  );
  // Every trial answer holds trial data or a session's token: none may stay in a browser's or a proxy's cache.
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('cache-control', 'no-store');
    return payload;
  });
  // The server owns the store it was given: closing the server (SIGTERM, tests) closes it after the last request.
  app.addHook('onClose', async () => deps.store.close());
  guardRoutes(app, deps.auth, table);
  let terms: string[] = [];
  const armTermsNow = async () => {
    if (terms.length === 0) terms = armTerms(await armLabels(deps));
    return terms;
  };
  const locked = async () => (await trialInfo(deps))?.lockedAt != null;
  maskResponses(app, armTermsNow, locked);
  guardResponses(app, armTermsNow, locked);
  registerAuthRoutes(app, deps, loginLimit);
  registerApi(app, deps, loginLimit);
  pages.staleForm = registerPages(app, deps);
}

export async function openTrialServer(options: TrialServerOptions): Promise<TrialServer> {
  const { store } = options;
  const auth: AuthOptions = {
    store,
    sessionSeconds: options.sessionSeconds ?? 30 * 60,
    maxSessionSeconds: options.maxSessionSeconds ?? 12 * 3600,
    secureCookies: options.secureCookies ?? false,
    now: options.now ?? (() => new Date()),
  };
  const deps: TrialDeps = {
    store,
    engine: options.engine,
    auth,
    instruments: loadInstruments(),
    ...(options.passwordCost === undefined ? {} : { passwordCost: options.passwordCost }),
  };
  const loginLimit = options.loginRateLimit ?? defaultLoginRateLimit;
  const routes: GuardedRoute[] = [];
  return {
    plugin: { prefix: '/trial', plugin: async (app) => registerTrial(app, deps, loginLimit, routes) },
    routes,
    store,
  };
}
