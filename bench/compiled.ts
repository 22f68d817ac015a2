/**
 * The benches time the code users run: the compiled build in dist/ (`npm run build`: tsc, the knowledge snapshot and
 * the `trd` bundle), in plain `node` processes. The bench scripts themselves run through tsx (they generate their
 * inputs with the TypeScript test generators); whatever they import from src/ runs as tsx transforms it (esbuild with
 * keep-names wrappers), and worker threads started there register tsx again (src/screen/assess-pool.ts). So the timed
 * code runs in a child process started from a JavaScript file in bench/ (`*-child.mjs`, or bin/trd.js) with no
 * `--import tsx`, importing dist/; or, for bench:stats, it is imported from dist/ into the bench script
 * (importBuilt), which tsx loads untransformed (the design simulation's workers start from dist/ too).
 */
import { execFileSync, fork, spawnSync } from 'node:child_process';
import type { ChildProcess, ForkOptions, SpawnSyncReturns } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export const ROOT = join(import.meta.dirname, '..');

/** What `npm run build` reads; tests are not built (tsconfig.build.json). */
const BUILD_INPUTS = [
  'src',
  'knowledge',
  'scripts/bundle-cli.mjs',
  'scripts/knowledge-snapshot.mjs',
  'tsconfig.build.json',
];
const NOT_BUILT = /\.test(-support)?\.ts$/;
/** Written last by every build (scripts/bundle-cli.mjs empties dist/cli-bundle/ first). */
const BUILD_STAMP = join(ROOT, 'dist', 'cli-bundle', 'main.js');

/** The newest build input under `path` newer than `since` (ms), if any. */
function newerInput(path: string, since: number): string | undefined {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs > since && !NOT_BUILT.test(path) ? path : undefined;
  for (const entry of readdirSync(path)) {
    const found = newerInput(join(path, entry), since);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Makes sure dist/ holds a build of the current sources, running `npm run build` (output to stderr) if not. */
export function ensureBuild(bench: string): void {
  const builtAt = existsSync(BUILD_STAMP) ? statSync(BUILD_STAMP).mtimeMs : -Infinity;
  const newer =
    builtAt === -Infinity ? undefined : BUILD_INPUTS.map((p) => newerInput(join(ROOT, p), builtAt)).find(Boolean);
  if (builtAt !== -Infinity && newer === undefined) return;
  const why =
    newer === undefined ? 'there is no build in dist/' : `${relative(ROOT, newer)} is newer than the build in dist/`;
  process.stderr.write(`${bench}: ${why}; running npm run build (the bench times the compiled code)\n`);
  execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', process.stderr, 'inherit'] });
}

/**
 * A module of the build (dist/<path>.js) imported into a bench script: loaded as plain JavaScript (tsx leaves .js
 * files alone), so what it runs is the compiled code. Call ensureBuild first. `path` is relative to dist/.
 */
export async function importBuilt<M>(path: string): Promise<M> {
  return (await import(new URL(`../dist/${path}`, import.meta.url).href)) as M;
}

/** A bench child script (bench/<name>), run by plain node: no tsx hooks in it or in its worker threads. */
const childScript = (name: string): string => join(ROOT, 'bench', name);

/** Runs bench/<name> to its end in plain node; throws with its stderr if it fails. */
export function runChild(name: string, args: readonly string[], nodeFlags: readonly string[] = []): string {
  const r: SpawnSyncReturns<string> = spawnSync(process.execPath, [...nodeFlags, childScript(name), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 1 << 26,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (r.status !== 0)
    throw new Error(`bench child ${name} ${args[0] ?? ''} failed (${r.status ?? r.signal}): ${r.stderr}`);
  return r.stdout;
}

/** Starts bench/<name> in plain node with an IPC channel (fork would otherwise pass on this process's tsx flags). */
export function forkChild(name: string, args: readonly string[], options: ForkOptions = {}): ChildProcess {
  return fork(childScript(name), [...args], { cwd: ROOT, ...options, execArgv: [] });
}
