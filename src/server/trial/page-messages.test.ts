/**
 * The message a trial page shows after a form post comes from the server's own redirect, never from a link someone
 * wrote: `/trial/?error=...` in a mail would otherwise put any words ("call this number", "re-enter your password")
 * in the trial's own alert box on a signed-in page. The message rides in a short-lived httpOnly cookie, read once,
 * never in the URL, which a shared ward computer's history keeps for the next user. A real server on 127.0.0.1
 * (harness.test-support.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { enrolThroughApi, insightProtocol, startTestTrial } from './harness.test-support.ts';

const LAB = { visit: 'baseline', analyte: 'anc', value: '3.1', unit: '10*9/L', collectedOn: '2026-11-05' };
const FORM = { contentType: 'application/x-www-form-urlencoded' };

test("a page shows only the messages of the server's own redirects, not words written into a link", async () => {
  const t = await startTestTrial();
  try {
    const coord = await t.signIn('coordinator', 'site-a');
    const spoof = 'Randomization failed: phone 0800 000 000 and give your password';
    for (const kind of ['error', 'done']) {
      const page = await coord.get(`/trial/?${kind}=${encodeURIComponent(spoof)}`);
      assert.equal(page.status, 200);
      assert.equal(page.text.includes('phone 0800'), false, `a ${kind} message written into a link is not shown`);
    }
    // The server's own message after a post still shows, on the page its redirect names.
    const id = await enrolThroughApi(coord, insightProtocol(t.engine), 'site-a');
    const saved = await coord.request('POST', `/trial/participants/${id}/labs`, LAB, FORM);
    assert.equal(saved.status, 303);
    const location = saved.headers.get('location') ?? '';
    const flash = coord.cookie.split('; ').find((c) => c.startsWith('trd_trial_flash=')) ?? '';
    const page = await coord.get(location);
    assert.match(page.text, /role="status" tabindex="-1" autofocus><p>Lab result saved<\/p>/);
    // Another session cannot replay it either: the signature is the session's.
    const other = await t.signIn('coordinator', 'site-a');
    other.cookie = `${other.cookie}; ${flash}`;
    assert.equal((await other.get(location)).text.includes('Lab result saved'), false);
    // Nor can the words of a genuine message be changed.
    const [payload, sig] = flash.slice('trd_trial_flash='.length).split('.');
    const words = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')) as Record<string, string>;
    const changed = Buffer.from(JSON.stringify({ ...words, message: spoof })).toString('base64url');
    coord.cookie = `${coord.cookie}; trd_trial_flash=${changed}.${sig ?? ''}`;
    assert.equal((await coord.get(location)).text.includes('phone 0800'), false);
  } finally {
    await t.close();
  }
});

test('a saved form answers a redirect with nothing in its URL; its message is shown once, from an httpOnly cookie', async () => {
  const t = await startTestTrial();
  try {
    const coord = await t.signIn('coordinator', 'site-a');
    const id = await enrolThroughApi(coord, insightProtocol(t.engine), 'site-a');
    const saved = await coord.request('POST', `/trial/participants/${id}/labs`, { ...LAB, value: '0.4' }, FORM);
    assert.equal(saved.status, 303);
    // Nothing of the message (nor any query) in the address the browser history keeps.
    assert.equal(saved.headers.get('location'), `/trial/participants/${id}`);
    const cookie = saved.headers.getSetCookie().find((c) => c.startsWith('trd_trial_flash=')) ?? '';
    assert.match(cookie, /HttpOnly/i);
    assert.match(cookie, /SameSite=Strict/i);
    assert.match(cookie, /Max-Age=60\b/i);
    assert.match(cookie, /Path=\/trial(;|$)/i);
    const page = await coord.get(`/trial/participants/${id}`);
    assert.match(page.text, /Lab result saved: 1 safety alert\(s\) raised/);
    assert.match(page.headers.getSetCookie().join('\n'), /^trd_trial_flash=;/m, 'cleared as it is read');
    assert.equal((await coord.get(`/trial/participants/${id}`)).text.includes('Lab result saved'), false);
  } finally {
    await t.close();
  }
});
