/**
 * No patient or account data in the trial server's logs: a whole session (failed and successful sign-in, screening
 * from the seed vignette's Bundle, enrolment, randomization, a lab with a safety alert, emergency unblinding, an
 * error) is logged at info level, and no line holds a user name, password, session or CSRF token, screening or
 * participant code, anything from the Bundle, or an arm.
 * Run: node --import tsx --test src/server/trial/log.test.ts
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { TrialClient } from './client.test-support.ts';
import { accountFor, enrolThroughApi, insightProtocol, startTestTrial } from './harness.test-support.ts';

test('the trial routes log no patient, participant or account data', async () => {
  const lines: string[] = [];
  const t = await startTestTrial({ logStream: { write: (line) => void lines.push(line) } });
  try {
    const vignette = JSON.parse(readFileSync(new URL('../../../examples/seed-vignette.json', import.meta.url), 'utf8'));
    const stranger = new TrialClient(t.url);
    await stranger.login('coord-a', 'a-wrong-password-123');
    const coord = await t.signIn('coordinator', 'site-a');
    const screened = await coord.post('/trial/api/screening', {
      site: 'site-a',
      screeningCode: 'LOGCHECK-SCREEN',
      screenedOn: '2026-11-27',
      bundle: vignette,
    });
    assert.equal(screened.status, 201);
    const id = await enrolThroughApi(coord, insightProtocol(t.engine), 'site-a');
    await t.randomizeOn(coord, id, '2026-11-05');
    const lab = await coord.post('/trial/api/labs', {
      participantId: id,
      visit: 'day-14',
      analyte: 'anc',
      value: 0.8,
      unit: '10*9/L',
      lowerLimitOfNormal: 2,
      upperLimitOfNormal: null,
      collectedOn: '2026-11-20',
    });
    assert.equal(lab.status, 201, lab.text);
    await coord.post('/trial/api/labs', { participantId: id, visit: 'LOGCHECK-BAD-VISIT', analyte: 'x' });
    const investigator = await t.signIn('investigator', 'site-a');
    await investigator.post(`/trial/api/participants/${id}/emergency-unblind`, { reason: 'LOGCHECK-REASON' });

    const log = lines.join('\n');
    assert.ok(lines.length > 10, 'the server logged the requests');
    assert.match(log, /\/trial\/api\/participants\/:id\/randomize/, 'requests are logged by route pattern');
    assert.match(log, /trial\.emergency-unblinding/, 'the unblinding is logged by its code');
    const participant = (await coord.get(`/trial/api/participants/${id}`)).json as {
      participant: { participantCode: string; kitCode: string };
    };
    const forbidden = [
      accountFor('coordinator', 'site-a').password,
      'a-wrong-password-123',
      'coord-a',
      'inv-a',
      coord.csrf,
      coord.cookie.split('=')[1] ?? 'no-cookie',
      'LOGCHECK',
      participant.participant.participantCode,
      participant.participant.kitCode,
      id,
      ...t.armNames,
    ];
    const patient = (
      vignette.entry as { resource: { resourceType: string; id?: string; name?: { family?: string }[] } }[]
    )
      .map((e) => e.resource)
      .find((r) => r.resourceType === 'Patient');
    if (patient?.id !== undefined) forbidden.push(patient.id);
    if (patient?.name?.[0]?.family !== undefined) forbidden.push(patient.name[0].family);
    for (const text of forbidden) {
      assert.equal(log.toLowerCase().includes(text.toLowerCase()), false, `the log holds "${text}"`);
    }
  } finally {
    await t.close();
  }
});

test('a fault in a page form is logged (its class, never its message), not only answered "Not saved"', async () => {
  const lines: string[] = [];
  const t = await startTestTrial({ logStream: { write: (line) => void lines.push(line) } });
  try {
    const coord = await t.signIn('coordinator', 'site-a');
    // A fault below the page (a bug, a lost database connection), not a refusal of what was typed.
    t.store.recordConsent = async () => {
      throw new TypeError('LOGCHECK-FAULT with a typed value');
    };
    const reply = await coord.request(
      'POST',
      '/trial/consents',
      { screeningId: 'x', consentedOn: '2026-11-03', formVersion: 'v1.0', _csrf: coord.csrf },
      { contentType: 'application/x-www-form-urlencoded', csrf: false },
    );
    assert.equal(reply.status, 500);
    assert.match(reply.text, /Not saved: not saved/);
    const faults = lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.code === 'trial.internal');
    assert.equal(faults.length, 1, 'one error line for the fault');
    assert.equal(faults[0]?.name, 'TypeError');
    assert.equal(faults[0]?.level, 50);
    assert.equal(lines.join('\n').includes('LOGCHECK'), false, 'the message is not logged');
  } finally {
    await t.close();
  }
});
