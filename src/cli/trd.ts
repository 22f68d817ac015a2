/**
 * The `trd` command line. Each subcommand lives in commands/<name>.ts and registers itself on the program; this file
 * only assembles them, so that adding a command never touches another's code.
 */
import { Command } from 'commander';
import { registerAnalyze } from './commands/analyze.ts';
import { registerAssess } from './commands/assess.ts';
import { registerDesign } from './commands/design.ts';
import { registerMatch } from './commands/match.ts';
import { registerServe } from './commands/serve.ts';
import { registerTrial } from './commands/trial.ts';
import { registerTrialUser } from './commands/trial-user.ts';

export function buildProgram(): Command {
  const program = new Command('trd')
    .description('precision-trd: inflammation-stratified care of treatment-resistant depression')
    .version('0.1.0')
    .showHelpAfterError();
  registerAssess(program);
  registerMatch(program);
  registerAnalyze(program);
  registerDesign(program);
  registerServe(program);
  registerTrial(program);
  registerTrialUser(program);
  return program;
}

await buildProgram().parseAsync(process.argv);
