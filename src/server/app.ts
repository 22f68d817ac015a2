/**
 * The HTTP service: one fastify instance that serves the REST API (api/), CDS Hooks (cds-hooks/) and the clinician
 * web app (web/). It is an output adapter: every route calls the engine door (src/engine) and renders its result;
 * no clinical rule lives here. Other features add their routes as fastify plugins through `options.plugins`
 * (docs/service.md, "Adding routes").
 */
import multipart from '@fastify/multipart';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify from 'fastify';
import type {
  FastifyBodyParser,
  FastifyInstance,
  FastifyPluginAsync,
  FastifyRequest,
  FastifyServerOptions,
} from 'fastify';
import { createEngine } from '../engine/index.ts';
import type { Engine } from '../engine/index.ts';
import { jsonSyntaxReason, utf8Text } from '../record/index.ts';
import { HttpError, registerErrorHandling } from './api/operation-outcome.ts';
import { apiRoutes } from './api/routes.ts';
import { cdsAuthenticator, ReplayCache } from './auth/cds-jwt.ts';
import type { CdsClient } from './auth/jwks.ts';
import { SqliteReplayCache } from './auth/replay-store.ts';
import { FeedbackStore } from './cds-hooks/feedback-store.ts';
import { cdsRoutes } from './cds-hooks/routes.ts';
import { registerUnmatched } from './unmatched.ts';
import { webRoutes } from './web/routes.ts';
import { loggerOptions, OneLinePerRequest } from './log.ts';

export interface ServerPlugin {
  readonly plugin: FastifyPluginAsync;
  /** Route prefix, e.g. "/trial". */
  readonly prefix?: string;
}

export interface ServerOptions {
  /** The engine to serve; default createEngine() (the bundled pathway), loaded once per process. */
  readonly engine?: Engine;
  /**
   * The absolute URL clients use to reach this server (no trailing slash), e.g. https://cds.example.org. CDS Hooks
   * JWTs must carry `aud` = this URL + /cds-services/{id} (+ /feedback for feedback). Default http://HOST:PORT once
   * listening.
   */
  readonly publicUrl?: string;
  /** false (tests, bench) or a pino level; default 'info'. */
  readonly logLevel?: string | false;
  /** Where log lines go (default standard output); tests capture them to check that no patient data is logged. */
  readonly logStream?: { write(line: string): void };
  /** Largest accepted request body in bytes (JSON and uploads). */
  readonly bodyLimitBytes?: number;
  /** Trusted CDS clients (issuer and keys); without any, every CDS call is 401 unless allowUnauthenticated. */
  readonly cdsClients?: readonly CdsClient[];
  /** Accept CDS Hooks calls without a client JWT (the demo; never in production). */
  readonly allowUnauthenticated?: boolean;
  /**
   * The FHIR servers (base URLs) the CDS services may read with a caller's fhirAuthorization; a call naming another
   * is a 400 and nothing is fetched. Empty or absent: any https server (http on loopback).
   */
  readonly fhirServers?: readonly string[];
  /** Where SQLite files live (CDS feedback, the JWT replay cache); default in memory. */
  readonly dataDir?: string;
  /** The folder of demo patients (index.json and bundles); default examples/demo of this package. */
  readonly demoDir?: string;
  /** Extra features registered inside the same server (each encapsulated, with its own prefix). */
  readonly plugins?: readonly ServerPlugin[];
  /** Today, for the default as-of date; the only clock the routes read. */
  readonly today?: () => Date;
  /**
   * The reverse proxies in front (addresses, CIDR ranges, or loopback / linklocal / uniquelocal): a request from one
   * of them is taken to come from the client its X-Forwarded-For names (the sign-in limit counts per client). Without
   * it the header is ignored, so that a client cannot name itself anew on each request.
   */
  readonly trustProxy?: readonly string[];
}

/** 8 MiB: a Synthea-size bundle of one patient fits; a runaway upload does not. */
export const DEFAULT_BODY_LIMIT_BYTES = 8 * 1024 * 1024;

export interface ServerContext {
  readonly engine: Engine;
  readonly today: () => Date;
  /** The absolute base URL, resolved once the server listens when not configured. */
  publicUrl(): string;
}

export async function buildServer(options: ServerOptions = {}): Promise<FastifyInstance> {
  const fastifyOptions: FastifyServerOptions = {
    logger: options.logLevel === false ? false : loggerOptions(options.logLevel ?? 'info', options.logStream),
    bodyLimit: options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES,
    return503OnClosing: true,
    logController: new OneLinePerRequest(),
    // A query parameter a route does not take (additionalProperties: false) is refused, not dropped: fastify's
    // default removes it, so `?asof=2025-01-01` (a typo) was assessed as of today with a 200.
    ajv: { customOptions: { removeAdditional: false } },
    ...(options.trustProxy === undefined || options.trustProxy.length === 0
      ? {}
      : { trustProxy: [...options.trustProxy] }),
  };
  const app = Fastify(fastifyOptions);
  const engine = options.engine ?? createEngine();
  const context: ServerContext = {
    engine,
    today: options.today ?? (() => new Date()),
    publicUrl: () => options.publicUrl ?? listeningUrl(app),
  };
  registerErrorHandling(app);
  registerUnmatched(app);
  // Any answer may hold patient data (an assessment, a CDS card, a refusal naming a record): none may stay in a
  // browser's or a proxy's cache, and none may be sniffed into another type. A route that sets its own caching keeps it.
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    reply.header('x-content-type-options', 'nosniff');
    done(null, payload);
  });
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'precision-trd service',
        version: engine.pathway.version,
        description:
          'REST API (FHIR R4 Bundle in, precision-trd/assessment@1 and trial-match@1 out) and CDS Hooks 2.0 services. Errors are FHIR OperationOutcome; a path served under other methods than the one called answers 405 with Allow naming them.',
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(multipart, {
    limits: { fileSize: options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES, files: 1, fields: 5, parts: 6 },
  });
  // Bodies are JSON (FHIR's media type parsed like application/json) or multipart uploads; text is refused (415).
  app.removeContentTypeParser(['text/plain', 'application/json']);
  app.addContentTypeParser(
    ['application/json', 'application/fhir+json', 'application/json+fhir'],
    { parseAs: 'buffer' },
    utf8JsonParser(app.getDefaultJsonParser('error', 'error')),
  );
  app.get('/health', async () => ({
    status: 'ok',
    pathway: engine.pathway,
  }));

  await app.register(apiRoutes(context));
  const feedback = new FeedbackStore(options.dataDir);
  app.addHook('onClose', async () => feedback.close());
  const replay = options.dataDir === undefined ? new ReplayCache() : new SqliteReplayCache(options.dataDir);
  if (replay instanceof SqliteReplayCache) app.addHook('onClose', async () => replay.close());
  await app.register(
    cdsRoutes(context, {
      ...(options.cdsClients !== undefined && options.cdsClients.length > 0
        ? { authenticator: cdsAuthenticator(options.cdsClients, replay) }
        : {}),
      allowUnauthenticated: options.allowUnauthenticated === true,
      fhirServers: options.fhirServers ?? [],
      feedback,
    }),
    { prefix: '/cds-services' },
  );
  await app.register(webRoutes(context, { ...(options.demoDir === undefined ? {} : { demoDir: options.demoDir }) }));

  for (const extra of options.plugins ?? []) {
    await app.register(extra.plugin, extra.prefix === undefined ? {} : { prefix: extra.prefix });
  }
  return app;
}

const CHARSET = /;\s*charset\s*=\s*(?:"([^"]*)"|([^\s;]*))/i;

/**
 * A request body's text, read as UTF-8 and nothing else: a charset other than utf-8 is 415 and bytes that are not
 * UTF-8 are 400, where decoding them as UTF-8 would read a body the client did not send (U+FFFD in place of each bad
 * byte). JSON is UTF-8 (RFC 8259); the trial's form posts are read the same way (src/server/trial/form-body.ts).
 */
export function utf8Body(request: FastifyRequest, body: Buffer): string {
  const charset = CHARSET.exec(request.headers['content-type'] ?? '');
  if (charset !== null && (charset[1] ?? charset[2] ?? '').toLowerCase() !== 'utf-8') {
    throw new HttpError(415, 'not-supported', 'unsupported charset (send UTF-8)');
  }
  const text = utf8Text(body);
  if (text === undefined) throw new HttpError(400, 'structure', 'the body is not valid UTF-8');
  return text;
}

function utf8JsonParser(parseJson: FastifyBodyParser<string>): FastifyBodyParser<Buffer> {
  return (request, body, done) => {
    let text: string;
    try {
      text = utf8Body(request, body);
    } catch (error) {
      done(error as HttpError, undefined);
      return;
    }
    parseJson(request, text, (error, body) => {
      if ((error as { code?: string } | null)?.code !== 'FST_ERR_CTP_INVALID_JSON_BODY') return done(error, body);
      // fastify's parser drops the SyntaxError: read the text once more, on this error path only, for where and how
      // it breaks (a body cut short, NDJSON's second line), never a character of it.
      try {
        JSON.parse(text);
      } catch (syntax) {
        const why = jsonSyntaxReason((syntax as Error).message);
        return done(new HttpError(400, 'structure', `the body is not valid JSON (${why})`), undefined);
      }
      return done(error, body); // valid JSON that the parser refused (a __proto__ key)
    });
  };
}

/** http://host:port of the first address the server listens on (before listening: http://127.0.0.1). */
function listeningUrl(app: FastifyInstance): string {
  const address = app.server.address();
  if (address === null || typeof address === 'string') return 'http://127.0.0.1';
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}
