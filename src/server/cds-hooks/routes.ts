/**
 * CDS Hooks 2.0 endpoints: discovery (`GET /cds-services`), the three services (`POST /cds-services/{id}`), and
 * feedback (`POST` to store, `GET` to list, `/cds-services/{id}/feedback`). Client authentication runs in an
 * onRequest hook, before the body is even parsed: a failure is 401 and nothing is read, fetched or evaluated.
 * CORS is open to any origin for these routes, as the spec advises for browser-based CDS clients.
 */
import cors from '@fastify/cors';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ServerContext } from '../app.ts';
import {
  HttpError,
  operationOutcome,
  OUTCOME_RESPONSE_SCHEMA,
  refuseMultipart,
  sendOutcome,
} from '../api/operation-outcome.ts';
import { todayIso } from '../as-of.ts';
import { AuthFailure, CLOCK_SKEW_SECONDS } from '../auth/cds-jwt.ts';
import type { CdsAuthenticator, VerifiedClient } from '../auth/cds-jwt.ts';
import { orderCheckCards, patientViewCards } from './cards.ts';
import type { Card } from './cards.ts';
import {
  draftIl6Orders,
  hasDraftForAnotherPatient,
  hasDraftMedicationRequest,
  unknownSelection,
  unreadMedications,
} from './draft-orders.ts';
import { DataUnavailable } from './fhir-client.ts';
import type { FhirResource } from './fhir-client.ts';
import { FeedbackRequestSchema } from './feedback-store.ts';
import type { FeedbackStore } from './feedback-store.ts';
import { assembleRecord, fetchReferenced } from './prefetch.ts';
import { cdsServices } from './services.ts';
import type { CdsService } from './services.ts';

export interface CdsOptions {
  readonly authenticator?: CdsAuthenticator;
  /** Accept calls without a JWT (a JWT that is sent is still checked). */
  readonly allowUnauthenticated: boolean;
  /** The FHIR servers (base URLs) a call may name to be read with its fhirAuthorization; empty: any. */
  readonly fhirServers: readonly string[];
  readonly feedback: FeedbackStore;
}

/** Whether `url` is one of `bases` or under one (same origin, path within the base's path). */
export function onFhirServerList(url: string, bases: readonly string[]): boolean {
  const wanted = new URL(url);
  const path = `${wanted.pathname.replace(/\/+$/, '')}/`;
  return bases.some((b) => {
    const base = new URL(b);
    return base.origin === wanted.origin && path.startsWith(`${base.pathname.replace(/\/+$/, '')}/`);
  });
}

const HookRequestSchema = z
  .object({
    hook: z.string().min(1),
    hookInstance: z.string().min(1).max(128),
    fhirServer: z.url({ protocol: /^https?$/ }).optional(),
    fhirAuthorization: z
      .object({
        access_token: z.string().min(1),
        // CDS Hooks fixes "Bearer"; OAuth 2.0 (RFC 6749, 7.1) has token types case-insensitive, and authorization
        // servers answer "bearer" too: the same token type, sent as "Bearer".
        token_type: z.string().regex(/^bearer$/i, 'must be "Bearer"'),
        expires_in: z.number().optional(),
        scope: z.string(),
        subject: z.string(),
        patient: z.string().optional(),
      })
      .nullable()
      .optional(),
    context: z.looseObject({ patientId: z.string().min(1).max(64), userId: z.string().optional() }),
    prefetch: z.record(z.string(), z.unknown()).nullable().optional(),
  })
  // CDS Hooks 2.0: fhirServer is required when fhirAuthorization is given.
  .refine((r) => r.fhirAuthorization == null || r.fhirServer !== undefined, {
    path: ['fhirServer'],
    message: 'required with fhirAuthorization',
  })
  // CDS Hooks 2.0: fhirAuthorization.patient is the patient a patient-scoped token is restricted to. Another than
  // context.patientId: the record would be read with a token for someone else, whose answers are no record of this one.
  .refine((r) => r.fhirAuthorization?.patient === undefined || r.fhirAuthorization.patient === r.context.patientId, {
    path: ['fhirAuthorization', 'patient'],
    message: 'is not context.patientId',
  })
  // CDS Hooks 2.0: fhirServer's scheme should be https; the bearer token is never sent in clear beyond this host.
  .refine((r) => r.fhirAuthorization == null || r.fhirServer === undefined || !cleartextOffHost(r.fhirServer), {
    path: ['fhirServer'],
    message: 'must be https to be read with fhirAuthorization (http only on loopback)',
  });

/** Whether the URL's host is this machine's loopback. */
export function onLoopback(url: URL): boolean {
  const host = url.hostname;
  return host === 'localhost' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** An http (not https) URL whose host is not this machine's loopback. */
function cleartextOffHost(url: string): boolean {
  const parsed = new URL(url);
  return parsed.protocol === 'http:' && !onLoopback(parsed);
}

/** The context the order hooks require besides patientId (CDS Hooks 2.0 order-sign, order-select). */
const DraftOrdersSchema = z.looseObject({
  resourceType: z.literal('Bundle'),
  // Each entry holds a resource: an order the service cannot read would otherwise be passed over, with no card.
  entry: z.array(z.looseObject({ resource: z.looseObject({ resourceType: z.string().min(1) }) })).optional(),
});
const OrderContextSchemas = {
  'order-sign': z.looseObject({ draftOrders: DraftOrdersSchema }),
  'order-select': z.looseObject({ draftOrders: DraftOrdersSchema, selections: z.array(z.string()) }),
};

/**
 * The OpenAPI description of the CDS routes (served at /docs): the request bodies from the zod schemas that check
 * them, and every status a call can answer. zod checks the bodies (its messages name the field), so these routes
 * compile no validator or serializer from the schemas: they are documentation only.
 */
const DOCUMENTATION_ONLY = {
  validatorCompiler: () => () => true,
  serializerCompiler: () => (data: unknown) => JSON.stringify(data),
};

function openApiBody(schema: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
}

const AUTH_ERRORS = {
  401: { ...OUTCOME_RESPONSE_SCHEMA, description: 'Client authentication failed (CDS Hooks 2.0 JWT); nothing read.' },
  404: { ...OUTCOME_RESPONSE_SCHEMA, description: 'No such CDS service.' },
} as const;
const BODY_ERRORS = {
  400: { ...OUTCOME_RESPONSE_SCHEMA, description: 'The body breaks the CDS Hooks 2.0 rules named in diagnostics.' },
  413: { ...OUTCOME_RESPONSE_SCHEMA, description: 'The body is over the size limit.' },
  415: { ...OUTCOME_RESPONSE_SCHEMA, description: 'Not JSON (UTF-8).' },
} as const;

function zodReason(error: z.ZodError): string {
  const first = error.issues[0];
  return `${first?.path.join('.') || 'body'}: ${first?.message ?? 'invalid'}`;
}

declare module 'fastify' {
  interface FastifyRequest {
    cdsClient?: VerifiedClient;
  }
}

export function cdsRoutes(context: ServerContext, options: CdsOptions) {
  const services = cdsServices(context.engine.knowledge);
  const byId = new Map(services.map((s) => [s.id, s]));

  return async function routes(app: FastifyInstance): Promise<void> {
    await app.register(cors, {
      origin: '*',
      methods: ['GET', 'POST', 'OPTIONS'],
      allowedHeaders: ['Authorization', 'Content-Type'],
      maxAge: 600,
    });
    app.decorateRequest('cdsClient', undefined);
    app.addHook('preValidation', refuseMultipart);

    /**
     * The onRequest check of one route: the JWT's `aud` must be that route's own absolute URL (`path` after the
     * service's; '' for the service call, '/feedback'), so a token minted for one endpoint opens no other.
     */
    const authenticate =
      (path: '' | '/feedback') =>
      async (request: FastifyRequest<{ Params: { id: string } }>): Promise<void> => {
        const service = byId.get(request.params.id);
        if (service === undefined) throw new HttpError(404, 'not-found', 'no such CDS service');
        const header = request.headers.authorization;
        if (header === undefined && options.allowUnauthenticated) return;
        const endpoint = `${context.publicUrl()}/cds-services/${service.id}${path}`;
        try {
          if (options.authenticator === undefined) throw new AuthFailure('no CDS client is trusted by this server');
          request.cdsClient = await options.authenticator.verify(header, endpoint);
        } catch (error) {
          if (!(error instanceof AuthFailure)) throw error;
          request.log.warn({ check: error.message }, 'CDS client authentication failed');
          throw new HttpError(401, 'login', `authentication failed: ${error.message}`, 'cds.auth', {
            'www-authenticate': 'Bearer',
          });
        }
      };

    const serviceId = { type: 'object', properties: { id: { type: 'string', enum: services.map((s) => s.id) } } };
    app.get(
      '/',
      {
        ...DOCUMENTATION_ONLY,
        schema: {
          summary: 'CDS Hooks discovery',
          tags: ['cds-hooks'],
          response: {
            200: {
              description: 'The services: hook, id, title, description, prefetch templates.',
              type: 'object',
              properties: { services: { type: 'array', items: { type: 'object', additionalProperties: true } } },
            },
          },
        },
      },
      async () => ({ services }),
    );

    app.post<{ Params: { id: string } }>(
      '/:id',
      {
        ...DOCUMENTATION_ONLY,
        onRequest: authenticate(''),
        schema: {
          summary: 'Call a CDS service (CDS Hooks 2.0)',
          tags: ['cds-hooks'],
          params: serviceId,
          body: openApiBody(HookRequestSchema),
          response: {
            200: {
              description: 'Cards (summary, indicator, detail, source, suggestions, links, overrideReasons).',
              type: 'object',
              properties: {
                cards: { type: 'array', items: { type: 'object', additionalProperties: true } },
                systemActions: { type: 'array', items: { type: 'object', additionalProperties: true } },
              },
            },
            ...BODY_ERRORS,
            ...AUTH_ERRORS,
            412: {
              ...OUTCOME_RESPONSE_SCHEMA,
              description: 'Data unavailable: a prefetch key missing, failed or partial that fhirServer cannot supply.',
            },
          },
        },
      },
      async (request, reply) => {
        const service = byId.get(request.params.id) as CdsService;
        const parsed = HookRequestSchema.safeParse(request.body);
        if (!parsed.success) throw new HttpError(400, 'invalid', zodReason(parsed.error), 'cds.request.invalid');
        const hookRequest = parsed.data;
        if (
          hookRequest.fhirAuthorization != null &&
          hookRequest.fhirServer !== undefined &&
          options.fhirServers.length > 0 &&
          !onFhirServerList(hookRequest.fhirServer, options.fhirServers)
        ) {
          // The bearer token and the patient's id go to no server the service agreement does not name.
          throw new HttpError(400, 'invalid', 'fhirServer is not one this service may read', 'cds.fhir-server');
        }
        if (hookRequest.hook !== service.hook) {
          throw new HttpError(400, 'invalid', `this service answers the ${service.hook} hook`, 'cds.request.hook');
        }
        // CDS Hooks 2.0 lets a patient-facing client call with a Patient or RelatedPerson user. These cards are for
        // clinicians (a suicide-risk alert, work-up orders, the decision trace): never shown to the patient.
        if (/^(Patient|RelatedPerson)\//.test(hookRequest.context.userId ?? '')) {
          throw new HttpError(
            400,
            'invalid',
            'context.userId: these services answer clinicians (Practitioner, PractitionerRole), not a Patient or RelatedPerson',
            'cds.request.user',
          );
        }
        if (service.hook !== 'patient-view') {
          const order = OrderContextSchemas[service.hook].safeParse(hookRequest.context);
          if (!order.success) {
            throw new HttpError(400, 'invalid', `context.${zodReason(order.error)}`, 'cds.request.invalid');
          }
        }
        const selections = service.hook === 'order-select' ? stringList(hookRequest.context.selections) : undefined;
        const unknown =
          selections === undefined ? undefined : unknownSelection(hookRequest.context.draftOrders, selections);
        if (unknown !== undefined) {
          throw new HttpError(
            400,
            'invalid',
            `context.selections[${unknown}] names no order in context.draftOrders`,
            'cds.selections.unknown',
          );
        }
        if (
          service.hook !== 'patient-view' &&
          hasDraftForAnotherPatient(hookRequest.context.draftOrders, hookRequest.context.patientId, selections)
        ) {
          throw new HttpError(
            400,
            'invalid',
            "a draft order's subject is not context.patientId",
            'cds.draft-orders.patient-mismatch',
          );
        }
        if (
          service.hook !== 'patient-view' &&
          !hasDraftMedicationRequest(hookRequest.context.draftOrders, selections)
        ) {
          // Orders for something other than a medication: nothing to check, nothing to fetch.
          return { cards: [], systemActions: [] };
        }
        let record;
        /** The record's resources, and the Medications of draft orders that only fhirServer holds. */
        const resources: FhirResource[] = [];
        try {
          record = await assembleRecord(hookRequest, service.prefetch);
          resources.push(...record.bundle.entry.map((e) => e.resource));
        } catch (error) {
          if (!(error instanceof DataUnavailable)) throw error;
          request.log.warn({ reason: error.message }, 'CDS data unavailable');
          return sendOutcome(reply, 412, operationOutcome('incomplete', error.message, 'cds.data-unavailable'));
        }
        // A draft whose Medication nothing sent could be an IL-6 blocker: it is read, never passed over.
        const unread =
          service.hook === 'patient-view'
            ? []
            : unreadMedications(hookRequest.context.draftOrders, resources, selections);
        let unavailable: DataUnavailable | undefined;
        if (unread.length > 0) {
          try {
            resources.push(
              ...(await fetchReferenced(
                hookRequest,
                unread.map((u) => ({
                  what: `the Medication of context.draftOrders.entry[${u.position}]`,
                  reference: u.medication,
                })),
              )),
            );
          } catch (error) {
            if (!(error instanceof DataUnavailable)) throw error;
            request.log.warn({ reason: error.message }, 'CDS data unavailable');
            unavailable = error;
          }
        }
        const asOf = todayIso(context.today());
        const patientId = hookRequest.context.patientId;
        let cards: Card[];
        if (service.hook === 'patient-view') {
          // One normalized record and one derivation of the facts for both the assessment and the trial matches.
          const { assessment, matches } = context.engine.assessAndMatchRecord(context.engine.read(record.bundle), {
            asOf,
          });
          cards = patientViewCards(context.engine.knowledge, assessment, matches, patientId);
        } else {
          const orders = draftIl6Orders(
            context.engine.knowledge,
            hookRequest.context.draftOrders,
            resources,
            selections,
          );
          // The IL-6 blocker orders identified without an unreadable Medication are still checked: their cards are
          // never withheld for another order's Medication; with none, the answer could not say whether there is one.
          if (unavailable !== undefined && orders.length === 0) {
            return sendOutcome(reply, 412, operationOutcome('incomplete', unavailable.message, 'cds.data-unavailable'));
          }
          if (orders.length === 0) {
            cards = [];
          } else {
            const { assessment, missingWorkup } = context.engine.assessForOrder(context.engine.read(record.bundle), {
              asOf,
            });
            cards = orderCheckCards(context.engine.knowledge, assessment, missingWorkup, orders, patientId);
          }
        }
        return { cards, systemActions: [] };
      },
    );

    app.post<{ Params: { id: string } }>(
      '/:id/feedback',
      {
        ...DOCUMENTATION_ONLY,
        onRequest: authenticate('/feedback'),
        schema: {
          summary: 'Feedback on cards (CDS Hooks 2.0)',
          tags: ['cds-hooks'],
          params: serviceId,
          body: openApiBody(FeedbackRequestSchema),
          response: {
            200: {
              description:
                'How many entries were stored, and (when any) how many were already stored: sent before by the same client, a retry, so not stored again.',
              type: 'object',
              properties: { stored: { type: 'integer' }, alreadyStored: { type: 'integer' } },
            },
            ...BODY_ERRORS,
            ...AUTH_ERRORS,
          },
        },
      },
      async (request) => {
        const parsed = FeedbackRequestSchema.safeParse(request.body);
        if (!parsed.success) throw new HttpError(400, 'invalid', zodReason(parsed.error), 'cds.feedback.invalid');
        const now = context.today();
        // The card was acted on before the feedback came: a later outcomeTimestamp (beyond the clock skew allowed for
        // tokens) is a client clock or field error, and stored it would misdate the clinician's decision.
        const late = parsed.data.feedback.findIndex(
          (f) => Date.parse(f.outcomeTimestamp) > now.getTime() + CLOCK_SKEW_SECONDS * 1000,
        );
        if (late >= 0) {
          throw new HttpError(
            400,
            'invalid',
            `feedback.${late}.outcomeTimestamp: after the feedback was received (${now.toISOString()}); it says when the card was acted on`,
            'cds.feedback.invalid',
          );
        }
        const { ids, alreadyStored } = options.feedback.add(
          request.params.id,
          parsed.data,
          now.toISOString(),
          request.cdsClient?.issuer,
        );
        return { stored: ids.length, ...(alreadyStored === 0 ? {} : { alreadyStored }) };
      },
    );

    app.get<{ Params: { id: string } }>(
      '/:id/feedback',
      {
        ...DOCUMENTATION_ONLY,
        onRequest: authenticate('/feedback'),
        schema: {
          summary: 'Feedback stored for a service',
          tags: ['cds-hooks'],
          params: serviceId,
          response: {
            200: {
              description: "The caller's own entries, newest first.",
              type: 'object',
              properties: { feedback: { type: 'array', items: { type: 'object', additionalProperties: true } } },
            },
            ...AUTH_ERRORS,
          },
        },
      },
      // Only the caller's own entries: another client's (and their free-text comments) are not its to read.
      async (request) => ({ feedback: options.feedback.list(request.params.id, request.cdsClient?.issuer) }),
    );
  };
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}
