import assert from 'node:assert/strict';
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
