/**
 * The date of every resource a result cites as evidence (docs/care-pathway.md: reports show the date of every medication
 * and result they cite): a Condition's onset (else recorded date), an Observation's effective date, a medication
 * record's period (start to end, else authored date), a questionnaire's authored date, an immunization's date, an
 * allergy's recorded date, a procedure's date. Only the cited resources are looked up; calendar dates (YYYY-MM-DD).
 */
import type { PatientRecord, ResourceRef } from '../record/index.ts';

const day = (value: string | undefined): string | undefined => value?.slice(0, 10);

function span(start: string | undefined, end: string | undefined): string | undefined {
  const s = day(start);
  const e = day(end);
  if (s === undefined) return e === undefined ? undefined : `until ${e}`;
  return e === undefined || e === s ? s : `${s} to ${e}`;
}

/**
 * An empty plain object in dictionary mode. Its keys are resource refs, different for every patient: added one by one
 * to an ordinary object literal, each new key makes the JavaScript engine create and keep a new hidden class (slow,
 * and a growing cost over a population). Deleting a property that is not the last one switches an object to
 * dictionary mode, which stores keys like a hash table; the object stays a plain object with the same key order.
 */
function keyedByRef(): Record<ResourceRef, string> {
  const out: Record<string, string> = { a: '', b: '' };
  delete out['a'];
  delete out['b'];
  return out;
}

export function evidenceDates(record: PatientRecord, cited: ReadonlySet<ResourceRef>): Record<ResourceRef, string> {
  if (cited.size === 0) return {};
  const out = keyedByRef();
  // Membership first: a record holds far more resources than a result cites, and the dates are cut only for those.
  const put = (ref: ResourceRef, date: string | undefined): void => {
    if (date !== undefined) out[ref] = date;
  };
  for (const c of record.conditions) if (cited.has(c.ref)) put(c.ref, day(c.onset ?? c.recordedDate));
  for (const o of record.observations) if (cited.has(o.ref)) put(o.ref, day(o.effective));
  for (const m of record.medications) {
    if (cited.has(m.ref)) put(m.ref, span(m.period.start ?? m.authoredOn, m.period.end));
  }
  for (const q of record.questionnaireResponses) if (cited.has(q.ref)) put(q.ref, day(q.authored));
  for (const i of record.immunizations) if (cited.has(i.ref)) put(i.ref, day(i.occurrence));
  for (const a of record.allergies) if (cited.has(a.ref)) put(a.ref, day(a.recordedDate ?? a.onset));
  for (const p of record.procedures) if (cited.has(p.ref)) put(p.ref, day(p.performed));
  const patient = record.patient;
  if (patient.deceasedDate !== undefined && cited.has(patient.ref))
    put(patient.ref, `died ${day(patient.deceasedDate)}`);
  return out;
}

/**
 * The dates of `cited` out of dates already looked up for a larger set (several results about one record share one
 * pass over it: src/trials/match.ts).
 */
export function evidenceDatesOf(
  dates: Readonly<Record<ResourceRef, string>>,
  cited: ReadonlySet<ResourceRef>,
): Record<ResourceRef, string> {
  if (cited.size === 0) return {};
  const out = keyedByRef();
  // In the order of `dates` (the record's), as evidenceDates gives them.
  for (const ref of Object.keys(dates)) if (cited.has(ref)) out[ref] = dates[ref] as string;
  return out;
}

/**
 * A cited resource with its date, when the result gives one: "Observation/crp (2026-11-06)". How the reports name
 * their evidence (the `trd assess` text, the web page), so each can be checked in the record.
 */
export function datedReference(dates: Readonly<Record<ResourceRef, string>>, ref: string): string {
  const date = dates[ref];
  return date === undefined ? ref : `${ref} (${date})`;
}

/** A resource reference inside engine prose: `Condition/pneumonia`, `MedicationStatement/escitalopram-1`. */
const PROSE_REF = /\b[A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64}\b(?! \()/g;

/**
 * Engine prose (a statement, a reason, a trace outcome) with the date after each resource it names that the result
 * dates, unless a date already follows: the reports show dated references, and the prose should not name the same
 * resource without one (the `trd assess` text and the web page).
 */
export function withEvidenceDates(dates: Readonly<Record<ResourceRef, string>>, text: string): string {
  return text.replace(PROSE_REF, (ref) => datedReference(dates, ref));
}
