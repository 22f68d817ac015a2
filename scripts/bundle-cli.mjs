#!/usr/bin/env node
// Part of `npm run build`: bundles the `trd` command line (src/cli/main.ts) into dist/cli-bundle/ with esbuild, so
// that `trd` loads a few files instead of hundreds of small modules (docs/cli.md, "Commands and start-up"). ESM with
// code splitting: each command that src/cli/trd.ts loads lazily is its own chunk, so `trd assess` never loads the HTTP
// server, DuckDB or vega. The tsc output in dist/ stays (the package's `exports`, the worker entry points).
//
// Files found relative to a module (`new URL('../../knowledge/', import.meta.url)`) must resolve exactly as they do
// from that module's own compiled file, wherever its code lands in the bundle: `import.meta.url` in each source file
// is replaced by the URL of the file tsc makes of it (dist/<same path>.js), computed from the chunk's own URL.
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..');
const src = join(root, 'src');
const outdir = join(root, 'dist', 'cli-bundle');

// Pure JavaScript packages on the paths of the quick commands are bundled (the schemas, the argument parser); every
// other package stays a normal import from node_modules: native addons (better-sqlite3, DuckDB),
// packages that read their own files at run time (PGlite's WebAssembly, fastify plugins' assets, pino's transports)
// and the large ones only some commands need.
const BUNDLED = [/^zod(\/|$)/, /^commander(\/|$)/, /^canonicalize(\/|$)/];

/** The URL tsc's output of `file` has, relative to a chunk in dist/cli-bundle/. */
function compiledUrlFrom(file) {
  const fromDist = relative(src, file).split('\\').join('/').replace(/\.ts$/, '.js');
  return `new URL(${JSON.stringify(`../${fromDist}`)}, import.meta.url).href`;
}

const keepRelativeUrls = {
  name: 'keep-relative-urls',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.kind === 'entry-point' || args.path.startsWith('node:')) return undefined;
      return BUNDLED.some((re) => re.test(args.path)) ? undefined : { path: args.path, external: true };
    });
    b.onLoad({ filter: /\.ts$/ }, (args) => {
      if (!args.path.startsWith(src)) return undefined;
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return { contents: text, loader: 'ts' };
      return { contents: text.replaceAll('import.meta.url', compiledUrlFrom(args.path)), loader: 'ts' };
    });
  },
};

/** `text` with `from` replaced by `to`; the build fails if a package update moved the code this relies on. */
function patch(text, file, from, to) {
  if (!text.includes(from)) throw new Error(`bundle-cli: ${file} no longer contains ${JSON.stringify(from)}`);
  return text.replace(from, to);
}

// Changes to how packages are bundled that only remove start-up work, never behaviour `trd` uses:
const trimPackages = {
  name: 'trim-packages',
  setup(b) {
    // zod's `locales` namespace re-exports ~60 translations of its messages (a third of the zod code to compile);
    // trd never calls z.config(z.locales.xx()), and zod registers English by itself (zod/v4/classic/schemas.js).
    b.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, () => ({
      contents: 'export { default as en } from "./en.js";',
      loader: 'js',
    }));
    // commander loads child_process (and with it net, dgram, ...) for git-style executable subcommands, which trd
    // does not have: load it on first use instead.
    b.onLoad({ filter: /[\\/]commander[\\/]lib[\\/]command\.js$/ }, (args) => ({
      contents: patch(
        readFileSync(args.path, 'utf8'),
        args.path,
        "const childProcess = require('node:child_process');",
        "const childProcess = { spawn: (...a) => require('node:child_process').spawn(...a) };",
      ),
      loader: 'js',
    }));
    // The UCUM package (CommonJS, some twenty modules and 230 KB of tables) stays in node_modules and is loaded on
    // first use instead of when the engine loads: src/units/convert.ts builds its tables lazily, and a unit that is
    // already the wanted one never needs them.
    b.onResolve({ filter: /^@lhncbc\/ucum-lhc$/ }, (args) =>
      args.kind === 'require-call' ? { path: args.path, external: true } : { path: args.path, namespace: 'lazy-cjs' },
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy-cjs' }, (args) => ({
      contents: `let real; module.exports = new Proxy({}, { get: (_, key) => (real ??= require(${JSON.stringify(args.path)}))[key] });`,
      loader: 'js',
      resolveDir: root,
    }));
  },
};

rmSync(outdir, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: { main: join(src, 'cli', 'main.ts') },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  sourcesContent: false,
  // Less code for V8 to parse at every start; names are kept, so a stack trace stays readable without the map.
  minifyWhitespace: true,
  minifySyntax: true,
  chunkNames: 'chunk-[hash]',
  // Bundled CommonJS (commander, UCUM) calls require() for Node's own modules; ESM has no require of its own.
  banner: {
    js: "import { createRequire as __trdCreateRequire } from 'node:module';\nconst require = __trdCreateRequire(import.meta.url);",
  },
  plugins: [trimPackages, keepRelativeUrls],
  metafile: true,
  logLevel: 'warning',
});
const outputs = Object.entries(result.metafile.outputs).filter(([name]) => name.endsWith('.js'));
const bytes = outputs.reduce((sum, [, o]) => sum + o.bytes, 0);
console.log(`bundle-cli: ${outputs.length} files, ${(bytes / 1024).toFixed(0)} KiB in dist/cli-bundle/`);
