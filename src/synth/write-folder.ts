/**
 * The folder `trd synth` writes a population into. A population is several files, and which ones depends on the
 * format and on the patients (an AllergyIntolerance file only when one has an allergy): a new population written over
 * an earlier one would leave the earlier one's other files beside it, and a screen of the folder would read both
 * populations against one ground truth. So an earlier population that trd synth wrote (its ground truth is there) is
 * removed whole first; an export it did not write is refused, never written over.
 */
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../record/index.ts';
import { OMOP_TABLES } from '../screen/sources/omop-schema.ts';
import { isResourceFileName } from '../screen/sources/ndjson.ts';
import { GROUND_TRUTH_FILE } from './truth.ts';
import { OMOP_DUCKDB_FILE } from './write-omop.ts';

/** The files of a population in the folder: FHIR NDJSON resource files, OMOP tables (CSV, DuckDB), ground truth. */
function populationFiles(dir: string): string[] {
  const omop = new Set([
    ...Object.keys(OMOP_TABLES).map((t) => `${t}.csv`),
    OMOP_DUCKDB_FILE,
    `${OMOP_DUCKDB_FILE}.wal`,
    GROUND_TRUTH_FILE,
  ]);
  return readdirSync(dir)
    .filter((name) => isResourceFileName(name) || omop.has(name))
    .sort();
}

/** Readies an existing folder for a new population (see above); InputError for an export trd synth did not write. */
export function clearForPopulation(what: string, dir: string): void {
  const files = populationFiles(dir);
  if (files.length === 0) return;
  if (!files.includes(GROUND_TRUTH_FILE)) {
    const named = files.slice(0, 3).join(', ') + (files.length > 3 ? `, and ${files.length - 3} more` : '');
    throw new InputError(
      `${what} ${dir} holds an export that trd synth did not write (${named}); give an empty or new folder`,
      'output.holds-export',
    );
  }
  for (const name of files) rmSync(join(dir, name), { force: true });
}
