/** Tiny bundle builders for the adapter's unit tests. */
import assert from 'node:assert/strict';
import { bundleToRecord } from './index.ts';
import type { PatientRecord } from '../record/index.ts';

export const testPatient = { resourceType: 'Patient', id: 'p1', gender: 'female', birthDate: '1981-03-15' };

export function bundleOf(...resources: object[]): object {
  return { resourceType: 'Bundle', type: 'collection', entry: resources.map((resource) => ({ resource })) };
}

/** Reads a bundle of the test patient plus `resources`, failing the test if the adapter fails. */
export function recordOf(...resources: object[]): PatientRecord {
  const result = bundleToRecord(bundleOf(testPatient, ...resources));
  assert.ok(result.ok, JSON.stringify(result.issues));
  return result.value;
}
