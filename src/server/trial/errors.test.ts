/**
 * Every error of the trial routes is a FHIR R4 OperationOutcome, as on the service's other routes
 * (src/server/api/operation-outcome.ts), with the trial's code in the issue's details and a message that never
 * echoes what was sent. A real server on 127.0.0.1 (harness.test-support.ts).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ISSUE_CODE_SYSTEM } from '../api/operation-outcome.ts';
import { TrialClient } from './client.test-support.ts';
import type { Reply } from './client.test-support.ts';
import { enrolThroughApi, insightProtocol, startTestTrial } from './harness.test-support.ts';
import type { TestTrial } from './harness.test-support.ts';

let t: TestTrial;
before(async () => {
  t = await startTestTrial();
});
after(() => t.close());

const SECRET = 'SECRET-INPUT-7731';

function assertOutcome(reply: Reply, status: number, type: string, code?: string): void {
  assert.equal(reply.status, status, reply.text);
  assert.match(reply.headers.get('content-type') ?? '', /^application\/fhir\+json/);
  const outcome = reply.json as {
    resourceType: string;
    issue: {
      severity: string;
      code: string;
      diagnostics: string;
      details?: { coding: { system: string; code: string }[] };
    }[];
  };
  assert.equal(outcome.resourceType, 'OperationOutcome', reply.text);
  assert.equal(outcome.issue[0]?.severity, 'error');
  assert.equal(outcome.issue[0]?.code, type, reply.text);
  if (code !== undefined) assert.deepEqual(outcome.issue[0]?.details?.coding, [{ system: ISSUE_CODE_SYSTEM, code }]);
  assert.equal(reply.text.includes(SECRET), false, 'the answer never echoes input');
}

test('trial API errors are OperationOutcomes: 400, 401, 403, 404, 409, 415 and malformed bodies', async () => {
  const anonymous = new TrialClient(t.url);
  assertOutcome(await anonymous.get('/trial/api/participants'), 401, 'login');
  assertOutcome(
    await anonymous.post('/trial/login', { username: 'monitor', password: SECRET }),
    401,
    'login',
    'trial.login.failed',
  );
  const coord = await t.signIn('coordinator', 'site-a');
  const monitor = await t.signIn('monitor');
  assertOutcome(await monitor.post('/trial/api/labs', { participantId: SECRET }), 403, 'security');
  assertOutcome(await coord.get(`/trial/api/participants/${SECRET}`), 404, 'not-found');
  assertOutcome(await coord.get('/trial/api/no-such-route'), 404, 'not-found');
  assertOutcome(
    await coord.post('/trial/api/labs', { participantId: SECRET, value: 'x' }),
    400,
    'invalid',
    'input.body.invalid',
  );
  const id = await enrolThroughApi(coord, insightProtocol(t.engine), 'site-a');
  assert.equal((await coord.post(`/trial/api/participants/${id}/randomize`)).status, 201);
  assertOutcome(await coord.post(`/trial/api/participants/${id}/randomize`), 409, 'conflict', 'trial.conflict');
  const raw = (body: string | Buffer, contentType: string) =>
    fetch(`${t.url}/trial/api/labs`, {
      method: 'POST',
      headers: { cookie: coord.cookie, 'x-csrf-token': coord.csrf, 'content-type': contentType },
      body,
    }).then(async (r) => {
      const text = await r.text();
      return { status: r.status, text, json: JSON.parse(text) as unknown, headers: r.headers };
    });
  assertOutcome(await raw(`{"participantId": "${SECRET}"`, 'application/json'), 400, 'structure');
  assertOutcome(await raw(Buffer.from([0x7b, 0xff, 0x7d]), 'application/json'), 400, 'structure');
  assertOutcome(await raw(SECRET, 'text/plain'), 415, 'not-supported');
});

test('form posts are read as UTF-8 only: bad bytes or escapes 400, another charset 415, nothing stored', async () => {
  const coord = await t.signIn('coordinator', 'site-a');
  const id = await enrolThroughApi(coord, insightProtocol(t.engine), 'site-a');
  const post = (body: string | Buffer, contentType = 'application/x-www-form-urlencoded') =>
    fetch(`${t.url}/trial/participants/${id}/labs`, {
      method: 'POST',
      headers: { cookie: coord.cookie, 'x-csrf-token': coord.csrf, 'content-type': contentType },
      body,
      redirect: 'manual',
    }).then(async (r) => {
      const text = await r.text();
      return {
        status: r.status,
        text,
        json: text.startsWith('{') ? (JSON.parse(text) as unknown) : undefined,
        headers: r.headers,
      };
    });
  const lab = 'visit=baseline&analyte=anc&value=3.1&unit=10*9%2FL&lowerLimitOfNormal=2&collectedOn=2026-11-04';
  assertOutcome(await post(Buffer.concat([Buffer.from(`${lab}&x=`), Buffer.from([0xff])])), 400, 'structure');
  assertOutcome(await post(`${lab}&x=%FF`), 400, 'structure');
  assertOutcome(await post(lab, 'application/x-www-form-urlencoded; charset=latin1'), 415, 'not-supported');
  assert.equal((await t.store.listLabs({ participantId: id })).length, 0);
  const saved = await post(`${lab}&note=caf%C3%A9`, 'application/x-www-form-urlencoded; charset=UTF-8');
  assert.equal(saved.status, 303);
  assert.equal((await t.store.listLabs({ participantId: id })).length, 1);
});
