/**
 * Every error the service returns is a FHIR R4 OperationOutcome with the HTTP status that fits: 400 bad input
 * (InputError from the engine, a failed schema check, malformed JSON), 401 unauthenticated, 404 unknown route, 405 a
 * known route under another method (src/server/unmatched.ts, which also gives a browser its 404 page), 413 body too
 * large, 415 unsupported media type, 412 CDS Hooks data unavailable, 500 otherwise. Diagnostics name fields and codes,
 * never the request's content (it may be patient data).
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { InputError } from '../../engine/index.ts';

export type IssueType =
  | 'invalid'
  | 'structure'
  | 'required'
  | 'value'
  | 'security'
  | 'login'
  | 'not-found'
  | 'conflict'
  | 'throttled'
  | 'too-costly'
  | 'not-supported'
  | 'incomplete'
  | 'exception';

export interface OperationOutcome {
  readonly resourceType: 'OperationOutcome';
  readonly issue: readonly {
    readonly severity: 'fatal' | 'error' | 'warning' | 'information';
    readonly code: IssueType;
    readonly diagnostics: string;
    readonly details?: { readonly coding: readonly { readonly system: string; readonly code: string }[] };
  }[];
}

/**
 * The OpenAPI description of an error answer, shared by every route's documented error statuses: an OperationOutcome
 * in FHIR's media type, as sendOutcome sends it (fastify serializes a response by its content type).
 */
export const OUTCOME_RESPONSE_SCHEMA = {
  description: 'A FHIR OperationOutcome naming the problem (never quoting the request).',
  content: {
    'application/fhir+json': {
      schema: {
        type: 'object',
        properties: { resourceType: { type: 'string', const: 'OperationOutcome' }, issue: { type: 'array' } },
        additionalProperties: true,
      },
    },
  },
} as const;

/** The code system of the engine's Issue codes (src/record/issues.ts) when they travel in an OperationOutcome. */
export const ISSUE_CODE_SYSTEM = 'urn:precision-trd:issue';

export function operationOutcome(code: IssueType, diagnostics: string, issueCode?: string): OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    issue: [
      {
        severity: 'error',
        code,
        diagnostics,
        ...(issueCode === undefined ? {} : { details: { coding: [{ system: ISSUE_CODE_SYSTEM, code: issueCode }] } }),
      },
    ],
  };
}

/** An error with the HTTP status and OperationOutcome to answer; thrown by routes and hooks. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly issueType: IssueType,
    message: string,
    readonly issueCode?: string,
    /** Extra response headers, e.g. WWW-Authenticate. */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

/**
 * The answer to a body in a media type a route does not take; one message for the parser's refusal and the hook's.
 * It names both JSON types every route reads: a CDS Hooks client sends application/json (CDS Hooks 2.0), the REST API's
 * clients often application/fhir+json, and either told to send only the other would be misled.
 */
const UNSUPPORTED_MEDIA_TYPE = 'unsupported media type (send JSON: application/json or application/fhir+json)';

/**
 * A preValidation hook for the routes that take a JSON body: a multipart body (a file posted as a form, `curl -F`)
 * is refused as a media type they do not take (415), as text is. The server reads multipart for the web app's upload
 * only; without this the route saw no body and answered a 400 that the body "must be object".
 */
export async function refuseMultipart(request: FastifyRequest): Promise<void> {
  if (request.isMultipart()) throw new HttpError(415, 'not-supported', UNSUPPORTED_MEDIA_TYPE);
}

export function sendOutcome(reply: FastifyReply, status: number, outcome: OperationOutcome): FastifyReply {
  return reply.code(status).type('application/fhir+json').send(outcome);
}

/** The message of a fastify framework error, rewritten so it never quotes the body. */
export function frameworkError(error: FastifyError): { status: number; type: IssueType; message: string } | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, type: 'too-costly', message: 'request body too large' };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, type: 'not-supported', message: UNSUPPORTED_MEDIA_TYPE };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, type: 'structure', message: 'empty JSON body' };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { status: 400, type: 'structure', message: 'the body is not valid JSON' };
    case 'FST_REQ_FILE_TOO_LARGE':
    case 'FST_PARTS_LIMIT':
    case 'FST_FILES_LIMIT':
      return { status: 413, type: 'too-costly', message: 'upload too large' };
    default:
      break;
  }
  if (error.validation !== undefined) {
    // Ajv messages name the path and the rule, not the value. A constant or a list of allowed values is named from
    // the schema ("body/resourceType must be 'Bundle'", where Ajv says only "must be equal to constant").
    const first = error.validation[0];
    const where = `${error.validationContext ?? 'body'}${first?.instancePath ?? ''}`;
    const params = (first?.params ?? {}) as { allowedValue?: unknown; allowedValues?: unknown };
    const allowed =
      first?.keyword === 'const'
        ? [params.allowedValue]
        : first?.keyword === 'enum' && Array.isArray(params.allowedValues)
          ? params.allowedValues
          : undefined;
    // The name of a parameter the route does not take is the caller's text: not repeated.
    const rule =
      first?.keyword === 'additionalProperties'
        ? 'has a parameter this route does not take (the OpenAPI document at /docs lists those it takes)'
        : allowed === undefined
          ? (first?.message ?? 'is invalid')
          : `must be ${allowed.map((v) => (typeof v === 'string' ? `'${v}'` : JSON.stringify(v))).join(' or ')}`;
    return { status: 400, type: 'invalid', message: `${where} ${rule}` };
  }
  if (error instanceof SyntaxError) return { status: 400, type: 'structure', message: 'the body is not valid JSON' };
  return undefined;
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof HttpError) {
      void reply.headers(error.headers);
      return sendOutcome(reply, error.statusCode, operationOutcome(error.issueType, error.message, error.issueCode));
    }
    if (error instanceof InputError) {
      return sendOutcome(reply, 400, operationOutcome('invalid', error.message, error.code));
    }
    const known = frameworkError(error);
    if (known !== undefined) return sendOutcome(reply, known.status, operationOutcome(known.type, known.message));
    if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
      return sendOutcome(reply, error.statusCode, operationOutcome('invalid', 'bad request'));
    }
    request.log.error({ err: error }, 'unexpected error');
    return sendOutcome(reply, 500, operationOutcome('exception', 'internal error'));
  });
}
