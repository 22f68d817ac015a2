/**
 * Number formatting for the human-readable outputs (text summary, HTML report). JSON keeps full precision.
 */
import type { NumberNeededToTreat, RatioEstimate } from '../stats/binary.ts';

/**
 * A fixed number of decimals; non-finite values spelled out. A value that rounds to zero is "0.00", never "-0.00":
 * a minus sign on an effect of -0.003 would tell the reader a direction the shown digits do not have.
 */
export function fmt(x: number | null | undefined, digits = 2): string {
  if (x === null || x === undefined || Number.isNaN(x)) return 'NA';
  if (!Number.isFinite(x)) return x > 0 ? 'infinity' : '-infinity';
  const text = x.toFixed(digits);
  return /^-0(\.0*)?$/.test(text) ? text.slice(1) : text;
}

/** The conventional significance levels a p-value is read against. */
const P_THRESHOLDS = [0.05, 0.01, 0.001] as const;

/**
 * p-values as R's format.pval at 4 digits: "<0.0001" below that. A p just below a conventional level (0.04996) is
 * given with as many more decimals as it takes to stay below it ("0.04996", not "0.0500", which reads as not
 * significant beside a CI that excludes 0).
 */
export function fmtP(p: number): string {
  if (Number.isNaN(p)) return 'NA';
  if (p < 1e-4) return '<0.0001';
  let digits = 4;
  while (digits < 12 && P_THRESHOLDS.some((t) => p < t && Number(p.toFixed(digits)) >= t)) digits++;
  return p.toFixed(digits);
}

/** "p = 0.0253", or "p < 0.0001" below 4 digits (never "p = <0.0001"), for a p-value in a sentence. */
export function fmtPIs(p: number): string {
  const text = fmtP(p);
  return text.startsWith('<') ? `p < ${text.slice(1)}` : `p = ${text}`;
}

export function fmtCi(ci: readonly [number, number] | null | undefined, digits = 2): string {
  return ci ? `${fmt(ci[0], digits)} to ${fmt(ci[1], digits)}` : 'NA';
}

/**
 * A risk or odds ratio with its CI; with a zero cell the ratio is 0 or infinite and its log-scale CI undefined, so it
 * is "not estimable (a zero cell)" rather than "infinity (NA to infinity)". Zero non-event cells in both arms (every
 * subject an event) give a risk ratio of 1 with a log-scale SE of 0: a CI of no width, which is no CI either.
 */
export function fmtRatio(r: RatioEstimate): string {
  return r.estimable ? `${fmt(r.estimate)} (${fmtCi(r.ci)})` : 'not estimable (a zero cell)';
}

export function fmtPercent(rate: number, digits = 1): string {
  return `${fmt(rate * 100, digits)}%`;
}

/**
 * "NNT 5 (raw 4.43; 95% CI NNTB 1.95 to infinity to NNTH 8.27)". A risk difference of exactly 0 gives an infinite NNT,
 * shown with its interval: the data do not show "no difference", only an estimate of none.
 */
export function fmtNnt(nnt: NumberNeededToTreat): string {
  const label = nnt.kind === 'benefit' ? 'NNTB' : 'NNTH';
  const ci = nnt.ci.crossesZero
    ? [
        nnt.ci.nntbFrom !== undefined ? `NNTB ${fmt(nnt.ci.nntbFrom)}` : null,
        'infinity',
        nnt.ci.nnthFrom !== undefined ? `NNTH ${fmt(nnt.ci.nnthFrom)}` : null,
      ]
        .filter((s) => s !== null)
        .join(' to ')
    : `${label} ${fmt(nnt.ci.lower)} to ${fmt(nnt.ci.upper)}`;
  if (nnt.kind === 'none') return `NNT infinite (risk difference 0; 95% CI ${ci})`;
  return `${label} ${nnt.rounded} (raw ${fmt(nnt.estimate)}; 95% CI ${ci})`;
}
