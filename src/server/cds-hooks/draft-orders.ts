/**
 * The draft orders an order-sign / order-select call is about: MedicationRequests in `context.draftOrders` whose
 * medication (a CodeableConcept, a contained Medication, or a Medication in the draft Bundle or the record) is in
 * the knowledge's `il6-blockers` code set. order-select checks only the orders named in `context.selections`.
 */
import type { Knowledge } from '../../knowledge/index.ts';
import { matchConcept } from '../../knowledge/index.ts';
import type { FhirResource } from './fhir-client.ts';

export const IL6_BLOCKER_SET = 'il6-blockers';

export interface DraftIl6Order {
  readonly reference: string;
  /** The code set entry's display, e.g. "tocilizumab". */
  readonly medication: string;
}

interface CodeableConcept {
  coding?: { system?: unknown; code?: unknown; display?: unknown }[];
  text?: unknown;
}

function concept(value: unknown): { codings: { system?: string; code?: string; display?: string }[] } | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const cc = value as CodeableConcept;
  if (!Array.isArray(cc.coding)) return undefined;
  return {
    codings: cc.coding.map((c) => ({
      ...(typeof c?.system === 'string' ? { system: c.system } : {}),
      ...(typeof c?.code === 'string' ? { code: c.code } : {}),
    })),
  };
}

function resources(bundle: unknown): FhirResource[] {
  if (typeof bundle !== 'object' || bundle === null) return [];
  const entries = (bundle as { entry?: unknown }).entry;
  if (!Array.isArray(entries)) return [];
  return entries
    .map((e) => (e as { resource?: unknown })?.resource)
    .filter((r): r is FhirResource => typeof r === 'object' && r !== null);
}

export function draftIl6Orders(
  knowledge: Knowledge,
  draftOrders: unknown,
  record: readonly FhirResource[],
  selections?: readonly string[],
): DraftIl6Order[] {
  const drafts = resources(draftOrders);
  const medications = new Map<string, FhirResource>();
  for (const r of [...record, ...drafts]) {
    if (r.resourceType === 'Medication' && typeof r.id === 'string') medications.set(`Medication/${r.id}`, r);
  }
  const out: DraftIl6Order[] = [];
  for (const order of drafts) {
    if (order.resourceType !== 'MedicationRequest' || typeof order.id !== 'string') continue;
    const reference = `MedicationRequest/${order.id}`;
    if (selections !== undefined && !selections.includes(reference)) continue;
    let code = concept(order.medicationCodeableConcept);
    const ref = (order.medicationReference as { reference?: unknown } | undefined)?.reference;
    if (code === undefined && typeof ref === 'string') {
      const contained = Array.isArray(order.contained) ? (order.contained as FhirResource[]) : [];
      const medication = ref.startsWith('#') ? contained.find((c) => `#${String(c.id)}` === ref) : medications.get(ref);
      code = concept(medication?.code);
    }
    const match = code === undefined ? undefined : matchConcept(knowledge, IL6_BLOCKER_SET, code);
    if (match !== undefined) out.push({ reference, medication: match.entry.display });
  }
  return out;
}
