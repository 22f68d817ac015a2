/**
 * Shared test fixtures for the trial matcher: the bundled knowledge with the trial code sets, the bundled protocols,
 * and a builder pre-filled with an adult patient who has a current depression diagnosis.
 */
import { readFileSync } from 'node:fs';
import type { Bundle } from '@medplum/fhirtypes';
import { BundleBuilder, code } from '../../test/support/bundle-builder.ts';
import { bundleToRecord } from '../fhir/index.ts';
import { loadKnowledge } from '../knowledge/load.ts';
import type { PatientRecord } from '../record/index.ts';
import { matchTrials } from './match.ts';
import type { TrialMatchResult } from './result.ts';
import type { TrialProtocol } from './schema.ts';
import { loadTrials } from './load.ts';

export const AS_OF = '2026-11-27';
export const trials = loadTrials(loadKnowledge());

export function protocol(id: string): TrialProtocol {
  const found = trials.protocols.find((p) => p.id === id);
  if (found === undefined) throw new Error(`no protocol ${id}`);
  return found;
}

export function recordOf(bundle: Bundle | unknown): PatientRecord {
  const record = bundleToRecord(bundle);
  if (!record.ok) throw new Error(record.issues.map((i) => i.message).join('; '));
  return record.value;
}

/** A 45-year-old woman with current recurrent depression (F33.1) and nothing else. */
export function depressedPatient(id = 'trial-test'): BundleBuilder {
  return new BundleBuilder(id).patient({ birthDate: '1981-03-15', gender: 'female' }).condition({
    id: 'depression',
    code: code('icd10', 'F33.1', 'Recurrent depressive disorder'),
    clinicalStatus: 'active',
    onset: '2024-01-10',
  });
}

export function match(builder: BundleBuilder, protocols: readonly TrialProtocol[], asOf = AS_OF): TrialMatchResult[] {
  return matchTrials(recordOf(builder.build()), trials.knowledge, protocols, { asOf });
}

export function matchOne(builder: BundleBuilder, protocolId: string, asOf = AS_OF): TrialMatchResult {
  const [result] = match(builder, [protocol(protocolId)], asOf);
  if (result === undefined) throw new Error('no result');
  return result;
}

export function criterion(result: TrialMatchResult, id: string): TrialMatchResult['criteria'][number] {
  const found = result.criteria.find((c) => c.id === id);
  if (found === undefined) throw new Error(`no criterion ${id} in ${result.trial.id}`);
  return found;
}

export function seedRecord(): PatientRecord {
  return recordOf(JSON.parse(readFileSync(new URL('../../examples/seed-vignette.json', import.meta.url), 'utf8')));
}
