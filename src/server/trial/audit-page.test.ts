/**
 * The participant's audit-trail page: the roles that read the audit through the API, and no other; the API's blinding
 * (an allocation's image concealed, no hash); what changed, who, when and why; a page at a time. A real server on
 * 127.0.0.1 (harness.test-support.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AUDIT_PAGE_SIZE } from './audit-view.ts';
import { enrolThroughApi, insightProtocol, startTestTrial } from './harness.test-support.ts';

test('audit trail page: monitor and administrator only, blinded as the API, what changed, who, when and why', async () => {
  const t = await startTestTrial();
  try {
    const coord = await t.signIn('coordinator', 'site-a');
    const protocol = insightProtocol(t.engine);
    const id = await enrolThroughApi(coord, protocol, 'site-a');
    const other = await enrolThroughApi(coord, protocol, 'site-a');
    const code = (await t.store.listParticipants({})).find((p) => p.id === id)?.participantCode ?? '';
    await t.randomizeOn(coord, id, '2026-11-05');
    const fixed = await coord.post(`/trial/api/participants/${id}/corrections`, {
      participantCode: `${code}-X`,
      reason: 'code typed wrong',
    });
    assert.equal(fixed.status, 200, fixed.text);
    const path = `/trial/participants/${id}/audit`;

    const monitor = await t.signIn('monitor');
    const participantPage = await monitor.get(`/trial/participants/${id}`);
    assert.ok(participantPage.text.includes(`href="${path}"`), 'linked from the participant page');
    const page = await monitor.get(path);
    assert.equal(page.status, 200, page.text.slice(0, 300));
    assert.match(page.text, /<title>Audit trail: participant /);
    // The correction: what changed, by whom (name and role), when (UTC) and why.
    const row = page.text.slice(page.text.indexOf('code typed wrong') - 1500, page.text.indexOf('code typed wrong'));
    assert.match(row, new RegExp(`participantCode: from ${code} to ${code}-X`));
    assert.match(row, /\(coordinator\)/);
    assert.match(row, /<time datetime="\d{4}-\d{2}-\d{2}">\d{4}-\d{2}-\d{2}<\/time> \d{2}:\d{2} UTC/);
    assert.match(page.text, /<td>correct participant<\/td>/);
    // The allocation is audited, its image concealed: no arm, no stratum sequence, no hash.
    assert.match(
      page.text,
      /<td>randomize allocation<\/td>\s*<td class="prose">\s*<ul>\s*<li>record: \[concealed\]<\/li>/,
    );
    for (const arm of protocol.arms ?? []) {
      assert.ok(!page.text.toLowerCase().includes(`>${arm.label.toLowerCase()}<`), `no arm label ${arm.label}`);
    }
    const entries = (await monitor.get('/trial/api/audit?limit=1000')).json as { hash?: string; entityId: string }[];
    const hashes = (await t.store.listAudit({ limit: 1000 })).map((e) => e.hash);
    assert.ok(!hashes.some((h) => page.text.includes(h)), 'no hash of the chain');
    assert.ok(entries.every((e) => e.hash === undefined));
    // Another participant's entries are not this participant's trail.
    assert.ok(!page.text.includes(other));
    assert.ok(!page.text.includes('Audit trail entries 1 to 0'));

    assert.equal((await (await t.signIn('administrator')).get(path)).status, 200);
    for (const [role, site] of [
      ['coordinator', 'site-a'],
      ['investigator', 'site-a'],
      ['outcome-rater', 'site-a'],
      ['unblinded-pharmacist', undefined],
      ['statistician', undefined],
    ] as const) {
      const client = role === 'coordinator' ? coord : await t.signIn(role, site);
      const refused = await client.get(path);
      assert.equal(refused.status, 403, `${role}: refused`);
      assert.doesNotMatch(refused.text, /code typed wrong/);
      const own = await client.get(`/trial/participants/${id}`);
      assert.ok(!own.text.includes(`href="${path}"`), `${role}: no link`);
    }
    // No one signed in: the sign-in page, coming back here.
    const anonymous = await fetch(`${t.url}${path}`, { redirect: 'manual' });
    assert.equal(anonymous.status, 303);
    assert.equal(anonymous.headers.get('location'), `/trial/login?next=${encodeURIComponent(path)}`);
    assert.equal((await monitor.get(`/trial/participants/no-such/audit`)).status, 404);
  } finally {
    await t.close();
  }
});

test('audit trail page: a page at a time, with links to earlier and later entries', async () => {
  const t = await startTestTrial();
  try {
    const coord = await t.signIn('coordinator', 'site-a');
    const id = await enrolThroughApi(coord, insightProtocol(t.engine), 'site-a');
    for (let i = 0; i < AUDIT_PAGE_SIZE; i += 1) {
      const fixed = await coord.post(`/trial/api/participants/${id}/corrections`, {
        enrolledOn: i % 2 === 0 ? '2026-11-05' : '2026-11-04',
        reason: `correction ${i + 1}`,
      });
      assert.equal(fixed.status, 200, fixed.text);
    }
    const monitor = await t.signIn('monitor');
    const path = `/trial/participants/${id}/audit`;
    const first = await monitor.get(path);
    assert.equal(first.status, 200);
    assert.match(first.text, /page 1 of 2/);
    assert.match(first.text, /correction 1</);
    assert.doesNotMatch(first.text, /correction 50</);
    assert.ok(first.text.includes(`href="${path}?page=2">Later entries</a>`));
    const second = await monitor.get(`${path}?page=2`);
    assert.match(second.text, /page 2 of 2/);
    assert.match(second.text, /correction 50</);
    assert.ok(second.text.includes(`href="${path}?page=1">Earlier entries</a>`));
    assert.equal((await monitor.get(`${path}?page=x`)).status, 400);
  } finally {
    await t.close();
  }
});
