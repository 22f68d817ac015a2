#!/usr/bin/env node
// The `trd` command: runs the bundled JavaScript in dist/cli-bundle/ (built by `npm run build`, which `npm ci` runs
// through the `prepare` script; scripts/bundle-cli.mjs). No TypeScript compiler or bundler runs here.
import { existsSync } from 'node:fs';

const main = new URL('../dist/cli-bundle/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('trd: the compiled CLI is missing; run `npm run build` (or `npm ci`) first\n');
  process.exit(1);
}
// TRD_DEBUG=1 prints the stack of a fault (src/cli/trd.ts): through the source maps, it names src/ files and lines.
if (process.env.TRD_DEBUG === '1') process.setSourceMapsEnabled(true);
await import(main.href);
