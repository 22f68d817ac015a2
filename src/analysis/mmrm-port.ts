/**
 * The MMRM as `trd analyze` consumes it: the contract of `fitMmrmTrial` from src/stats/mmrm/index.ts (engineer B),
 * restated here so the analysis can be built and tested whether or not that module is present. When it is absent
 * or fails, the report says `mmrm: { available: false, reason }` rather than inventing numbers.
 */
export interface MmrmTrialRow {
  readonly subject: string;
  readonly arm: string;
  readonly visit: string;
  readonly change: number | null;
  readonly baseline: number;
  readonly stratum?: number;
}

export interface MmrmTrialSpec {
  readonly treatment: string;
  readonly control: string;
  /** Visit labels in order. */
  readonly visits: readonly string[];
  readonly primaryVisit: string;
  readonly stratum: boolean;
}

export interface MmrmInference {
  readonly estimate: number;
  readonly se: number;
  readonly df: number;
  readonly t: number;
  readonly p: number;
  readonly ci: readonly [number, number];
}

export interface MmrmVisitResult {
  readonly visit: string;
  readonly lsMeans: { readonly treatment: unknown; readonly control: unknown };
  readonly difference: { readonly kenwardRoger: MmrmInference; readonly satterthwaite: MmrmInference };
}

export interface MmrmTrialResult {
  readonly converged: boolean;
  readonly visits: MmrmVisitResult[];
  readonly primary: MmrmVisitResult;
  readonly covariance: unknown;
  readonly iterations: number;
  readonly logLik: number;
  readonly issues?: unknown[];
}

/** A function that fits the trial MMRM (B's `fitMmrmTrial`, possibly wrapped in a Result). */
export type MmrmRunner = (rows: readonly MmrmTrialRow[], spec: MmrmTrialSpec) => unknown;
