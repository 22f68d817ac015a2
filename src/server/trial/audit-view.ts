/**
 * A participant's audit trail as the audit page shows it: the entries about the participant and the records it owns
 * (its screening entry and consent, forms, labs, adverse events, infusions, exits, alerts, its allocation), oldest
 * first, a page at a time, each with what changed. The entries come as the API gives them to the viewer (blinded
 * readers: `blindAuditEntry`, allocation images `[concealed]`); this file only selects and words them. Pure.
 */
import type { AuditEntry } from '../../trial/audit.ts';
import type { BlindedAuditEntry } from '../../trial/blinding.ts';

/** Entries per page of the audit page. */
export const AUDIT_PAGE_SIZE = 50;

const field = (image: unknown, name: string): unknown =>
  typeof image === 'object' && image !== null && !Array.isArray(image)
    ? (image as Record<string, unknown>)[name]
    : undefined;

/**
 * Whether an entry is about the participant `id` (screened as `screeningId`): the participant itself, or a record
 * whose image before or after names the participant or its screening entry.
 */
export function aboutParticipant(e: AuditEntry, id: string, screeningId: string): boolean {
  if (e.entityId === id || e.entityId === screeningId) return true;
  return [e.before, e.after].some(
    (image) => field(image, 'participantId') === id || field(image, 'screeningId') === screeningId,
  );
}

/** One change an entry records: a field with its value before and after ("(none)" where it had none). */
export interface AuditChange {
  readonly field: string;
  readonly before: string;
  readonly after: string;
}

/** A field's value where it had none (before a record was created, after a field was removed). */
export const AUDIT_NONE = '(none)';

const valueText = (value: unknown): string =>
  value === undefined || value === null ? AUDIT_NONE : typeof value === 'string' ? value : JSON.stringify(value);

/**
 * What an entry changed, field by field: for a record created, each field it was created with (before "(none)");
 * for a change, each field whose value differs; an image that is not a record (a concealed one, `[concealed]`) is
 * one change of the whole record.
 */
export function auditChanges(e: Pick<AuditEntry, 'before' | 'after'>): AuditChange[] {
  const isRecord = (image: unknown) => typeof image === 'object' && image !== null && !Array.isArray(image);
  if ((e.before !== null && !isRecord(e.before)) || (e.after !== null && !isRecord(e.after))) {
    return [{ field: 'record', before: valueText(e.before), after: valueText(e.after) }];
  }
  const before = (e.before ?? {}) as Record<string, unknown>;
  const after = (e.after ?? {}) as Record<string, unknown>;
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  return names
    .filter((name) => JSON.stringify(before[name]) !== JSON.stringify(after[name]))
    .map((name) => ({ field: name, before: valueText(before[name]), after: valueText(after[name]) }));
}

/** One page of entries (1-based `page`), with the page count (at least 1). */
export function auditPage<E extends BlindedAuditEntry>(
  entries: readonly E[],
  page: number,
): { readonly entries: readonly E[]; readonly page: number; readonly pages: number } {
  const pages = Math.max(1, Math.ceil(entries.length / AUDIT_PAGE_SIZE));
  return { entries: entries.slice((page - 1) * AUDIT_PAGE_SIZE, page * AUDIT_PAGE_SIZE), page, pages };
}
