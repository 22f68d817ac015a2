/**
 * The MMRM as `trd analyze` consumes it: a port whose types are those of src/stats/mmrm. The fitter is passed in
 * (the CLI passes `fitMmrmTrial`), so the rest of the analysis can be tested with a fake that fails, throws or is
 * absent; the report then says `mmrm: { available: false, reason }` rather than inventing numbers.
 */
import type { MmrmTrialRow, MmrmTrialSpec } from '../stats/mmrm/index.ts';

export type {
  ContrastResult as MmrmInference,
  MmrmTrialResult,
  MmrmTrialRow,
  MmrmTrialSpec,
  MmrmVisitOutcome,
  MmrmVisitResult,
} from '../stats/mmrm/index.ts';

/** A function that fits the trial MMRM (`fitMmrmTrial`, or a Result wrapping its value); checked by the caller. */
export type MmrmRunner = (rows: readonly MmrmTrialRow[], spec: MmrmTrialSpec) => unknown;
