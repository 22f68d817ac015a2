/**
 * An e-signature attests the form the investigator reviewed (21 CFR 11.50, 11.70): the request names the version
 * read, and a form corrected in between (a new version) is refused with 409 rather than signed unseen. A real
 * server on 127.0.0.1 (harness.test-support.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { accountFor, enrolThroughApi, insightProtocol, startTestTrial } from './harness.test-support.ts';

test('a form corrected after the investigator read it is not signed unseen', async () => {
  const t = await startTestTrial();
  try {
    const coord = await t.signIn('coordinator', 'site-a');
    const participantId = await enrolThroughApi(coord, insightProtocol(t.engine), 'site-a');
    const saved = await coord.post('/trial/api/forms', {
      participantId,
      visit: 'baseline',
      instrument: 'gad-7',
      answers: { 1: 1, 2: 1, 3: 2, 4: 0, 5: 1, 6: 2, 7: 1 },
      completedOn: '2026-11-20',
    });
    assert.equal(saved.status, 201, saved.text);
    const id = (saved.json as { id: string }).id;
    const investigator = await t.signIn('investigator', 'site-a');
    const read = (await investigator.get(`/trial/api/forms/${id}`)).json as { form: { version: number } };
    const reviewed = read.form.version;
    // The coordinator corrects item 3 while the investigator reviews the first version.
    const corrected = await coord.post(`/trial/api/forms/${id}/corrections`, {
      answers: { 3: 3 },
      reason: 'participant changed answer 3',
    });
    assert.equal(corrected.status, 200, corrected.text);
    const password = accountFor('investigator', 'site-a').password;
    const sign = (body: Record<string, unknown>) =>
      investigator.post(`/trial/api/forms/${id}/sign`, { password, meaning: 'I reviewed this form', ...body });
    assert.equal((await sign({})).status, 400, 'the version reviewed is required');
    const stale = await sign({ version: reviewed });
    assert.equal(stale.status, 409, stale.text);
    assert.match(stale.text, /changed since/);
    assert.equal((await t.store.getForm(id))?.status, 'complete', 'not signed');
    const current = (corrected.json as { version: number }).version;
    const signed = await sign({ version: current });
    assert.equal(signed.status, 200, signed.text);
    assert.equal((signed.json as { status: string }).status, 'signed');
  } finally {
    await t.close();
  }
});
