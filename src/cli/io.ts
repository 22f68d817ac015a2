/**
 * Where a `trd` run writes and reads: standard output, standard error and standard input by default, or the strings
 * a test passes to runTrd (src/cli/trd.ts). Held in an AsyncLocalStorage so that commands run in-process in tests,
 * concurrently, each see their own streams; commands write through `out` and `err` here, never process.stdout.
 */
import type { AsyncLocalStorage } from 'node:async_hooks';
import { readSync } from 'node:fs';

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Reads standard input into `buffer` at `offset`; returns the bytes read, 0 at the end. */
  readStdin(buffer: Buffer, offset: number, length: number): number;
}

/** Standard input as a file descriptor; EAGAIN (a non-blocking pipe with nothing yet) is waited out. */
function readFd0(buffer: Buffer, offset: number, length: number): number {
  for (;;) {
    try {
      return readSync(0, buffer, offset, length, null);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') continue;
      if (code === 'EOF') return 0;
      throw error;
    }
  }
}

export const PROCESS_IO: CliIo = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  readStdin: readFd0,
};

// Created on the first run with other streams than the process's (tests): the `trd` process itself never loads
// async_hooks, whose promise tracking costs every run of the command line several milliseconds at start-up.
let current: AsyncLocalStorage<CliIo> | undefined;

/** The streams of the run in progress. */
export function cliIo(): CliIo {
  return current?.getStore() ?? PROCESS_IO;
}

export function withCliIo<T>(io: CliIo, run: () => T): T {
  if (io === PROCESS_IO && current?.getStore() === undefined) return run();
  current ??= new (process.getBuiltinModule('node:async_hooks').AsyncLocalStorage)<CliIo>();
  return current.run(io, run);
}

export const out = (text: string): void => cliIo().out(text);

/** The option as typed on the command line from its commander key: `nPerArm` is `--n-per-arm`. */
export const optionName = (key: string): string => `--${key.replace(/[A-Z]/g, (m) => `-${m.toLowerCase()}`)}`;

/**
 * A check the user asked for ran and failed (an audit trail that does not verify, a backup that fails its check): the
 * boundary prints its one line and exits 1, where bad input exits 2.
 */
export class CheckFailed extends Error {
  override readonly name = 'CheckFailed';
}

/**
 * The run was interrupted (Ctrl-C, SIGTERM) and stopped cleanly, its work kept for the same command to resume: the
 * boundary prints its one line and exits 128 + the signal's number (130 for SIGINT, 143 for SIGTERM), as a shell
 * reports a process the signal ended.
 */
export class Interrupted extends Error {
  override readonly name = 'Interrupted';
  readonly exitCode: number;
  constructor(message: string, signal: NodeJS.Signals) {
    super(message);
    this.exitCode = signalExitCode(signal);
  }
}

/** 128 + the signal's number: the exit status a shell gives a process ended by that signal. */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + (process.getBuiltinModule('node:os').constants.signals[signal] ?? 0);
}
