/**
 * Plausibility of a measured value against the pathway's ranges (definitions.plausibility in
 * knowledge/pathway/care-pathway.json): a value outside is a data issue, never the basis of a decision. The range is
 * reported as relied upon (and as unverified when it is) only when it rejects a value, which is when it mattered.
 */
import type { PlausibleRange } from '../knowledge/schema-pathway.ts';
import { noteIssue, noteUnverified, type EngineContext } from './context.ts';

/** Undefined when `value` (in the range's unit) is plausible; else the reason, noted as an issue on `path`. */
export function implausible(
  ctx: EngineContext,
  name: string,
  range: PlausibleRange,
  value: number,
  path: string,
): string | undefined {
  if (Number.isFinite(value) && value >= range.min && value <= range.max) return undefined;
  const shown = Number.isFinite(value) ? `${Number(value.toPrecision(6))}` : String(value);
  const reason = `${name} ${shown} ${range.unit} is outside the plausible range ${range.min} to ${range.max} ${range.unit}: not used`;
  noteIssue(ctx, 'pathway.value.implausible', reason, path);
  if (!range.verified) noteUnverified(ctx, `${name} plausible range`, range.note ?? reason, range.citation);
  return reason;
}
