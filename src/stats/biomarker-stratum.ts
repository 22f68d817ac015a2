/**
 * The biomarker stratum (biomarker >= cut) of a subject whose biomarker may be censored at an assay limit: an hs-CRP
 * reported "<0.2" is below a cut of 3 mg/L although its value is unknown, and ">10" (the top of an hs assay) above
 * it. Such a value has a stratum but no logarithm, so it enters the stratified ANCOVA and MMRM and is left out of the
 * ln(biomarker) interaction model.
 */

/** A value reported beyond an assay limit: below it ("<0.2", or "<=0.2" inclusive) or above it (">10", ">=10"). */
export interface BiomarkerLimit {
  readonly side: 'below' | 'above';
  readonly limit: number;
  readonly inclusive: boolean;
}

/**
 * 1 when the biomarker is >= cut, 0 when below it, null when unknown: missing, or censored at a limit that does not
 * place it ("<5" against a cut of 3 may be either side).
 */
export function biomarkerStratum(
  biomarker: number | null | undefined,
  limit: BiomarkerLimit | null | undefined,
  cut: number,
): 0 | 1 | null {
  if (biomarker !== null && biomarker !== undefined && Number.isFinite(biomarker)) return biomarker >= cut ? 1 : 0;
  if (!limit) return null;
  if (limit.side === 'above') return limit.limit >= cut ? 1 : null; // > L (or >= L) with L >= cut is >= cut
  // < L is below the cut when L <= cut; <= L only when L < cut (the value may equal L).
  return limit.limit < cut || (limit.limit === cut && !limit.inclusive) ? 0 : null;
}
