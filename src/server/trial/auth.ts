/**
 * Authentication for the trial routes: sessions kept in the trial store (the cookie holds a random token, the store
 * only its SHA-256), httpOnly + SameSite=Strict cookies with an expiry, CSRF tokens from the session's own secret
 * (@fastify/csrf-protection in its session mode: synchronizer tokens, checked on every unsafe method), login rate
 * limiting (@fastify/rate-limit, registered in index.ts), and the server-side guard. The guard is attached by an
 * onRoute hook, so a trial route that forgets to name its permission stops the server at start-up instead of
 * being open.
 */
import { createHash, randomBytes } from 'node:crypto';
import type {} from '@fastify/cookie';
import type {} from '@fastify/csrf-protection';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import type { TrialRole } from '../../trial/roles.ts';
import { boundSite } from '../../trial/roles.ts';
import type { TrialStore } from '../../trial/store/port.ts';
import { can } from './permissions.ts';
import type { Permission } from './permissions.ts';

export interface TrialUser {
  readonly id: string;
  readonly username: string;
  readonly displayName: string;
  readonly role: TrialRole;
  /** The user's site; null: every site. */
  readonly site: string | null;
}

/** `public`: no session needed (the login page and form). Otherwise the permission the caller's role must hold. */
export type RouteAccess = Permission | 'public' | 'authenticated';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Every route of the trial plugin declares this (checked at start-up). */
    trialAccess?: RouteAccess;
  }
  interface FastifyRequest {
    trialUser?: TrialUser;
    trialSessionId?: string;
    /** The user of the expired session this request came with (its form may be saved after signing in again). */
    endedSessionUserId?: string;
    /** Read by @fastify/csrf-protection (session mode): the signed-in session's CSRF secret. */
    session: { _csrf?: string } | null;
  }
}

/**
 * The session cookie's name and scope. Over http it is sent only to the trial's own paths (`Path=/trial`), never to the
 * rest of the service. Over https it takes the `__Host-` prefix, which a browser accepts only with Secure, no Domain
 * and `Path=/`: a sibling subdomain or a plain-http page cannot set or overwrite it (no session fixation), which is
 * worth more than the path, a scope the browser does not enforce between pages of one origin.
 */
export function sessionCookie(options: Pick<AuthOptions, 'secureCookies'>): string {
  return options.secureCookies ? '__Host-trd_trial_session' : 'trd_trial_session';
}

/**
 * The cookie that carries a saved form's message to the page its redirect names (pages.ts back), named and scoped as
 * the session cookie is: the message never rides in the URL, where a shared computer's browser history would keep it.
 */
export function flashCookie(options: Pick<AuthOptions, 'secureCookies'>): string {
  return options.secureCookies ? '__Host-trd_trial_flash' : 'trd_trial_flash';
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

export interface AuthOptions {
  readonly store: TrialStore;
  /** Idle timeout in seconds: a session unused this long expires (sliding; renewed at most once a minute). */
  readonly sessionSeconds: number;
  /** Absolute lifetime in seconds from sign-in, however active the session. */
  readonly maxSessionSeconds: number;
  /** Set the Secure flag (behind HTTPS). */
  readonly secureCookies: boolean;
  readonly now: () => Date;
}

export function sessionCookieOptions(options: Pick<AuthOptions, 'secureCookies'>) {
  return {
    path: options.secureCookies ? '/' : '/trial',
    httpOnly: true,
    sameSite: 'strict' as const,
    secure: options.secureCookies,
    // A browser-session cookie: the server decides expiry (idle and absolute), the browser forgets it on close.
  };
}

/** Starts a session for `userId`: the cookie value and the session's CSRF secret. */
export async function startSession(
  options: AuthOptions,
  userId: string,
): Promise<{ token: string; csrfSecret: string }> {
  const token = newSecret();
  const csrfSecret = newSecret();
  const now = options.now();
  await options.store.createSession({
    id: hashToken(token),
    userId,
    csrfSecret,
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + options.sessionSeconds * 1000).toISOString(),
    lastSeenAt: now.toISOString(),
  });
  return { token, csrfSecret };
}

/** Sets request.trialUser from a valid, unexpired session of an active user; otherwise leaves it unset. */
export async function loadSession(request: FastifyRequest, options: AuthOptions): Promise<void> {
  const token = request.cookies[sessionCookie(options)];
  if (token === undefined || token.length === 0 || token.length > 128) return;
  const id = hashToken(token);
  const session = await options.store.getSession(id);
  if (session === null) return;
  const now = options.now().getTime();
  if (Date.parse(session.expiresAt) <= now || Date.parse(session.createdAt) + options.maxSessionSeconds * 1000 <= now) {
    await options.store.deleteSession(id);
    request.endedSessionUserId = session.userId;
    return;
  }
  if (now - Date.parse(session.lastSeenAt) > 60_000) {
    const expiresAt = new Date(now + options.sessionSeconds * 1000).toISOString();
    await options.store.touchSession(id, expiresAt, new Date(now).toISOString());
  }
  const user = await options.store.getUser(session.userId);
  if (user === null || !user.active) return;
  request.trialUser = {
    id: user.id,
    username: user.username,
    displayName: user.displayName,
    role: user.role,
    site: user.site,
  };
  request.trialSessionId = id;
  request.session = { _csrf: session.csrfSecret };
}

export class AccessDenied extends Error {
  constructor(
    readonly statusCode: 401 | 403,
    message: string,
  ) {
    super(message);
  }
}

/** The guard: 401 without a session, 403 when the role lacks the permission. */
export function requireRole(request: FastifyRequest, access: RouteAccess): void {
  if (access === 'public') return;
  const user = request.trialUser;
  if (user === undefined) throw new AccessDenied(401, 'sign in first');
  if (access !== 'authenticated' && !can(user.role, access)) {
    throw new AccessDenied(403, `the ${user.role} role may not do this`);
  }
}

/** The signed-in user, for handlers behind a non-public guard. */
export function userOf(request: FastifyRequest): TrialUser {
  const user = request.trialUser;
  if (user === undefined) throw new AccessDenied(401, 'sign in first');
  return user;
}

/** The site a user is bound to (coordinators and investigators with a site), or undefined for every site. */
export function siteScope(user: TrialUser): string | undefined {
  return boundSite(user.role, user.site);
}

/** Refuses a record of another site with 404, so a site-bound user cannot even learn that it exists. */
export function checkSite(user: TrialUser, recordSite: string): void {
  const scope = siteScope(user);
  if (scope !== undefined && scope !== recordSite) throw new NotFound();
}

export class NotFound extends Error {
  readonly statusCode = 404;
  constructor() {
    super('not found');
  }
}

const unsafeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Adds to each route of the trial plugin (and lists it in `table`, the route table tests sweep): session loading, the role guard and, on every unsafe method of a
 * non-public route, the CSRF check. A public unsafe route (sign-in) is checked for a same-origin request instead.
 */
export interface GuardedRoute {
  readonly methods: readonly string[];
  readonly url: string;
  readonly access: RouteAccess;
  readonly disclosesAllocation: boolean;
}

export function guardRoutes(app: FastifyInstance, options: AuthOptions, table: GuardedRoute[] = []): void {
  app.decorateRequest('session', null);
  app.addHook('onRoute', (route: RouteOptions) => {
    const access = route.config?.trialAccess;
    if (access === undefined) {
      throw new Error(`trial route ${String(route.method)} ${route.url} declares no trialAccess`);
    }
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    table.push({ methods, url: route.url, access, disclosesAllocation: route.config?.disclosesAllocation === true });
    const unsafe = methods.some((m) => unsafeMethods.has(m));
    const guard = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
      await loadSession(request, options);
      requireRole(request, access);
      if (unsafe && access === 'public') {
        // No session yet, so no token: refuse what a browser marks as coming from another site.
        const site = request.headers['sec-fetch-site'];
        if (site === 'cross-site') throw new AccessDenied(403, 'cross-site request refused');
      } else if (unsafe) {
        // Synchronous: calls back when the token is good, otherwise sends its own 403 (FST_CSRF_*).
        let passed = false;
        app.csrfProtection(request, reply, () => {
          passed = true;
        });
        if (!passed) return reply;
      }
      return undefined;
    };
    const existing = route.preHandler;
    route.preHandler = existing === undefined ? [guard] : [guard, ...(Array.isArray(existing) ? existing : [existing])];
  });
}

/** The CSRF token for forms and API clients of this session. */
export function csrfToken(reply: FastifyReply): string {
  return reply.generateCsrf();
}
