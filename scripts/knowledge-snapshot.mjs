#!/usr/bin/env node
// Part of `npm run build`, after tsc: validates every bundled knowledge file with the compiled schemas and writes
// dist/knowledge-validated.json (each file's schema output with the SHA-256 of its text). The compiled loaders skip
// re-validating a file whose text still has that hash (src/knowledge/validated.ts), so `trd` starts faster; any
// edited file is validated as usual. A file that fails validation is left out (the loader then reports it).
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..');
const dist = join(root, 'dist');
const { KNOWLEDGE_FILE_SCHEMAS, CitationsFileSchema, CodeSystemsFileSchema, CodeSetSchema, AntidepressantTableSchema } =
  await import(join(dist, 'knowledge', 'schema-codesets.js'));
const { PATHWAY_SCHEMA, PathwaySchema } = await import(join(dist, 'knowledge', 'schema-pathway.js'));
const { TrialProtocolSchema } = await import(join(dist, 'trials', 'schema.js'));

const schemas = new Map([
  [KNOWLEDGE_FILE_SCHEMAS.citations, CitationsFileSchema],
  [KNOWLEDGE_FILE_SCHEMAS.codeSystems, CodeSystemsFileSchema],
  [KNOWLEDGE_FILE_SCHEMAS.codeSet, CodeSetSchema],
  [KNOWLEDGE_FILE_SCHEMAS.antidepressants, AntidepressantTableSchema],
  [PATHWAY_SCHEMA, PathwaySchema],
  ['precision-trd/trial-protocol@1', TrialProtocolSchema],
]);

const files = {};
let skipped = 0;
for (const entry of readdirSync(join(root, 'knowledge'), { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !entry.name.endsWith('.json')) continue;
  const path = join(entry.parentPath ?? entry.path, entry.name);
  const text = readFileSync(path, 'utf8');
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    skipped++;
    continue;
  }
  const schema = schemas.get(json?.schema);
  const parsed = schema?.safeParse(json);
  if (parsed?.success !== true) {
    skipped++;
    continue;
  }
  files[relative(root, path).split('\\').join('/')] = {
    sha256: createHash('sha256').update(text).digest('hex'),
    value: parsed.data,
  };
}
writeFileSync(
  join(dist, 'knowledge-validated.json'),
  JSON.stringify({ schema: 'precision-trd/knowledge-validated@1', files }),
);
console.log(
  `knowledge-snapshot: ${Object.keys(files).length} files validated into dist/knowledge-validated.json (${skipped} other files left to the loader)`,
);
