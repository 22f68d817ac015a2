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

export class BundleIndex {
  private readonly byFullUrl = new Map<string, Resolved>();
  private readonly byTypeAndId = new Map<string, Resolved>();

  add(entry: Resolved, fullUrl: string | undefined, typeAndId: string | undefined): void {
    if (fullUrl !== undefined) this.byFullUrl.set(fullUrl, entry);
    if (typeAndId !== undefined) this.byTypeAndId.set(typeAndId, entry);
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
    const exact = this.byFullUrl.get(reference) ?? this.byTypeAndId.get(reference);
    if (exact !== undefined) return exact;
    // An absolute URL or a versioned reference: match its Type/id part.
    const m = /([A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/.exec(reference);
    return m?.[1] === undefined ? undefined : this.byTypeAndId.get(m[1]);
  }
}
