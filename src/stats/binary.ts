/**
 * Binary outcomes (response, remission) in a two-arm trial: per-arm rates with Wilson (R `prop.test`, no continuity
 * correction) and Clopper-Pearson intervals; the risk difference treatment - control with Newcombe's hybrid score CI
 * (Newcombe 1998, method 10); number needed to treat with Altman's (1998) CI; odds ratio (Woolf CI), risk ratio
 * (log-Wald CI) and Fisher's exact p. Formulas follow reference/stats-reference/scripts/analysis_lib.R.
 */
import { qf, qnorm } from './distributions.ts';
import { fisherExactP } from './binary-fisher.ts';

export interface ArmCounts {
  readonly events: number;
  readonly n: number;
}

export interface ArmRate extends ArmCounts {
  /** events / n. */
  readonly rate: number;
  /** Wilson score interval (R `prop.test(x, n, correct = FALSE)$conf.int`). */
  readonly ci: [number, number];
  /** Exact Clopper-Pearson interval (R `binom.test(x, n)$conf.int`). */
  readonly clopperPearson: [number, number];
}

/**
 * Number needed to treat, 1/|RD|. `kind` says whether the treatment helps (`benefit`: NNTB) or harms (`harm`: NNTH),
 * given whether the event is desirable. When the RD CI excludes 0 the CI is `[lower, upper]` on the NNT scale; when
 * it crosses 0 the CI is Altman's two-piece "NNTB `nntbFrom` to infinity to NNTH `nnthFrom`".
 */
export interface NumberNeededToTreat {
  /** 1/|RD|; Infinity when RD = 0. */
  readonly estimate: number;
  /** The estimate rounded up to a whole patient, as NNTs are reported (4.43 -> 5). */
  readonly rounded: number;
  readonly kind: 'benefit' | 'harm' | 'none';
  readonly ci: {
    readonly crossesZero: boolean;
    /** Present when the RD CI excludes 0: the NNT CI (same kind as the estimate), lower <= upper. */
    readonly lower?: number;
    readonly upper?: number;
    /** Present when the CI crosses 0: NNTB from this value to infinity. */
    readonly nntbFrom?: number;
    /** Present when the CI crosses 0: NNTH from this value to infinity. */
    readonly nnthFrom?: number;
  };
}

/**
 * A ratio with its log-scale CI. `estimable` is false when a zero cell makes the ratio 0 or infinite and its log-scale
 * SE infinite (a CI limit then infinite or undefined: Infinity or NaN, which the JSON writes as the strings
 * "Infinity" and "NaN", never null), or when the SE is 0 and the "CI" has no width (every subject of both arms an
 * event, for the risk ratio).
 */
export interface RatioEstimate {
  readonly estimate: number;
  readonly ci: [number, number];
  readonly estimable: boolean;
}

/** A ratio and its log-scale CI, with whether they are estimable (RatioEstimate). */
function ratioEstimate(estimate: number, seLog: number, z: number): RatioEstimate {
  const ci: [number, number] = [Math.exp(Math.log(estimate) - z * seLog), Math.exp(Math.log(estimate) + z * seLog)];
  const estimable = [estimate, ...ci].every((x) => Number.isFinite(x) && x > 0) && ci[0] < ci[1];
  return { estimate, ci, estimable };
}

export interface BinaryComparison {
  readonly treatment: ArmRate;
  readonly control: ArmRate;
  /** Treatment minus control. */
  readonly difference: {
    readonly estimate: number;
    readonly ci: [number, number];
    readonly method: 'newcombe-hybrid-score';
  };
  readonly nnt: NumberNeededToTreat;
  /** Treatment / control, CI by log-Wald. */
  readonly riskRatio: RatioEstimate;
  /** Unadjusted odds ratio with Woolf (log) CI. */
  readonly oddsRatio: RatioEstimate;
  readonly fisherP: number;
}

/** Wilson score interval, computed exactly as R's prop.test (without continuity correction). */
export function wilsonInterval(events: number, n: number, level = 0.95): [number, number] {
  const z = qnorm((1 + level) / 2);
  const p = events / n;
  const z22n = (z * z) / (2 * n);
  const half = z * Math.sqrt((p * (1 - p)) / n + z22n / (2 * n));
  const upper = p >= 1 ? 1 : (p + z22n + half) / (1 + 2 * z22n);
  const lower = p <= 0 ? 0 : (p + z22n - half) / (1 + 2 * z22n);
  return [lower, upper];
}

/**
 * Clopper-Pearson exact interval via the beta-F relation (Beta quantiles expressed as F quantiles, since @stdlib's
 * F quantile is already a dependency and agrees with R to ~3e-13).
 */
export function clopperPearsonInterval(events: number, n: number, level = 0.95): [number, number] {
  const alpha = 1 - level;
  const x = events;
  const lower = x === 0 ? 0 : x / (x + (n - x + 1) * qf(1 - alpha / 2, 2 * (n - x + 1), 2 * x));
  const fu = x === n ? Infinity : qf(1 - alpha / 2, 2 * (x + 1), 2 * (n - x));
  const upper = x === n ? 1 : ((x + 1) * fu) / (n - x + (x + 1) * fu);
  return [lower, upper];
}

/** Per-arm rate with both intervals. */
export function armRate(counts: ArmCounts, level = 0.95): ArmRate {
  return {
    events: counts.events,
    n: counts.n,
    rate: counts.events / counts.n,
    ci: wilsonInterval(counts.events, counts.n, level),
    clopperPearson: clopperPearsonInterval(counts.events, counts.n, level),
  };
}

/** Newcombe (1998) method 10: hybrid score CI for p1 - p2 from the two Wilson intervals. */
export function newcombeDifference(arm1: ArmCounts, arm2: ArmCounts, level = 0.95): [number, number] {
  const p1 = arm1.events / arm1.n;
  const p2 = arm2.events / arm2.n;
  const [l1, u1] = wilsonInterval(arm1.events, arm1.n, level);
  const [l2, u2] = wilsonInterval(arm2.events, arm2.n, level);
  const d = p1 - p2;
  return [d - Math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), d + Math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)];
}

/**
 * NNT from a risk difference and its CI (Altman 1998, BMJ 317:1309).
 * @param eventIsBeneficial true for response/remission (a positive RD is benefit); false for adverse events
 */
export function numberNeededToTreat(
  rd: number,
  ci: readonly [number, number],
  eventIsBeneficial = true,
): NumberNeededToTreat {
  // Orient so that a positive value is always benefit.
  const sign = eventIsBeneficial ? 1 : -1;
  const benefitRd = sign * rd;
  const [lo, hi] = sign === 1 ? [ci[0], ci[1]] : [-ci[1], -ci[0]];
  const estimate = 1 / Math.abs(benefitRd);
  const kind = benefitRd > 0 ? 'benefit' : benefitRd < 0 ? 'harm' : 'none';
  const rounded = Number.isFinite(estimate) ? Math.ceil(estimate - 1e-9) : Infinity;
  if (lo > 0 || hi < 0) {
    const a = 1 / Math.abs(lo);
    const b = 1 / Math.abs(hi);
    return { estimate, rounded, kind, ci: { crossesZero: false, lower: Math.min(a, b), upper: Math.max(a, b) } };
  }
  const ciOut: { crossesZero: true; nntbFrom?: number; nnthFrom?: number } = { crossesZero: true };
  if (hi > 0) ciOut.nntbFrom = 1 / hi;
  if (lo < 0) ciOut.nnthFrom = 1 / -lo;
  return { estimate, rounded, kind, ci: ciOut };
}

/**
 * Full comparison of a binary outcome between arms (treatment vs control).
 * @param eventIsBeneficial true when the event is good (response, remission), which orients the NNT
 */
export function compareBinary(
  treatment: ArmCounts,
  control: ArmCounts,
  level = 0.95,
  eventIsBeneficial = true,
): BinaryComparison {
  const z = qnorm((1 + level) / 2);
  const t = armRate(treatment, level);
  const c = armRate(control, level);
  const rd = t.rate - c.rate;
  const rdCi = newcombeDifference(treatment, control, level);
  const rr = t.rate / c.rate;
  const seLogRr = Math.sqrt(1 / t.events - 1 / t.n + 1 / c.events - 1 / c.n);
  const a = treatment.events;
  const b = treatment.n - treatment.events;
  const cc = control.events;
  const d = control.n - control.events;
  const or = (a * d) / (b * cc);
  const seLogOr = Math.sqrt(1 / a + 1 / b + 1 / cc + 1 / d);
  return {
    treatment: t,
    control: c,
    difference: { estimate: rd, ci: rdCi, method: 'newcombe-hybrid-score' },
    nnt: numberNeededToTreat(rd, rdCi, eventIsBeneficial),
    riskRatio: ratioEstimate(rr, seLogRr, z),
    oddsRatio: ratioEstimate(or, seLogOr, z),
    fisherP: fisherExactP(a, b, cc, d),
  };
}
