/**
 * Test support: the bundled knowledge files as in-memory JSON (deep copies, so a test can corrupt them freely) and
 * a temp copy of the knowledge folder for loader tests.
 */
import { cpSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUNDLED_KNOWLEDGE_DIR } from './load.ts';
import type { KnowledgeFile } from './parse.ts';

export function bundledFiles(): KnowledgeFile[] {
  const read = (relative: string): KnowledgeFile => ({
    path: `knowledge/${relative}`,
    json: JSON.parse(readFileSync(join(BUNDLED_KNOWLEDGE_DIR, relative), 'utf8')) as unknown,
  });
  const codeSets = readdirSync(join(BUNDLED_KNOWLEDGE_DIR, 'codesets'))
    .filter((n) => n.endsWith('.json'))
    .sort()
    .map((n) => read(`codesets/${n}`));
  return [read('citations.json'), ...codeSets, read('pathway/care-pathway.json')];
}

/** The JSON of one file (by path suffix) as a mutable object. */
export function fileJson(files: KnowledgeFile[], suffix: string): Record<string, unknown> {
  const file = files.find((f) => f.path.endsWith(suffix));
  if (file === undefined) throw new Error(`no knowledge file ending in ${suffix}`);
  return file.json as Record<string, unknown>;
}

/** A temp copy of the bundled knowledge folder, with `edit` applied to one file's JSON. */
export function corruptedKnowledgeDir(relative: string, edit: (json: Record<string, unknown>) => void): string {
  const dir = mkdtempSync(join(tmpdir(), 'precision-trd-knowledge-'));
  cpSync(BUNDLED_KNOWLEDGE_DIR, dir, { recursive: true });
  const path = join(dir, relative);
  const json = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  edit(json);
  writeFileSync(path, JSON.stringify(json));
  return dir;
}
