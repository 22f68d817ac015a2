/**
 * The draft orders an order-sign / order-select call is about: MedicationRequests in `context.draftOrders` whose
 * medication, read as the engine reads it (a CodeableConcept; the contained Medication, or one in the draft Bundle or
 * the record, by Type/id, absolute URL or urn:uuid fullUrl; else the reference's display), is in
 * the knowledge's `il6-blockers` code set, or, failing a code of that set, whose text or a coding's display names one
 * of its ingredients or brand names (src/knowledge/medication-names.ts, the names the engine reads too).
 * order-select checks only the orders named in `context.selections`.
 */
import { BundleIndex, refOf } from '../../fhir/bundle-index.ts';
import { readMedicationDetails } from '../../fhir/medication.ts';
import type { Knowledge, MedicationName } from '../../knowledge/index.ts';
import { ingredientOfDisplay, matchConcept, nameListedIn, unverifiedEntry } from '../../knowledge/index.ts';
import type { Concept } from '../../record/index.ts';
import type { FhirResource } from './fhir-client.ts';

export const IL6_BLOCKER_SET = 'il6-blockers';

export interface DraftIl6Order {
  readonly reference: string;
  /** The ingredient of the code set entry, e.g. "tocilizumab" (for "Tocilizumab (substance)" too). */
  readonly medication: string;
  /**
   * 'code': a coding of the `il6-blockers` code set. 'name': no such coding (a product code the set lacks, or text
   * only), but the medication's text or a coding's display names the ingredient: still checked, since silence on an
   * IL-6 blocker order would read as "nothing to check", and the card says the medicine should be confirmed.
   */
  readonly identifiedBy: 'code' | 'name';
  /** The name the order was identified by ('name'): an ingredient, or a brand with its citation and verified flag. */
  readonly name?: MedicationName;
  /** The [U] code set entry the order was identified by, when it is not verified (src/knowledge/unverified.ts). */
  readonly unverifiedCode?: string;
}

/** The Bundle's entries as sent (each with its fullUrl, which a `urn:uuid:` reference names). */
function entries(bundle: unknown): readonly unknown[] {
  if (typeof bundle !== 'object' || bundle === null) return [];
  const list = (bundle as { entry?: unknown }).entry;
  return Array.isArray(list) ? list : [];
}

function resourceOf(entry: unknown): FhirResource | undefined {
  const resource = (entry as { resource?: unknown } | null | undefined)?.resource;
  return typeof resource === 'object' && resource !== null ? (resource as FhirResource) : undefined;
}

/**
 * The draft orders with the reference each is named by (what `context.selections` lists): "Type/id"; a draft not yet
 * stored may have no id, and is named by its fullUrl, else its place in draftOrders (refOf, as the engine names it).
 */
function drafts(bundle: unknown): Draft[] {
  return entries(bundle).flatMap((entry, position) => {
    const resource = resourceOf(entry);
    if (resource === undefined || typeof resource.resourceType !== 'string') return [];
    return [{ resource, reference: refOf(resource.resourceType, resource, entry, position), position }];
  });
}

interface Draft {
  readonly resource: FhirResource;
  readonly reference: string;
  /** Its place in draftOrders.entry. */
  readonly position: number;
}

/** Whether a selection names the draft: by its reference, or by "Type/id" whatever the id's form. */
function names(selection: string, { resource, reference }: Draft): boolean {
  return (
    selection === reference ||
    (typeof resource.id === 'string' && selection === `${String(resource.resourceType)}/${resource.id}`)
  );
}

/** The (selected) draft orders. */
function selected(bundle: unknown, selections?: readonly string[]): Draft[] {
  return drafts(bundle).filter((d) => selections === undefined || selections.some((s) => names(s, d)));
}

/**
 * The position in `selections` of the first one that names no draft order, else undefined. CDS Hooks 2.0: selections
 * reference resources in the draftOrders Bundle; one that does not is a client's mistake, and answering no cards for
 * it would read as "the order was checked".
 */
export function unknownSelection(draftOrders: unknown, selections: readonly string[]): number | undefined {
  const all = drafts(draftOrders);
  const index = selections.findIndex((s) => !all.some((d) => names(s, d)));
  return index < 0 ? undefined : index;
}

/** Whether any (selected) draft order is a MedicationRequest: if none, the record is not needed at all. */
export function hasDraftMedicationRequest(draftOrders: unknown, selections?: readonly string[]): boolean {
  return selected(draftOrders, selections).some((d) => d.resource.resourceType === 'MedicationRequest');
}

/** The id a Patient reference names ("Patient/1", an absolute URL, a versioned reference), else undefined. */
function patientIdOf(reference: string): string | undefined {
  return /(?:^|\/)Patient\/([^/]+)(?:\/_history\/[^/]+)?$/.exec(reference)?.[1];
}

/**
 * Whether a (selected) draft order names, as its subject, someone other than the patient in context: the hook's
 * record is that patient's, so checking the order against it would judge the wrong patient. An order without a
 * subject is taken as the context patient's (the hook's draftOrders are that patient's orders).
 */
export function hasDraftForAnotherPatient(
  draftOrders: unknown,
  patientId: string,
  selections?: readonly string[],
): boolean {
  return selected(draftOrders, selections).some(({ resource: r }) => {
    const reference = (r.subject as { reference?: unknown } | undefined)?.reference;
    return typeof reference === 'string' && patientIdOf(reference) !== patientId;
  });
}

/**
 * The index the draft orders' medications are resolved in: the record, then the draft Bundle's entries (last, so
 * they win over the record's).
 */
function medicationIndex(draftOrders: unknown, record: readonly FhirResource[]): BundleIndex {
  return new BundleIndex([...record.map((resource) => ({ resource })), ...entries(draftOrders)]);
}

/**
 * The order's medication, read as the engine reads it (src/fhir/medication.ts): a CodeableConcept, else the
 * Medication the reference names (contained, in the draft Bundle by Type/id, absolute URL or urn:uuid fullUrl, or in
 * the record), else the reference's display; undefined when none of these says what it is.
 */
function medicationOf(draft: Draft, index: BundleIndex): Concept | undefined {
  const medication = readMedicationDetails(
    { ref: draft.reference, issues: [] },
    draft.resource as Record<string, unknown>,
    index,
  )?.medication;
  return medication === undefined || (medication.codings.length === 0 && medication.text === undefined)
    ? undefined
    : medication;
}

/**
 * The (selected) draft MedicationRequests whose medication nothing sent names: a medicationReference to a Medication
 * in neither draftOrders nor the record, without a display. Whether it is an IL-6 blocker is unknown until that
 * Medication is read: each with its place in draftOrders and the reference to read.
 */
export function unreadMedications(
  draftOrders: unknown,
  record: readonly FhirResource[],
  selections?: readonly string[],
): { position: number; medication: string | undefined }[] {
  const index = medicationIndex(draftOrders, record);
  return selected(draftOrders, selections)
    .filter((d) => d.resource.resourceType === 'MedicationRequest' && medicationOf(d, index) === undefined)
    .map((d) => {
      const reference = (d.resource.medicationReference as { reference?: unknown } | undefined)?.reference;
      return { position: d.position, medication: typeof reference === 'string' ? reference : undefined };
    });
}

export function draftIl6Orders(
  knowledge: Knowledge,
  draftOrders: unknown,
  record: readonly FhirResource[],
  selections?: readonly string[],
): DraftIl6Order[] {
  const index = medicationIndex(draftOrders, record);
  const out: DraftIl6Order[] = [];
  for (const draft of selected(draftOrders, selections)) {
    if (draft.resource.resourceType !== 'MedicationRequest') continue;
    const reference = draft.reference;
    const code = medicationOf(draft, index);
    const match = code === undefined ? undefined : matchConcept(knowledge, IL6_BLOCKER_SET, code);
    if (match !== undefined) {
      const unverified = unverifiedEntry(knowledge, match);
      out.push({
        reference,
        medication: ingredientOfDisplay(match.entry.display),
        identifiedBy: 'code',
        ...(unverified === undefined ? {} : { unverifiedCode: unverified.item }),
      });
      continue;
    }
    // Only an IL-6 blocker's name: the knowledge also names other immunosuppressants (adalimumab), not these hooks' concern.
    const named = code === undefined ? undefined : nameListedIn(knowledge, code, [IL6_BLOCKER_SET]);
    if (named !== undefined) out.push({ reference, medication: named.ingredient, identifiedBy: 'name', name: named });
  }
  return out;
}
