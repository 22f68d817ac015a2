/**
 * Running `trd` in tests: in-process through runTrd (src/cli/trd.ts) with captured streams, which is what almost
 * every CLI test needs, or as a real process from source (src/cli/main.ts under tsx) for what only a process shows
 * (standard input from a pipe or a device, the exit status).
 */
import { execFile } from 'node:child_process';
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

/** `trd ...args` as a separate process (from source), with `stdin` piped in or a file descriptor source. */
export function trdProcess(
  args: readonly string[],
  options: { stdin?: string; timeoutMs?: number } = {},
): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ['--import', 'tsx', join(REPO_ROOT, 'src', 'cli', 'main.ts'), ...args],
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
