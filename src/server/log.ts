/**
 * Logging without patient data: fastify's default request serializer logs the URL (query strings may hold patient
 * ids) and the remote address; these serializers keep the method, the route pattern and the request id only, and
 * the service never logs bodies, FHIR resources, tokens or error messages built from input.
 */
import type { FastifyServerOptions } from 'fastify';

export function loggerOptions(level: string, stream?: { write(line: string): void }): FastifyServerOptions['logger'] {
  return {
    level,
    ...(stream === undefined ? {} : { stream }),
    serializers: {
      req: (request: { method?: string; id?: string; routeOptions?: { url?: string } }) => ({
        id: request.id,
        method: request.method,
        route: request.routeOptions?.url,
      }),
      res: (reply: { statusCode?: number }) => ({ status: reply.statusCode }),
      // Errors: the class and code only; messages may quote input.
      err: (error: { name?: string; code?: string; statusCode?: number; stack?: string }) => ({
        type: error.name ?? 'Error',
        code: error.code,
        status: error.statusCode,
        message: '(not logged: may quote input)',
        stack: error.stack?.split('\n').slice(1, 8).join('\n') ?? '',
      }),
    },
    redact: { paths: ['req.headers.authorization', 'headers.authorization'], remove: true },
  };
}
