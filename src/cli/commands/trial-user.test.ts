/**
 * `trd trial-user deactivate` and `activate` on the store a running trial server uses: a deactivated account's
 * sessions end at once and it cannot sign in; activated again, it can.
 * Run: node --import tsx --test src/cli/commands/trial-user.test.ts
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TrialClient } from '../../server/trial/client.test-support.ts';
import { accountFor, startTestTrial } from '../../server/trial/harness.test-support.ts';
import { stderrLines, trd } from '../run.test-support.ts';

test('trd trial-user deactivate ends the sessions of the account and stops its sign-in; activate lets it in again', async () => {
  const t = await startTestTrial();
  try {
    const account = accountFor('coordinator', 'site-a');
    const coord = await t.signIn('coordinator', 'site-a');
    assert.equal((await coord.get('/trial/api/session')).status, 200);

    const off = await trd(['trial-user', 'deactivate', '--trial-db', t.location, '--username', account.username]);
    assert.equal(off.code, 0, off.stderr);
    assert.equal(off.stdout, `deactivated ${account.username} (its sessions ended)\n`);
    assert.equal((await coord.get('/trial/api/session')).status, 401, 'the open session ended');
    assert.equal((await new TrialClient(t.url).login(account.username, account.password)).status, 401);
    const listed = await trd(['trial-user', 'list', '--trial-db', t.location]);
    assert.match(listed.stdout, new RegExp(`^${account.username}\\tcoordinator\\tsite-a\\tinactive$`, 'm'));
    const audited = (await t.store.listAudit({ limit: 1000 })).filter(
      (e) => e.entity === 'user' && e.action === 'update',
    );
    assert.equal(audited.at(-1)?.reason, 'account deactivated from the command line');

    const on = await trd(['trial-user', 'activate', '--trial-db', t.location, '--username', account.username]);
    assert.equal(on.code, 0, on.stderr);
    assert.equal((await new TrialClient(t.url).login(account.username, account.password)).status, 200);

    const unknown = await trd(['trial-user', 'deactivate', '--trial-db', t.location, '--username', 'nobody-here']);
    assert.equal(unknown.code, 2);
    assert.deepEqual(stderrLines(unknown), ['trd: --username: no account nobody-here']);
  } finally {
    await t.close();
  }
});

test('trd trial-user password sets a new password from standard input and ends the sessions the old one opened', async () => {
  const t = await startTestTrial();
  try {
    const account = accountFor('investigator', 'site-a');
    const held = await t.signIn('investigator', 'site-a'); // a session someone who knew the old password may hold
    const set = await trd(
      ['trial-user', 'password', '--trial-db', t.location, '--username', account.username],
      'a-new-password-4567\n',
    );
    assert.equal(set.code, 0, set.stderr);
    assert.equal(set.stdout, `new password set for ${account.username} (its sessions ended)\n`);
    assert.equal((await held.get('/trial/api/session')).status, 401, 'the session the old password opened ended');
    assert.equal((await new TrialClient(t.url).login(account.username, account.password)).status, 401);
    assert.equal((await new TrialClient(t.url).login(account.username, 'a-new-password-4567')).status, 200);
    const short = await trd(
      ['trial-user', 'password', '--trial-db', t.location, '--username', account.username],
      'short\n',
    );
    assert.equal(short.code, 2);
    assert.match(short.stderr, /at least 12 characters/);
    // Longer than sign-in takes: it would be stored and then refused at every sign-in.
    const long = `${'x'.repeat(1025)}\n`;
    const tooLong = await trd(
      ['trial-user', 'password', '--trial-db', t.location, '--username', account.username],
      long,
    );
    assert.equal(tooLong.code, 2);
    assert.deepEqual(stderrLines(tooLong), [
      'trd: the password (standard input, one line) must have at most 1024 characters',
    ]);
    const added = await trd(
      ['trial-user', 'add', '--trial-db', t.location, '--username', 'long-pw', '--role', 'monitor'],
      long,
    );
    assert.equal(added.code, 2);
    assert.equal((await t.store.getUserByUsername('long-pw')) === null, true, 'no account that could never sign in');
    assert.equal((await new TrialClient(t.url).login(account.username, 'a-new-password-4567')).status, 200);
  } finally {
    await t.close();
  }
});

test('trd trial-user add refuses a site the trial does not have, and a site for a role that sees every site', async () => {
  const t = await startTestTrial();
  try {
    const add = (username: string, role: string, site: string) =>
      trd(
        ['trial-user', 'add', '--trial-db', t.location, '--username', username, '--role', role, '--site', site],
        'a-long-enough-password\n',
      );
    const elsewhere = await add('c-zurich', 'coordinator', 'site-z');
    assert.equal(elsewhere.code, 2);
    assert.deepEqual(stderrLines(elsewhere), ['trd: user: site site-z is not a site of the trial (site-a, site-b)']);
    const statistician = await add('stat-a', 'statistician', 'site-a');
    assert.equal(statistician.code, 2);
    assert.match(statistician.stderr, /a statistician is not bound to a site/);
    assert.equal(await t.store.getUserByUsername('c-zurich'), null);
    assert.equal(await t.store.getUserByUsername('stat-a'), null);
    const capitals = await add('Coordinator-B', 'coordinator', 'site-b');
    assert.equal(capitals.code, 2);
    assert.deepEqual(stderrLines(capitals), [
      'trd: user: username: 2 to 64 lower-case letters, digits, ".", "_" or "-", beginning with a letter or a digit',
    ]);
    const ok = await add('c-b2', 'coordinator', 'site-b');
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, 'created c-b2 (coordinator at site-b)\n');
  } finally {
    await t.close();
  }
});
