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

test('an unknown route is a 404 OperationOutcome', async () => {
  const response = await fetch(`${base}/no-such-route`);
  assert.equal(response.status, 404);
  const body = (await response.json()) as { resourceType: string; issue: { code: string }[] };
  assert.equal(body.resourceType, 'OperationOutcome');
  assert.equal(body.issue[0]?.code, 'not-found');
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
