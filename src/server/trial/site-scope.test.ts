/**
 * Another site's records, as a site-bound account reads and writes them: every route that takes a record id (in its
 * path, from the server's route table, or in its body) answers site B's record to site A's coordinator (the
 * investigator for the investigator's routes) exactly as it answers an id that does not exist: 404, the same words.
 * A different answer (a 403, "no such participant" for a form) would tell that the id is in the trial.
 * Run: node --import tsx --test src/server/trial/site-scope.test.ts
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { TrialRole } from '../../trial/roles.ts';
import { can, SITE_BOUND_ROLES } from '../../trial/roles.ts';
import type { Reply, TrialClient } from './client.test-support.ts';
import {
  eligibleCriteria,
  enrolThroughApi,
  insightProtocol,
  recordNeutropeniaAndPneumonia,
  startTestTrial,
} from './harness.test-support.ts';
import type { TestTrial } from './harness.test-support.ts';

/** An id no record has. */
const MISSING = '00000000-0000-4000-8000-000000000000';

let t: TestTrial;
/** Site B's records (`b`), and site A's participant (`a`) for a path that names A's participant and B's record. */
const ids = {
  a: '',
  participant: '',
  screening: '',
  consent: '',
  dose: '',
  form: '',
  lab: '',
  event: '',
  alert: '',
  disposition: '',
};

async function created(client: TrialClient, path: string, body: unknown): Promise<string> {
  const reply = await client.post(path, body);
  assert.equal(reply.status, 201, `${path}: ${reply.text}`);
  return (reply.json as { id: string }).id;
}

before(async () => {
  t = await startTestTrial();
  const protocol = insightProtocol(t.engine);
  const coordA = await t.signIn('coordinator', 'site-a');
  ids.a = await enrolThroughApi(coordA, protocol, 'site-a');
  const coordB = await t.signIn('coordinator', 'site-b');
  ids.participant = await enrolThroughApi(coordB, protocol, 'site-b');
  // Randomized the day before the infusion below (an infusion is never dated before its randomization).
  const { kitCode } = await t.randomizeOn(coordB, ids.participant, '2026-11-04');
  ids.dose = await created(coordB, '/trial/api/doses', {
    participantId: ids.participant,
    visit: 'infusion',
    kitCode,
    administeredOn: '2026-11-05',
    doseMg: 560,
    bodyWeightKg: 70,
  });
  ids.form = await created(coordB, '/trial/api/forms', {
    participantId: ids.participant,
    visit: 'day-14',
    instrument: 'gad-7',
    answers: { 1: 1, 2: 1, 3: 2, 4: 0, 5: 1, 6: 2, 7: 1 },
    completedOn: '2026-11-20',
  });
  ids.alert = (await recordNeutropeniaAndPneumonia(coordB, ids.participant)).alertId;
  ids.lab = (
    (await coordB.get(`/trial/api/participants/${ids.participant}`)).json as { labs: { id: string }[] }
  ).labs[0]!.id;
  ids.event = (
    (await coordB.get(`/trial/api/participants/${ids.participant}`)).json as { adverseEvents: { id: string }[] }
  ).adverseEvents[0]!.id;
  const leaving = await enrolThroughApi(coordB, protocol, 'site-b');
  ids.disposition = await created(coordB, '/trial/api/dispositions', {
    participantId: leaving,
    event: 'withdrew-consent',
    on: '2026-11-10',
  });
  // A screening entry with a consent and one without (consent and enrolment name a screening entry).
  ids.screening = await created(coordB, '/trial/api/screening', {
    site: 'site-b',
    screeningCode: `SB-${process.pid}`,
    screenedOn: '2026-11-02',
    criteria: eligibleCriteria(protocol),
  });
  const consents = (await coordB.get('/trial/api/consents')).json as { id: string }[];
  ids.consent = consents[0]!.id;
});

after(async () => {
  await t.close();
});

interface Case {
  readonly method: 'GET' | 'POST';
  /** The route as the route table names it. */
  readonly route: string;
  readonly role?: TrialRole;
  /** The path with the record's id (site B's, or MISSING). */
  readonly path: (id: (key: keyof typeof ids) => string) => string;
  /** A body the route accepts but for the id, so that the id is what is answered. */
  readonly body?: (id: (key: keyof typeof ids) => string) => unknown;
}

const lab = (participantId: string) => ({
  participantId,
  visit: 'day-14',
  analyte: 'anc',
  value: 3.1,
  unit: '10*9/L',
  lowerLimitOfNormal: 2,
  upperLimitOfNormal: null,
  collectedOn: '2026-11-20',
});
const event = (participantId: string) => ({
  participantId,
  term: 'Headache',
  onsetOn: '2026-11-20',
  grade: 1,
  seriousCriteria: [],
  relatedness: 'possible',
  expectedness: 'expected',
  outcome: 'recovering',
});
const form = (participantId: string) => ({
  participantId,
  visit: 'day-7',
  instrument: 'gad-7',
  answers: { 1: 1, 2: 1, 3: 2, 4: 0, 5: 1, 6: 2, 7: 1 },
  completedOn: '2026-11-12',
});

const CASES: readonly Case[] = [
  // The JSON API: the id in the path.
  {
    method: 'POST',
    route: '/trial/api/screening/:id/corrections',
    path: (id) => `/trial/api/screening/${id('screening')}/corrections`,
    body: () => ({ screeningCode: 'Z-1', reason: 'typed wrong' }),
  },
  {
    method: 'POST',
    route: '/trial/api/consents/:id/corrections',
    path: (id) => `/trial/api/consents/${id('consent')}/corrections`,
    body: () => ({ formVersion: 'v2.0', reason: 'typed wrong' }),
  },
  {
    method: 'POST',
    route: '/trial/api/consents/:id/void',
    path: (id) => `/trial/api/consents/${id('consent')}/void`,
    body: () => ({ reason: 'wrong entry' }),
  },
  { method: 'GET', route: '/trial/api/participants/:id', path: (id) => `/trial/api/participants/${id('participant')}` },
  {
    method: 'POST',
    route: '/trial/api/participants/:id/corrections',
    path: (id) => `/trial/api/participants/${id('participant')}/corrections`,
    body: () => ({ participantCode: 'Q-1', reason: 'typed wrong' }),
  },
  {
    method: 'POST',
    route: '/trial/api/participants/:id/randomize',
    path: (id) => `/trial/api/participants/${id('participant')}/randomize`,
  },
  {
    method: 'POST',
    route: '/trial/api/participants/:id/emergency-unblind',
    role: 'investigator',
    path: (id) => `/trial/api/participants/${id('participant')}/emergency-unblind`,
    body: () => ({ reason: 'anaphylaxis' }),
  },
  {
    method: 'POST',
    route: '/trial/api/dispositions/:id/corrections',
    path: (id) => `/trial/api/dispositions/${id('disposition')}/corrections`,
    body: () => ({ on: '2026-11-11', reason: 'typed wrong' }),
  },
  {
    method: 'POST',
    route: '/trial/api/dispositions/:id/void',
    path: (id) => `/trial/api/dispositions/${id('disposition')}/void`,
    body: () => ({ reason: 'did not leave' }),
  },
  {
    method: 'POST',
    route: '/trial/api/doses/:id/corrections',
    path: (id) => `/trial/api/doses/${id('dose')}/corrections`,
    body: () => ({ doseMg: 500, reason: 'typed wrong' }),
  },
  { method: 'GET', route: '/trial/api/forms/:id', path: (id) => `/trial/api/forms/${id('form')}` },
  {
    method: 'POST',
    route: '/trial/api/forms/:id/corrections',
    path: (id) => `/trial/api/forms/${id('form')}/corrections`,
    body: () => ({ answers: { 1: 2 }, reason: 'typed wrong', version: 1 }),
  },
  {
    method: 'POST',
    route: '/trial/api/forms/:id/sign',
    role: 'investigator',
    path: (id) => `/trial/api/forms/${id('form')}/sign`,
    body: () => ({ password: 'pw-inv-a-123', meaning: 'reviewed and approved', version: 1 }),
  },
  {
    method: 'POST',
    route: '/trial/api/labs/:id/corrections',
    path: (id) => `/trial/api/labs/${id('lab')}/corrections`,
    body: () => ({ value: 2.5, reason: 'typed wrong' }),
  },
  {
    method: 'POST',
    route: '/trial/api/adverse-events/:id/updates',
    path: (id) => `/trial/api/adverse-events/${id('event')}/updates`,
    body: () => ({ grade: 2, reason: 'worse' }),
  },
  {
    method: 'POST',
    route: '/trial/api/alerts/:id/acknowledge',
    path: (id) => `/trial/api/alerts/${id('alert')}/acknowledge`,
    body: () => ({ actionTaken: 'ANC repeated' }),
  },
  // The JSON API: the id in the body.
  {
    method: 'POST',
    route: '/trial/api/consents',
    path: () => '/trial/api/consents',
    body: (id) => ({ screeningId: id('screening'), consentedOn: '2026-11-03', formVersion: 'v1.0' }),
  },
  {
    method: 'POST',
    route: '/trial/api/participants',
    path: () => '/trial/api/participants',
    body: (id) => ({
      screeningId: id('screening'),
      participantCode: 'P-Z',
      strata: { crp: 'high', site: 'site-b' },
      baselineCrpMgPerL: 6.5,
      enrolledOn: '2026-11-04',
    }),
  },
  {
    method: 'POST',
    route: '/trial/api/dispositions',
    path: () => '/trial/api/dispositions',
    body: (id) => ({ participantId: id('participant'), event: 'completed', on: '2026-11-28' }),
  },
  {
    method: 'POST',
    route: '/trial/api/doses',
    path: () => '/trial/api/doses',
    body: (id) => ({
      participantId: id('participant'),
      visit: 'infusion',
      kitCode: 'K0001',
      administeredOn: '2026-11-05',
      doseMg: 560,
      bodyWeightKg: 70,
    }),
  },
  { method: 'POST', route: '/trial/api/forms', path: () => '/trial/api/forms', body: (id) => form(id('participant')) },
  { method: 'POST', route: '/trial/api/labs', path: () => '/trial/api/labs', body: (id) => lab(id('participant')) },
  {
    method: 'POST',
    route: '/trial/api/adverse-events',
    path: () => '/trial/api/adverse-events',
    body: (id) => event(id('participant')),
  },
  // The pages.
  { method: 'GET', route: '/trial/participants/:id', path: (id) => `/trial/participants/${id('participant')}` },
  {
    method: 'POST',
    route: '/trial/participants/:id/corrections',
    path: (id) => `/trial/participants/${id('participant')}/corrections`,
    body: () => ({ participantCode: 'Q-1', enrolledOn: '2026-11-04', reason: 'typed wrong', version: '1' }),
  },
  {
    method: 'POST',
    route: '/trial/participants/:id/randomize',
    path: (id) => `/trial/participants/${id('participant')}/randomize`,
  },
  {
    method: 'POST',
    route: '/trial/participants/:id/emergency-unblind',
    role: 'investigator',
    path: (id) => `/trial/participants/${id('participant')}/emergency-unblind`,
    body: () => ({ reason: 'anaphylaxis' }),
  },
  {
    method: 'POST',
    route: '/trial/participants/:id/doses',
    path: (id) => `/trial/participants/${id('participant')}/doses`,
    body: () => ({ kitCode: 'K0001', administeredOn: '2026-11-05', doseMg: '560', bodyWeightKg: '70' }),
  },
  {
    method: 'POST',
    route: '/trial/participants/:id/forms',
    path: (id) => `/trial/participants/${id('participant')}/forms`,
    body: () => ({ visit: 'day-7', instrument: 'gad-7', item1: '1', completedOn: '2026-11-12' }),
  },
  {
    method: 'POST',
    route: '/trial/participants/:id/labs',
    path: (id) => `/trial/participants/${id('participant')}/labs`,
    body: () => ({
      ...lab(''),
      participantId: undefined,
      value: '3.1',
      lowerLimitOfNormal: '2',
      upperLimitOfNormal: '',
    }),
  },
  {
    method: 'POST',
    route: '/trial/participants/:id/labs/:lab/corrections',
    path: (id) => `/trial/participants/${id('participant')}/labs/${id('lab')}/corrections`,
    body: () => ({ visit: 'day-14', value: '2.5', unit: '10*9/L', collectedOn: '2026-11-20', reason: 'typed wrong' }),
  },
  {
    method: 'POST',
    route: '/trial/participants/:id/forms/:form/corrections',
    path: (id) => `/trial/participants/${id('participant')}/forms/${id('form')}/corrections`,
    body: () => ({ completedOn: '2026-11-20', item1: '2', reason: 'typed wrong' }),
  },
  {
    method: 'POST',
    route: '/trial/participants/:id/doses/:dose/corrections',
    path: (id) => `/trial/participants/${id('participant')}/doses/${id('dose')}/corrections`,
    body: () => ({ administeredOn: '2026-11-06', doseMg: '560', bodyWeightKg: '70', reason: 'typed wrong' }),
  },
  {
    method: 'POST',
    route: '/trial/participants/:id/adverse-events',
    path: (id) => `/trial/participants/${id('participant')}/adverse-events`,
    body: () => ({ term: 'Headache', onsetOn: '2026-11-20', grade: '1', relatedness: 'possible' }),
  },
  {
    method: 'POST',
    route: '/trial/participants/:id/adverse-events/:event/updates',
    path: (id) => `/trial/participants/${id('participant')}/adverse-events/${id('event')}/updates`,
    body: () => ({ grade: '2', reason: 'worse' }),
  },
  {
    method: 'POST',
    route: '/trial/participants/:id/dispositions',
    path: (id) => `/trial/participants/${id('participant')}/dispositions`,
    body: () => ({ event: 'completed', on: '2026-11-28' }),
  },
  {
    method: 'POST',
    route: '/trial/participants/:id/dispositions/:disposition/corrections',
    path: (id) => `/trial/participants/${id('participant')}/dispositions/${id('disposition')}/corrections`,
    body: () => ({ on: '2026-11-11', reason: 'typed wrong' }),
  },
  {
    method: 'POST',
    route: '/trial/participants/:id/dispositions/:disposition/void',
    path: (id) => `/trial/participants/${id('participant')}/dispositions/${id('disposition')}/void`,
    body: () => ({ reason: 'did not leave' }),
  },
  {
    method: 'POST',
    route: '/trial/safety/alerts/:alert/acknowledge',
    path: (id) => `/trial/safety/alerts/${id('alert')}/acknowledge`,
    body: () => ({ actionTaken: 'ANC repeated' }),
  },
  {
    method: 'POST',
    route: '/trial/consents',
    path: () => '/trial/consents',
    body: (id) => ({ screeningId: id('screening'), consentedOn: '2026-11-03', formVersion: 'v1.0' }),
  },
  {
    method: 'POST',
    route: '/trial/participants',
    path: () => '/trial/participants',
    body: (id) => ({
      screeningId: id('screening'),
      participantCode: 'P-Z',
      baselineCrp: '6.5',
      baselineCrpUnit: 'mg/L',
      enrolledOn: '2026-11-04',
    }),
  },
];

/** The answer with the ids it was asked about (and the per-answer CSRF token) taken out, to compare two answers. */
const comparable = (reply: Reply, idsAsked: readonly string[]): string => {
  let text = reply.text.replace(/name="_csrf" value="[^"]*"/g, '');
  for (const id of idsAsked) text = text.split(id).join('<id>');
  return `${reply.status} ${text}`;
};

/** The answer, and where a page's form redirects (its message in a flash cookie), the page it redirects to. */
async function ask(c: Case, client: TrialClient, id: (key: keyof typeof ids) => string): Promise<Reply> {
  const path = c.path(id);
  const reply = c.method === 'GET' ? await client.get(path) : await client.post(path, c.body?.(id) ?? {});
  const location = reply.headers.get('location');
  if (reply.status !== 303 || location === null) return reply;
  // A form with no page of its own (an alert's Acknowledge) says "Not saved" and why on the page it returns to.
  const page = await client.get(location);
  return { ...page, status: /Not saved/.test(page.text) && /no such/.test(page.text) ? 404 : page.status };
}

test("another site's record answers as a missing one on every route that takes a record id: 404, the same words", async () => {
  const clients = new Map<TrialRole, TrialClient>();
  const clientFor = async (role: TrialRole): Promise<TrialClient> => {
    const known = clients.get(role);
    if (known !== undefined) return known;
    const client = await t.signIn(role, 'site-a');
    clients.set(role, client);
    return client;
  };
  for (const c of CASES) {
    const client = await clientFor(c.role ?? 'coordinator');
    const asked = Object.values(ids);
    const siteB = await ask(c, client, (key) => ids[key]);
    const missing = await ask(c, client, () => MISSING);
    assert.equal(siteB.status, 404, `${c.method} ${c.route} with site B's record: ${siteB.text.slice(0, 300)}`);
    assert.equal(
      comparable(siteB, asked),
      comparable(missing, [MISSING]),
      `${c.method} ${c.route}: site B's record answered otherwise than a missing one`,
    );
    // A HEAD request (a GET route's twin, answered without the body): the same status and length.
    if (c.method === 'GET') {
      const [headB, headMissing] = [
        await client.request(
          'HEAD',
          c.path((key) => ids[key]),
        ),
        await client.request(
          'HEAD',
          c.path(() => MISSING),
        ),
      ];
      assert.equal(headB.status, 404, `HEAD ${c.route}`);
      assert.equal(headB.headers.get('content-length'), headMissing.headers.get('content-length'), `HEAD ${c.route}`);
    }
    // A path naming site A's own participant and site B's record: as a missing record too.
    if (c.route.startsWith('/trial/participants/:id/') && c.route.split(':').length > 2) {
      const mixed = await ask(c, client, (key) => (key === 'participant' ? ids.a : ids[key]));
      const mixedMissing = await ask(c, client, (key) => (key === 'participant' ? ids.a : MISSING));
      assert.equal(mixed.status, 404, `${c.route} with A's participant and B's record: ${mixed.text.slice(0, 300)}`);
      assert.equal(comparable(mixed, asked), comparable(mixedMissing, [MISSING, ...asked]), c.route);
    }
  }
  // Every route that takes a record id in its path is covered (a new one must be added here).
  const withId = t.trial.routes
    .filter((r) => /:(?!name\b)/.test(r.url))
    .flatMap((r) => r.methods.filter((m) => m !== 'HEAD').map((m) => `${m} ${r.url}`));
  // Routes only roles that are never bound to a site may use (src/trial/roles.ts: monitor, administrator): no
  // site-bound account reaches them, so there is no other site to hide.
  const allSitesOnly = ['GET /trial/participants/:id/audit'];
  assert.deepEqual(
    SITE_BOUND_ROLES.filter((role) => can(role, 'audit.read')),
    [],
    'a site-bound role reads the audit trail: cover its page above',
  );
  const covered = new Set([...CASES.map((c) => `${c.method} ${c.route}`), ...allSitesOnly]);
  assert.deepEqual(
    withId.filter((r) => !covered.has(r)),
    [],
    'routes taking a record id that this test does not cover',
  );
  // Site B's records are untouched: its coordinator still reads the participant as it was.
  const coordB = await t.signIn('coordinator', 'site-b');
  const record = (await coordB.get(`/trial/api/participants/${ids.participant}`)).json as {
    participant: { participantCode: string };
  };
  assert.match(record.participant.participantCode, /^P-S/);
});

test("a participant code site B uses answers site A as an unused one: enrolled, and corrected to, under site A's own numbering", async () => {
  const protocol = insightProtocol(t.engine);
  const coordB = await t.signIn('coordinator', 'site-b');
  const coordA = await t.signIn('coordinator', 'site-a');
  const codeB = (
    (await coordB.get(`/trial/api/participants/${ids.participant}`)).json as {
      participant: { participantCode: string };
    }
  ).participant.participantCode;
  // Site A enrols under the code site B gave: 201, not a 409 that would tell A the code is in use elsewhere.
  const screening = await coordA.post('/trial/api/screening', {
    site: 'site-a',
    screeningCode: `SA-same-${process.pid}`,
    screenedOn: '2026-11-02',
    criteria: eligibleCriteria(protocol),
  });
  const screeningId = (screening.json as { id: string }).id;
  assert.equal(
    (await coordA.post('/trial/api/consents', { screeningId, consentedOn: '2026-11-03', formVersion: 'v1.0' })).status,
    201,
  );
  const enrol = {
    screeningId,
    participantCode: codeB,
    strata: { crp: 'high', site: 'site-a' },
    baselineCrpMgPerL: 6.5,
    enrolledOn: '2026-11-04',
  };
  const enrolled = await coordA.post('/trial/api/participants', enrol);
  assert.equal(enrolled.status, 201, enrolled.text);
  const sameCode = (enrolled.json as { id: string }).id;
  // A correction of site A's own participant to site B's code: accepted as well.
  const own = await coordA.get(`/trial/api/participants/${ids.a}`);
  const ownCode = (own.json as { participant: { participantCode: string } }).participant.participantCode;
  const toB = await coordA.post(`/trial/api/participants/${ids.a}/corrections`, {
    participantCode: `${codeB}-x`,
    reason: 'typed wrong',
  });
  assert.equal(toB.status, 200, toB.text);
  const fixedAtB = await coordB.post(`/trial/api/participants/${ids.participant}/corrections`, {
    participantCode: `${codeB}-x`,
    reason: 'typed wrong',
  });
  assert.equal(fixedAtB.status, 200, fixedAtB.text);
  // Site A's own code, taken at site A, is still refused; site A's list has its own participant only.
  const taken = await coordA.post(`/trial/api/participants/${ids.a}/corrections`, {
    participantCode: codeB,
    reason: 'typed wrong',
  });
  assert.equal(taken.status, 409, taken.text);
  assert.doesNotMatch(taken.text, /site-b|site b/i);
  const listA = (await coordA.get('/trial/api/participants')).json as { id: string; site: string }[];
  assert.ok(listA.some((p) => p.id === sameCode));
  assert.ok(listA.every((p) => p.site === 'site-a'));
  assert.notEqual(ownCode, codeB);
  // Restored for the other tests: site B's participant keeps its code.
  await coordB.post(`/trial/api/participants/${ids.participant}/corrections`, {
    participantCode: codeB,
    reason: 'back as it was',
  });
});
