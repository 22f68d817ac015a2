#!/usr/bin/env node
// Part of `npm run build`, after tsc: validates every bundled knowledge file with the compiled schemas and writes
// dist/knowledge-validated.json (each file's schema output with the SHA-256 of its text). The compiled loaders skip
// re-validating a file whose text still has that hash (src/knowledge/validated.ts), so `trd` starts faster; any
// edited file is validated as usual. A file that fails validation is left out of the snapshot.
//
// Then the bundled knowledge is loaded as `trd` loads it, by the compiled loaders themselves (the pathway with its code
// sets and citations, the trial protocols cross-checked against them, the instruments, the CTCAE tables): knowledge
// that does not load fails the build with the loader's own message (file, field, reason), where it otherwise built
// and failed only when `trd` ran.
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

// After the snapshot is written, so that the loaders read this build's validation, never an earlier build's.
const { loadKnowledge } = await import(join(dist, 'knowledge', 'load.js'));
const { loadTrials } = await import(join(dist, 'trials', 'load.js'));
const { loadInstruments } = await import(join(dist, 'instruments', 'load.js'));
const { loadCtcae } = await import(join(dist, 'safety', 'load.js'));
const { conductProblems } = await import(join(dist, 'trial', 'check.js'));
let conduct = [];
try {
  const { protocols } = loadTrials(loadKnowledge());
  const instruments = loadInstruments();
  const ctcae = new Set();
  for (const name of readdirSync(join(root, 'knowledge', 'safety')).sort()) {
    const version = /^ctcae-v(\d+\.\d+)\.json$/.exec(name)?.[1];
    if (version === undefined) continue;
    loadCtcae(version);
    ctcae.add(version);
  }
  // What `trd trial init` checks of a protocol's conduct blocks (src/trial/check.ts; its CTCAE table), checked here for
  // the bundled protocols: an outcome on an instrument no file defines would otherwise match patients and fail only
  // when a trial is set up.
  conduct = protocols.flatMap((p) => {
    const file = `knowledge/trials: protocol ${p.id}`;
    const version = p.safety?.ctcaeVersion;
    return [
      ...conductProblems(p, instruments).map((problem) => `${file}: ${problem}`),
      ...(version === undefined || ctcae.has(version)
        ? []
        : [`${file}: safety.ctcaeVersion: no CTCAE v${version} table in knowledge/safety`]),
    ];
  });
} catch (error) {
  if (error?.name !== 'KnowledgeError' && error?.name !== 'TrialsError') throw error;
  process.stderr.write(`knowledge-snapshot: broken knowledge files: ${error.message}\n`);
  process.exit(1);
}
if (conduct.length > 0) {
  process.stderr.write(`knowledge-snapshot: broken knowledge files: ${conduct.join('; ')}\n`);
  process.exit(1);
}
console.log(
  `knowledge-snapshot: ${Object.keys(files).length} files validated into dist/knowledge-validated.json (${skipped} other files left to the loader), bundled knowledge loads`,
);
