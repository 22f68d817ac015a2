/**
 * Reads knowledge/instruments/*.json (located relative to this module) and validates each against the instrument
 * schema. Broken files throw one KnowledgeError naming every file and field (the command line says "broken knowledge
 * files"): it is a packaging fault, not bad user input.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KnowledgeError, readKnowledgeFile } from '../knowledge/load.ts';
import { validate } from '../knowledge/parse.ts';
import type { Issue } from '../record/index.ts';
import { InstrumentSchema, type InstrumentDefinition } from './schema.ts';

export const DEFAULT_INSTRUMENTS_DIR = fileURLToPath(new URL('../../knowledge/instruments/', import.meta.url));

export function loadInstruments(dir: string = DEFAULT_INSTRUMENTS_DIR): Map<string, InstrumentDefinition> {
  const out = new Map<string, InstrumentDefinition>();
  const issues: Issue[] = [];
  for (const name of readdirSync(dir)
    .filter((n) => n.endsWith('.json'))
    .sort()) {
    const file = readKnowledgeFile(join(dir, name), issues);
    const instrument = file === undefined ? undefined : validate(InstrumentSchema, file, issues);
    if (instrument !== undefined) out.set(instrument.value.id, instrument.value);
  }
  if (issues.length > 0) throw new KnowledgeError(issues);
  return out;
}
