/**
 * Writes the golden vignette bundles and their manifest to test/fixtures/vignettes/ (and removes stale ones), from the
 * definitions in test/support/vignettes/. Run: `node --import tsx scripts/make-vignettes.ts`.
 * The output is committed; test/vignettes.test.ts fails if it is out of date.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderVignetteFiles, VIGNETTE_DIR } from '../test/support/vignettes/index.ts';

const root = join(import.meta.dirname, '..');
const dir = join(root, VIGNETTE_DIR);
mkdirSync(dir, { recursive: true });

const files = renderVignetteFiles();
for (const name of readdirSync(dir)) {
  if (name.endsWith('.json') && !files.has(name)) rmSync(join(dir, name));
}
for (const [name, text] of files) writeFileSync(join(dir, name), text);
process.stdout.write(`wrote ${files.size - 1} vignettes and the manifest to ${VIGNETTE_DIR}\n`);
