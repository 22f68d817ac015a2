/**
 * Running `trd` in tests: in-process through runTrd (src/cli/trd.ts) with captured streams, which is what almost
 * every CLI test needs, or as a real process for what only a process shows (standard input from a pipe or a device,
 * the exit status). The process is bin/trd.js, as users run it, when the build is at least as new as every source
 * file (`npm test` builds first); otherwise src/cli/main.ts from source under tsx, so a test never runs stale code.
 */
import { execFile } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { runTrd } from './trd.ts';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export const REPO_ROOT = join(import.meta.dirname, '..', '..');

/** `trd ...args` in this process; `stdin` is what `-` reads. */
export async function trd(args: readonly string[], stdin = ''): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const input = Buffer.from(stdin, 'utf8');
  let offset = 0;
  const code = await runTrd(args, {
    out: (text) => void (stdout += text),
    err: (text) => void (stderr += text),
    readStdin: (buffer, at, length) => {
      const n = Math.min(length, input.length - offset);
      input.copy(buffer, at, offset, offset + n);
      offset += n;
      return n;
    },
  });
  return { code, stdout, stderr };
}

/** The built command line (dist/cli-bundle/main.js, scripts/bundle-cli.mjs). */
export const BUILT_CLI = join(REPO_ROOT, 'dist', 'cli-bundle', 'main.js');

let buildIsCurrent: boolean | undefined;

/** Whether the build is newer than every file under src/ it is made from (tests and test support aside). */
export function builtCliIsCurrent(): boolean {
  if (buildIsCurrent !== undefined) return buildIsCurrent;
  let built: number;
  try {
    built = statSync(BUILT_CLI).mtimeMs;
  } catch {
    return (buildIsCurrent = false);
  }
  const sources = readdirSync(join(REPO_ROOT, 'src'), { recursive: true, withFileTypes: true }).filter(
    (e) => e.isFile() && e.name.endsWith('.ts') && !/\.test(-support)?\.ts$/.test(e.name),
  );
  return (buildIsCurrent = sources.every((e) => statSync(join(e.parentPath, e.name)).mtimeMs <= built));
}

/** The command that starts `trd` as a process: the build when it is current, the sources otherwise. */
export function trdCommand(): string[] {
  return builtCliIsCurrent()
    ? [join(REPO_ROOT, 'bin', 'trd.js')]
    : ['--import', 'tsx', join(REPO_ROOT, 'src', 'cli', 'main.ts')];
}

/** `trd ...args` as a separate process, with `stdin` piped in. */
export function trdProcess(
  args: readonly string[],
  options: { stdin?: string; timeoutMs?: number } = {},
): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [...trdCommand(), ...args],
      { cwd: REPO_ROOT, maxBuffer: 1 << 26, timeout: options.timeoutMs ?? 60_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
    child.stdin?.end(options.stdin ?? '');
  });
}

/** The lines of stderr that are not empty. */
export const stderrLines = (run: CliRun): string[] => run.stderr.split('\n').filter((line) => line.trim() !== '');
