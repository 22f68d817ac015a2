/**
 * Logging without patient data: fastify's default request serializer logs the URL (query strings may hold patient
 * ids) and the remote address; these serializers keep the method, the route pattern and the request id only, and
 * the service never logs bodies, FHIR resources, tokens or error messages built from input.
 */
import { LogController, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';

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
        // The frames only: the stack starts with the message, which may run over several lines.
        stack:
          error.stack
            ?.split('\n')
            .filter((line) => /^\s+at /.test(line))
            .slice(0, 7)
            .join('\n') ?? '',
      }),
    },
    redact: { paths: ['req.headers.authorization', 'headers.authorization'], remove: true },
  };
}

/**
 * One line per request, written when the answer is sent: method, route pattern, status and time. Fastify's default
 * logs each request twice (on arrival and on completion); the arrival line adds nothing the completion line lacks
 * except for a request that never completes, and it costs as much again under load (docs/service.md).
 */
export class OneLinePerRequest extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    const line = { req: request, res: reply, responseTime: reply.elapsedTime };
    if (error) reply.log.error({ ...line, err: error }, 'request errored');
    else reply.log.info(line, 'request completed');
  }
}
