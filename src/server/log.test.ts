/**
 * No patient data in the logs: a day of typical traffic (CDS calls, API calls with good and bad bodies, web pages,
 * an upload, a refused token) is logged at debug level, and none of the patient's names, ids, values or the query
 * strings appear in any line; the request lines name the route pattern.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { loggerOptions } from './log.ts';
import { hookRequest, postJson, readBundleFile, startTestServer } from './server.test-support.ts';

test('logs carry routes and statuses, never patient data, queries or tokens', async () => {
  const lines: string[] = [];
  const server = await startTestServer({
    logLevel: 'debug',
    logStream: { write: (line) => void lines.push(line) },
    allowUnauthenticated: true,
  });
  try {
    const seedText = readFileSync('examples/seed-vignette.json', 'utf8');
    const seed = readBundleFile('examples/seed-vignette.json').entry.map((e) => e.resource);
    await postJson(`${server.base}/cds-services/trd-il6-candidacy`, hookRequest('patient-view', seed));
    await postJson(
      `${server.base}/cds-services/trd-il6-candidacy`,
      hookRequest('patient-view', seed, {
        prefetch: null,
        fhirServer: 'http://127.0.0.1:9/fhir',
        accessToken: 'fhir-access-token-value',
      }),
    );
    await postJson(`${server.base}/cds-services/trd-il6-candidacy`, hookRequest('patient-view', seed), {
      authorization: 'Bearer secret-token-value.x.y',
    });
    await fetch(`${server.base}/api/assess?asOf=2026-11-27`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: seedText,
    });
    await fetch(`${server.base}/api/assess?asOf=2026-11-27`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name": "Zelda-Quartermain", ',
    });
    await fetch(`${server.base}/patients/refer-to-trial?asOf=2026-11-20`);
    const form = new FormData();
    form.append('asOf', '2026-11-27');
    form.append('bundle', new Blob([seedText], { type: 'application/json' }), 'alice.json');
    await fetch(`${server.base}/upload`, { method: 'POST', body: form, redirect: 'manual' });
  } finally {
    await server.close();
  }
  const text = lines.join('');
  assert.ok(lines.length > 10, 'requests were logged');
  assert.match(text, /"route":"\/cds-services\/:id"/);
  assert.match(text, /"route":"\/patients\/:id"/);
  // One line per request, on completion, with its route pattern and status.
  assert.ok(!text.includes('incoming request'));
  const completed = lines.filter((line) => line.includes('"msg":"request completed"'));
  assert.ok(completed.length >= 7, 'each request logged once');
  for (const line of completed)
    assert.match(line, /"req":\{"id":"[^"]+","method":"(GET|POST)","route":"[^"]+"\},"res":\{"status":\d{3}\}/);
  for (const secret of [
    'Alice',
    'Example',
    'seed-patient',
    'seed-hscrp',
    'Zelda-Quartermain',
    'asOf=',
    '2026-11-20',
    'refer-to-trial?',
    'secret-token-value',
    'fhir-access-token-value',
    'alice.json',
    'Ruth',
    'Okafor',
  ]) {
    assert.ok(!text.includes(secret), `the logs contain ${secret}`);
  }
});

test('an error is logged as its class and stack frames: a message over several lines leaves none of it', () => {
  const options = loggerOptions('info') as unknown as {
    serializers: { err: (e: Error) => { type: string; message: string; stack: string } };
  };
  const error = new TypeError('could not read the record\nZelda-Quartermain, born 1970-01-01');
  const logged = options.serializers.err(error);
  assert.equal(logged.type, 'TypeError');
  assert.ok(!JSON.stringify(logged).includes('Zelda'), 'no line of the message');
  assert.ok(logged.stack.length > 0);
  for (const line of logged.stack.split('\n')) assert.match(line, /^\s+at /);
});
