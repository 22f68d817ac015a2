/**
 * Loads the DIA antidepressant trial (reference/stats-reference/data/antidepressant_hamd17.csv) for golden tests:
 * 172 subjects, HAMD17, visits 4..7 (weeks 1, 2, 4, 6), THERAPY DRUG vs PLACEBO, CHANGE = HAMDTL17 - BASVAL.
 */
import { parse } from 'csv-parse/sync';
import { readFileSync } from 'node:fs';
import { referencePath } from './golden.test-support.ts';

export interface AntidepressantRow {
  readonly subject: string;
  readonly arm: string;
  readonly visit: number;
  readonly baseline: number;
  readonly hamd: number;
  readonly change: number;
}

export const ANTIDEPRESSANT_CSV = referencePath('stats-reference/data/antidepressant_hamd17.csv');

export function loadAntidepressant(): AntidepressantRow[] {
  const records = parse(readFileSync(ANTIDEPRESSANT_CSV, 'utf8'), { columns: true, skip_empty_lines: true }) as Record<
    string,
    string
  >[];
  return records.map((r) => ({
    subject: String(r.PATIENT),
    arm: String(r.THERAPY),
    visit: Number(r.VISIT),
    baseline: Number(r.BASVAL),
    hamd: Number(r.HAMDTL17),
    change: Number(r.CHANGE),
  }));
}
