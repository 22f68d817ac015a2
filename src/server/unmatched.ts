/**
 * What a request no route answers gets (docs/service.md, "REST API"): a path that a route serves under other methods
 * is 405 with `Allow` naming them (RFC 9110 15.5.6: the resource exists, the method does not); any other path is 404.
 * A browser asking for a page (Accept names text/html) outside the API and CDS Hooks paths gets a page in the app's
 * layout with a link home; every other caller, and every API and CDS Hooks path, a FHIR OperationOutcome.
 */
import FindMyWay from 'find-my-way';
import type { HTTPMethod } from 'find-my-way';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { operationOutcome, sendOutcome } from './api/operation-outcome.ts';
import { sendPage } from './web/layout.ts';
import { methodNotAllowedPage, notFoundPage } from './web/pages.ts';

/** Paths for programs, answered with an OperationOutcome whatever the Accept header says. */
const MACHINE_PATH = /^\/(?:api|cds-services)(?:\/|$)|^\/[^/]+\/api(?:\/|$)/;

/** Whether the client asked for HTML: Accept names text/html (or XHTML) with a weight above 0, as browsers send. */
export function wantsPage(request: FastifyRequest, path: string): boolean {
  if (MACHINE_PATH.test(path)) return false;
  return (request.headers.accept ?? '').split(',').some((range) => {
    const [type, ...params] = range.split(';').map((s) => s.trim().toLowerCase());
    if (type !== 'text/html' && type !== 'application/xhtml+xml') return false;
    const q = params.find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

/**
 * Call before any route is registered: every route is entered, as fastify enters it, in a second router of the same
 * library and options (find-my-way, fastify's own router), which answers "which methods serve this path" for a
 * request that matched none (fastify answers 404 for a known path under another method).
 */
export function registerUnmatched(app: FastifyInstance): void {
  const config = { ...app.initialConfig, ...app.initialConfig.routerOptions };
  const router = FindMyWay({
    ignoreTrailingSlash: config.ignoreTrailingSlash ?? false,
    ignoreDuplicateSlashes: config.ignoreDuplicateSlashes ?? false,
    caseSensitive: config.caseSensitive ?? true,
    maxParamLength: config.maxParamLength ?? 100,
  });
  const methods = new Set<HTTPMethod>();
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat() as HTTPMethod[]) {
      // A path registered twice under one method (fastify refuses it) or under a constraint is entered once.
      if (router.hasRoute(method, route.url)) continue;
      router.on(method, route.url, () => undefined);
      methods.add(method);
    }
  });

  app.setNotFoundHandler((request, reply) => {
    const path = (request.raw.url ?? '/').split('?')[0] ?? '/';
    const page = wantsPage(request, path);
    const serves = (method: HTTPMethod) => router.find(method, path) !== null;
    // A route that matched and found nothing (a static file under /docs) is a 404, not a wrong method. A path only a
    // CORS preflight (OPTIONS) serves is not a resource either.
    const allow = serves(request.method as HTTPMethod) ? [] : [...methods].filter(serves).sort();
    if (allow.some((m) => m !== 'OPTIONS')) {
      void reply.header('allow', allow.join(', '));
      if (page) return sendPage(reply, methodNotAllowedPage(), 405);
      return sendOutcome(
        reply,
        405,
        operationOutcome('not-supported', `method not allowed on this route (allowed: ${allow.join(', ')})`),
      );
    }
    if (page) return sendPage(reply, notFoundPage(), 404);
    return sendOutcome(reply, 404, operationOutcome('not-found', 'no such route'));
  });
}
