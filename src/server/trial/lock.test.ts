/**
 * Database lock over HTTP: before lock the statistician is blinded (no arm in any participant record, exports
 * refused); the administrator locks with a reason (audited); afterwards the statistician sees allocations, downloads
 * the analysis CSV with arms, and the CONSORT flow per arm, while the coordinator stays blinded and no data write is
 * accepted any more. An e-signature needs the investigator's password again.
 * Run: node --import tsx --test src/server/trial/lock.test.ts
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { accountFor, enrolThroughApi, insightProtocol, startTestTrial } from './harness.test-support.ts';
import type { TestTrial } from './harness.test-support.ts';

let t: TestTrial;
let participant = '';
before(async () => {
  t = await startTestTrial();
  const coord = await t.signIn('coordinator', 'site-a');
  participant = await enrolThroughApi(coord, insightProtocol(t.engine), 'site-a');
  await t.randomizeOn(coord, participant, '2026-11-05');
});
after(async () => {
  await t.close();
});

const hasArm = (text: string, arms: readonly string[]) =>
  arms.some((a) => text.toLowerCase().includes(a.toLowerCase()));

test('e-signature: investigator only, with the password again', async () => {
  const coord = await t.signIn('coordinator', 'site-a');
  const form = await coord.post('/trial/api/forms', {
    participantId: participant,
    visit: 'day-14',
    instrument: 'gad-7',
    answers: { 1: 1, 2: 1, 3: 2, 4: 0, 5: 1, 6: 2, 7: 1 },
    completedOn: '2026-11-20',
  });
  assert.equal(form.status, 201, form.text);
  const id = (form.json as { id: string }).id;
  assert.equal((await coord.post(`/trial/api/forms/${id}/sign`, { password: 'x', meaning: 'reviewed' })).status, 403);
  const investigator = await t.signIn('investigator', 'site-a');
  const version = (form.json as { version: number }).version;
  const wrong = await investigator.post(`/trial/api/forms/${id}/sign`, {
    password: 'not-mine',
    meaning: 'reviewed',
    version,
  });
  assert.equal(wrong.status, 403);
  const signed = await investigator.post(`/trial/api/forms/${id}/sign`, {
    password: accountFor('investigator', 'site-a').password,
    meaning: 'I reviewed this form and it is complete',
    version,
  });
  assert.equal(signed.status, 200, signed.text);
  assert.equal((signed.json as { status: string }).status, 'signed');
});

test('allocation lists: the administrator reads their capacity and extends them; no one else, and no arm', async () => {
  const admin = await t.signIn('administrator');
  const capacity = await admin.get('/trial/api/allocation-list/capacity');
  assert.equal(capacity.status, 200, capacity.text);
  const before = capacity.json as { stratum: string; slots: number; used: number }[];
  assert.equal(
    before.reduce((n, c) => n + c.used, 0),
    1,
    'the one randomized participant',
  );
  assert.equal(hasArm(capacity.text, t.armNames), false);
  for (const role of ['coordinator', 'statistician', 'unblinded-pharmacist', 'monitor'] as const) {
    const other = await t.signIn(role, role === 'coordinator' ? 'site-a' : undefined);
    assert.equal((await other.get('/trial/api/allocation-list/capacity')).status, 403, role);
    assert.equal(
      (await other.post('/trial/api/allocation-list/extend', { perStratum: 10_000, reason: 'more' })).status,
      403,
      role,
    );
  }
  const perStratum = Math.max(...before.map((c) => c.slots)) + 10;
  assert.equal((await admin.post('/trial/api/allocation-list/extend', { perStratum })).status, 400, 'a reason');
  const extended = await admin.post('/trial/api/allocation-list/extend', {
    perStratum,
    reason: 'recruitment above plan',
  });
  assert.equal(extended.status, 200, extended.text);
  for (const c of extended.json as { slots: number }[]) assert.ok(c.slots >= perStratum);
  assert.equal(hasArm(extended.text, t.armNames), false);
  const again = await admin.post('/trial/api/allocation-list/extend', { perStratum, reason: 'twice' });
  assert.equal(again.status, 409, 'not longer than the lists already are');
});

test('lock: the statistician is blinded before and unblinded after; writes stop', async () => {
  const statistician = await t.signIn('statistician');
  const before = await statistician.get(`/trial/api/participants/${participant}`);
  assert.equal(hasArm(before.text, t.armNames), false);
  assert.equal((await statistician.get('/trial/api/exports/analysis.csv')).status, 403);
  assert.equal((await statistician.post('/trial/api/lock', { reason: 'final analysis' })).status, 403);

  const admin = await t.signIn('administrator');
  assert.equal((await admin.post('/trial/api/lock', {})).status, 400, 'a reason is required');
  const locked = await admin.post('/trial/api/lock', { reason: 'last participant completed; data cleaned' });
  assert.equal(locked.status, 200, locked.text);
  const audit = await t.store.listAudit({ limit: 10000 });
  assert.ok(audit.some((e) => e.action === 'lock' && e.reason.includes('data cleaned')));

  const after = await statistician.get(`/trial/api/participants/${participant}`);
  assert.equal(after.status, 200);
  assert.equal(hasArm(after.text, t.armNames), true, 'the statistician sees the allocation after lock');
  // A HEAD request is answered without the file: no download is audited for it.
  const exportsAudited = async () =>
    (await t.store.listAudit({ limit: 10000 })).filter((e) => e.action === 'export').length;
  const exportsBefore = await exportsAudited();
  const head = await statistician.request('HEAD', '/trial/api/exports/analysis.csv');
  assert.equal(head.status, 200);
  assert.equal(head.text, '');
  assert.equal(await exportsAudited(), exportsBefore, 'a HEAD request sent no file');
  const csv = await statistician.get('/trial/api/exports/analysis.csv');
  assert.equal(csv.status, 200);
  assert.equal(await exportsAudited(), exportsBefore + 1, 'the download is audited');
  assert.match(csv.headers.get('content-type') ?? '', /text\/csv/);
  assert.match(csv.text, /^subject,arm,visit/);
  const consort = await statistician.get('/trial/api/consort');
  assert.equal((consort.json as { pooled: boolean }).pooled, false);

  const coord = await t.signIn('coordinator', 'site-a');
  const stillBlind = await coord.get(`/trial/api/participants/${participant}`);
  assert.equal(hasArm(stillBlind.text, t.armNames), false);
  const write = await coord.post('/trial/api/labs', {
    participantId: participant,
    visit: 'day-28',
    analyte: 'anc',
    value: 3,
    unit: '10*9/L',
    lowerLimitOfNormal: 2,
    upperLimitOfNormal: null,
    collectedOn: '2026-12-01',
  });
  assert.equal(write.status, 409, 'no data write after lock');
});

test('exports: an SDTM dataset downloads as a spreadsheet copy with ?spreadsheetSafe=true, named as one; no other file has one', async () => {
  // After the lock test: the statistician is unblinded.
  const statistician = await t.signIn('statistician');
  const exported = async () => (await t.store.listAudit({ limit: 10000 })).filter((e) => e.action === 'export');
  const before = (await exported()).length;
  const copy = await statistician.get('/trial/api/exports/sdtm-dm.csv?spreadsheetSafe=true');
  assert.equal(copy.status, 200, copy.text);
  assert.match(copy.headers.get('content-disposition') ?? '', /filename="sdtm-dm-spreadsheet\.csv"/);
  assert.match(copy.text, /^STUDYID,DOMAIN,USUBJID/);
  const audited = await exported();
  assert.equal(audited.length, before + 1);
  assert.deepEqual(audited.at(-1)?.after, { name: 'sdtm-dm.csv', spreadsheetSafe: true });
  const plain = await statistician.get('/trial/api/exports/sdtm-dm.csv');
  assert.match(plain.headers.get('content-disposition') ?? '', /filename="sdtm-dm\.csv"/);
  // The notes the command line writes to stderr come with the download: the fixture's enrolments have no sex.
  assert.match(plain.headers.get('x-export-note') ?? '', /^SDTM DM: \d+ participant\(s\) .*have no sex recorded/);
  const ae = await statistician.request('HEAD', '/trial/api/exports/sdtm-ae.csv');
  assert.equal(ae.headers.get('x-export-note'), null, 'AE leaves nothing out');
  for (const name of ['sdtm-define.xml', 'analysis.csv', 'research.fhir.json']) {
    const refused = await statistician.get(`/trial/api/exports/${name}?spreadsheetSafe=true`);
    assert.equal(refused.status, 400, name);
    assert.match(refused.text, /only for the SDTM datasets/, name);
  }
  assert.equal((await statistician.get('/trial/api/exports/sdtm-dm.csv?spreadsheetSafe=yes')).status, 400);
  assert.equal((await exported()).length, before + 2, 'a refused download is not recorded');
});
