/**
 * The `trd` process: runs the command line (trd.ts) on the process's arguments and streams. bin/trd.js starts the
 * compiled form of this file (dist/cli/main.js); `npm start` runs it from source.
 */
import { fsReason } from '../record/index.ts';
import { EXIT_USAGE, runTrd } from './trd.ts';

// A closed pipe (`trd assess x | head -1`) ends the output quietly instead of raising an unhandled EPIPE; any other
// failure to write the output (a full disk, `> /dev/full`) is one line and exit 2, as an unwritable output file is.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  process.stderr.write(`trd: cannot write the standard output: ${fsReason(error)}\n`);
  process.exit(EXIT_USAGE);
});

const code = await runTrd(process.argv.slice(2));
if (code !== 0) {
  process.exitCode = code;
  // A server process of `trd serve --workers N` that failed to start would live on through its IPC channel.
  if (process.connected === true) process.exit(code);
}
