/**
 * `trd analyze --counts`: the binary-outcome comparison from published counts alone (e.g. INSIGHT day 28:
 * remission 7/13 tocilizumab vs 5/16 placebo), with the same statistics as the responder block of a full analysis.
 */
import { fail, issue, ok, type Issue, type Result } from '../record/index.ts';
import { compareBinary, type BinaryComparison } from '../stats/binary.ts';

export const COUNTS_SCHEMA = 'precision-trd/analysis-counts@1';

export interface CountsInput {
  readonly label: string;
  readonly treatmentEvents: number;
  readonly treatmentN: number;
  readonly controlEvents: number;
  readonly controlN: number;
  /** True when the event is desirable (response, remission): orients the NNT as benefit. */
  readonly eventIsBeneficial: boolean;
  readonly level: number;
}

export interface CountsReport extends BinaryComparison {
  readonly schema: typeof COUNTS_SCHEMA;
  readonly label: string;
  readonly conventions: string[];
}

/**
 * Largest arm analysed: Fisher's exact test sums the hypergeometric over the table (work grows with n), and no trial
 * randomises ten million patients to one arm.
 */
export const MAX_ARM_SIZE = 10_000_000;

/** Validates the counts (whole numbers, 0 <= events <= n, n >= 1) and compares the arms. */
export function analyzeCounts(input: CountsInput): Result<CountsReport> {
  const issues: Issue[] = [];
  const pairs: [string, number, string, number][] = [
    ['--treatment-events', input.treatmentEvents, '--treatment-n', input.treatmentN],
    ['--control-events', input.controlEvents, '--control-n', input.controlN],
  ];
  for (const [eName, e, nName, n] of pairs) {
    if (!Number.isInteger(n) || n < 1 || n > MAX_ARM_SIZE)
      issues.push(issue('analysis.counts.n', `${nName} must be a whole number from 1 to ${MAX_ARM_SIZE} (got ${n})`));
    else if (!Number.isInteger(e) || e < 0 || e > n)
      issues.push(issue('analysis.counts.events', `${eName} must be a whole number from 0 to ${nName} (got ${e})`));
  }
  if (issues.length > 0) return fail(issues);
  const comparison = compareBinary(
    { events: input.treatmentEvents, n: input.treatmentN },
    { events: input.controlEvents, n: input.controlN },
    input.level,
    input.eventIsBeneficial,
  );
  return ok({
    schema: COUNTS_SCHEMA,
    label: input.label,
    ...comparison,
    conventions: [
      'rates with Wilson score CIs (R prop.test without continuity correction) and Clopper-Pearson exact CIs',
      'risk difference = treatment - control with the Newcombe (1998) hybrid score CI (method 10)',
      'NNT = 1/|RD| reported rounded up to a whole patient; CI from the Newcombe bounds, or NNTB x to infinity to NNTH y when it crosses 0 (Altman 1998)',
      'odds ratio with Woolf CI; risk ratio with log-Wald CI; Fisher exact two-sided p as R fisher.test',
    ],
  });
}
