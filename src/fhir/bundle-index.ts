/**
 * Reference resolution inside one Bundle. Resources are found by fullUrl (including `urn:uuid:` ones, as Synthea
 * writes them), by "Type/id", by the "Type/id" tail of an absolute URL, and `#id` inside the referring resource's
 * `contained` list.
 * @see https://hl7.org/fhir/R4/bundle.html#references
 */
import type { ResourceRef } from '../record/index.ts';
import { VERSION_TAIL } from './reference.ts';
import { isObject } from './read.ts';

/** `Type/id` at the end of an absolute or versioned reference. */
const TYPE_AND_ID = new RegExp(`([A-Z][A-Za-z]+/[A-Za-z0-9\\-.]{1,64})${VERSION_TAIL}$`);

export interface Resolved {
  readonly ref: ResourceRef;
  readonly resource: Record<string, unknown>;
}

/**
 * A FHIR resource type name (R4: a capitalised word of at most 64 letters); anything else is not a resource. Tested
 * character by character rather than by a regular expression: every entry of a bundle passes here.
 */
export function isResourceType(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const n = value.length;
  if (n === 0 || n > 64) return false;
  const first = value.charCodeAt(0);
  if (first < 65 || first > 90) return false;
  for (let i = 1; i < n; i++) {
    const c = value.charCodeAt(i);
    if (!((c >= 65 && c <= 90) || (c >= 97 && c <= 122))) return false;
  }
  return true;
}

/**
 * A FHIR id (R4 datatype id, `[A-Za-z0-9\-.]{1,64}`): the only ids that may appear in a reference the engine prints.
 * Tested character by character rather than by a regular expression: every resource read passes here.
 */
export function isFhirId(id: string): boolean {
  const n = id.length;
  if (n === 0 || n > 64) return false;
  for (let i = 0; i < n; i++) {
    const c = id.charCodeAt(i);
    const ok =
      (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 45 /* - */ || c === 46; /* . */
    if (!ok) return false;
  }
  return true;
}

/** A fullUrl worth printing: a URI of printable characters, not too long. */
const PRINTABLE_URI = /^[\x21-\x7e]{1,256}$/;

/**
 * "Type/id", else the fullUrl, else the entry's position. An id or fullUrl that is not a valid one (any length, any
 * character) is replaced by the position, so a reference carried into results and messages is always short and
 * printable.
 */
export function refOf(type: string, resource: Record<string, unknown>, entry: unknown, position: number): ResourceRef {
  const id = resource['id'];
  if (typeof id === 'string' && isFhirId(id)) return `${type}/${id}`;
  // The entry (and its fullUrl) is looked at only when the id cannot be used.
  const fullUrl = isObject(entry) ? entry['fullUrl'] : undefined;
  if (typeof fullUrl === 'string' && PRINTABLE_URI.test(fullUrl)) return fullUrl;
  return `Bundle.entry[${position}]`;
}

/** Bundles up to this many entries resolve a reference by a scan: cheaper than building the maps for a few lookups. */
const SCAN_ENTRIES = 64;

/**
 * Built on the first lookup in a large bundle: most bundles (Synthea's among them) never resolve a reference; a small
 * one is scanned instead, with the same answer (the last valid entry that matches, as a map keeps the last one set).
 * The maps hold entry positions; a resolved entry's printable ref (a regex test and a string) is made only when a
 * reference resolves to it, since a bundle resolves a few of its entries at most.
 */
export class BundleIndex {
  /** fullUrl -> entry position. */
  private byFullUrl: Map<string, number> | undefined;
  /** Resource type -> id -> entry position: no "Type/id" string and no view is built per entry. */
  private byTypeAndId: Map<string, Map<string, number>> | undefined;
  private resolved: Map<number, Resolved> | undefined;

  /** @param entries the Bundle's raw entries (malformed ones are left out here, as the reader leaves them out). */
  constructor(private readonly entries: readonly unknown[]) {}

  /** The resource of a valid entry (an object whose resource has a resourceType), else undefined. */
  private resourceAt(position: number): Record<string, unknown> | undefined {
    const entry = this.entries[position];
    if (!isObject(entry)) return undefined;
    const resource = entry['resource'];
    return isObject(resource) && isResourceType(resource['resourceType']) ? resource : undefined;
  }

  private build(): void {
    const byFullUrl = new Map<string, number>();
    const byTypeAndId = new Map<string, Map<string, number>>();
    for (let position = 0; position < this.entries.length; position++) {
      const resource = this.resourceAt(position);
      if (resource === undefined) continue;
      const fullUrl = (this.entries[position] as Record<string, unknown>)['fullUrl'];
      if (typeof fullUrl === 'string' && fullUrl.length > 0) byFullUrl.set(fullUrl, position);
      const id = resource['id'];
      if (typeof id !== 'string') continue;
      const type = resource['resourceType'] as string;
      let ids = byTypeAndId.get(type);
      if (ids === undefined) byTypeAndId.set(type, (ids = new Map()));
      ids.set(id, position);
    }
    this.byFullUrl = byFullUrl;
    this.byTypeAndId = byTypeAndId;
  }

  /** The last valid entry whose fullUrl is `reference`, by a scan (a small bundle) or the map. */
  private byUrl(reference: string): number | undefined {
    if (this.byFullUrl !== undefined) return this.byFullUrl.get(reference);
    if (reference.length === 0) return undefined;
    for (let position = this.entries.length - 1; position >= 0; position--) {
      const entry = this.entries[position];
      if (isObject(entry) && entry['fullUrl'] === reference && this.resourceAt(position) !== undefined) return position;
    }
    return undefined;
  }

  /** The entry whose "Type/id" is `typeAndId` exactly (a resource type never holds a '/', so the first one splits). */
  private byReference(typeAndId: string): number | undefined {
    const slash = typeAndId.indexOf('/');
    if (slash < 0) return undefined;
    if (this.byTypeAndId !== undefined) {
      return this.byTypeAndId.get(typeAndId.slice(0, slash))?.get(typeAndId.slice(slash + 1));
    }
    for (let position = this.entries.length - 1; position >= 0; position--) {
      const resource = this.resourceAt(position);
      if (resource === undefined) continue;
      const type = resource['resourceType'] as string;
      const id = resource['id'];
      if (
        typeof id === 'string' &&
        type.length === slash &&
        typeAndId.length === slash + 1 + id.length &&
        typeAndId.startsWith(type) &&
        typeAndId.endsWith(id)
      ) {
        return position;
      }
    }
    return undefined;
  }

  private resolvedOf(position: number | undefined): Resolved | undefined {
    if (position === undefined) return undefined;
    this.resolved ??= new Map();
    let r = this.resolved.get(position);
    if (r === undefined) {
      const resource = this.resourceAt(position);
      if (resource === undefined) return undefined;
      const ref = refOf(resource['resourceType'] as string, resource, this.entries[position], position);
      this.resolved.set(position, (r = { ref, resource }));
    }
    return r;
  }

  /** The ref a reference points to, when the target is in the bundle. */
  refOf(reference: string): ResourceRef | undefined {
    return this.resolve(reference)?.ref;
  }

  resolve(reference: string, contained?: readonly unknown[]): Resolved | undefined {
    if (reference.startsWith('#')) {
      const id = reference.slice(1);
      for (const r of contained ?? []) {
        if (isObject(r) && r['id'] === id) return { ref: reference, resource: r };
      }
      return undefined;
    }
    if (this.byFullUrl === undefined && this.entries.length > SCAN_ENTRIES) this.build();
    const exact = this.byUrl(reference) ?? this.byReference(reference);
    if (exact !== undefined) return this.resolvedOf(exact);
    // An absolute URL or a versioned reference: match its Type/id part.
    const m = TYPE_AND_ID.exec(reference);
    return m?.[1] === undefined ? undefined : this.resolvedOf(this.byReference(m[1]));
  }
}
