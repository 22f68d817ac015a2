/**
 * Authentication and roles on the running server: every route refuses each role its permission matrix leaves out
 * (routes from the server's route table), every route but sign-in refuses a request without a session, a site-A
 * coordinator cannot see or write site B's participants, a write without its CSRF token is refused, an expired
 * session is refused, sign-in is rate limited and does not say which of user name and password was wrong, and
 * e-signature passwords are limited the same way per signer, each failure audited.
 * Run: node --import tsx --test src/server/trial/access.test.ts
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TRIAL_ROLES } from '../../trial/roles.ts';
import { TrialClient } from './client.test-support.ts';
import {
  accountFor,
  enrolThroughApi,
  insightProtocol,
  recordNeutropeniaAndPneumonia,
  startTestTrial,
} from './harness.test-support.ts';
import type { TestTrial } from './harness.test-support.ts';
import { can, permissionSchema } from './permissions.ts';

describe('roles and sites', () => {
  let t: TestTrial;
  const ids = { a: '', b: '' };
  before(async () => {
    t = await startTestTrial();
    const protocol = insightProtocol(t.engine);
    ids.a = await enrolThroughApi(await t.signIn('coordinator', 'site-a'), protocol, 'site-a');
    ids.b = await enrolThroughApi(await t.signIn('coordinator', 'site-b'), protocol, 'site-b');
  });
  after(async () => {
    await t.close();
  });

  const concrete = (url: string) => url.replace(':id', ids.a).replace(':name', 'analysis.csv');

  test('every route refuses each role that lacks its permission (403) and anyone signed out (401)', async () => {
    const guarded = t.trial.routes.filter((r) => permissionSchema.safeParse(r.access).success);
    assert.ok(guarded.length >= 20, `${guarded.length} permission-guarded routes`);
    const anonymous = new TrialClient(t.url);
    let refusals = 0;
    for (const role of TRIAL_ROLES) {
      const client = await t.signIn(role, role === 'coordinator' || role === 'investigator' ? 'site-a' : undefined);
      for (const route of guarded) {
        const permission = permissionSchema.parse(route.access);
        if (can(role, permission)) continue;
        for (const method of route.methods.filter((m) => m !== 'HEAD')) {
          const reply = await client.request(method, concrete(route.url), method === 'GET' ? undefined : {});
          assert.equal(reply.status, 403, `${role} ${method} ${route.url}`);
          refusals += 1;
        }
      }
    }
    for (const route of t.trial.routes.filter((r) => r.access !== 'public')) {
      for (const method of route.methods.filter((m) => m !== 'HEAD')) {
        const reply = await anonymous.request(method, concrete(route.url), method === 'GET' ? undefined : {});
        assert.equal(reply.status, 401, `anonymous ${method} ${route.url}`);
      }
    }
    assert.ok(refusals > 50, `${refusals} refusals checked`);
  });

  test('no trial answer may be kept in a cache: every GET of every route, for every role, says no-store', async () => {
    // Participant records, allocations and exports would otherwise stay in the browser's cache on a shared computer.
    let checked = 0;
    for (const role of TRIAL_ROLES) {
      const client = await t.signIn(role, role === 'coordinator' || role === 'investigator' ? 'site-a' : undefined);
      for (const route of t.trial.routes.filter((r) => r.methods.includes('GET'))) {
        const reply = await client.get(concrete(route.url));
        assert.equal(reply.headers.get('cache-control'), 'no-store', `${role} GET ${route.url} (${reply.status})`);
        checked += 1;
      }
    }
    assert.ok(checked > 50, `${checked} answers checked`);
  });

  test('a site-A coordinator neither sees nor writes site B participants', async () => {
    const coordA = await t.signIn('coordinator', 'site-a');
    const list = (await coordA.get('/trial/api/participants')).json as { id: string; site: string }[];
    assert.ok(list.some((p) => p.id === ids.a));
    assert.ok(list.every((p) => p.site === 'site-a'));
    assert.equal((await coordA.get(`/trial/api/participants/${ids.b}`)).status, 404);
    assert.equal((await coordA.get(`/trial/participants/${ids.b}`)).status, 404);
    assert.equal((await coordA.post(`/trial/api/participants/${ids.b}/randomize`)).status, 404);
    const lab = await coordA.post('/trial/api/labs', {
      participantId: ids.b,
      visit: 'day-7',
      analyte: 'anc',
      value: 3.1,
      unit: '10*9/L',
      lowerLimitOfNormal: 2,
      upperLimitOfNormal: null,
      collectedOn: '2026-11-12',
    });
    assert.equal(lab.status, 404);
    const screening = (await coordA.get('/trial/api/screening')).json as { site: string }[];
    assert.ok(screening.every((s) => s.site === 'site-a'));
    const other = await coordA.post('/trial/api/screening', {
      site: 'site-b',
      screeningCode: 'X-1',
      screenedOn: '2026-11-02',
      criteria: [{ id: 'x', kind: 'inclusion', status: 'met', reason: 'r', verified: true }],
    });
    assert.equal(other.status, 403);
    // The monitor (no site) sees both.
    const monitor = await t.signIn('monitor');
    const all = (await monitor.get('/trial/api/participants')).json as { id: string }[];
    assert.ok(all.some((p) => p.id === ids.a) && all.some((p) => p.id === ids.b));
  });

  test("a write without the CSRF token, or with another session's token, is refused with 403", async () => {
    const coordA = await t.signIn('coordinator', 'site-a');
    const other = await t.signIn('coordinator', 'site-a');
    const body = { screeningId: 'none', consentedOn: '2026-11-03', formVersion: 'v1' };
    const missing = await coordA.post('/trial/api/consents', body, { csrf: false });
    assert.equal(missing.status, 403);
    const saved = coordA.csrf;
    coordA.csrf = other.csrf;
    const foreign = await coordA.post('/trial/api/consents', body);
    assert.equal(foreign.status, 403);
    coordA.csrf = saved;
    const withToken = await coordA.post('/trial/api/consents', body);
    assert.notEqual(withToken.status, 403, 'the same request with its token passes the guard');
  });
});

describe('sessions and sign-in', () => {
  test('a session expires after the idle timeout', async () => {
    let now = Date.parse('2026-11-29T10:00:00Z');
    const t = await startTestTrial({ now: () => new Date(now), sessionSeconds: 60 });
    try {
      const client = await t.signIn('monitor');
      assert.equal((await client.get('/trial/api/participants')).status, 200);
      now += 30_000;
      assert.equal((await client.get('/trial/api/participants')).status, 200);
      now += 61_000;
      assert.equal((await client.get('/trial/api/participants')).status, 401);
      const page = await client.get('/trial/');
      assert.equal(page.status, 303);
      assert.equal(page.headers.get('location'), '/trial/login');
    } finally {
      await t.close();
    }
  });

  test('sign-in is rate limited per address; failures do not say which part was wrong and are audited', async () => {
    const t = await startTestTrial({ loginRateLimit: { max: 3, windowMs: 60_000 } });
    try {
      const client = new TrialClient(t.url);
      const monitor = accountFor('monitor');
      const wrongPassword = await client.login(monitor.username, 'not-the-password');
      const unknownUser = await client.login('nobody-here', 'not-the-password');
      assert.equal(wrongPassword.status, 401);
      assert.equal(unknownUser.status, 401);
      assert.equal(wrongPassword.text, unknownUser.text);
      // Sign-ins that succeed do not count: behind one address (a ward's shared computer, the TLS proxy in front of
      // the service) everyone's sign-ins add up, and a limit of N would refuse the N+1th user of the morning.
      for (let i = 0; i < 5; i++) assert.equal((await client.login(monitor.username, monitor.password)).status, 200);
      assert.equal((await client.login(monitor.username, 'another-guess')).status, 401);
      // Three failures: the address waits, even with the right password.
      const limited = await client.login(monitor.username, monitor.password);
      assert.equal(limited.status, 429);
      // The sign-in page's form is answered with the page, saying why and for how long, not with an OperationOutcome.
      const page = await client.request(
        'POST',
        '/trial/login',
        { username: monitor.username, password: monitor.password },
        { contentType: 'application/x-www-form-urlencoded' },
      );
      assert.equal(page.status, 429);
      assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
      assert.match(page.text, /Too many refused sign-ins from this address: sign-in is\s+paused for 1 minute,/);
      assert.ok(page.text.includes('<form method="post" action="/trial/login">'), 'the sign-in form is there');
      // The form was read (not the credentials): the user name comes back as typed, the password never does.
      assert.match(page.text, /<input id="username" name="username" autocomplete="username" value="monitor"/);
      assert.equal(page.text.includes(monitor.password), false);
      // A form a session that ended left unsaved (sessionEndedPage) is still carried, to sign in with later.
      const carrying = await client.request(
        'POST',
        '/trial/login',
        {
          username: ' Monitor ',
          password: 'still-guessing',
          resumeAction: '/trial/safety',
          resumeFor: 'user-1',
          resume: '{"actionTaken":"Dose held"}',
        },
        { contentType: 'application/x-www-form-urlencoded' },
      );
      assert.equal(carrying.status, 429);
      assert.match(carrying.text, /value="Monitor"/);
      assert.match(carrying.text, /What you typed in the form is still kept/);
      assert.match(
        carrying.text,
        /<input type="hidden" name="resume" value="\{&quot;actionTaken&quot;:&quot;Dose held&quot;\}"/,
      );
      assert.equal(carrying.text.includes('still-guessing'), false);
      assert.equal(page.headers.get('cache-control'), 'no-store');
      // The refused sign-ins to the existing account are audited under it, without what was typed.
      // Nor are the limited attempts evaluated: no refusal audited for 'still-guessing', no sign-in for the right one.
      const refused = (await t.store.listAudit({ limit: 1000 })).filter((e) => e.action === 'login-failed');
      assert.equal(refused.length, 2);
      const signIns = (await t.store.listAudit({ limit: 1000 })).filter((e) => e.action === 'login');
      assert.equal(signIns.length, 5);
      assert.equal(refused[0]?.role, 'monitor');
      assert.equal(/not-the-password|another-guess/.test(JSON.stringify(refused)), false);
      // The cookie is httpOnly and SameSite=Strict.
      const fresh = await fetch(`${t.url}/trial/api/session`);
      assert.equal(fresh.status, 401);
    } finally {
      await t.close();
    }
  });

  test('e-signature passwords: limited per signer like sign-in, each failure audited without the password', async () => {
    const t = await startTestTrial({ loginRateLimit: { max: 3, windowMs: 60_000 } });
    try {
      const coord = await t.signIn('coordinator', 'site-a');
      const participantId = await enrolThroughApi(coord, insightProtocol(t.engine), 'site-a');
      const form = await coord.post('/trial/api/forms', {
        participantId,
        visit: 'baseline',
        instrument: 'gad-7',
        answers: { 1: 1, 2: 1, 3: 2, 4: 0, 5: 1, 6: 2, 7: 1 },
        completedOn: '2026-11-20',
      });
      assert.equal(form.status, 201, form.text);
      const investigator = await t.signIn('investigator', 'site-a');
      const sign = (password: string) =>
        investigator.post(`/trial/api/forms/${(form.json as { id: string }).id}/sign`, {
          password,
          meaning: 'reviewed',
          version: (form.json as { version: number }).version,
        });
      const right = accountFor('investigator', 'site-a').password;
      const statuses: number[] = [];
      for (const password of ['guess-1', 'guess-2', right, 'guess-3', 'guess-4', 'guess-5', 'guess-6', right]) {
        statuses.push((await sign(password)).status);
      }
      // A matching password clears the count (only failures add up); after 3 failures even the right one waits.
      assert.deepEqual(statuses, [403, 403, 200, 403, 403, 403, 429, 429]);
      const failed = (await t.store.listAudit({ limit: 1000 })).filter((e) => e.action === 'e-signature-failed');
      assert.equal(failed.length, 5);
      assert.ok(failed.every((e) => e.role === 'investigator' && e.reason.length > 0));
      assert.equal(/guess-/.test(JSON.stringify(failed)), false, 'the attempted password is not stored');
    } finally {
      await t.close();
    }
  });

  test('the session cookie is httpOnly and SameSite=Strict; a cross-site sign-in is refused', async () => {
    const t = await startTestTrial();
    try {
      const monitor = accountFor('monitor');
      const reply = await fetch(`${t.url}/trial/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: monitor.username, password: monitor.password }),
      });
      const cookie = reply.headers.getSetCookie().find((c) => c.startsWith('trd_trial_session='));
      assert.ok(cookie !== undefined);
      assert.match(cookie, /HttpOnly/i);
      assert.match(cookie, /SameSite=Strict/i);
      const crossSite = await fetch(`${t.url}/trial/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'sec-fetch-site': 'cross-site' },
        body: JSON.stringify({ username: monitor.username, password: monitor.password }),
      });
      assert.equal(crossSite.status, 403);
    } finally {
      await t.close();
    }
  });
});

describe('numbers typed in forms', () => {
  test('a lab value that is not a plain decimal (0x10, 1e3) is refused with a message, not stored as another number', async () => {
    const t = await startTestTrial();
    try {
      const coord = await t.signIn('coordinator', 'site-a');
      const participantId = await enrolThroughApi(coord, insightProtocol(t.engine), 'site-a');
      const path = `/trial/participants/${participantId}`;
      const lab = (value: string) =>
        coord.request(
          'POST',
          `${path}/labs`,
          {
            visit: 'baseline',
            analyte: 'anc',
            value,
            unit: '10*9/L',
            lowerLimitOfNormal: '2.0',
            collectedOn: '2026-11-20',
          },
          { contentType: 'application/x-www-form-urlencoded' },
        );
      for (const value of ['0x10', '1e3', '12abc', 'Infinity']) {
        const refused = await lab(value);
        // The lab form again, with the reason and the value as typed (src/server/trial/refused-forms.test.ts).
        assert.equal(refused.status, 400);
        assert.match(refused.text, /Not saved: value: not a plain decimal number/, value);
      }
      assert.equal((await t.store.listLabs({ participantId })).length, 0);
      const saved = await lab('0.8');
      assert.equal(saved.status, 303);
      assert.match((await coord.get(saved.headers.get('location') ?? '')).text, /Lab result saved/);
      assert.deepEqual(
        (await t.store.listLabs({ participantId })).map((l) => [l.value, l.lowerLimitOfNormal]),
        [[0.8, 2]],
      );
      const monitor = await t.signIn('monitor');
      assert.equal((await monitor.get('/trial/api/audit?limit=0x10')).status, 400);
      assert.equal((await monitor.get('/trial/api/audit?limit=16')).status, 200);
    } finally {
      await t.close();
    }
  });
});

describe('the outcome rater', () => {
  // Tocilizumab lowers the neutrophil count: a rater who saw an ANC of 0.8, its alert or an adverse event could guess
  // the arm. The rater enters outcome forms and sees no safety data in any page or API answer.
  let t: TestTrial;
  let id = '';
  before(async () => {
    t = await startTestTrial();
    const coord = await t.signIn('coordinator', 'site-a');
    id = await enrolThroughApi(coord, insightProtocol(t.engine), 'site-a');
    await t.randomizeOn(coord, id, '2026-11-05');
    await recordNeutropeniaAndPneumonia(coord, id);
  });
  after(async () => {
    await t.close();
  });

  test('sees the participant, the schedule and the forms, and no lab result, adverse event or alert', async () => {
    const rater = await t.signIn('outcome-rater', 'site-a');
    const record = await rater.get(`/trial/api/participants/${id}`);
    assert.equal(record.status, 200);
    const body = record.json as Record<string, unknown>;
    assert.ok('forms' in body && 'schedule' in body && 'participant' in body);
    assert.ok(!('labs' in body) && !('adverseEvents' in body), 'labs and adverse events are left out');
    const page = await rater.get(`/trial/participants/${id}`);
    assert.equal(page.status, 200);
    const home = await rater.get('/trial/');
    for (const [what, text] of [
      ['API record', record.text],
      ['participant page', page.text],
      ['home page', home.text],
    ] as const) {
      for (const hidden of [
        'Pneumonia',
        '<h2>Safety labs</h2>',
        '<h2>Adverse events</h2>',
        'Open safety alerts',
        // "No open safety alerts" would be false (the ANC raised one) and is not the rater's to be told either way.
        'safety alerts',
        'graded by CTCAE',
        '/trial/safety',
        '"value":0.8',
      ])
        assert.ok(!text.includes(hidden), `${what} shows "${hidden}"`);
    }
    assert.ok(page.text.includes('Enter a visit form'), 'the rater enters outcome forms from the page');
    assert.equal((await rater.get('/trial/safety')).status, 403);
    assert.equal((await rater.get('/trial/api/safety')).status, 403);
    assert.equal((await rater.get('/trial/api/alerts')).status, 403);
    // The same reads, for a coordinator, show them (the test would pass on a page that shows nothing).
    const coord = await t.signIn('coordinator', 'site-a');
    const full = await coord.get(`/trial/participants/${id}`);
    for (const shown of ['Pneumonia', '<h2>Safety labs</h2>', '<h2>Adverse events</h2>', 'graded by CTCAE'])
      assert.ok(full.text.includes(shown), `the coordinator's page shows "${shown}"`);
    assert.ok((await coord.get('/trial/')).text.includes('Open safety alerts'));
    const coordRecord = (await coord.get(`/trial/api/participants/${id}`)).json as Record<string, unknown>;
    assert.ok('labs' in coordRecord && 'adverseEvents' in coordRecord);
  });

  test('enters and corrects outcome forms; records no infusion, lab or adverse event', async () => {
    const rater = await t.signIn('outcome-rater', 'site-a');
    const form = await rater.post('/trial/api/forms', {
      participantId: id,
      visit: 'day-14',
      instrument: 'gad-7',
      answers: { 1: 1, 2: 1, 3: 2, 4: 0, 5: 1, 6: 2, 7: 1 },
      completedOn: '2026-11-20',
    });
    assert.equal(form.status, 201, form.text);
    const formId = (form.json as { id: string }).id;
    const fixed = await rater.post(`/trial/api/forms/${formId}/corrections`, {
      reason: 'item 4 misread',
      answers: { 4: 1 },
    });
    assert.equal(fixed.status, 200, fixed.text);
    const lab = await rater.post('/trial/api/labs', {
      participantId: id,
      visit: 'day-14',
      analyte: 'platelets',
      value: 250,
      unit: '10*9/L',
      lowerLimitOfNormal: 150,
      upperLimitOfNormal: null,
      collectedOn: '2026-11-20',
    });
    assert.equal(lab.status, 403);
    assert.equal((await rater.post(`/trial/api/participants/${id}/randomize`)).status, 403);
  });

  test('is not told of an emergency unblinding, whose alert it does not see: no flag in the API, no note on the list', async () => {
    const investigator = await t.signIn('investigator', 'site-a');
    const unblinded = await investigator.post(`/trial/api/participants/${id}/emergency-unblind`, {
      reason: 'severe infection: treatment decision',
    });
    assert.equal(unblinded.status, 200, unblinded.text);
    const rater = await t.signIn('outcome-rater', 'site-a');
    const one = (await rater.get(`/trial/api/participants/${id}`)).json as { participant: Record<string, unknown> };
    const list = (await rater.get('/trial/api/participants')).json as Record<string, unknown>[];
    assert.ok(!('emergencyUnblinded' in one.participant), 'the record carries no unblinding flag');
    assert.ok(list.length > 0 && list.every((p) => !('emergencyUnblinded' in p)), 'the list carries none');
    const home = await rater.get('/trial/');
    assert.ok(!home.text.includes('unblinded in emergency'), 'the participants list says nothing of it');
    // Those who see the safety alerts (the coordinator) are told, on the list and in the record.
    const coord = await t.signIn('coordinator', 'site-a');
    assert.ok((await coord.get('/trial/')).text.includes('unblinded in emergency'));
    const coordRecord = (await coord.get(`/trial/api/participants/${id}`)).json as {
      participant: { emergencyUnblinded: boolean };
    };
    assert.equal(coordRecord.participant.emergencyUnblinded, true);
  });
});
