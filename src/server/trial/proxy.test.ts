/**
 * Behind the reverse proxy that ends TLS in front of `trd serve`, every connection comes from the proxy's address: the
 * sign-in limit, counted per client address, would then be one limit for the whole hospital, and a few refused
 * sign-ins anywhere would refuse everyone. With the proxy named (`--trust-proxy`), the limit is per client again,
 * read from the proxy's X-Forwarded-For; without it, X-Forwarded-For is ignored, so a client cannot dodge the limit
 * by writing the header itself. A real server on 127.0.0.1 (harness.test-support.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { accountFor, startTestTrial } from './harness.test-support.ts';

const signIn = (url: string, forwardedFor: string, password: string) =>
  fetch(`${url}/trial/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
    body: JSON.stringify({ username: accountFor('monitor').username, password }),
  });

test('behind a named proxy the sign-in limit is per client, read from X-Forwarded-For', async () => {
  const t = await startTestTrial({ loginRateLimit: { max: 3, windowMs: 60_000 }, trustProxy: ['127.0.0.1'] });
  try {
    for (let i = 0; i < 3; i++) assert.equal((await signIn(t.url, '203.0.113.7', 'a-guess')).status, 401);
    assert.equal((await signIn(t.url, '203.0.113.7', accountFor('monitor').password)).status, 429);
    // Another client behind the same proxy is not held up by the first one's failures.
    assert.equal((await signIn(t.url, '203.0.113.8', accountFor('monitor').password)).status, 200);
  } finally {
    await t.close();
  }
});

test('without a named proxy, X-Forwarded-For is ignored: writing it does not reset the limit', async () => {
  const t = await startTestTrial({ loginRateLimit: { max: 3, windowMs: 60_000 } });
  try {
    for (let i = 0; i < 3; i++) assert.equal((await signIn(t.url, `198.51.100.${i}`, 'a-guess')).status, 401);
    assert.equal((await signIn(t.url, '198.51.100.99', accountFor('monitor').password)).status, 429);
  } finally {
    await t.close();
  }
});
