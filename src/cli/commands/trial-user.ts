/**
 * `trd trial-user add --trial-db LOCATION --username NAME --role ROLE [--site SITE] [--display-name TEXT]`: creates a
 * trial account for the web pages and API of `trd serve --trial-db`. The password is read from standard input (one
 * line; never an argument, which other users of the machine could see in the process list), hashed with scrypt and
 * only the hash is stored. The first account of a trial store must be an administrator. `trd trial-user list` prints
 * the accounts (no hashes); `deactivate` stops one signing in and ends its sessions, `activate` undoes that;
 * `password` sets a new password (standard input) and ends the account's sessions.
 */
import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { TrialRoleSchema } from '../../trial/roles.ts';
import { USERNAME_RULE, type UserRecord } from '../../trial/model.ts';
import type { TrialStore } from '../../trial/store/port.ts';
import { checkExistingSqliteStore, InputError, readInputText } from '../input.ts';
import { out } from '../io.ts';

interface AddOptions {
  trialDb: string;
  username: string;
  role: string;
  site?: string;
  displayName?: string;
}

async function readPassword(): Promise<string> {
  const { MAX_PASSWORD_LENGTH } = await import('../../server/trial/password.ts');
  const line = readInputText('-', 4 * MAX_PASSWORD_LENGTH + 2).split(/\r?\n/)[0] ?? '';
  if (line.length < 12)
    throw new InputError('the password (standard input, one line) must have at least 12 characters');
  // A longer one would be stored, and then refused at every sign-in.
  if (line.length > MAX_PASSWORD_LENGTH)
    throw new InputError(`the password (standard input, one line) must have at most ${MAX_PASSWORD_LENGTH} characters`);
  return line;
}

async function add(options: AddOptions): Promise<void> {
  const role = TrialRoleSchema.safeParse(options.role);
  if (!role.success) throw new InputError(`--role: one of ${TrialRoleSchema.options.join(', ')}`);
  const password = await readPassword();
  const { openTrialStore, parseLocation } = await import('../../trial/store/open.ts');
  const { createAccounts } = await import('../../server/trial/accounts.ts');
  // A new file becomes a new trial store; an existing one must be a SQLite database.
  const where = parseLocation(options.trialDb);
  if (where.kind === 'sqlite' && existsSync(where.path)) checkExistingSqliteStore('--trial-db', where.path);
  const store = await openTrialStore(options.trialDb);
  try {
    const [user] = await createAccounts(
      store,
      [
        {
          username: options.username,
          displayName: options.displayName ?? options.username,
          role: role.data,
          site: options.site ?? null,
          password,
        },
      ],
      undefined,
      operator('account created from the command line'),
    );
    out(`created ${user?.username} (${user?.role}${user?.site === null ? '' : ` at ${user?.site}`})\n`);
  } finally {
    await store.close();
  }
}

/** The command line acts as the local operator, as `trd trial` does. */
const operator = (reason: string) => ({
  actor: { userId: `cli:${userInfo().username}`, role: 'administrator' as const, site: null },
  reason,
});

/**
 * Runs `act` on an existing account of an existing trial store (`--trial-db`), the store closed afterwards whatever
 * happens; an unknown user name is an input error.
 */
async function withAccount(
  options: { trialDb: string; username: string },
  act: (store: TrialStore, user: UserRecord) => Promise<void>,
): Promise<void> {
  const { openTrialStore, parseLocation } = await import('../../trial/store/open.ts');
  const where = parseLocation(options.trialDb);
  if (where.kind === 'sqlite') checkExistingSqliteStore('--trial-db', where.path);
  const store = await openTrialStore(options.trialDb);
  try {
    const user = await store.getUserByUsername(options.username.toLowerCase());
    if (user === null) throw new InputError(`--username: no account ${options.username}`);
    await act(store, user);
  } finally {
    await store.close();
  }
}

/**
 * `deactivate` (someone who leaves the trial, a lost password): the account can no longer sign in and its sessions end
 * at once; `activate` lets it sign in again. The account and everything it recorded stay, as the audit trail needs.
 */
async function setActive(options: { trialDb: string; username: string }, active: boolean): Promise<void> {
  await withAccount(options, async (store, user) => {
    await store.setUserActive(
      operator(active ? 'account activated from the command line' : 'account deactivated from the command line'),
      user.id,
      active,
    );
    out(`${active ? 'activated' : 'deactivated'} ${user.username}${active ? '' : ' (its sessions ended)'}\n`);
  });
}

/**
 * `password`: a new password for an account (forgotten, or known to others), read from standard input as for `add`;
 * every session the account has open ends at once.
 */
async function password(options: { trialDb: string; username: string }): Promise<void> {
  const typed = await readPassword();
  const { hashPassword } = await import('../../server/trial/password.ts');
  await withAccount(options, async (store, user) => {
    await store.setPasswordHash(operator('password set from the command line'), user.id, await hashPassword(typed));
    out(`new password set for ${user.username} (its sessions ended)\n`);
  });
}

async function list(options: { trialDb: string }): Promise<void> {
  const { openTrialStore, parseLocation } = await import('../../trial/store/open.ts');
  const where = parseLocation(options.trialDb);
  if (where.kind === 'sqlite') checkExistingSqliteStore('--trial-db', where.path);
  const store = await openTrialStore(options.trialDb);
  try {
    for (const u of await store.listUsers()) {
      out(`${u.username}\t${u.role}\t${u.site ?? '(all sites)'}\t${u.active ? 'active' : 'inactive'}\n`);
    }
  } finally {
    await store.close();
  }
}

export function registerTrialUser(program: Command): void {
  const command = program
    .command('trial-user')
    .description('accounts for the trial pages and API (trd serve --trial-db)');
  command
    .command('add')
    .description('create an account; the password is read from standard input')
    .requiredOption('--trial-db <location>', 'the trial store (file path, sqlite:PATH, postgres://...)')
    .requiredOption('--username <name>', USERNAME_RULE)
    .requiredOption('--role <role>', TrialRoleSchema.options.join(' | '))
    .option(
      '--site <site>',
      "the site a coordinator, investigator or outcome rater works at (one of the trial's once initialised)",
    )
    .option('--display-name <text>', 'the name shown on the pages')
    .action(add);
  command
    .command('deactivate')
    .description('stop an account signing in and end its sessions at once (it and its records stay)')
    .requiredOption('--trial-db <location>', 'the trial store')
    .requiredOption('--username <name>', 'the account')
    .action((options: { trialDb: string; username: string }) => setActive(options, false));
  command
    .command('activate')
    .description('let a deactivated account sign in again')
    .requiredOption('--trial-db <location>', 'the trial store')
    .requiredOption('--username <name>', 'the account')
    .action((options: { trialDb: string; username: string }) => setActive(options, true));
  command
    .command('password')
    .description('set a new password, read from standard input; the open sessions of the account end')
    .requiredOption('--trial-db <location>', 'the trial store')
    .requiredOption('--username <name>', 'the account')
    .action(password);
  command
    .command('list')
    .description('list the accounts')
    .requiredOption('--trial-db <location>', 'the trial store')
    .action(list);
}
