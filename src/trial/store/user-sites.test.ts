/**
 * An account's site: a site-bound role (coordinator, investigator, outcome rater) at a site the initialised trial does
 * not have would see nothing, and a site given to a role that sees every site would be shown and never applied: both
 * are refused. Before init the trial's sites are not known, and a site-bound account is taken as given. A site-bound
 * account with no site has all sites (src/trial/roles.ts, boundSite), for its writes as for the server's reads.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InputError } from '../../record/index.ts';
import type { TrialRole } from '../roles.ts';
import { as, eligibleCriteria, enrolOne, initTrial, sqliteFactory } from './stores.test-support.ts';

test("an account's site must be one of the trial's, and only for a site-bound role", async () => {
  const opened = await sqliteFactory.open();
  try {
    const { store } = opened;
    const add = (username: string, role: TrialRole, site: string | null) =>
      store.createUser(as('administrator'), { username, displayName: username, role, site, passwordHash: 'scrypt$x' });
    const refused = (message: RegExp) => (e: unknown) =>
      e instanceof InputError && e.code === 'trial.invalid' && message.test(e.message);
    await add('admin', 'administrator', null);
    // Before init: the sites are not known yet.
    assert.equal((await add('early-z', 'coordinator', 'Z')).site, 'Z');
    await assert.rejects(
      add('stat-a', 'statistician', 'A'),
      refused(/a statistician is not bound to a site \(only coordinator, investigator, outcome-rater are\)/),
    );
    await initTrial(store);
    await assert.rejects(add('coord-z', 'coordinator', 'Z'), refused(/site Z is not a site of the trial \(A, B\)/));
    await assert.rejects(add('rater-c', 'outcome-rater', 'C'), refused(/site C is not a site of the trial/));
    await assert.rejects(add('monitor-a', 'monitor', 'A'), refused(/a monitor is not bound to a site/));
    assert.equal((await add('coord-b', 'coordinator', 'B')).site, 'B');
    assert.equal((await add('stat', 'statistician', null)).site, null);
    assert.deepEqual(
      (await store.listUsers()).map((u) => u.username),
      ['admin', 'coord-b', 'early-z', 'stat'],
    );
  } finally {
    await opened.cleanup();
  }
});

test('a site-bound account with no site writes at every site, as the server lets it read every site, and at no other', async () => {
  const opened = await sqliteFactory.open();
  try {
    const { store } = opened;
    const protocol = await initTrial(store);
    const atB = await enrolOne(store, protocol, 'P-1', 'B');
    const everywhere = as('coordinator', null, 'typed wrong');
    const entry = await store.addScreening(everywhere, {
      site: 'A',
      screeningCode: 'S-all',
      screenedOn: '2026-11-01',
      criteria: eligibleCriteria(protocol),
    });
    assert.equal(entry.site, 'A');
    // At a site the trial does not have (a typo), the entry could never be enrolled and no site would see it: refused.
    await assert.rejects(
      store.addScreening(everywhere, {
        site: 'C',
        screeningCode: 'S-all',
        screenedOn: '2026-11-01',
        criteria: eligibleCriteria(protocol),
      }),
      (e: unknown) =>
        e instanceof InputError &&
        e.code === 'trial.invalid' &&
        e.field === 'site' &&
        /screening: site C is not a site of the trial \(A, B\)/.test(e.message),
    );
    assert.equal((await store.listScreening()).filter((e) => e.site === 'C').length, 0);
    assert.equal(
      (await store.correctEnrolment(everywhere, atB, { enrolledOn: '2026-11-04' })).enrolledOn,
      '2026-11-04',
    );
    // An account with a site still writes only there: site A's coordinator is told B's participant does not exist.
    await assert.rejects(
      store.correctEnrolment(as('coordinator', 'A', 'x'), atB, { enrolledOn: '2026-11-03' }),
      (e: unknown) => e instanceof InputError && e.code === 'trial.not-found',
    );
    await assert.rejects(
      store.addScreening(as('coordinator', 'A', 'x'), {
        site: 'B',
        screeningCode: 'S-b',
        screenedOn: '2026-11-01',
        criteria: eligibleCriteria(protocol),
      }),
      (e: unknown) => e instanceof InputError && e.code === 'trial.forbidden',
    );
  } finally {
    await opened.cleanup();
  }
});
