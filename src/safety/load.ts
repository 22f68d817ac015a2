/**
 * Reads the CTCAE tables of knowledge/safety/ (ctcae-v<version>.json), located relative to this module.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { KnowledgeError, readKnowledgeFile } from '../knowledge/load.ts';
import { validate } from '../knowledge/parse.ts';
import type { Issue } from '../record/index.ts';
import { CtcaeTableSchema, type CtcaeTable } from './schema.ts';

const DIR = new URL('../../knowledge/safety/', import.meta.url);

/**
 * The table for `version` (e.g. "5.0"); throws when the version is not bundled, and a KnowledgeError naming the file
 * and field when the file is not valid (as every knowledge file: the command line says "broken knowledge files").
 */
export function loadCtcae(version: string, dir: URL = DIR): CtcaeTable {
  if (!/^\d+\.\d+$/.test(version)) throw new Error(`CTCAE version must look like 5.0`);
  const file = fileURLToPath(new URL(`ctcae-v${version}.json`, dir));
  if (!existsSync(file)) throw new Error(`CTCAE v${version} is not bundled (knowledge/safety/ctcae-v${version}.json)`);
  const issues: Issue[] = [];
  const json = readKnowledgeFile(file, issues);
  const table = json === undefined ? undefined : validate(CtcaeTableSchema, json, issues);
  if (table === undefined) throw new KnowledgeError(issues);
  return table.value;
}
