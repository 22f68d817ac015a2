import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildServer } from './app.ts';

let app: FastifyInstance;
let base: string;
before(async () => {
  app = await buildServer({ logLevel: false });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
});
after(() => app.close());

test('GET /health names the pathway served', async () => {
  const response = await fetch(`${base}/health`);
  assert.equal(response.status, 200);
  const body = (await response.json()) as { status: string; pathway: { id: string } };
  assert.equal(body.status, 'ok');
  assert.equal(body.pathway.id, 'trd-il6-candidacy');
});

test('every answer, patient data or refusal, is not to be cached or type-sniffed', async () => {
  const seed = readFileSync('examples/seed-vignette.json', 'utf8');
  const json = { 'content-type': 'application/json' };
  const answers = [
    await fetch(`${base}/api/assess?asOf=2026-11-27`, { method: 'POST', headers: json, body: seed }),
    await fetch(`${base}/api/match?asOf=2026-11-27`, { method: 'POST', headers: json, body: seed }),
    await fetch(`${base}/api/assess`, { method: 'POST', headers: json, body: '{"resourceType":"Bundle"}' }),
    await fetch(`${base}/cds-services/trd-il6-candidacy`, { method: 'POST', headers: json, body: '{}' }),
    await fetch(`${base}/cds-services`),
    await fetch(`${base}/health`),
  ];
  for (const response of answers) {
    assert.equal(response.headers.get('cache-control'), 'no-store', `${response.url} ${response.status}`);
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff', response.url);
  }
  assert.deepEqual(
    answers.map((r) => r.status),
    [200, 200, 400, 401, 200, 200],
  );
});

test('an unknown route is a 404 OperationOutcome', async () => {
  const response = await fetch(`${base}/no-such-route`);
  assert.equal(response.status, 404);
  const body = (await response.json()) as { resourceType: string; issue: { code: string }[] };
  assert.equal(body.resourceType, 'OperationOutcome');
  assert.equal(body.issue[0]?.code, 'not-found');
});

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

test('a browser asking for an unknown page gets a 404 page in the app layout, with the page headers and a link home', async () => {
  const response = await fetch(`${base}/no-such-page?token=secret-looking`, { headers: { accept: BROWSER_ACCEPT } });
  assert.equal(response.status, 404);
  assert.match(response.headers.get('content-type') ?? '', /^text\/html; charset=utf-8/);
  assert.match(response.headers.get('content-security-policy') ?? '', /default-src 'none'/);
  assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(response.headers.get('referrer-policy'), 'no-referrer');
  assert.equal(response.headers.get('x-frame-options'), 'DENY');
  const page = await response.text();
  assert.match(page, /<title>Page not found · precision-trd<\/title>/);
  assert.match(page, /<main id="main">[\s\S]*<h1>Page not found<\/h1>[\s\S]*<a href="\/">/);
  assert.ok(!page.includes('no-such-page') && !page.includes('secret-looking'), 'the address is not repeated');
});

test('API and CDS Hooks paths answer an OperationOutcome even to a browser; so does any path to a program', async () => {
  for (const [path, accept] of [
    ['/api/no-such', BROWSER_ACCEPT],
    ['/cds-services/x/y/z', BROWSER_ACCEPT],
    ['/trial/api/no-such', BROWSER_ACCEPT],
    ['/no-such-page', '*/*'],
    ['/no-such-page', 'application/fhir+json'],
    ['/no-such-page', 'text/html;q=0, application/json'],
  ] as const) {
    const response = await fetch(base + path, { headers: { accept } });
    assert.equal(response.status, 404, `${path} (${accept})`);
    assert.match(response.headers.get('content-type') ?? '', /^application\/fhir\+json/, `${path} (${accept})`);
    const body = (await response.json()) as { resourceType: string; issue: { code: string }[] };
    assert.equal(body.resourceType, 'OperationOutcome');
    assert.equal(body.issue[0]?.code, 'not-found');
  }
});

test('a known route under another method is 405 with Allow, an OperationOutcome for a program', async () => {
  for (const [method, path, allow] of [
    ['GET', '/api/assess', 'POST'],
    ['PUT', '/api/match', 'POST'],
    ['POST', '/api/pathways', 'GET, HEAD'],
    ['DELETE', '/health', 'GET, HEAD'],
    ['POST', '/cds-services', 'GET, HEAD, OPTIONS'],
  ] as const) {
    // A browser's Accept on the API and CDS paths, a program's elsewhere.
    const accept = path === '/health' ? '*/*' : BROWSER_ACCEPT;
    const response = await fetch(base + path, { method, headers: { accept } });
    assert.equal(response.status, 405, `${method} ${path}`);
    assert.equal(response.headers.get('allow'), allow, `${method} ${path}`);
    const body = (await response.json()) as { resourceType: string; issue: { code: string; diagnostics: string }[] };
    assert.equal(body.resourceType, 'OperationOutcome');
    assert.equal(body.issue[0]?.code, 'not-supported');
  }
  // A page's address under another method: 405 with Allow; a browser gets it as a page.
  const page = await fetch(`${base}/patients/neutropenia`, { method: 'POST', headers: { accept: BROWSER_ACCEPT } });
  assert.equal(page.status, 405);
  assert.equal(page.headers.get('allow'), 'GET, HEAD');
  assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'none'/);
  assert.match(await page.text(), /<h1>Not available this way<\/h1>[\s\S]*<a href="\/">/);
  // A route that matched and found nothing under the same method stays a 404.
  assert.equal((await fetch(`${base}/docs/static/no-such-file.js`)).status, 404);
});

test('an uploaded file that is not UTF-8 is refused with a message, not read with replacement characters', async () => {
  const text = readFileSync('examples/seed-vignette.json', 'utf8');
  const at = text.indexOf('"Alice"') + 4; // inside the name: an ISO-8859-1 byte where UTF-8 needs two
  const latin1 = Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.from([0xe9]), Buffer.from(text.slice(at))]);
  const form = new FormData();
  form.append('asOf', '2026-11-27');
  form.append('bundle', new Blob([latin1], { type: 'application/json' }), 'latin1.json');
  const response = await fetch(`${base}/upload`, { method: 'POST', body: form, redirect: 'manual' });
  assert.equal(response.status, 400);
  assert.match(await response.text(), /the file is not UTF-8 text/);
});
