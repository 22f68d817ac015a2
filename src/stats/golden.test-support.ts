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

/** The seeded MADRS/CRP trial CSV (reference/r/trd_madrs_crp.csv, made by its R script) that CLI tests analyse. */
export const MADRS_CSV = referencePath('r/trd_madrs_crp.csv');

/** `trd analyze` options naming that CSV's columns, primary visit week 8 (add --biomarker/--json as a test needs). */
export const MADRS_ANALYZE_OPTIONS: readonly string[] = [
  '--subject',
  'subject',
  '--arm',
  'arm',
  '--treatment',
  'TOCILIZUMAB',
  '--control',
  'PLACEBO',
  '--visit',
  'week',
  '--outcome',
  'madrs',
  '--baseline',
  'baseline_madrs',
  '--primary-visit',
  '8',
];

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
