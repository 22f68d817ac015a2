/**
 * Screening from a FHIR Bundle over HTTP: the seed vignette (examples/seed-vignette.json) is evaluated by the engine's
 * trial match against the running trial's protocol; each criterion comes back with the record's status and reason,
 * entered answers override the record for the criteria no EHR can decide, and a body that is not a Bundle is refused
 * with a message that quotes none of it.
 * Run: node --import tsx --test src/server/trial/screening.test.ts
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import type { ScreeningEntry } from '../../trial/model.ts';
import { insightProtocol, startTestTrial } from './harness.test-support.ts';
import type { TestTrial } from './harness.test-support.ts';

const vignette: unknown = JSON.parse(
  readFileSync(new URL('../../../examples/seed-vignette.json', import.meta.url), 'utf8'),
);

let t: TestTrial;
before(async () => {
  t = await startTestTrial();
});
after(async () => {
  await t.close();
});

test('a Bundle is screened criterion by criterion by the engine; entered answers override the record', async () => {
  const protocol = insightProtocol(t.engine);
  const coord = await t.signIn('coordinator', 'site-a');
  const fromRecord = await coord.post('/trial/api/screening', {
    site: 'site-a',
    screeningCode: 'FHIR-1',
    screenedOn: '2026-11-27',
    bundle: vignette,
  });
  assert.equal(fromRecord.status, 201, fromRecord.text);
  const entry = fromRecord.json as ScreeningEntry;
  assert.deepEqual(
    entry.criteria.map((c) => c.id),
    protocol.criteria.map((c) => c.id),
    'every protocol criterion, in order',
  );
  assert.ok(entry.criteria.every((c) => c.source === 'record'));
  // The engine's own answer for the same patient and date.
  const [match] = t.engine.match(vignette, { asOf: '2026-11-27', trials: [protocol.id] });
  assert.deepEqual(
    entry.criteria.map((c) => c.status),
    match?.criteria.map((c) => c.status),
  );
  const unknown = entry.criteria.filter((c) => c.status === 'unknown');
  assert.ok(unknown.length > 0, 'some criteria need answers no record gives');

  const answered = await coord.post('/trial/api/screening', {
    site: 'site-a',
    screeningCode: 'FHIR-2',
    screenedOn: '2026-11-27',
    bundle: vignette,
    criteria: unknown.map((c) => ({
      id: c.id,
      kind: c.kind,
      status: c.kind === 'inclusion' ? 'met' : 'not-met',
      reason: 'asked at the screening visit',
      verified: true,
    })),
  });
  assert.equal(answered.status, 201, answered.text);
  const second = answered.json as ScreeningEntry;
  for (const c of unknown) {
    const now = second.criteria.find((x) => x.id === c.id);
    assert.equal(now?.source, 'entered');
    assert.notEqual(now?.status, 'unknown');
  }
  assert.equal(second.criteria.filter((c) => c.status === 'unknown').length, 0);
});

test('a body that is not a Bundle is refused without echoing it', async () => {
  const coord = await t.signIn('coordinator', 'site-a');
  const reply = await coord.post('/trial/api/screening', {
    site: 'site-a',
    screeningCode: 'FHIR-3',
    screenedOn: '2026-11-27',
    bundle: { resourceType: 'Patient', name: [{ family: 'Secretname' }] },
  });
  assert.equal(reply.status, 400);
  assert.doesNotMatch(reply.text, /Secretname/);
});
