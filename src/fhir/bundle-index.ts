/**
 * Reference resolution inside one Bundle. Resources are found by fullUrl (including `urn:uuid:` ones, as Synthea
 * writes them), by "Type/id", by the "Type/id" tail of an absolute URL, and `#id` inside the referring resource's
 * `contained` list.
 * @see https://hl7.org/fhir/R4/bundle.html#references
 */
import type { ResourceRef } from '../record/index.ts';
import { isObject } from './read.ts';

export interface Resolved {
  readonly ref: ResourceRef;
  readonly resource: Record<string, unknown>;
}

/** One bundle entry as the first pass saw it; its ref is computed only for resources that are read or resolved. */
export interface EntryView {
  readonly position: number;
  readonly type: string;
  readonly resource: Record<string, unknown>;
  readonly fullUrl?: string;
}

/** A FHIR id (R4 datatype id): the only ids that may appear in a reference the engine prints. */
const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;
/** A fullUrl worth printing: a URI of printable characters, not too long. */
const PRINTABLE_URI = /^[\x21-\x7e]{1,256}$/;

/**
 * "Type/id", else the fullUrl, else the entry's position. An id or fullUrl that is not a valid one (any length, any
 * character) is replaced by the position, so a reference carried into results and messages is always short and
 * printable.
 */
export function refOf(entry: EntryView): ResourceRef {
  const id = entry.resource['id'];
  if (typeof id === 'string' && FHIR_ID.test(id)) return `${entry.type}/${id}`;
  if (entry.fullUrl !== undefined && PRINTABLE_URI.test(entry.fullUrl)) return entry.fullUrl;
  return `Bundle.entry[${entry.position}]`;
}

/** Built on the first lookup: most bundles (Synthea's among them) never resolve a reference. */
export class BundleIndex {
  private byFullUrl: Map<string, Resolved> | undefined;
  private byTypeAndId: Map<string, Resolved> | undefined;

  constructor(private readonly entries: readonly EntryView[]) {}

  private build(): void {
    this.byFullUrl = new Map();
    this.byTypeAndId = new Map();
    for (const entry of this.entries) {
      const resolved: Resolved = { ref: refOf(entry), resource: entry.resource };
      if (entry.fullUrl !== undefined) this.byFullUrl.set(entry.fullUrl, resolved);
      const id = entry.resource['id'];
      if (typeof id === 'string') this.byTypeAndId.set(`${entry.type}/${id}`, resolved);
    }
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
    if (this.byFullUrl === undefined || this.byTypeAndId === undefined) this.build();
    const exact = this.byFullUrl?.get(reference) ?? this.byTypeAndId?.get(reference);
    if (exact !== undefined) return exact;
    // An absolute URL or a versioned reference: match its Type/id part.
    const m = /([A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/.exec(reference);
    return m?.[1] === undefined ? undefined : this.byTypeAndId?.get(m[1]);
  }
}
