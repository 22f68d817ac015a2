/**
 * The message a trial page shows after a form post comes from the server's own redirect, never from a link someone
 * wrote: `/trial/?error=...` in a mail would otherwise put any words ("call this number", "re-enter your password")
 * in the trial's own alert box on a signed-in page. A real server on 127.0.0.1 (harness.test-support.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { enrolThroughApi, insightProtocol, startTestTrial } from './harness.test-support.ts';

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
    const saved = await coord.request(
      'POST',
      `/trial/participants/${id}/labs`,
      { visit: 'baseline', analyte: 'anc', value: '3.1', unit: '10*9/L', collectedOn: '2026-11-05' },
      { contentType: 'application/x-www-form-urlencoded' },
    );
    assert.equal(saved.status, 303);
    const location = saved.headers.get('location') ?? '';
    const page = await coord.get(location);
    assert.match(page.text, /role="status"><p>Lab result saved<\/p>/);
    // Another session cannot replay it either: the signature is the session's.
    const other = await t.signIn('coordinator', 'site-a');
    assert.equal((await other.get(location)).text.includes('Lab result saved'), false);
    // Nor can the words of a genuine link be changed.
    const changed = location.replace(/done=[^&]*/, `done=${encodeURIComponent(spoof)}`);
    assert.equal((await coord.get(changed)).text.includes('phone 0800'), false);
  } finally {
    await t.close();
  }
});
