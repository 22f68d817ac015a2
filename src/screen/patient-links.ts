/**
 * Merged patient records in an export (`Patient.link`): which Patient each record's resources belong to, so that a
 * screen counts one person once and decides on all of the person's data (docs/screening.md, "Merged patient
 * records"). Pure: no I/O.
 * @see https://hl7.org/fhir/R4/patient-definitions.html#Patient.link and https://hl7.org/fhir/R4/valueset-link-type.html
 */
import { VERSION_TAIL } from '../fhir/reference.ts';

/** A Patient resource's links as written: `other.reference` and `type` of each. */
export interface PatientLinks {
  /** `Patient/<id>`. */
  readonly patient: string;
  readonly links: readonly { readonly other: string; readonly type: string }[];
}

const PATIENT_REF = new RegExp(`(?:^|/)(Patient/[^/]+)${VERSION_TAIL}$`);
const URN_UUID = /^urn:uuid:([^/]+)$/;

/** `Patient/<id>` that a link's reference names (relative, absolute, versioned, or `urn:uuid:<id>`). */
export function linkedPatient(reference: string): string | undefined {
  const ref = PATIENT_REF.exec(reference)?.[1];
  if (ref !== undefined) return ref;
  const uuid = URN_UUID.exec(reference)?.[1];
  return uuid === undefined ? undefined : `Patient/${uuid}`;
}

/** The `link` array of a Patient resource's JSON text, read defensively (anything else is no link). */
export function readLinks(patient: string, linkJson: string): PatientLinks {
  let value: unknown;
  try {
    value = JSON.parse(linkJson);
  } catch {
    return { patient, links: [] };
  }
  const links: { other: string; type: string }[] = [];
  for (const l of Array.isArray(value) ? value : []) {
    const other = (l as { other?: { reference?: unknown } } | null)?.other?.reference;
    const type = (l as { type?: unknown } | null)?.type;
    if (typeof other === 'string' && typeof type === 'string') links.push({ other, type });
  }
  return { patient, links };
}

/**
 * Each merged record -> the record that stands for the person. Records joined by a link of any type to another
 * Patient of the export are one person (replaced-by, replaces, refer and seealso all say so). The record that
 * stands for them is one not replaced (`replaced-by` on it, or `replaces` naming it) and not referring elsewhere
 * (`refer` on it, which points to the main record); among several such (records linked by `seealso` only), the first
 * in the screen's order of patients; when every record is so marked (links that contradict each other), the first.
 * A link to a Patient the export does not hold changes nothing: that record stays a person of its own.
 */
export function mergedPatients(records: readonly PatientLinks[], inExport: ReadonlySet<string>): Map<string, string> {
  const parent = new Map<string, string>();
  const find = (p: string): string => {
    let root = p;
    while (parent.has(root) && parent.get(root) !== root) root = parent.get(root) as string;
    parent.set(p, root);
    return root;
  };
  const join = (a: string, b: string): void => {
    const [ra, rb] = [find(a), find(b)];
    if (ra !== rb) parent.set(ra < rb ? rb : ra, ra < rb ? ra : rb);
  };
  const demoted = new Set<string>();
  for (const r of records) {
    for (const l of r.links) {
      const other = linkedPatient(l.other);
      if (other === undefined || other === r.patient || !inExport.has(other) || !inExport.has(r.patient)) continue;
      join(r.patient, other);
      if (l.type === 'replaced-by' || l.type === 'refer') demoted.add(r.patient);
      if (l.type === 'replaces') demoted.add(other);
    }
  }
  const groups = new Map<string, string[]>();
  for (const p of parent.keys()) {
    const root = find(p);
    groups.set(root, [...(groups.get(root) ?? []), p]);
  }
  const survivorOf = new Map<string, string>();
  for (const members of groups.values()) {
    const sorted = [...members].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const survivor = sorted.find((p) => !demoted.has(p)) ?? (sorted[0] as string);
    for (const p of sorted) if (p !== survivor) survivorOf.set(p, survivor);
  }
  return survivorOf;
}
