/**
 * Allocation concealment over HTTP: every trial route, taken from the server's own route table (so a new route is
 * covered without editing this file), is called by every blinded role with real data in the store (randomized
 * participants in both arms, forms, a lab that raises a safety alert, a serious adverse event), and no response
 * carries an arm id or label. The only route that may disclose an arm, emergency unblinding, is checked apart:
 * reason required, investigator only, audited.
 * Run: node --import tsx --test src/server/trial/blinding.test.ts
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { can } from '../../trial/roles.ts';
import type { TrialRole } from '../../trial/roles.ts';
import { createAccounts } from './accounts.ts';
import { TrialClient } from './client.test-support.ts';
import {
  enrolThroughApi,
  insightProtocol,
  recordNeutropeniaAndPneumonia,
  startTestTrial,
  TEST_COST,
} from './harness.test-support.ts';
import type { TestTrial } from './harness.test-support.ts';

let t: TestTrial;
const ids = { participant: '', form: '', alert: '' };
/** Adverse event terms that name an arm (its id; its label, in other case), and how blinded viewers see them. */
const ENTERED_TERMS = [
  'Rash; patient previously on placebo in another study',
  'Headache after PLACEBO (0.9% saline) in a past trial; tocilizumab-naive',
];
const MASKED_TERMS = [
  'Rash; patient previously on [concealed] in another study',
  'Headache after [concealed] in a past trial; [concealed]-naive',
];
const enteredReplies: string[] = [];

before(async () => {
  t = await startTestTrial();
  const protocol = insightProtocol(t.engine);
  const coord = await t.signIn('coordinator', 'site-a');
  const participants: string[] = [];
  for (let i = 0; i < 4; i += 1) participants.push(await enrolThroughApi(coord, protocol, 'site-a'));
  for (const id of participants) await t.randomizeOn(coord, id, '2026-11-05');
  ids.participant = participants[0] as string;
  const form = await coord.post('/trial/api/forms', {
    participantId: ids.participant,
    visit: 'day-14',
    instrument: 'gad-7',
    answers: { 1: 1, 2: 1, 3: 2, 4: 0, 5: 1, 6: 2, 7: 1 },
    completedOn: '2026-11-20',
  });
  assert.equal(form.status, 201, form.text);
  ids.form = (form.json as { id: string }).id;
  const safety = await recordNeutropeniaAndPneumonia(coord, ids.participant);
  ids.alert = safety.alertId;
  // Entered text may name an arm without disclosing an allocation; the sweep below reads every route with these in.
  for (const term of ENTERED_TERMS) {
    const named = await coord.post('/trial/api/adverse-events', {
      participantId: ids.participant,
      term,
      onsetOn: '2026-11-20',
      grade: 3,
      seriousCriteria: ['hospitalisation'],
      relatedness: 'possible',
      expectedness: 'unexpected',
      outcome: 'recovering',
    });
    assert.equal(named.status, 201, named.text);
    enteredReplies.push(named.text);
  }
  const coordB = await t.signIn('coordinator', 'site-b');
  await enrolThroughApi(coordB, protocol, 'site-b');
  // The coordinator's own writes (form, lab with its alert, serious adverse event) answered without an arm.
  for (const text of [form.text, ...safety.replies]) assert.equal(findArm(text, t.armNames), undefined, text);
});

after(async () => {
  await t.close();
});

function concreteUrl(url: string): string {
  return url
    .replace(':id/randomize', `${ids.participant}/randomize`)
    .replace('/participants/:id', `/participants/${ids.participant}`)
    .replace('/forms/:id', `/forms/${ids.form}`)
    .replace('/alerts/:id', `/alerts/${ids.alert}`)
    .replace('/exports/:name', '/exports/analysis.csv');
}

/**
 * The stratum sequence (the slot's position in its stratum's list), under any spelling a response could give it: with
 * the block sizes, a slot near the end of a block gives away its arm.
 */
const STRATUM_SEQUENCE = /stratum[\s_-]*seq/i;

function findArm(text: string, armNames: readonly string[]): string | undefined {
  const lower = text.toLowerCase();
  return armNames.find((a) => lower.includes(a.toLowerCase()));
}

const blindedRoles: readonly TrialRole[] = [
  'coordinator',
  'investigator',
  'monitor',
  'statistician',
  'administrator',
  'outcome-rater',
];
/** The roles bound to site-a in the test accounts (harness.test-support.ts). */
const siteBound = (role: TrialRole) => role === 'coordinator' || role === 'investigator' || role === 'outcome-rater';

test('the route table lists the trial operations, each with a declared access', () => {
  const urls = t.trial.routes.map((r) => r.url);
  for (const expected of [
    '/trial/api/participants/:id/randomize',
    '/trial/api/screening',
    '/trial/api/labs',
    '/trial/api/consort',
    '/trial/api/exports/:name',
    '/trial/consort',
  ]) {
    assert.ok(urls.includes(expected), expected);
  }
  assert.deepEqual(
    t.trial.routes
      .filter((r) => r.disclosesAllocation)
      .map((r) => r.url)
      .sort(),
    ['/trial/api/participants/:id/emergency-unblind', '/trial/participants/:id/emergency-unblind'],
  );
});

/** Every route, every method, called by `role`: no response names an arm. */
async function sweep(role: TrialRole): Promise<void> {
  const client: TrialClient = await t.signIn(role, siteBound(role) ? 'site-a' : undefined);
  let calls = 0;
  // HEAD routes are fastify's automatic twins of the GET routes.
  const routes = t.trial.routes.filter(
    (r) => !r.disclosesAllocation && !r.url.endsWith('/logout') && r.methods.some((m) => m !== 'HEAD'),
  );
  const readable: string[] = [];
  for (const route of routes) {
    for (const method of route.methods) {
      if (method === 'HEAD') continue;
      const url = concreteUrl(route.url);
      const reply = method === 'GET' ? await client.get(url) : await client.request(method, url, {});
      calls += 1;
      if (method === 'GET' && reply.status === 200) readable.push(route.url);
      if (process.env.TRD_TEST_VERBOSE) console.log(role, method, route.url, reply.status);
      assert.notEqual(reply.status, 500, `${method} ${route.url}: ${reply.text.slice(0, 200)}`);
      assert.equal(findArm(reply.text, t.armNames), undefined, `${method} ${route.url} as ${role} names an arm`);
      assert.doesNotMatch(reply.text, STRATUM_SEQUENCE, `${method} ${route.url} as ${role}: the stratum sequence`);
    }
  }
  // Randomizing a new participant answers with the kit code only.
  if (role === 'coordinator' || role === 'investigator') {
    const id = await enrolThroughApi(client, insightProtocol(t.engine), 'site-a');
    const r = await client.post(`/trial/api/participants/${id}/randomize`);
    assert.equal(r.status, 201, r.text);
    assert.match((r.json as { kitCode: string }).kitCode, /\S/);
    assert.equal(findArm(r.text, t.armNames), undefined);
    assert.equal('arm' in (r.json as object), false);
    assert.doesNotMatch(r.text, STRATUM_SEQUENCE, `randomize as ${role}: the stratum sequence`);
    const record = await client.get(`/trial/api/participants/${id}`);
    assert.equal(
      (record.json as { allocation: { kitCode: string } }).allocation.kitCode,
      (r.json as { kitCode: string }).kitCode,
    );
    assert.doesNotMatch(record.text, STRATUM_SEQUENCE, `the randomized participant as ${role}: the stratum sequence`);
  }
  // The audit readers (monitor, administrator): the randomization's entry as they read it has no stratum sequence.
  if (can(role, 'audit.read')) {
    const audit = await client.get('/trial/api/audit?limit=1000');
    assert.equal(audit.status, 200);
    assert.ok(
      (audit.json as { action: string }[]).some((e) => e.action === 'randomize'),
      'randomizations audited',
    );
    assert.doesNotMatch(audit.text, STRATUM_SEQUENCE, `the audit trail as ${role}: the stratum sequence`);
  }
  assert.ok(calls >= routes.length, 'every route was called');
  // The sweep read real data: the participant, visit-form, safety (to the roles that see it), CONSORT and page routes
  // answered 200.
  for (const url of [
    '/trial/api/participants/:id',
    ...(can(role, 'safety.read') ? ['/trial/api/safety'] : []),
    '/trial/api/consort',
    '/trial/participants/:id',
  ]) {
    assert.ok(readable.includes(url), `${url} answered 200 to ${role}`);
  }
  const out = await client.post('/trial/logout');
  assert.equal(out.status, 200);
}

for (const role of blindedRoles) {
  test(`no response to a ${role} names an arm (every route, every method)`, () => sweep(role));
}

test("the same sweep finds the arms where they may be seen: the pharmacist's allocation list", async () => {
  const pharmacist = await t.signIn('unblinded-pharmacist');
  // A HEAD request is answered without the list: it records no reading of it.
  const head = await pharmacist.request('HEAD', '/trial/api/allocations');
  assert.equal(head.status, 200);
  assert.equal(head.text, '');
  const reply = await pharmacist.get('/trial/api/allocations');
  assert.equal(reply.status, 200);
  assert.notEqual(findArm(reply.text, t.armNames), undefined, 'the detector sees arms when they are there');
  // The pharmacist, who keeps the list, sees each allocation's place in its stratum's list.
  assert.match(reply.text, STRATUM_SEQUENCE, 'the detector sees the stratum sequence when it is there');
  // Reading the unblinded list is audited: who, when, how many allocations it held.
  const viewed = (await t.store.listAudit({ limit: 1000 })).filter((e) => e.action === 'allocation-list-viewed');
  assert.equal(viewed.length, 1);
  assert.equal(viewed[0]?.role, 'unblinded-pharmacist');
  assert.deepEqual(viewed[0]?.after, { allocations: (reply.json as unknown[]).length });
});

test('emergency unblinding: investigator only, a reason required, audited', async () => {
  const coordinator = await t.signIn('coordinator', 'site-a');
  const refused = await coordinator.post(`/trial/api/participants/${ids.participant}/emergency-unblind`, {
    reason: 'anaphylaxis',
  });
  assert.equal(refused.status, 403);
  const investigator = await t.signIn('investigator', 'site-a');
  const noReason = await investigator.post(`/trial/api/participants/${ids.participant}/emergency-unblind`, {});
  assert.equal(noReason.status, 400);
  const done = await investigator.post(`/trial/api/participants/${ids.participant}/emergency-unblind`, {
    reason: 'suspected anaphylaxis: treating team needs the allocation',
  });
  assert.equal(done.status, 200, done.text);
  assert.notEqual(findArm(done.text, t.armNames), undefined);
  const audit = await t.store.listAudit({ limit: 1000 });
  assert.ok(audit.some((e) => e.entity === 'unblinding' && e.reason.includes('anaphylaxis')));
  // The participant's record now says so, still without the arm for blinded roles.
  const record = await coordinator.get(`/trial/api/participants/${ids.participant}`);
  assert.equal((record.json as { participant: { emergencyUnblinded: boolean } }).participant.emergencyUnblinded, true);
  assert.equal(findArm(record.text, t.armNames), undefined);
});

test('the audit trail reaches blinded readers without hashes: no hash of the chain, no head hash', async () => {
  // Each hash covers an allocation's image (or, through prevHash, earlier ones): hashing each candidate arm with the
  // visible fields would tell which arm matches. So no hash the store holds may appear in what they receive.
  const stored = await t.store.listAudit({ limit: 1000 });
  const hashes = new Set(stored.flatMap((e) => [e.hash, e.prevHash]));
  for (const role of ['monitor', 'administrator'] as const) {
    const client = await t.signIn(role);
    const audit = await client.get('/trial/api/audit?limit=1000');
    assert.equal(audit.status, 200, audit.text.slice(0, 200));
    const entries = audit.json as Record<string, unknown>[];
    assert.ok(entries.some((e) => e.entity === 'allocation'));
    for (const e of entries) {
      assert.equal('hash' in e, false, `entry ${String(e.seq)} has a hash`);
      assert.equal('prevHash' in e, false, `entry ${String(e.seq)} has a prevHash`);
    }
    const verify = await client.get('/trial/api/audit/verify');
    assert.equal(verify.status, 200);
    const v = verify.json as { ok: boolean; entries: number; head: Record<string, unknown> };
    assert.equal(v.ok, true);
    assert.equal(v.entries, (await t.store.verifyAudit()).entries);
    assert.deepEqual(Object.keys(v.head), ['seq']);
    for (const text of [audit.text, verify.text]) {
      const leaked = [...hashes].find((h) => text.includes(h));
      assert.equal(leaked, undefined, `${role} received a hash of the chain`);
    }
  }
});

test('entered text naming an arm: saved once, shown [concealed] to blinded roles, as written to the pharmacist', async () => {
  // The writer's own answer (201, above) carried the term masked, not a 500 that would invite entering it again.
  enteredReplies.forEach((text, i) => assert.ok(text.includes(JSON.stringify(MASKED_TERMS[i])), text));
  const stored = (await t.store.listAdverseEvents({ participantId: ids.participant })).map((e) => e.term);
  for (const term of ENTERED_TERMS) assert.equal(stored.filter((s) => s === term).length, 1, 'stored as entered');
  for (const role of ['coordinator', 'investigator', 'monitor', 'administrator'] as const) {
    const client = await t.signIn(role, role === 'coordinator' || role === 'investigator' ? 'site-a' : undefined);
    const record = await client.get(`/trial/api/participants/${ids.participant}`);
    assert.equal(record.status, 200, `${role}: ${record.text.slice(0, 200)}`);
    const terms = (record.json as { adverseEvents: { term: string }[] }).adverseEvents.map((e) => e.term);
    for (const masked of MASKED_TERMS) assert.ok(terms.includes(masked), `${role} sees ${masked}`);
    const page = await client.get(`/trial/participants/${ids.participant}`);
    assert.equal(page.status, 200, `${role} page: ${page.text.slice(0, 200)}`);
    for (const reply of [record, page]) assert.equal(findArm(reply.text, t.armNames), undefined);
    if (role === 'monitor' || role === 'administrator') {
      const audit = await client.get('/trial/api/audit?limit=1000');
      assert.equal(audit.status, 200, `${role} audit: ${audit.text.slice(0, 200)}`);
      for (const masked of MASKED_TERMS) assert.ok(audit.text.includes(JSON.stringify(masked)), `${role} audit`);
      assert.equal(findArm(audit.text, t.armNames), undefined);
    }
  }
  const pharmacist = await t.signIn('unblinded-pharmacist');
  const record = await pharmacist.get(`/trial/api/participants/${ids.participant}`);
  assert.equal(record.status, 200);
  const terms = (record.json as { adverseEvents: { term: string }[] }).adverseEvents.map((e) => e.term);
  for (const term of ENTERED_TERMS) assert.ok(terms.includes(term), 'the pharmacist sees the term as entered');
});

test('an emergency unblinding alerts the site investigator, the monitor and the pharmacist, and discloses no arm to any blinded role', async () => {
  // The unblinding of the test above is shown as an open alert to every reader of the participant's site.
  const unblinded = (text: string) =>
    (JSON.parse(text) as { kind: string; participantId: string; message: string }[]).filter(
      (a) => a.kind === 'emergency-unblinding' && a.participantId === ids.participant,
    );
  for (const [role, site] of [
    ['investigator', 'site-a'],
    ['coordinator', 'site-a'],
    ['monitor', undefined],
    ['unblinded-pharmacist', undefined],
  ] as const) {
    const client = await t.signIn(role, site);
    const alerts = await client.get('/trial/api/alerts');
    assert.equal(alerts.status, 200);
    assert.equal(unblinded(alerts.text).length, 1, `${role} is told of the unblinding`);
    assert.match(unblinded(alerts.text)[0]?.message ?? '', /Emergency unblinding/);
    for (const path of ['/trial/', '/trial/safety']) {
      const page = await client.get(path);
      assert.equal(page.status, 200);
      assert.match(page.text, /emergency-unblinding/, `${role} sees it on ${path}`);
    }
  }
  // Another site's coordinator is not told of this site's participant.
  const otherSite = await (await t.signIn('coordinator', 'site-b')).get('/trial/api/alerts');
  assert.equal(unblinded(otherSite.text).length, 0);
  // The alert carries no arm, not even the kit (which the pharmacist's list would map to an arm).
  const stored = (await t.store.listAlerts()).find((a) => a.kind === 'emergency-unblinding');
  const allocation = await t.store.getAllocation(ids.participant);
  assert.ok(stored !== undefined && allocation !== null);
  assert.equal(findArm(JSON.stringify(stored), t.armNames), undefined);
  assert.equal(JSON.stringify(stored).includes(allocation.kitCode), false);
  // With the unblinding in the store, every blinded role (the investigator who unblinded too) still sees no arm on
  // any route.
  for (const role of blindedRoles) await sweep(role);
});

test("emergency unblinding from the participant's page: the investigator's form, the arm answered on the page alone", async () => {
  const protocol = insightProtocol(t.engine);
  const coordinator = await t.signIn('coordinator', 'site-a');
  const id = await enrolThroughApi(coordinator, protocol, 'site-a');
  assert.equal((await coordinator.post(`/trial/api/participants/${id}/randomize`)).status, 201);
  const path = `/trial/participants/${id}`;
  const FORM = { contentType: 'application/x-www-form-urlencoded' };
  // The coordinator is offered no form and is refused; the investigator has the form.
  assert.equal((await coordinator.get(path)).text.includes(`action="${path}/emergency-unblind"`), false);
  const refused = await coordinator.request('POST', `${path}/emergency-unblind`, { reason: 'anaphylaxis' }, FORM);
  assert.equal(refused.status, 403);
  const investigator = await t.signIn('investigator', 'site-a');
  assert.ok((await investigator.get(path)).text.includes(`action="${path}/emergency-unblind"`));
  // Without a reason: the page again, with why, and no arm.
  const noReason = await investigator.request('POST', `${path}/emergency-unblind`, { reason: ' ' }, FORM);
  assert.equal(noReason.status, 400);
  assert.match(noReason.text, /Not unblinded: reason: required/);
  assert.equal(findArm(noReason.text, t.armNames), undefined);
  assert.equal((await t.store.getParticipant(id))?.emergencyUnblinded, false);
  const done = await investigator.request(
    'POST',
    `${path}/emergency-unblind`,
    { reason: 'suspected anaphylaxis in the emergency department' },
    FORM,
  );
  assert.equal(done.status, 200, done.text.slice(0, 300));
  assert.match(done.headers.get('content-type') ?? '', /text\/html/);
  const allocation = await t.store.getAllocation(id);
  const label = protocol.arms?.find((a) => a.id === allocation?.arm)?.label ?? '';
  assert.ok(label !== '' && done.text.includes(label), 'the page names the allocated arm');
  // The title names the participant by code, never the arm.
  const code = (await t.store.getParticipant(id))?.participantCode ?? '';
  const title = /<title>([^<]*)<\/title>/.exec(done.text)?.[1] ?? '';
  assert.ok(code !== '' && title.startsWith(`Emergency unblinding: participant ${code} `), title);
  assert.equal(findArm(title, t.armNames), undefined, 'no arm in the title');
  assert.ok(done.text.includes(`<h1>Emergency unblinding: participant ${code}</h1>`));
  assert.equal((await t.store.getParticipant(id))?.emergencyUnblinded, true);
  const audit = await t.store.listAudit({ limit: 1000 });
  assert.ok(audit.some((e) => e.entity === 'unblinding' && e.entityId === id && e.reason.includes('anaphylaxis')));
  // The participant's page afterwards is blinded again, for the investigator too.
  const after = await investigator.get(path);
  assert.equal(findArm(after.text, t.armNames), undefined);
});

test('emergency unblinding by an investigator of every site: the title and heading name the participant with its site', async () => {
  const protocol = insightProtocol(t.engine);
  const coordinator = await t.signIn('coordinator', 'site-a');
  const id = await enrolThroughApi(coordinator, protocol, 'site-a');
  assert.equal((await coordinator.post(`/trial/api/participants/${id}/randomize`)).status, 201);
  await createAccounts(
    t.store,
    [
      {
        username: 'investigator-all',
        displayName: 'Investigator, all sites',
        role: 'investigator',
        site: null,
        password: 'pw-investigator-all-123',
      },
    ],
    TEST_COST,
  );
  const everywhere = new TrialClient(t.url);
  assert.equal((await everywhere.login('investigator-all', 'pw-investigator-all-123')).status, 200);
  const path = `/trial/participants/${id}`;
  const code = (await t.store.getParticipant(id))?.participantCode ?? '';
  assert.ok(code !== '', 'the participant has a code');
  // Codes are each site's own: a viewer of every site reads which site's participant this is.
  const page = (await everywhere.get(path)).text;
  assert.ok(page.includes(`<h1>Participant ${code} (site-a)</h1>`), 'the heading names the site');
  const done = await everywhere.request(
    'POST',
    `${path}/emergency-unblind`,
    { reason: 'suspected anaphylaxis' },
    { contentType: 'application/x-www-form-urlencoded' },
  );
  assert.equal(done.status, 200, done.text.slice(0, 300));
  const title = /<title>([^<]*)<\/title>/.exec(done.text)?.[1] ?? '';
  assert.ok(title.startsWith(`Emergency unblinding: participant ${code} (site-a) `), title);
  assert.equal(findArm(title, t.armNames), undefined, 'no arm in the title');
  assert.ok(
    done.text.includes(`<h1>Emergency unblinding: participant ${code} (site-a)</h1>`),
    'the heading names the site',
  );
});
