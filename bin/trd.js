#!/usr/bin/env node
// The `trd` command: runs the compiled JavaScript in dist/ (built by `npm run build`, which `npm ci` runs through the
// `prepare` script). No TypeScript compiler runs here.
import { existsSync } from 'node:fs';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('trd: the compiled CLI is missing; run `npm run build` (or `npm ci`) first\n');
  process.exit(1);
}
await import(main.href);
