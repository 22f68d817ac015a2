/**
 * Reading what the prefetch did not bring from the client's FHIR server (CDS Hooks 2.0 "FHIR resource access"):
 * FHIR REST reads and searches with the `fhirAuthorization` bearer token, following the searchset's `next` links
 * (FHIR R4 paging) and redirects that stay on the server. A search asks for pages of `PAGE_SIZE` (FHIR search
 * `_count`, which a server may lower to its own maximum), so a patient with thousands of results is read in a few
 * pages. Every failure (network, timeout, non-2xx, not a Bundle, more resources or pages than the limits, `next`
 * links that loop, a `next` link or a redirect to another server, an answer over the size limit) is a
 * DataUnavailable, which the route answers with 412 as the spec says. Uses Node's fetch.
 */
import { mebibytes } from '../sizes.ts';

export class DataUnavailable extends Error {
  override readonly name = 'DataUnavailable';
}

export interface FhirAccess {
  /** fhirServer from the hook request, without a trailing slash. */
  readonly baseUrl: string;
  /** fhirAuthorization.access_token: the server is never read without it. */
  readonly accessToken: string;
  readonly timeoutMs?: number;
  /** Stop after this many resources per search: more is not one patient's record, or the server runs away. */
  readonly maxResources?: number;
  /** Stop after this many pages per search (a server paging a few resources at a time, or empty pages). */
  readonly maxPages?: number;
  /** Stop reading an answer past this many bytes (a page of 1,000 resources is a few MiB). */
  readonly maxPageBytes?: number;
}

interface FhirResource {
  readonly resourceType?: unknown;
  readonly id?: unknown;
  readonly [key: string]: unknown;
}

const DEFAULT_TIMEOUT_MS = 10_000;
/**
 * The page size a search asks for. Servers lower it to their own maximum (often 100 to 1,000) and use 10 to 50 without
 * it, which would take a heavily monitored patient's observations through hundreds of pages.
 */
export const PAGE_SIZE = 1000;
const DEFAULT_MAX_RESOURCES = 50_000;
const DEFAULT_MAX_PAGES = 1000;
/**
 * One answer is read into memory to be parsed, so its size is bounded: a server gone wrong (or a fhirServer the
 * caller chose) could otherwise send gigabytes and take the whole service down, every clinician's calls with it.
 */
const DEFAULT_MAX_PAGE_BYTES = 64 * 1024 * 1024;

/** A search query with `_count=PAGE_SIZE` added, unless it states its own; a read ("Patient/1") as it is. */
export function withPageSize(query: string): string {
  const q = query.indexOf('?');
  if (q < 0) return query;
  if (new URLSearchParams(query.slice(q + 1)).has('_count')) return query;
  return `${query}&_count=${PAGE_SIZE}`;
}

const MAX_REDIRECTS = 5;

async function getJson(url: string, access: FhirAccess): Promise<FhirResource> {
  const headers = { accept: 'application/fhir+json', authorization: `Bearer ${access.accessToken}` };
  const signal = AbortSignal.timeout(access.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  let response: Response;
  // Redirects are followed here, and only on the FHIR server: fetch's own following would send the query (with the
  // patient's id) to any host a redirect names, and use that host's answer as the record.
  for (let redirects = 0; ; redirects++) {
    try {
      response = await fetch(url, { headers, signal, redirect: 'manual' });
    } catch {
      throw new DataUnavailable('the FHIR server could not be reached');
    }
    const location = response.headers.get('location');
    if (response.status < 300 || response.status > 399 || location === null) break;
    await response.body?.cancel();
    if (redirects >= MAX_REDIRECTS) throw new DataUnavailable('the FHIR server redirected too many times');
    url = resolveOnServer(new URL(location, url).href, access);
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new DataUnavailable(`the FHIR server answered ${response.status}`);
  }
  const text = await boundedText(response, access.maxPageBytes ?? DEFAULT_MAX_PAGE_BYTES);
  try {
    const body = JSON.parse(text) as unknown;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Error('not an object');
    return body as FhirResource;
  } catch {
    throw new DataUnavailable('the FHIR server sent a body that is not JSON');
  }
}

/** The answer's body as UTF-8 text, read no further than `maxBytes` (then a DataUnavailable). */
async function boundedText(response: Response, maxBytes: number): Promise<string> {
  const tooLarge = () => new DataUnavailable(`the FHIR server sent an answer larger than ${mebibytes(maxBytes)} MiB`);
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw tooLarge();
  }
  if (response.body === null) return '';
  const chunks: Uint8Array[] = [];
  let length = 0;
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      length += value.byteLength;
      if (length > maxBytes) {
        await reader.cancel();
        throw tooLarge();
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof DataUnavailable) throw error;
    throw new DataUnavailable('the FHIR server could not be read to the end');
  }
  // As response.json() decodes: UTF-8, a byte order mark dropped.
  return new TextDecoder('utf-8').decode(Buffer.concat(chunks, length));
}

/** The URL of a relative query ("Observation?patient=1") on the FHIR server, or an absolute URL on that server. */
function resolveOnServer(query: string, access: FhirAccess): string {
  const base = new URL(`${access.baseUrl}/`);
  const url = new URL(query, base);
  if (url.origin !== base.origin || !url.pathname.startsWith(base.pathname)) {
    throw new DataUnavailable('a link points outside the FHIR server');
  }
  return url.href;
}

function nextLink(bundle: FhirResource): string | undefined {
  const links = Array.isArray(bundle.link) ? (bundle.link as { relation?: unknown; url?: unknown }[]) : [];
  const next = links.find((l) => l.relation === 'next' && typeof l.url === 'string');
  return next?.url as string | undefined;
}

/**
 * Whether a search answer says the search failed: an OperationOutcome instead of a Bundle, or a searchset carrying an
 * OperationOutcome with an error or fatal issue (FHIR R4 "search", outcome entries). CDS Hooks 2.0 lets a client send
 * an OperationOutcome as a prefetch value when its own prefetch failed. Either way the data is missing, not empty.
 */
export function isFailedSearch(answer: FhirResource): boolean {
  if (answer.resourceType === 'OperationOutcome') return true;
  if (answer.resourceType !== 'Bundle' || !Array.isArray(answer.entry)) return false;
  return (answer.entry as { resource?: FhirResource }[]).some(
    (e) =>
      e?.resource?.resourceType === 'OperationOutcome' &&
      Array.isArray(e.resource.issue) &&
      (e.resource.issue as { severity?: unknown }[]).some((i) => i?.severity === 'error' || i?.severity === 'fatal'),
  );
}

/** The resources of a searchset Bundle's entries (search.mode match or include), OperationOutcomes left out. */
export function bundleResources(bundle: FhirResource): FhirResource[] {
  const entries = Array.isArray(bundle.entry) ? (bundle.entry as { resource?: unknown }[]) : [];
  const out: FhirResource[] = [];
  for (const entry of entries) {
    const resource = entry?.resource;
    if (typeof resource !== 'object' || resource === null) continue;
    if ((resource as FhirResource).resourceType === 'OperationOutcome') continue;
    out.push(resource as FhirResource);
  }
  return out;
}

/**
 * The resources a prefetch query yields: a read ("Patient/123") gives one resource, a search every page's entries.
 * `first` is an already-fetched first page (a prefetched searchset whose `next` link still needs following).
 */
export async function fetchQuery(query: string, access: FhirAccess, first?: FhirResource): Promise<FhirResource[]> {
  let page = first ?? (await getJson(resolveOnServer(withPageSize(query), access), access));
  if (typeof page.resourceType !== 'string') throw new DataUnavailable('the FHIR server sent something not FHIR');
  if (isFailedSearch(page)) throw new DataUnavailable('the FHIR server answered with an error OperationOutcome');
  if (page.resourceType !== 'Bundle') {
    // A read ("Patient/123") answers the type it names; a search answers a Bundle.
    if (query.includes('?') || page.resourceType !== query.split('/', 1)[0]) {
      // The type is named when it is a type name, never other text the server sent (the reason is logged).
      const type = /^[A-Z][A-Za-z]{1,63}$/.test(page.resourceType) ? page.resourceType : 'resource of no FHIR type';
      throw new DataUnavailable(`the FHIR server answered with a ${type}`);
    }
    return [page];
  }
  const resources = bundleResources(page);
  const maxPages = access.maxPages ?? DEFAULT_MAX_PAGES;
  const maxResources = access.maxResources ?? DEFAULT_MAX_RESOURCES;
  const followed = new Set<string>();
  for (let pages = 1; ; pages++) {
    if (resources.length > maxResources)
      throw new DataUnavailable(`more than ${maxResources} resources for one search`);
    const next = nextLink(page);
    if (next === undefined) return resources;
    if (pages >= maxPages) throw new DataUnavailable(`more than ${maxPages} pages for one search`);
    const url = resolveOnServer(next, access);
    // A next link to a page already read would repeat it (and its resources) until the page limit.
    if (followed.has(url)) throw new DataUnavailable("the FHIR server's next links loop");
    followed.add(url);
    page = await getJson(url, access);
    if (page.resourceType !== 'Bundle') throw new DataUnavailable('a next page is not a Bundle');
    if (isFailedSearch(page)) throw new DataUnavailable('the FHIR server answered with an error OperationOutcome');
    for (const r of bundleResources(page)) resources.push(r);
  }
}

export { nextLink };
export type { FhirResource };
