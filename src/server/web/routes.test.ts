/**
 * The web app's pages over HTTP (a real server on loopback): every page, an error page included, carries the
 * content security policy and the other protective headers.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer } from '../server.test-support.ts';

describe('web app pages over HTTP', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server?.close();
  });

  test('every page, an error page too, carries a strict content security policy', async () => {
    for (const [path, status] of [
      ['/', 200],
      ['/patients/neutropenia', 200],
      ['/patients/neutropenia/handout', 200],
      ['/patients/nobody', 404],
      ['/patients/neutropenia?asOf=not-a-date', 400],
    ] as const) {
      const response = await fetch(server.base + path);
      assert.equal(response.status, status, path);
      const csp = response.headers.get('content-security-policy') ?? '';
      assert.match(csp, /default-src 'none'/, path);
      assert.match(csp, /script-src 'sha256-[A-Za-z0-9+/=]+'(;|$)/, `${path}: scripts only by hash`);
      assert.match(csp, /frame-ancestors 'none'/, path);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, path);
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff', path);
      assert.equal(response.headers.get('referrer-policy'), 'no-referrer', path);
      const body = await response.text();
      assert.doesNotMatch(body, /\son[a-z]+=/i, `${path}: no inline event handler (the policy would block it)`);
    }
  });
});
