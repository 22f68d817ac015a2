/**
 * Reads knowledge/instruments/*.json (located relative to this module) and validates each against the instrument
 * schema. A broken file throws one Error naming the file and field: it is a packaging fault, not bad user input.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InstrumentSchema, type InstrumentDefinition } from './schema.ts';

export const DEFAULT_INSTRUMENTS_DIR = fileURLToPath(new URL('../../knowledge/instruments/', import.meta.url));

export function loadInstruments(dir: string = DEFAULT_INSTRUMENTS_DIR): Map<string, InstrumentDefinition> {
  const out = new Map<string, InstrumentDefinition>();
  for (const name of readdirSync(dir)
    .filter((n) => n.endsWith('.json'))
    .sort()) {
    const parsed = InstrumentSchema.safeParse(JSON.parse(readFileSync(join(dir, name), 'utf8')));
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      throw new Error(`knowledge/instruments/${name}: ${first?.path.join('.') ?? ''}: ${first?.message ?? 'invalid'}`);
    }
    out.set(parsed.data.id, parsed.data);
  }
  return out;
}
