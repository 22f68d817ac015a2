/**
 * The participant page lists the participant's adverse events as entered, masked for blinded viewers like every
 * stored text (a term naming an arm reads [concealed]) and verbatim for the unblinded pharmacist. A real server on
 * 127.0.0.1 (harness.test-support.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { enrolThroughApi, insightProtocol, startTestTrial } from './harness.test-support.ts';

test('participant page: adverse events listed with grade, seriousness, relatedness and outcome', async () => {
  const t = await startTestTrial();
  try {
    const coord = await t.signIn('coordinator', 'site-a');
    const id = await enrolThroughApi(coord, insightProtocol(t.engine), 'site-a');
    const event = (term: string, seriousCriteria: string[]) =>
      coord.post('/trial/api/adverse-events', {
        participantId: id,
        term,
        onsetOn: '2026-11-10',
        grade: seriousCriteria.length > 0 ? 3 : 1,
        seriousCriteria,
        relatedness: 'possible',
        expectedness: 'unexpected',
        outcome: 'recovering',
      });
    assert.equal((await event('Cellulitis of the left forearm', ['hospitalisation'])).status, 201);
    assert.equal((await event('Headache; took placebo tablets before', [])).status, 201);
    const page = await coord.get(`/trial/participants/${id}`);
    assert.equal(page.status, 200);
    const section = page.text.slice(page.text.indexOf('<h2>Adverse events</h2>'));
    assert.match(section, /Cellulitis of the left forearm/);
    assert.match(section, /<strong>yes<\/strong> \(hospitalisation\)/);
    assert.match(section, /Headache; took \[concealed\] tablets before/);
    assert.equal(/placebo/i.test(page.text), false, 'no arm name on a blinded page');
    const pharmacist = await t.signIn('unblinded-pharmacist');
    assert.match((await pharmacist.get(`/trial/participants/${id}`)).text, /Headache; took placebo tablets before/);
  } finally {
    await t.close();
  }
});
