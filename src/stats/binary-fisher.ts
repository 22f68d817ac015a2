/**
 * Fisher's exact test for a 2x2 table, two-sided exactly as R's `fisher.test`: the p-value sums the hypergeometric
 * probabilities of all tables (same margins) that are no more likely than the observed one, with R's relative
 * tolerance 1 + 1e-7 so that tables tied in probability up to rounding are counted.
 */
import hypergeometricPmf from '@stdlib/stats-base-dists-hypergeometric-pmf';

/** R's `relErr` in fisher.test: ties in probability within this factor count as "as extreme". */
const R_RELATIVE_TIE = 1 + 1e-7;

/**
 * Two-sided Fisher exact p for the table [[a, b], [c, d]] (rows: treatment, control; columns: event, no event).
 * @param a treatment events  @param b treatment non-events  @param c control events  @param d control non-events
 */
export function fisherExactP(a: number, b: number, c: number, d: number): number {
  const m = a + c; // column 1 total (events)
  const n = b + d; // column 2 total
  const k = a + b; // row 1 total (treatment)
  const lo = Math.max(0, k - n);
  const hi = Math.min(k, m);
  const pObs = hypergeometricPmf(a, m + n, m, k);
  // Divided by the sum over every table, as R's fisher.test normalises its densities: the pmf's rounding (1.4e-14 for
  // a table with no events, one table of probability 1) then cancels, and p is 1 where R's is.
  let p = 0;
  let total = 0;
  for (let x = lo; x <= hi; x++) {
    const px = hypergeometricPmf(x, m + n, m, k);
    total += px;
    if (px <= pObs * R_RELATIVE_TIE) p += px;
  }
  return Math.min(1, p / total);
}
