/**
 * Two people correcting the same form: a correction may name the version it was made on, and one made on a version
 * since corrected by someone else is refused with 409 instead of silently undoing their correction. A real server on
 * 127.0.0.1 (harness.test-support.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { enrolThroughApi, insightProtocol, startTestTrial } from './harness.test-support.ts';

test('a correction made on a version someone else has corrected since is refused, not applied over theirs', async () => {
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
    const { id, version } = saved.json as { id: string; version: number };
    const investigator = await t.signIn('investigator', 'site-a');
    const path = `/trial/api/forms/${id}/corrections`;
    // Both read version 1; the coordinator corrects item 3 first.
    const first = await coord.post(path, { answers: { 3: 3 }, reason: 'source document says 3', version });
    assert.equal(first.status, 200, first.text);
    const second = await investigator.post(path, { answers: { 3: 1 }, reason: 'I read 1', version });
    assert.equal(second.status, 409, second.text);
    assert.match(second.text, /changed since/);
    assert.equal((await t.store.getForm(id))?.answers['3'], 3, 'the first correction stands');
    // Made on the current version, it applies.
    const current = (first.json as { version: number }).version;
    const third = await investigator.post(path, { answers: { 3: 1 }, reason: 'checked again: 1', version: current });
    assert.equal(third.status, 200, third.text);
  } finally {
    await t.close();
  }
});
