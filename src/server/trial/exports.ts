/**
 * The export files the statistician downloads after database lock, by name. The content comes from the trial
 * exports (src/trial/exports/); this module only names the files and their media types.
 */
import { InputError } from '../../record/issues.ts';
import type { TrialSnapshot } from '../../trial/model.ts';
import type { TrialProtocol } from '../../trials/schema.ts';

export const exportNames = [
  'analysis.csv',
  'sdtm-dm.csv',
  'sdtm-ds.csv',
  'sdtm-ex.csv',
  'sdtm-qs.csv',
  'sdtm-lb.csv',
  'sdtm-ae.csv',
  'research-study.json',
] as const;
export type ExportName = (typeof exportNames)[number];

export function exportFile(
  name: ExportName,
  _snapshot: TrialSnapshot,
  _protocol: TrialProtocol,
): { contentType: string; content: string } {
  throw new InputError(`export ${name} is not available yet`, 'trial.not-found');
}
