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
    // The CDS routes document their bodies and every status they answer (the bodies are still checked by zod).
    type Operation = {
      requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown> } }> };
      responses: Record<string, unknown>;
    };
    const paths = openapi.paths as Record<string, Record<string, Operation>>;
    const hook = paths['/cds-services/{id}']?.post;
    assert.ok(hook, 'POST /cds-services/{id}');
    assert.deepEqual(Object.keys(hook.responses).sort(), ['200', '400', '401', '404', '412', '413', '415']);
    const hookBody = hook.requestBody?.content['application/json']?.schema.properties ?? {};
    for (const field of ['hook', 'hookInstance', 'fhirServer', 'fhirAuthorization', 'context', 'prefetch']) {
      assert.ok(field in hookBody, `hook request field ${field}`);
    }
    // The REST API takes a Bundle in FHIR's media type or plain JSON, and errors come as FHIR's media type: the
    // document says so, as the server does it.
    for (const path of ['/api/assess', '/api/match']) {
      const operation = paths[path]?.post;
      assert.deepEqual(Object.keys(operation?.requestBody?.content ?? {}), [
        'application/fhir+json',
        'application/json',
      ]);
      assert.deepEqual(Object.keys((operation?.responses['400'] as { content?: object })?.content ?? {}), [
        'application/fhir+json',
      ]);
    }
    const feedback = paths['/cds-services/{id}/feedback']?.post;
    assert.ok(feedback?.requestBody?.content['application/json']?.schema.properties?.feedback, 'feedback body');
    assert.ok(
      '401' in (feedback?.responses ?? {}) && '401' in (paths['/cds-services/{id}/feedback']?.get?.responses ?? {}),
    );
  });

  test('web pages answer bad input with an HTML page and the reason, not JSON', async () => {
    for (const [path, status] of [
      ['/patients/refer-to-trial?asOf=2026-13-45', 400],
      ['/uploads/no-such-token', 404],
      ['/patients/nobody', 404],
    ] as const) {
      const response = await fetch(`${server.base}${path}`);
      assert.equal(response.status, status, path);
      assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
      assert.match(await response.text(), /role="alert"/);
    }
  });

  test('errors: bad JSON 400, not a Bundle 400, no Patient 400, bad asOf 400, future asOf 400, too large 413, wrong type 415', async () => {
    const secret = 'Jane-Secret-Doe';
    const badJson = await outcome(await post('/api/assess', `{"name": "${secret}", `), 400);
    assert.doesNotMatch(badJson, new RegExp(secret));
    const cutAt = `{"name": "${secret}", `.length;
    assert.equal(
      badJson,
      `the body is not valid JSON (malformed string, number or separator at position ${cutAt})`,
      'how and where it breaks (at its end: cut short), not its text',
    );
    const notABundle = await outcome(await post('/api/assess', JSON.stringify({ resourceType: secret })), 400);
    assert.doesNotMatch(notABundle, new RegExp(secret));
    // What the field must be, from the schema (Ajv alone says "must be equal to constant").
    assert.equal(notABundle, "body/resourceType must be 'Bundle'");
    await outcome(
      await post('/api/assess', JSON.stringify({ resourceType: 'Bundle', type: 'collection', entry: [] })),
      400,
    );
    await outcome(await post('/api/assess?asOf=27-11-2026', seedText), 400);
    // Not a date, though shaped like one and sorting after today: called not a date, not "after today".
    for (const notADate of ['2026-13-45', '2026-11-31']) {
      assert.match(await outcome(await post(`/api/assess?asOf=${notADate}`, seedText), 400), /calendar date/, notADate);
    }
    await outcome(await post('/api/assess?asOf=2099-01-01', seedText), 400);
    await outcome(
      await post('/api/assess', JSON.stringify({ resourceType: 'Bundle', entry: [], pad: 'x'.repeat(300 * 1024) })),
      413,
    );
    await outcome(await post('/api/assess', seedText, 'text/plain'), 415);
  });

  test("every malformed asOf, on both routes, gets the engine's one message and issue code (never a schema pattern)", async () => {
    for (const route of ['/api/assess', '/api/match']) {
      for (const notADate of ['2026-1-1', '27-11-2026', '2026-02-30', '2026-13-45', '']) {
        const response = await post(`${route}?asOf=${notADate}`, seedText);
        assert.equal(response.status, 400, `${route} ${notADate}`);
        const body = (await response.json()) as {
          issue: { diagnostics: string; details?: { coding: { code: string }[] } }[];
        };
        assert.equal(body.issue[0]?.diagnostics, 'asOf must be a calendar date YYYY-MM-DD', `${route} ${notADate}`);
        assert.equal(body.issue[0]?.details?.coding[0]?.code, 'input.as-of.invalid', `${route} ${notADate}`);
      }
    }
  });

  test('a query parameter the route does not take is refused, not ignored (a typo must not change the as-of date)', async () => {
    for (const path of ['/api/assess?asof=2025-01-01', '/api/match?as_of=2025-01-01', '/api/assess?trial=insight']) {
      assert.equal(
        await outcome(await post(path, seedText), 400),
        'querystring has a parameter this route does not take (the OpenAPI document at /docs lists those it takes)',
        path,
      );
    }
    assert.equal((await post('/api/match?asOf=2026-11-27&trial=insight', seedText)).status, 200);
  });

  test('a Bundle posted as a form file (curl -F) is a media type the API does not take: 415, as text is', async () => {
    const open = await startTestServer({ allowUnauthenticated: true });
    try {
      for (const [base, path] of [
        [server.base, '/api/assess?asOf=2026-11-27'],
        [server.base, '/api/match?asOf=2026-11-27'],
        [open.base, '/cds-services/trd-il6-candidacy'],
      ] as const) {
        const form = new FormData();
        form.append('bundle', new Blob([seedText], { type: 'application/json' }), 'bundle.json');
        const response = await fetch(`${base}${path}`, { method: 'POST', body: form });
        // Both JSON types the routes read are named: a CDS Hooks client sends application/json.
        assert.equal(
          await outcome(response, 415),
          'unsupported media type (send JSON: application/json or application/fhir+json)',
          path,
        );
      }
    } finally {
      await open.close();
    }
  });

  test('JSON is read as UTF-8 only: invalid UTF-8 400, a charset other than utf-8 415, for the API and CDS Hooks', async () => {
    const send = (path: string, body: string | Uint8Array, type: string) =>
      fetch(`${server.base}${path}`, { method: 'POST', headers: { 'content-type': type }, body });
    // A valid Bundle but for one byte that is not UTF-8 (0xff) in a string value.
    const [head, tail] = seedText.split('"Example"', 2) as [string, string];
    const badUtf8 = Buffer.concat([Buffer.from(`${head}"Ex`), Buffer.from([0xff]), Buffer.from(`ample"${tail}`)]);
    for (const type of ['application/json', 'application/fhir+json', 'application/json+fhir']) {
      assert.match(await outcome(await send('/api/assess?asOf=2026-11-27', badUtf8, type), 400), /UTF-8/, type);
    }
    const cds = await startTestServer({ allowUnauthenticated: true });
    try {
      const response = await fetch(`${cds.base}/cds-services/trd-il6-candidacy`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: Buffer.from([0x7b, 0x22, 0xc3, 0x22, 0x7d]), // {"\xc3"}: a lead byte with no continuation
      });
      assert.match(await outcome(response, 400), /UTF-8/, 'the same for CDS Hooks');
    } finally {
      await cds.close();
    }
    for (const charset of ['utf-16', 'latin1', 'ISO-8859-1', '"utf-16"']) {
      const type = `application/json; charset=${charset}`;
      assert.match(await outcome(await send('/api/assess?asOf=2026-11-27', seedText, type), 415), /charset/, type);
    }
    for (const type of [
      'application/json; charset=utf-8',
      'application/fhir+json; charset=UTF-8',
      'application/json;charset="utf-8"',
    ]) {
      assert.equal((await send('/api/assess?asOf=2026-11-27', seedText, type)).status, 200, type);
    }
  });
});
