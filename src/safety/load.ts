/**
 * Reads the CTCAE tables of knowledge/safety/ (ctcae-v<version>.json), located relative to this module.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CtcaeTableSchema, type CtcaeTable } from './schema.ts';

const DIR = new URL('../../knowledge/safety/', import.meta.url);

/** The table for `version` (e.g. "5.0"); throws when the version is not bundled. */
export function loadCtcae(version: string): CtcaeTable {
  if (!/^\d+\.\d+$/.test(version)) throw new Error(`CTCAE version must look like 5.0`);
  const file = fileURLToPath(new URL(`ctcae-v${version}.json`, DIR));
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new Error(`CTCAE v${version} is not bundled (knowledge/safety/ctcae-v${version}.json)`);
  }
  return CtcaeTableSchema.parse(JSON.parse(text));
}
