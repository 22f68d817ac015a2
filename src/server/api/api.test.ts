/**
 * The REST API over real HTTP: assess and match a Bundle, the pathways list, the OpenAPI document, and errors as
 * FHIR OperationOutcome with the right status that never quote the request.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { startTestServer } from '../server.test-support.ts';

const seedText = readFileSync('examples/seed-vignette.json', 'utf8');

describe('REST API', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  before(async () => {
    server = await startTestServer({ bodyLimitBytes: 256 * 1024 });
  });
  after(() => server.close());

  const post = (path: string, body: string, type = 'application/fhir+json') =>
    fetch(`${server.base}${path}`, { method: 'POST', headers: { 'content-type': type }, body });

  async function outcome(response: Response, status: number): Promise<string> {
    assert.equal(response.status, status);
    const body = (await response.json()) as { resourceType: string; issue: { diagnostics: string }[] };
    assert.equal(body.resourceType, 'OperationOutcome');
    return body.issue[0]?.diagnostics ?? '';
  }

  test('POST /api/assess: the seed vignette is refer-to-trial (precision-trd/assessment@1)', async () => {
    const response = await post('/api/assess?asOf=2026-11-27', seedText);
    assert.equal(response.status, 200);
    const body = (await response.json()) as { schema: string; recommendation: { code: string }; trace: unknown[] };
    assert.equal(body.schema, 'precision-trd/assessment@1');
    assert.equal(body.recommendation.code, 'refer-to-trial');
    assert.ok(body.trace.length >= 8);
  });

  test('POST /api/match: one result per trial, or the trials asked for', async () => {
    const all = (await (await post('/api/match?asOf=2026-11-27', seedText)).json()) as { schema: string }[];
    assert.equal(all.length, 3);
    assert.ok(all.every((m) => m.schema === 'precision-trd/trial-match@1'));
    const one = (await (
      await post('/api/match?asOf=2026-11-27&trial=insight', seedText, 'application/json')
    ).json()) as unknown[];
    assert.equal(one.length, 1);
    await outcome(await post('/api/match?asOf=2026-11-27&trial=nope', seedText), 400);
  });

  test('GET /api/pathways and the OpenAPI document at /docs/json', async () => {
    const pathways = (await (await fetch(`${server.base}/api/pathways`)).json()) as {
      pathways: { id: string }[];
      trials: unknown[];
    };
    assert.equal(pathways.pathways[0]?.id, 'trd-il6-candidacy');
    assert.equal(pathways.trials.length, 3);
    const openapi = (await (await fetch(`${server.base}/docs/json`)).json()) as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    assert.match(openapi.openapi, /^3\./);
    for (const path of ['/api/assess', '/api/match', '/api/pathways', '/cds-services/'])
      assert.ok(path in openapi.paths, path);
  });

  test('errors: bad JSON 400, not a Bundle 400, no Patient 400, bad asOf 400, future asOf 400, too large 413, wrong type 415', async () => {
    const secret = 'Jane-Secret-Doe';
    assert.doesNotMatch(await outcome(await post('/api/assess', `{"name": "${secret}", `), 400), new RegExp(secret));
    assert.doesNotMatch(
      await outcome(await post('/api/assess', JSON.stringify({ resourceType: secret })), 400),
      new RegExp(secret),
    );
    await outcome(
      await post('/api/assess', JSON.stringify({ resourceType: 'Bundle', type: 'collection', entry: [] })),
      400,
    );
    await outcome(await post('/api/assess?asOf=27-11-2026', seedText), 400);
    await outcome(await post('/api/assess?asOf=2099-01-01', seedText), 400);
    await outcome(
      await post('/api/assess', JSON.stringify({ resourceType: 'Bundle', entry: [], pad: 'x'.repeat(300 * 1024) })),
      413,
    );
    await outcome(await post('/api/assess', seedText, 'text/plain'), 415);
  });
});
