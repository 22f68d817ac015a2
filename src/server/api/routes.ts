/**
 * The REST API: `POST /api/assess` (a FHIR Bundle in, `precision-trd/assessment@1` out), `POST /api/match` (one
 * `precision-trd/trial-match@1` result per trial) and `GET /api/pathways`. The engine validates the Bundle itself
 * (InputError -> 400 OperationOutcome); the route schemas below check the envelope and document it in OpenAPI.
 */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../app.ts';
import { resolveAsOf } from '../as-of.ts';
import { OUTCOME_RESPONSE_SCHEMA, refuseMultipart } from './operation-outcome.ts';

const bundleBody = {
  type: 'object',
  required: ['resourceType'],
  properties: {
    resourceType: { type: 'string', const: 'Bundle' },
    type: { type: 'string' },
    entry: { type: 'array', items: { type: 'object' } },
  },
  description: 'A FHIR R4 Bundle holding one patient (Patient, Condition, Observation, medication resources...).',
} as const;

const outcomeResponse = OUTCOME_RESPONSE_SCHEMA;

/** The media types a Bundle is accepted in (src/server/app.ts), FHIR's first, as the OpenAPI document lists them. */
const BUNDLE_MEDIA_TYPES = ['application/fhir+json', 'application/json'];

const asOfQuery = {
  asOf: {
    // No `pattern` here: the engine checks the date (one message and issue code for every malformed one), where a
    // schema pattern would answer some with Ajv's raw regular expression and no code.
    type: 'string',
    description: 'Assess as of this calendar date (YYYY-MM-DD); default today (UTC). Nothing dated later is used.',
  },
} as const;

export function apiRoutes(context: ServerContext) {
  return async function routes(app: FastifyInstance): Promise<void> {
    app.addHook('preValidation', refuseMultipart);
    app.post<{ Querystring: { asOf?: string } }>(
      '/api/assess',
      {
        schema: {
          summary: 'Assess one patient against the care pathway',
          tags: ['api'],
          querystring: { type: 'object', properties: asOfQuery, additionalProperties: false },
          body: bundleBody,
          consumes: BUNDLE_MEDIA_TYPES,
          response: {
            200: { description: 'precision-trd/assessment@1', type: 'object', additionalProperties: true },
            400: outcomeResponse,
            413: outcomeResponse,
            415: outcomeResponse,
          },
        },
      },
      async (request) =>
        context.engine.assess(request.body, { asOf: resolveAsOf(request.query.asOf, context.today()) }),
    );

    app.post<{ Querystring: { asOf?: string; trial?: string | string[] } }>(
      '/api/match',
      {
        schema: {
          summary: 'Match one patient against the trial protocols, criterion by criterion',
          tags: ['api'],
          querystring: {
            type: 'object',
            properties: {
              ...asOfQuery,
              trial: {
                anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
                description: 'Only these trials (protocol id or registry id); repeatable; default all.',
              },
            },
            additionalProperties: false,
          },
          body: bundleBody,
          consumes: BUNDLE_MEDIA_TYPES,
          response: {
            200: { description: 'precision-trd/trial-match@1, one per trial', type: 'array' },
            400: outcomeResponse,
            413: outcomeResponse,
            415: outcomeResponse,
          },
        },
      },
      async (request) => {
        const trial = request.query.trial;
        const trials = trial === undefined ? undefined : Array.isArray(trial) ? trial : [trial];
        return context.engine.match(request.body, {
          asOf: resolveAsOf(request.query.asOf, context.today()),
          ...(trials === undefined ? {} : { trials }),
        });
      },
    );

    app.get(
      '/api/pathways',
      { schema: { summary: 'The care pathway and the trial protocols this server applies', tags: ['api'] } },
      async () => ({
        pathways: [
          {
            id: context.engine.knowledge.pathway.id,
            version: context.engine.knowledge.pathway.version,
            title: context.engine.knowledge.pathway.title,
            published: context.engine.knowledge.pathway.published,
          },
        ],
        trials: context.engine.protocols.map((p) => ({
          id: p.id,
          version: p.version,
          title: p.title,
          registry: p.registry,
        })),
      }),
    );
  };
}
