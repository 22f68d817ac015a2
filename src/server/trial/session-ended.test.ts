/**
 * Nothing typed is lost to a session that ended while the form was open (30 minutes idle: a coordinator called away
 * mid-form): the post answers the sign-in page carrying what was typed, and signing in again shows it, ready to save
 * with the new session's CSRF token. A real server on 127.0.0.1 (harness.test-support.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createAccounts } from './accounts.ts';
import { TrialClient } from './client.test-support.ts';
import {
  accountFor,
  eligibleCriteria,
  enrolThroughApi,
  insightProtocol,
  startTestTrial,
  TEST_COST,
} from './harness.test-support.ts';

const FORM = { contentType: 'application/x-www-form-urlencoded', csrf: false };

/** The value of each hidden input of the form posting to `action` in `page`. */
function hiddenFields(page: string, action: string): Record<string, string> {
  const start = page.indexOf(`action="${action}"`);
  assert.ok(start >= 0, `a form posting to ${action}`);
  const form = page.slice(start, page.indexOf('</form>', start));
  const unescape = (s: string) =>
    s
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
  const fields: Record<string, string> = {};
  for (const m of form.matchAll(/<input\s+type="hidden"\s+name="([^"]+)"\s+value="([^"]*)"/g)) {
    fields[unescape(m[1] as string)] = unescape(m[2] as string);
  }
  return fields;
}

test('a form posted after the session ended is kept through sign-in and saved with one click', async () => {
  let now = Date.parse('2026-11-29T10:00:00Z');
  const t = await startTestTrial({ now: () => new Date(now), sessionSeconds: 60 });
  try {
    const coord = await t.signIn('coordinator', 'site-a');
    const id = await enrolThroughApi(coord, insightProtocol(t.engine), 'site-a');
    const action = `/trial/participants/${id}/labs`;
    const typed = {
      visit: 'baseline',
      analyte: 'alt',
      value: '35',
      unit: 'U/L',
      upperLimitOfNormal: '40',
      collectedOn: '2026-11-05',
    };
    now += 120_000; // the session ends while the form is open
    const ended = await coord.request('POST', action, { ...typed, _csrf: coord.csrf }, FORM);
    assert.equal(ended.status, 401);
    assert.match(ended.headers.get('content-type') ?? '', /text\/html/);
    assert.match(ended.text, /Your session ended before this was saved/);
    const carried = hiddenFields(ended.text, '/trial/login');
    assert.equal(carried.resumeAction, action);
    assert.equal(JSON.parse(carried.resume ?? '{}').value, '35');
    assert.equal((await t.store.listLabs({ participantId: id })).length, 0);
    // A post another site made the browser send carries nothing.
    const crossSite = await fetch(`${t.url}${action}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'cross-site' },
      body: new URLSearchParams(typed).toString(),
    });
    assert.equal(crossSite.status, 401);
    assert.doesNotMatch(await crossSite.text(), /resumeAction/);

    const browser = new TrialClient(t.url);
    const account = accountFor('coordinator', 'site-a');
    const signedIn = await browser.request(
      'POST',
      '/trial/login',
      { ...carried, username: account.username, password: account.password },
      FORM,
    );
    assert.equal(signedIn.status, 200, signedIn.text.slice(0, 300));
    assert.match(signedIn.text, /Save what you typed/);
    // The entries are listed to check, each under the label its form showed, hidden fields left out.
    assert.match(signedIn.text, /<dt>Collected on<\/dt>\s*<dd>2026-11-05<\/dd>/);
    assert.match(signedIn.text, /<dt>Upper limit of normal<\/dt>\s*<dd>40<\/dd>/);
    assert.doesNotMatch(signedIn.text, /<dt>(collectedOn|upperLimitOfNormal|_user|_csrf)<\/dt>/);
    const resumed = hiddenFields(signedIn.text, action);
    assert.equal(resumed.value, '35');
    assert.ok((resumed._csrf ?? '').length > 0, "the new session's token");
    const saved = await browser.request('POST', action, resumed, FORM);
    assert.equal(saved.status, 303, saved.text.slice(0, 300));
    assert.deepEqual(
      (await t.store.listLabs({ participantId: id })).map((l) => [l.analyte, l.value]),
      [['alt', 35]],
    );
  } finally {
    await t.close();
  }
});

test('a password mistyped when signing in again keeps what the session left unsaved, and the user name', async () => {
  let now = Date.parse('2026-11-29T10:00:00Z');
  const t = await startTestTrial({ now: () => new Date(now), sessionSeconds: 60 });
  try {
    const coord = await t.signIn('coordinator', 'site-a');
    const id = await enrolThroughApi(coord, insightProtocol(t.engine), 'site-a');
    const action = `/trial/participants/${id}/labs`;
    const typed = { visit: 'baseline', analyte: 'alt', value: '35', unit: 'U/L', collectedOn: '2026-11-05' };
    now += 120_000;
    const ended = await coord.request('POST', action, { ...typed, _csrf: coord.csrf }, FORM);
    const carried = hiddenFields(ended.text, '/trial/login');
    const account = accountFor('coordinator', 'site-a');
    const browser = new TrialClient(t.url);
    const mistyped = await browser.request(
      'POST',
      '/trial/login',
      { ...carried, username: account.username, password: 'not-the-password' },
      FORM,
    );
    assert.equal(mistyped.status, 401);
    assert.match(mistyped.text, /User name or password not\s+accepted\. What you typed in the form is still kept/);
    assert.match(mistyped.text, new RegExp(`id="username"[^>]*value="${account.username}"`), 'the user name as typed');
    const still = hiddenFields(mistyped.text, '/trial/login');
    assert.deepEqual(still, carried, 'the entries are still carried');
    const signedIn = await browser.request(
      'POST',
      '/trial/login',
      { ...still, username: account.username, password: account.password },
      FORM,
    );
    assert.equal(signedIn.status, 200);
    assert.equal(hiddenFields(signedIn.text, action).value, '35');
    // A plain sign-in refused carries nothing.
    const plain = await browser.request('POST', '/trial/login', { username: 'nobody', password: 'wrong-wrong' }, FORM);
    assert.equal(plain.status, 401);
    assert.doesNotMatch(plain.text, /resumeAction|still kept/);
  } finally {
    await t.close();
  }
});

test('what was typed is shown again only to the user whose session ended, never to whoever signs in next', async () => {
  let now = Date.parse('2026-11-29T10:00:00Z');
  const t = await startTestTrial({ now: () => new Date(now), sessionSeconds: 60 });
  try {
    const coord = await t.signIn('coordinator', 'site-a');
    const id = await enrolThroughApi(coord, insightProtocol(t.engine), 'site-a');
    const action = `/trial/participants/${id}/labs`;
    const typed = { visit: 'baseline', analyte: 'alt', value: '77', unit: 'U/L', collectedOn: '2026-11-05' };
    now += 120_000;
    const ended = await coord.request('POST', action, { ...typed, _csrf: coord.csrf }, FORM);
    const carried = hiddenFields(ended.text, '/trial/login');
    // Coordinator B (another site) sits down at the same browser and signs in with the page as it was left.
    for (const [role, site] of [
      ['coordinator', 'site-b'],
      ['monitor', undefined],
    ] as const) {
      const other = accountFor(role, site);
      const browser = new TrialClient(t.url);
      const reply = await browser.request(
        'POST',
        '/trial/login',
        { ...carried, username: other.username, password: other.password },
        FORM,
      );
      assert.equal(reply.status, 303, `${role}: signed in, nothing resumed`);
      assert.equal(reply.headers.get('location'), '/trial/');
      assert.doesNotMatch(reply.text, /Save what you typed|77/);
    }
    // A post with no session at all: nothing to carry it to; the entries are listed to copy, and nothing is saved.
    const anonymous = await fetch(`${t.url}${action}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(typed).toString(),
    });
    const page = await anonymous.text();
    assert.equal(anonymous.status, 401);
    assert.match(page, /not signed in when this was sent[\s\S]*<dt>Collected on<\/dt>\s*<dd>2026-11-05<\/dd>/);
    assert.doesNotMatch(page, /<dt>collectedOn<\/dt>/);
    // A screening criterion's field is listed under the criterion as the form showed it.
    const criterion = insightProtocol(t.engine).criteria[0];
    assert.ok(criterion !== undefined);
    const screening = await fetch(`${t.url}/trial/screening`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ screeningCode: 'S-9', [`c-${criterion.id}`]: 'met' }).toString(),
    });
    const listed = await screening.text();
    assert.equal(screening.status, 401);
    assert.match(listed, /<dt>Screening code \(no names\)<\/dt>\s*<dd>S-9<\/dd>/);
    assert.ok(listed.includes(`<dt>${criterion.kind} ${criterion.id}: `), 'the criterion as the form labels it');
    assert.doesNotMatch(listed, new RegExp(`<dt>c-${criterion.id}</dt>`));
    assert.doesNotMatch(page, /name="resume"/);
    assert.equal((await t.store.listLabs({ participantId: id })).length, 0);
  } finally {
    await t.close();
  }
});

test('the action carried through sign-in is a trial page form, never the API or another address', async () => {
  const t = await startTestTrial();
  try {
    const account = accountFor('coordinator', 'site-a');
    for (const resumeAction of ['/trial/api/lock', 'https://elsewhere.example/x', '//elsewhere.example/trial/x']) {
      const browser = new TrialClient(t.url);
      const reply = await browser.request(
        'POST',
        '/trial/login',
        { username: account.username, password: account.password, resumeAction, resume: '{"reason":"x"}' },
        FORM,
      );
      assert.equal(reply.status, 303, resumeAction);
      assert.equal(reply.headers.get('location'), '/trial/');
    }
  } finally {
    await t.close();
  }
});

test('Sign out pressed after the session ended answers the sign-in page, never an error', async () => {
  let now = Date.parse('2026-11-29T10:00:00Z');
  const t = await startTestTrial({ now: () => new Date(now), sessionSeconds: 60 });
  try {
    const coord = await t.signIn('coordinator', 'site-a');
    now += 120_000; // idle at the page past the session's end, then Sign out
    const out = await coord.request('POST', '/trial/logout', { _csrf: coord.csrf }, FORM);
    assert.equal(out.status, 303, out.text.slice(0, 200));
    assert.equal(out.headers.get('location'), '/trial/login');
    // The ended session stays ended: the next request with the same cookie is not signed in.
    assert.equal((await coord.get('/trial/api/session')).status, 401);
    // The API's sign-out without a session stays a 401 OperationOutcome for its client.
    const api = await coord.post('/trial/logout');
    assert.equal(api.status, 401);
  } finally {
    await t.close();
  }
});

test('Sign out pressed on a page of an earlier session (signed in again in another tab) offers Sign out, never leaves an error', async () => {
  const t = await startTestTrial();
  try {
    const account = accountFor('coordinator', 'site-a');
    const browser = new TrialClient(t.url);
    assert.equal((await browser.login(account.username, account.password)).status, 200);
    const oldToken = browser.csrf; // the first tab's page
    assert.equal((await browser.login(account.username, account.password)).status, 200); // another tab
    const stale = await browser.request('POST', '/trial/logout', { _csrf: oldToken }, FORM);
    assert.equal(stale.status, 403);
    assert.match(stale.headers.get('content-type') ?? '', /text\/html/);
    assert.match(stale.text, /You are still signed in/);
    // The page's own Sign out carries this session's token, and signs out.
    const { _csrf } = hiddenFields(stale.text, '/trial/logout');
    assert.ok(_csrf !== undefined && _csrf !== oldToken);
    const out = await browser.request('POST', '/trial/logout', { _csrf }, FORM);
    assert.equal(out.status, 303);
    assert.equal((await browser.get('/trial/api/session')).status, 401);
    // Any other page form with a stale token saves nothing either (CSRF): its page answers again (below).
    assert.equal((await browser.login(account.username, account.password)).status, 200);
    const other = await browser.request('POST', '/trial/screening', { _csrf: oldToken }, FORM);
    assert.equal(other.status, 403);
  } finally {
    await t.close();
  }
});

test('a page form of an earlier session (signed in again in another tab) comes back as typed with a fresh token, saving nothing', async () => {
  const t = await startTestTrial();
  try {
    const coord = await t.signIn('coordinator', 'site-a');
    const id = await enrolThroughApi(coord, insightProtocol(t.engine), 'site-a');
    const action = `/trial/participants/${id}/labs`;
    const typed = { visit: 'baseline', analyte: 'alt', value: '35', unit: 'U/L', collectedOn: '2026-11-05' };
    const account = accountFor('coordinator', 'site-a');
    const browser = new TrialClient(t.url);
    assert.equal((await browser.login(account.username, account.password)).status, 200);
    const tab = hiddenFields((await browser.get(`/trial/participants/${id}`)).text, action); // the first tab's page
    assert.equal((await browser.login(account.username, account.password)).status, 200); // signed in again elsewhere
    const stale = await browser.request('POST', action, { ...tab, ...typed }, FORM);
    assert.equal(stale.status, 403, stale.text.slice(0, 300));
    assert.match(stale.headers.get('content-type') ?? '', /text\/html/);
    assert.match(stale.text, /Not saved: the page this was sent from belonged to an earlier sign-in/);
    const again = hiddenFields(stale.text, action);
    assert.ok((again._csrf ?? '').length > 0 && again._csrf !== tab._csrf, "this session's token");
    const labForm = stale.text.slice(stale.text.indexOf(`action="${action}"`));
    assert.match(labForm.slice(0, labForm.indexOf('</form>')), /value="35"/, 'the value as typed, in its form');
    assert.equal((await t.store.listLabs({ participantId: id })).length, 0, 'nothing saved');
    // A post another site made the browser send, with the same stale token: refused as CSRF, nothing shown or saved.
    const crossSite = await fetch(`${t.url}${action}`, {
      method: 'POST',
      headers: {
        cookie: browser.cookie,
        'content-type': 'application/x-www-form-urlencoded',
        'sec-fetch-site': 'cross-site',
      },
      body: new URLSearchParams({ ...tab, ...typed }).toString(),
    });
    assert.equal(crossSite.status, 403);
    assert.match(crossSite.headers.get('content-type') ?? '', /application\/fhir\+json/);
    assert.doesNotMatch(await crossSite.text(), /35/);
    assert.equal((await t.store.listLabs({ participantId: id })).length, 0);
    // Saving the form as it came back is one deliberate click, with this session's token.
    const saved = await browser.request('POST', action, { ...typed, ...again }, FORM);
    assert.equal(saved.status, 303, saved.text.slice(0, 300));
    assert.deepEqual(
      (await t.store.listLabs({ participantId: id })).map((l) => [l.analyte, l.value]),
      [['alt', 35]],
    );
  } finally {
    await t.close();
  }
});

test('a stale page form is shown again only to the user it was made for, never to someone signed in since', async () => {
  const t = await startTestTrial();
  try {
    const coord = await t.signIn('coordinator', 'site-a');
    const id = await enrolThroughApi(coord, insightProtocol(t.engine), 'site-a');
    const action = `/trial/participants/${id}/labs`;
    const typed = { visit: 'baseline', analyte: 'alt', value: '91', unit: 'U/L', collectedOn: '2026-11-05' };
    const browser = new TrialClient(t.url);
    const first = accountFor('coordinator', 'site-a');
    assert.equal((await browser.login(first.username, first.password)).status, 200);
    const tab = hiddenFields((await browser.get(`/trial/participants/${id}`)).text, action);
    // The investigator of the same site signs in at the same browser; the coordinator's tab is still open.
    const next = accountFor('investigator', 'site-a');
    assert.equal((await browser.login(next.username, next.password)).status, 200);
    const stale = await browser.request('POST', action, { ...tab, ...typed }, FORM);
    assert.equal(stale.status, 403);
    assert.match(stale.headers.get('content-type') ?? '', /text\/html/);
    assert.match(stale.text, /Not saved: the page this was sent from belonged to an earlier sign-in/);
    assert.doesNotMatch(stale.text, /value="91"/);
    assert.equal((await t.store.listLabs({ participantId: id })).length, 0);
  } finally {
    await t.close();
  }
});

test("a chosen option is listed as its form showed it (the option's words), never as its code", async () => {
  let now = Date.parse('2026-11-29T10:00:00Z');
  const t = await startTestTrial({ now: () => new Date(now), sessionSeconds: 60 });
  try {
    const coord = await t.signIn('coordinator', 'site-a');
    const protocol = insightProtocol(t.engine);
    const id = await enrolThroughApi(coord, protocol, 'site-a');
    const participant = (await t.store.listParticipants()).find((p) => p.id === id);
    const screeningEntry = (await t.store.listScreening()).find((s) => s.id === participant?.screeningId);
    const baseline = protocol.visits?.find((v) => v.id === 'baseline');
    const criterion = protocol.criteria[0];
    assert.ok(participant !== undefined && screeningEntry !== undefined && baseline !== undefined);
    assert.ok(criterion !== undefined);
    const path = `/trial/participants/${id}`;
    const posts: [string, Record<string, string>][] = [
      [`${path}/labs`, { visit: 'baseline', analyte: 'anc', comparator: '<', value: '500', unit: '/uL' }],
      [`${path}/dispositions/d-1/corrections`, { event: 'withdrew-consent', participantId: id, reason: 'wrong one' }],
      ['/trial/screening', { screeningCode: 'S-7', [`c-${criterion.id}`]: 'not-met' }],
      [
        '/trial/participants',
        { screeningId: screeningEntry.id, baselineCrpUnit: 'mg/dL', baselineCrpComparator: '', sex: 'F' },
      ],
    ];
    const listed: string[] = [];
    for (const [action, typed] of posts) {
      now += 120_000; // each form's session ends while it is open
      const ended = await coord.request('POST', action, { ...typed, _csrf: coord.csrf }, FORM);
      assert.equal(ended.status, 401, action);
      const account = accountFor('coordinator', 'site-a');
      const browser = new TrialClient(t.url);
      const signedIn = await browser.request(
        'POST',
        '/trial/login',
        { ...hiddenFields(ended.text, '/trial/login'), username: account.username, password: account.password },
        FORM,
      );
      assert.equal(signedIn.status, 200, signedIn.text.slice(0, 300));
      listed.push(signedIn.text);
      // What is saved is still the code the form posts.
      assert.deepEqual(
        Object.fromEntries(Object.keys(typed).map((k) => [k, hiddenFields(signedIn.text, action)[k]])),
        typed,
      );
      await coord.login(account.username, account.password);
    }
    const [lab, exit, screening, enrol] = listed as [string, string, string, string];
    assert.match(lab, new RegExp(`<dt>Visit</dt>\\s*<dd>${baseline.label}</dd>`));
    assert.match(lab, /<dt>Result reported as<\/dt>\s*<dd>&lt; below the assay&#39;s limit/);
    assert.match(lab, /<dt>Unit \(UCUM\)<\/dt>\s*<dd>\/uL \(cells per microlitre = per mm3\)<\/dd>/);
    assert.match(exit, /<dt>Exit<\/dt>\s*<dd>Withdrew consent<\/dd>/);
    assert.match(exit, new RegExp(`<dt>Participant</dt>\\s*<dd>${participant.participantCode}</dd>`));
    assert.match(screening, new RegExp(`<dt>${criterion.kind} ${criterion.id}: [^<]*</dt>\\s*<dd>not met</dd>`));
    assert.match(enrol, new RegExp(`<dt>Screening entry</dt>\\s*<dd>${screeningEntry.screeningCode}</dd>`));
    assert.match(enrol, /<dt>Unit, as on the laboratory report<\/dt>\s*<dd>mg\/dL \(milligrams per decilitre/);
    assert.match(enrol, /<dt>Result reported as<\/dt>\s*<dd>a measured value<\/dd>/);
    assert.match(enrol, /<dt>Sex<\/dt>\s*<dd>Female<\/dd>/);
  } finally {
    await t.close();
  }
});

test('to a coordinator of every site, a participant chosen in a list is listed by code and site, as its option read', async () => {
  let now = Date.parse('2026-11-29T10:00:00Z');
  const t = await startTestTrial({ now: () => new Date(now), sessionSeconds: 60 });
  try {
    await createAccounts(
      t.store,
      [
        {
          username: 'coord-all',
          displayName: 'Coordinator, all sites',
          role: 'coordinator',
          site: null,
          password: 'pw-coord-all-123',
        },
      ],
      TEST_COST,
    );
    const coord = new TrialClient(t.url);
    assert.equal((await coord.login('coord-all', 'pw-coord-all-123')).status, 200);
    const id = await enrolThroughApi(coord, insightProtocol(t.engine), 'site-b');
    const code = (await t.store.listParticipants({})).find((p) => p.id === id)?.participantCode ?? '';
    const action = `/trial/participants/${id}/dispositions/d-1/corrections`;
    now += 120_000;
    const ended = await coord.request(
      'POST',
      action,
      { participantId: id, reason: 'wrong one', _csrf: coord.csrf },
      FORM,
    );
    assert.equal(ended.status, 401);
    const browser = new TrialClient(t.url);
    const signedIn = await browser.request(
      'POST',
      '/trial/login',
      { ...hiddenFields(ended.text, '/trial/login'), username: 'coord-all', password: 'pw-coord-all-123' },
      FORM,
    );
    assert.equal(signedIn.status, 200, signedIn.text.slice(0, 300));
    assert.match(signedIn.text, new RegExp(`<dt>Participant</dt>\\s*<dd>${code} \\(site-b\\)</dd>`));
  } finally {
    await t.close();
  }
});

test('with no one signed in, the list to copy names a chosen participant or screening entry as its option read, never by id', async () => {
  const t = await startTestTrial();
  try {
    const coord = await t.signIn('coordinator', 'site-a');
    const protocol = insightProtocol(t.engine);
    const id = await enrolThroughApi(coord, protocol, 'site-a');
    const other = await enrolThroughApi(coord, protocol, 'site-a');
    const otherCode = (await t.store.listParticipants({})).find((p) => p.id === other)?.participantCode ?? '';
    const exit = (await coord.post('/trial/api/dispositions', { participantId: id, event: 'other', on: '2026-11-20' }))
      .json as { id: string };
    const action = `/trial/participants/${id}/dispositions/${exit.id}/corrections`;
    const shown = hiddenFields((await coord.get(`/trial/participants/${id}`)).text, action);
    // Signed out in another tab: the post comes with no session the server knows.
    const anonymous = await fetch(`${t.url}${action}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...shown, participantId: other, reason: 'moved' }).toString(),
    });
    const page = await anonymous.text();
    assert.equal(anonymous.status, 401);
    assert.match(page, new RegExp(`<dt>Participant</dt>\\s*<dd>${otherCode}</dd>`));
    assert.ok(!page.includes(other), 'no internal id on the page');
    // A screening entry chosen for consent likewise, by its screening code.
    const screening = await coord.post('/trial/api/screening', {
      site: 'site-a',
      screeningCode: 'S-COPY-1',
      screenedOn: '2026-11-02',
      criteria: eligibleCriteria(protocol),
    });
    const screeningId = (screening.json as { id: string }).id;
    const consentForm = hiddenFields((await coord.get('/trial/screening')).text, '/trial/consents');
    const consent = await fetch(`${t.url}/trial/consents`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...consentForm, screeningId, consentedOn: '2026-11-03' }).toString(),
    });
    const listed = await consent.text();
    assert.equal(consent.status, 401);
    assert.match(listed, /<dt>Screening entry<\/dt>\s*<dd>S-COPY-1<\/dd>/);
    assert.ok(!listed.includes(screeningId), 'no internal id on the page');
    // Words no page of this server showed are not taken for a record's: an id posted with none stays as posted.
    const bare = await fetch(`${t.url}${action}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ participantId: other, reason: 'moved' }).toString(),
    });
    assert.doesNotMatch(await bare.text(), new RegExp(otherCode));
  } finally {
    await t.close();
  }
});
