/**
 * Shared by the service's tests: a server on 127.0.0.1 port 0 with a fixed clock, an engine that counts its calls
 * (to prove that a refused request evaluated nothing), and CDS Hooks requests built from a patient's Bundle.
 */
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { createEngine } from '../engine/index.ts';
import type { Engine } from '../engine/index.ts';
import { buildServer } from './app.ts';
import type { ServerOptions } from './app.ts';
import { prefetchKeyByType } from './cds-hooks/services.ts';

export const TEST_TODAY = new Date('2026-11-27T12:00:00Z');
export const sharedEngine = createEngine();

export interface CountingEngine extends Engine {
  readonly calls: { assess: number; match: number };
}

export function countingEngine(engine: Engine = sharedEngine): CountingEngine {
  const calls = { assess: 0, match: 0 };
  return {
    ...engine,
    calls,
    assess: (bundle, options) => {
      calls.assess++;
      return engine.assess(bundle, options);
    },
    match: (bundle, options) => {
      calls.match++;
      return engine.match(bundle, options);
    },
    assessRecord: (record, options) => {
      calls.assess++;
      return engine.assessRecord(record, options);
    },
    matchRecord: (record, options) => {
      calls.match++;
      return engine.matchRecord(record, options);
    },
    assessForOrder: (record, options) => {
      calls.assess++;
      return engine.assessForOrder(record, options);
    },
    assessAndMatchRecord: (record, options) => {
      calls.assess++;
      const both = engine.assessAndMatchRecord(record, options);
      return {
        assessment: both.assessment,
        matches: () => {
          calls.match++;
          return both.matches();
        },
      };
    },
  };
}

export async function startTestServer(
  options: ServerOptions = {},
): Promise<{ app: FastifyInstance; base: string; close: () => Promise<void> }> {
  const app = await buildServer({ logLevel: false, today: () => TEST_TODAY, engine: sharedEngine, ...options });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, base, close: () => app.close() };
}

export interface FhirResourceJson {
  resourceType: string;
  id: string;
  [key: string]: unknown;
}

export function readBundleFile(path: string): { resourceType: 'Bundle'; entry: { resource: FhirResourceJson }[] } {
  return JSON.parse(readFileSync(path, 'utf8')) as { resourceType: 'Bundle'; entry: { resource: FhirResourceJson }[] };
}

/** The full prefetch a CDS client would send for this patient: the Patient and one searchset per key. */
export function fullPrefetch(resources: readonly FhirResourceJson[]): Record<string, unknown> {
  const prefetch: Record<string, unknown> = {};
  const keyOf = prefetchKeyByType(sharedEngine.knowledge);
  for (const key of keyOf.values()) {
    if (key !== 'patient') prefetch[key] = { resourceType: 'Bundle', type: 'searchset', entry: [] };
  }
  for (const resource of resources) {
    if (resource.resourceType === 'Patient') {
      prefetch.patient = resource;
      continue;
    }
    const key = keyOf.get(resource.resourceType);
    if (key !== undefined) (prefetch[key] as { entry: unknown[] }).entry.push({ resource, search: { mode: 'match' } });
  }
  return prefetch;
}

export function patientIdOf(resources: readonly FhirResourceJson[]): string {
  const patient = resources.find((r) => r.resourceType === 'Patient');
  if (patient === undefined) throw new Error('no Patient');
  return patient.id;
}

export function hookRequest(
  hook: string,
  resources: readonly FhirResourceJson[],
  extra: { context?: Record<string, unknown>; prefetch?: unknown; fhirServer?: string; accessToken?: string } = {},
): Record<string, unknown> {
  return {
    hook,
    hookInstance: crypto.randomUUID(),
    context: { userId: 'Practitioner/example', patientId: patientIdOf(resources), ...extra.context },
    ...(extra.prefetch === undefined
      ? { prefetch: fullPrefetch(resources) }
      : extra.prefetch === null
        ? {}
        : { prefetch: extra.prefetch }),
    ...(extra.fhirServer === undefined ? {} : { fhirServer: extra.fhirServer }),
    ...(extra.accessToken === undefined
      ? {}
      : {
          fhirAuthorization: {
            access_token: extra.accessToken,
            token_type: 'Bearer',
            expires_in: 300,
            scope: 'patient/*.read',
            subject: 'cds-service',
          },
        }),
  };
}

export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
}
