/**
 * The `trd` command line: the table of commands and the one error boundary every command runs inside.
 *
 * Each command lives in commands/<name>.ts and exports register<Name>(program). The table below holds one line per
 * command (its name, the summary `trd --help` lists, and how to load it); a command's module, and everything it
 * imports, is loaded only when that command runs, so `trd --help` and `trd assess` never pay for vega, the MMRM or
 * the HTTP server. See docs/cli.md.
 *
 * The boundary: whatever goes wrong, a run ends with an exit code and, on failure, ONE line `trd: <reason>` on
 * stderr: 2 for bad usage or input (commander's own errors, InputError, unreadable or unwritable files), 1 for a
 * broken installation (knowledge files) or a fault in trd itself. Never a stack trace (unless TRD_DEBUG=1), never the
 * whole help, never a control character (oneLine, src/record/issues.ts).
 */
import { Command, CommanderError } from 'commander';
import { fsReason, InputError, oneLine } from '../record/index.ts';
import { CheckFailed, cliIo, Interrupted, PROCESS_IO, withCliIo, type CliIo } from './io.ts';
import { packageVersion } from './version.ts';

type Register = (program: Command) => void;

interface CommandEntry {
  /** One line for `trd --help`. */
  readonly summary: string;
  /** Imports the command's module on demand and returns its register function. */
  readonly load: () => Promise<Register>;
}

/** Every `trd` command, one line each. */
export const COMMANDS: Readonly<Record<string, CommandEntry>> = {
  assess: {
    summary: 'assess one patient (FHIR R4 Bundle) against the care pathway',
    load: async () => (await import('./commands/assess.ts')).registerAssess,
  },
  match: {
    summary: 'match one patient (FHIR R4 Bundle) against the trial protocols',
    load: async () => (await import('./commands/match.ts')).registerMatch,
  },
  analyze: {
    summary: 'statistics of a two-arm trial from a long CSV, or from published counts',
    load: async () => (await import('./commands/analyze.ts')).registerAnalyze,
  },
  design: {
    summary: 'sample size and power of the next trial (t-test, ANCOVA, two proportions, CRP enrichment)',
    load: async () => (await import('./commands/design.ts')).registerDesign,
  },
  serve: {
    summary: 'serve the REST API, CDS Hooks and the clinician web app',
    load: async () => (await import('./commands/serve.ts')).registerServe,
  },
  synth: {
    summary: 'write a seeded synthetic population (FHIR Bulk Data NDJSON or OMOP CDM) with its ground truth',
    load: async () => (await import('./commands/synth.ts')).registerSynth,
  },
  screen: {
    summary: 'screen a population (NDJSON folder, OMOP in DuckDB or PostgreSQL) through the care pathway',
    load: async () => (await import('./commands/screen.ts')).registerScreen,
  },
  'screen-merge': {
    summary: 'merge the outputs of a sharded screen into one',
    load: async () => (await import('./commands/screen.ts')).registerScreenMerge,
  },
  'screen-sql': {
    summary: 'print the projection SQL a warehouse runs for the screen (duckdb, postgres, spark, bigquery, snowflake)',
    load: async () => (await import('./commands/screen.ts')).registerScreenSql,
  },
  trial: {
    summary: 'run a trial: allocation tables, store, audit verification, backup and restore, exports',
    load: async () => (await import('./commands/trial.ts')).registerTrial,
  },
  'trial-user': {
    summary: 'add or list the trial service accounts (password from standard input)',
    load: async () => (await import('./commands/trial-user.ts')).registerTrialUser,
  },
};

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** The command a user named: the first argument that is not an option (`trd help X` names X). */
function requestedCommand(args: readonly string[]): string | undefined {
  const first = args.find((a) => !a.startsWith('-'));
  if (first === 'help') return args[args.indexOf('help') + 1];
  return first;
}

/** `trd assess`, `trd design enrichment`: the deepest command named by the leading arguments, for the help hint. */
function commandPath(program: Command, args: readonly string[]): { path: string; command: Command } {
  const names = ['trd'];
  let command = program;
  for (const arg of args.filter((a) => !a.startsWith('-'))) {
    const sub = command.commands.find((c) => c.name() === arg);
    if (sub === undefined) break;
    names.push(arg);
    command = sub;
  }
  return { path: names.join(' '), command };
}

async function buildProgram(args: readonly string[]): Promise<Command> {
  const program = new Command('trd')
    .description('precision-trd: inflammation-stratified care of treatment-resistant depression')
    .version(packageVersion())
    .exitOverride()
    .configureOutput({
      writeOut: (text) => cliIo().out(text),
      // Commander's own error output (and the help it prints on a usage error) is replaced by the boundary's line.
      writeErr: () => undefined,
      outputError: () => undefined,
    });
  const wanted = requestedCommand(args);
  const entry = wanted === undefined ? undefined : Object.hasOwn(COMMANDS, wanted) ? COMMANDS[wanted] : undefined;
  if (entry !== undefined) {
    (await entry.load())(program);
    refuseRepeatedOptions(program);
    refuseOptionsAsValues(program);
  } else {
    // Only names and summaries: enough for `trd --help` and for "unknown command" with a suggestion.
    for (const [name, { summary }] of Object.entries(COMMANDS)) program.command(name).summary(summary);
  }
  return program;
}

/**
 * Refuses an option that takes one value when it is given twice (`--outcome a --outcome b`): commander keeps the last
 * in silence, so a run would analyse another column or date than one the user typed. Options that collect their
 * values (`--cds-client`, `--strata`) and variadic ones (`--trial a b`) may repeat.
 */
function refuseRepeatedOptions(command: Command): void {
  for (const option of command.options) {
    const takesOneValue = (option.required || option.optional) && !option.variadic && option.parseArg === undefined;
    if (!takesOneValue) continue;
    let seen = false;
    command.on(`option:${option.name()}`, () => {
      if (seen)
        // The first long name: `--trial-db` of `--trial-db, --db` (an option with an alias), `--out` of `-o, --out`.
        command.error(`option '${/--[\w-]+/.exec(option.flags)?.[0] ?? option.flags}' is given more than once`, {
          code: 'trd.repeatedOption',
        });
      seen = true;
    });
  }
  for (const sub of command.commands) refuseRepeatedOptions(sub);
}

/**
 * Refuses an option's value that is itself an option (`--report --json`, `--out --gzip`): commander takes the next
 * word as the value whatever it is, so the run wrote a file named `--json` and printed text where JSON was asked
 * for. A value starting with `--` is taken for a forgotten value; one dash is a value (`--beta1 -1`).
 */
function refuseOptionsAsValues(command: Command): void {
  for (const option of command.options) {
    if (!option.required) continue;
    command.on(`option:${option.name()}`, (value: unknown) => {
      const values: unknown[] = Array.isArray(value) ? value : [value];
      const taken = values.find((v): v is string => typeof v === 'string' && v.startsWith('--'));
      if (taken !== undefined)
        command.error(`option '${option.flags}' argument missing (it took the option '${taken}' as its value)`, {
          code: 'trd.optionAsValue',
        });
    });
  }
  for (const sub of command.commands) refuseOptionsAsValues(sub);
}

/**
 * `trd trial help inti`: commander answers a help for no subcommand of the group with "a command is required". The
 * words without `help` are parsed instead, so the line is commander's "unknown command 'inti'" with its suggestion.
 */
function helpForUnknownSubcommand(program: Command, args: readonly string[]): string[] | undefined {
  const at = args.indexOf('help');
  const name = args[at + 1];
  if (at < 1 || name === undefined || name.startsWith('-')) return undefined;
  const { path, command } = commandPath(program, args.slice(0, at));
  if (path.split(' ').length !== at + 1 || command.commands.length === 0) return undefined; // a FILE named help
  if (command.commands.some((c) => c.name() === name)) return undefined;
  return [...args.slice(0, at), ...args.slice(at + 1)];
}

/** The one line for an error commander raised (unknown option, missing argument, ...), or undefined for help. */
function usageLine(error: CommanderError, program: Command, args: readonly string[]): string | undefined {
  if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return undefined;
  const { path, command } = commandPath(program, args);
  // `trd help`, `trd help assess`, `trd design help ttest`: the help was printed as asked (exit code 0).
  if (error.code === 'commander.help' && error.exitCode === 0) return undefined;
  if (error.code === 'commander.help' || error.code === 'commander.executeSubCommandAsync') {
    return path === 'trd'
      ? 'a command is required (see trd --help)'
      : `${path.replace(/^trd /, '')}: a command is required (see ${path} --help)`;
  }
  // Commander puts its suggestion for a typo on a line of its own ("(Did you mean --json?)"): kept in the one line.
  const [first = '', ...rest] = error.message.replace(/^error:\s*/, '').split('\n');
  const suggestion = /^\(Did you mean (.+)\?\)$/.exec(rest.join(' ').trim())?.[1];
  // `trd match --trial insight x.json`: a variadic option takes every word after it, the FILE too, and commander then
  // says only that the FILE is missing.
  const variadic =
    error.code === 'commander.missingArgument'
      ? command.options.find((o) => o.variadic && o.long !== undefined && args.includes(o.long))?.long
      : undefined;
  const hint =
    variadic === undefined
      ? ''
      : `: ${variadic} takes every word after it; give the file before ${variadic} or end its list with --`;
  return `${first}${hint}${suggestion === undefined ? '' : `; did you mean ${suggestion}?`} (see ${path} --help)`;
}

/** The one line and exit code for anything a command threw. */
function failure(error: unknown): { line: string; code: number } {
  if (error instanceof InputError) return { line: error.message, code: EXIT_USAGE };
  if (error instanceof CheckFailed) return { line: error.message, code: EXIT_FAILURE };
  if (error instanceof Interrupted) return { line: error.message, code: error.exitCode };
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'KnowledgeError' || name === 'TrialsError') {
    return { line: `broken knowledge files: ${(error as Error).message}`, code: EXIT_FAILURE };
  }
  // SQLite's own words for a file it cannot use (a store given by an option that the command did not check first).
  if (name === 'SqliteError') {
    const code = (error as { code?: unknown }).code;
    if (code === 'SQLITE_NOTADB') return { line: 'the database file is not a SQLite database', code: EXIT_USAGE };
    if (code === 'SQLITE_CANTOPEN') return { line: 'the database file cannot be opened', code: EXIT_USAGE };
  }
  const errno = error as NodeJS.ErrnoException;
  if (typeof errno?.code === 'string' && typeof errno.syscall === 'string') {
    return { line: `${errno.syscall} failed: ${fsReason(error)}`, code: EXIT_USAGE };
  }
  return {
    line: `internal error (${typeof name === 'string' ? name : 'unknown'}); TRD_DEBUG=1 shows the details`,
    code: EXIT_FAILURE,
  };
}

/**
 * Runs `trd` with `args` (the words after `trd`) and returns the exit code. Output goes to `io` (the process's
 * streams by default); tests run commands in-process this way.
 */
export async function runTrd(args: readonly string[], io: CliIo = PROCESS_IO): Promise<number> {
  return withCliIo(io, async () => {
    const fail = (line: string, code: number): number => {
      io.err(`trd: ${oneLine(line)}\n`);
      return code;
    };
    if (args.length === 0) return fail('a command is required (see trd --help)', EXIT_USAGE);
    // `trd help NAME` for a command that does not exist: commander would print the general help and succeed. It is
    // refused as `trd NAME` is, with the same suggestion for a typo.
    const helpFor = args[0] === 'help' ? args[1] : undefined;
    if (helpFor !== undefined && !Object.hasOwn(COMMANDS, helpFor)) {
      if (helpFor.startsWith('-')) return fail(`unknown command '${helpFor}' (see trd --help)`, EXIT_USAGE);
      args = [helpFor];
    } else if (helpFor !== undefined && args.length > 2) {
      // `trd help trial init`: commander's help takes one name and showed `trd trial`'s help.
      args = [...args.slice(1), '--help'];
    }
    let program: Command | undefined;
    try {
      program = await buildProgram(args);
      args = helpForUnknownSubcommand(program, args) ?? args;
      await program.parseAsync([...args], { from: 'user' });
      return EXIT_OK;
    } catch (error) {
      if (error instanceof CommanderError) {
        const line = program === undefined ? error.message : usageLine(error, program, args);
        return line === undefined ? EXIT_OK : fail(line, EXIT_USAGE);
      }
      if (process.env.TRD_DEBUG === '1') io.err(`${(error as Error)?.stack ?? String(error)}\n`);
      const { line, code } = failure(error);
      return fail(line, code);
    }
  });
}
