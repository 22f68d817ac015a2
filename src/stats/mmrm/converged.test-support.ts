/**
 * A converged trial MMRM for the golden tests, or a failed assertion with the fitter's reason: a failure carries no
 * estimate (trial.ts), so the tests narrow once here instead of at every read.
 */
import assert from 'node:assert/strict';
import type { MmrmTrialFit, MmrmTrialResult } from './trial.ts';

export function convergedTrialFit(result: MmrmTrialResult): MmrmTrialFit {
  assert.ok(result.converged, result.converged ? '' : `not converged: ${result.reason}`);
  return result;
}
