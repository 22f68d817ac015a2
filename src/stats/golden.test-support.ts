/**
 * The assertion of golden tests: one place that formats a mismatch with the source file and the tolerance used.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { TOLERANCE, withinTolerance, type ToleranceName } from './tolerances.ts';

/** Absolute path of a file under reference/ (e.g. `stats-reference/outputs/fev_data_reference.json`). */
export function referencePath(relative: string): string {
  return fileURLToPath(new URL(`../../reference/${relative}`, import.meta.url));
}

/** Parses a JSON reference file under reference/. */
export function readReference<T = unknown>(relative: string): T {
  return JSON.parse(readFileSync(referencePath(relative), 'utf8')) as T;
}

/** Asserts `actual` matches the golden `expected` within the named tolerance; `label` names the source and field. */
export function assertGolden(actual: number, expected: number, tolerance: ToleranceName, label: string): void {
  const tol = TOLERANCE[tolerance];
  assert.ok(
    withinTolerance(actual, expected, tol),
    `${label}: got ${actual}, expected ${expected} (tolerance ${tolerance} = ${tol})`,
  );
}
