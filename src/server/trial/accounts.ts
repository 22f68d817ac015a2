/**
 * Creating trial accounts: the password is hashed here (scrypt, password.ts) and only the hash reaches the store.
 * Demo accounts exist only when the server is started with --demo; their passwords are random, made at creation and
 * printed once, so no deployment ever has a default password.
 */
import { randomBytes } from 'node:crypto';
import type { TrialRole } from '../../trial/roles.ts';
import type { UserRecord, WriteContext } from '../../trial/model.ts';
import type { TrialStore } from '../../trial/store/port.ts';
import { hashPassword } from './password.ts';

export interface AccountSpec {
  readonly username: string;
  readonly displayName: string;
  readonly role: TrialRole;
  readonly site: string | null;
  readonly password: string;
}

/** The actor of set-up writes made before any account exists (first run, demo); audited under this id. */
export const SETUP_CONTEXT: WriteContext = {
  actor: { userId: 'setup', role: 'administrator', site: null },
  reason: 'initial set-up',
};

export async function createAccounts(
  store: TrialStore,
  accounts: readonly AccountSpec[],
  cost?: { N: number; r: number; p: number },
  ctx: WriteContext = SETUP_CONTEXT,
): Promise<UserRecord[]> {
  const created: UserRecord[] = [];
  for (const a of accounts) {
    created.push(
      await store.createUser(ctx, {
        username: a.username,
        displayName: a.displayName,
        role: a.role,
        site: a.site,
        passwordHash: await hashPassword(a.password, cost),
      }),
    );
  }
  return created;
}

export function randomPassword(): string {
  return randomBytes(12).toString('base64url');
}

/** The demo's accounts (docs/trial-server.md): one per role, two coordinators at different sites. */
export function demoAccounts(sites: readonly [string, string]): AccountSpec[] {
  const [a, b] = sites;
  const spec = (username: string, displayName: string, role: TrialRole, site: string | null): AccountSpec => ({
    username,
    displayName,
    role,
    site,
    password: randomPassword(),
  });
  // The store's first account must be an administrator.
  return [
    spec('administrator', 'Administrator', 'administrator', null),
    spec('coordinator-a', `Coordinator (${a})`, 'coordinator', a),
    spec('coordinator-b', `Coordinator (${b})`, 'coordinator', b),
    spec('investigator-a', `Investigator (${a})`, 'investigator', a),
    spec('pharmacist', 'Unblinded pharmacist', 'unblinded-pharmacist', null),
    spec('monitor', 'Monitor', 'monitor', null),
    spec('statistician', 'Trial statistician', 'statistician', null),
    spec('rater-a', `Outcome rater (${a})`, 'outcome-rater', a),
  ];
}
