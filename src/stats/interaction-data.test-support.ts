/**
 * Loads our simulated MADRS/CRP trial (reference/r/trd_madrs_crp.csv, made by reference/r/interaction.R, seed
 * 20261127): subject, arm (TOCILIZUMAB/PLACEBO), week 1/2/4/8, madrs (empty = missing), baseline_madrs, crp (mg/L).
 */
import { parse } from 'csv-parse/sync';
import { readFileSync } from 'node:fs';
import { referencePath } from './golden.test-support.ts';

export const TRD_MADRS_CSV = referencePath('r/trd_madrs_crp.csv');

export interface MadrsRow {
  readonly subject: string;
  readonly arm: string;
  readonly week: number;
  readonly madrs: number | null;
  readonly baseline: number;
  readonly crp: number;
}

export function loadMadrsCrp(): MadrsRow[] {
  const records = parse(readFileSync(TRD_MADRS_CSV, 'utf8'), { columns: true, skip_empty_lines: true }) as Record<
    string,
    string
  >[];
  return records.map((r) => ({
    subject: String(r.subject),
    arm: String(r.arm),
    week: Number(r.week),
    madrs: r.madrs === '' || r.madrs === undefined ? null : Number(r.madrs),
    baseline: Number(r.baseline_madrs),
    crp: Number(r.crp),
  }));
}
