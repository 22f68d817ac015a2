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
import { signInKey } from './sign-in-limit.ts';

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

test('an IPv6 client is limited by its /64 network: another address of it does not reset the limit', async () => {
  const t = await startTestTrial({ loginRateLimit: { max: 3, windowMs: 60_000 }, trustProxy: ['127.0.0.1'] });
  try {
    // One client holds a whole /64 and may pick any of its addresses for each guess.
    for (const host of ['1', 'a:b:c:d', '0:0:0:2'])
      assert.equal((await signIn(t.url, `2001:db8:1:2:${host}`, 'a-guess')).status, 401);
    assert.equal((await signIn(t.url, '2001:db8:1:2::ffff', accountFor('monitor').password)).status, 429);
    assert.equal((await signIn(t.url, '2001:0db8:0001:0002:9::', accountFor('monitor').password)).status, 429);
    // Another network is not held up.
    assert.equal((await signIn(t.url, '2001:db8:1:3::1', accountFor('monitor').password)).status, 200);
  } finally {
    await t.close();
  }
});

test('signInKey: IPv4 as it is, IPv4-mapped as IPv4, IPv6 by its /64 in one spelling', () => {
  assert.equal(signInKey('203.0.113.7'), '203.0.113.7');
  assert.equal(signInKey('::ffff:203.0.113.7'), '203.0.113.7');
  assert.equal(signInKey('2001:db8:1:2::1'), '2001:db8:1:2::/64');
  assert.equal(signInKey('2001:0DB8:0001:0002:ffff:1:2:3'), '2001:db8:1:2::/64');
  assert.equal(signInKey('2001:db8::1'), '2001:db8:0:0::/64');
  assert.equal(signInKey('fe80::1%eth0'), 'fe80:0:0:0::/64');
  assert.equal(signInKey('::1'), '0:0:0:0::/64');
  assert.equal(signInKey('64:ff9b::192.0.2.1'), '64:ff9b:0:0::/64');
  assert.notEqual(signInKey('2001:db8:1:2::1'), signInKey('2001:db8:1:3::1'));
});
