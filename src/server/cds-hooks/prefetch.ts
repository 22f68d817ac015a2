/**
 * The patient's record for one hook call: each prefetch key as the client sent it, and what is missing or `null`
 * fetched from `fhirServer` (CDS Hooks 2.0 "Prefetch" and "FHIR resource access"). The result is one FHIR
 * collection Bundle for the engine door. A key whose value is an OperationOutcome (the client's prefetch failed, as
 * the spec allows) counts as missing. The FHIR server is read only when the client gives both `fhirServer` and
 * `fhirAuthorization`, as the spec allows. When a key can be neither read from the prefetch nor fetched, the call
 * fails with DataUnavailable (412).
 */
import { InputError } from '../../engine/index.ts';
import { bundleResources, DataUnavailable, fetchQuery, isFailedSearch, nextLink } from './fhir-client.ts';
import type { FhirAccess, FhirResource } from './fhir-client.ts';

export interface HookRequestData {
  readonly context: Readonly<Record<string, unknown>>;
  readonly prefetch?: Readonly<Record<string, unknown>> | null;
  readonly fhirServer?: string;
  readonly fhirAuthorization?: { readonly access_token?: unknown } | null;
}

const TOKEN = /\{\{\s*context\.([A-Za-z]+)\s*\}\}/g;

function contextValue(context: Readonly<Record<string, unknown>>, name: string): string {
  const value = context[name];
  if (typeof value !== 'string' || value === '') {
    throw new InputError(`context.${name} is required by the prefetch template`, 'cds.context.missing');
  }
  return value;
}

/** Replaces `{{context.x}}` tokens with the context's string values (URL-encoded); unknown tokens fail. */
export function fillTemplate(template: string, context: Readonly<Record<string, unknown>>): string {
  return template.replace(TOKEN, (_all, name: string) => encodeURIComponent(contextValue(context, name)));
}

/** The context names each template uses, found once per template (the templates are fixed at start-up). */
const namesByTemplate = new Map<string, readonly string[]>();

/** Fails as fillTemplate does when the context lacks a token's value, without building the query. */
function checkTemplate(template: string, context: Readonly<Record<string, unknown>>): void {
  let names = namesByTemplate.get(template);
  if (names === undefined) {
    names = [...template.matchAll(TOKEN)].map((m) => m[1] as string);
    namesByTemplate.set(template, names);
  }
  for (const name of names) contextValue(context, name);
}

function isObject(value: unknown): value is FhirResource {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** CDS Hooks 2.0: the service may use the client's FHIR server only with the fhirAuthorization the client gives. */
function access(request: HookRequestData): FhirAccess | string {
  if (typeof request.fhirServer !== 'string' || request.fhirServer === '') return 'there is no fhirServer';
  const token = request.fhirAuthorization?.access_token;
  if (typeof token !== 'string') return 'there is no fhirAuthorization to read fhirServer with';
  return { baseUrl: request.fhirServer.replace(/\/+$/, ''), accessToken: token };
}

type KeyState = 'given' | 'missing' | 'failed' | 'partial';

const STATE_WORDS: Readonly<Record<Exclude<KeyState, 'given'>, readonly [string, string]>> = {
  missing: ['is missing', 'are missing'],
  failed: ['failed at the client', 'failed at the client'],
  partial: ['is partial', 'are partial'],
};

/** "conditions, observations are missing; immunizations failed at the client": the keys not given, by why. */
function unavailable(keys: readonly { key: string; state: KeyState }[]): string {
  return (['missing', 'failed', 'partial'] as const)
    .flatMap((state) => {
      const named = keys.filter((k) => k.state === state).map((k) => k.key);
      return named.length === 0 ? [] : [`${named.join(', ')} ${STATE_WORDS[state][named.length === 1 ? 0 : 1]}`];
    })
    .join('; ');
}

/** Whether a key's value can be read as given, or must be read from the FHIR server, and why. */
function keyState(value: FhirResource | undefined, failed: boolean, readType: string | undefined): KeyState {
  if (value === undefined) return 'missing';
  if (failed) return 'failed';
  if (value.resourceType !== 'Bundle') return 'given';
  if (nextLink(value) !== undefined) return 'partial';
  // A read answered by a Bundle without the resource it reads: not found, so missing.
  if (readType !== undefined && !bundleResources(value).some((r) => r.resourceType === readType)) return 'missing';
  return 'given';
}

export interface AssembledRecord {
  readonly bundle: { resourceType: 'Bundle'; type: 'collection'; entry: { resource: FhirResource }[] };
  /** Prefetch keys read from the FHIR server. */
  readonly fetched: readonly string[];
}

export async function assembleRecord(
  request: HookRequestData,
  templates: Readonly<Record<string, string>>,
): Promise<AssembledRecord> {
  /** How to read the FHIR server, or why it may not be read. */
  const server = access(request);
  const prefetch = isObject(request.prefetch) ? request.prefetch : {};
  const fetched: string[] = [];
  const keys = Object.entries(templates).map(([key, template]) => {
    const value = prefetch[key];
    // The query string is built only to fetch (the Observation one is long); its context tokens are checked always.
    checkTemplate(template, request.context);
    if (value !== undefined && value !== null && !isObject(value)) {
      throw new InputError(`prefetch ${key} is not a FHIR resource`, 'cds.prefetch.invalid');
    }
    // The client's prefetch failed (an OperationOutcome, or a searchset with an error outcome): missing, not empty.
    const failed = isObject(value) && isFailedSearch(value);
    // A key answers what its template asks, as the FHIR server must (fetchQuery): a search a Bundle, a read
    // ("Patient/{{context.patientId}}") the type it names, or a Bundle holding it. Anything else read as the key
    // would be data silently lost (conditions holding a Patient: no depression, no card).
    const readType = template.includes('?') ? undefined : template.split('/', 1)[0];
    if (isObject(value) && !failed && value.resourceType !== 'Bundle' && value.resourceType !== readType) {
      throw new InputError(
        readType === undefined
          ? `prefetch ${key} is not the Bundle its search template asks for`
          : `prefetch ${key} is not the ${readType} its template reads`,
        'cds.prefetch.invalid',
      );
    }
    const state = keyState(isObject(value) ? value : undefined, failed, readType);
    return { key, template, value: isObject(value) ? value : undefined, state };
  });
  // Every key the server cannot supply is named at once, so the integrator fixes the prefetch in one pass.
  if (typeof server === 'string' && keys.some((k) => k.state !== 'given')) {
    throw new DataUnavailable(`prefetch ${unavailable(keys)} and ${server}`);
  }
  const perKey = await Promise.all(
    keys.map(async ({ key, template, value, state }): Promise<FhirResource[]> => {
      if (state === 'given' && value !== undefined) {
        return value.resourceType === 'Bundle' ? bundleResources(value) : [value];
      }
      // Not reached: a key the server cannot supply was named above.
      if (typeof server === 'string') throw new DataUnavailable(`prefetch ${key} ${state} and ${server}`);
      fetched.push(key);
      const query = fillTemplate(template, request.context);
      // A partial searchset is read on from its next link; a missing or failed key is fetched whole.
      return state === 'partial' ? fetchQuery(query, server, value) : fetchQuery(query, server);
    }),
  );
  const seen = new Set<string>();
  const entry: { resource: FhirResource }[] = [];
  // Nested loops, not perKey.flat(): flat is several times slower, and this runs for every resource of every call.
  for (const resources of perKey) {
    for (const resource of resources) {
      const key = `${String(resource.resourceType)}/${String(resource.id)}`;
      if (typeof resource.id === 'string' && seen.has(key)) continue;
      seen.add(key);
      entry.push({ resource });
    }
  }
  const patientId = request.context.patientId;
  const patient = entry.find((e) => e.resource.resourceType === 'Patient');
  if (patient !== undefined && patient.resource.id !== patientId) {
    throw new InputError('the prefetched Patient is not context.patientId', 'cds.prefetch.patient-mismatch');
  }
  return { bundle: { resourceType: 'Bundle', type: 'collection', entry }, fetched: fetched.sort() };
}

/**
 * A relative read reference ("Medication/1"): what the service may read from fhirServer by itself (an absolute
 * reference under fhirServer's base is read as the relative one it ends with).
 */
const READ_REFERENCE = /^[A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64}$/;

/**
 * Resources the call needs but did not send (the Medication a draft order names), read from fhirServer with the
 * client's fhirAuthorization as the prefetch keys are; `what` says which, for the 412 when one cannot be read.
 */
export async function fetchReferenced(
  request: HookRequestData,
  wanted: readonly { what: string; reference: string | undefined }[],
): Promise<FhirResource[]> {
  const server = access(request);
  const read = await Promise.all(
    wanted.map(({ what, reference }) => {
      if (typeof server === 'string') throw new DataUnavailable(`${what} is not sent and ${server}`);
      // An absolute reference to the FHIR server itself is read as the relative one it ends with.
      const relative = reference?.startsWith(`${server.baseUrl}/`)
        ? reference.slice(server.baseUrl.length + 1)
        : reference;
      if (relative === undefined || !READ_REFERENCE.test(relative)) {
        throw new DataUnavailable(`${what} is not sent and its reference cannot be read from fhirServer`);
      }
      return fetchQuery(relative, server);
    }),
  );
  return read.flat();
}
