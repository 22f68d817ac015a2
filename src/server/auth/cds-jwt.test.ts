/**
 * CDS client authentication over real HTTP: each bad token is a 401 and nothing is evaluated (the engine is not
 * called, the FHIR server is not asked); a valid ES384 token passes. Keys are generated per run; the JWKS is a file.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT } from 'jose';
import type { CryptoKey, JWTPayload } from 'jose';
import { startFhirServer } from '../cds-hooks/fhir-server.test-support.ts';
import type { TestFhirServer } from '../cds-hooks/fhir-server.test-support.ts';
import { countingEngine, hookRequest, postJson, readBundleFile, startTestServer } from '../server.test-support.ts';
import type { CountingEngine } from '../server.test-support.ts';
import { parseCdsClient } from './jwks.ts';

const seed = readBundleFile('examples/seed-vignette.json').entry.map((e) => e.resource);
const ISS = 'https://ehr.example.org';
const KID = 'ehr-key-1';
const SERVICE = 'trd-il6-candidacy';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('CDS Hooks client authentication (JWT)', () => {
  let dir: string;
  let privateKey: CryptoKey;
  let publicPem: string;
  let engine: CountingEngine;
  let fhir: TestFhirServer;
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let audience: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'trd-auth-'));
    const pair = await generateKeyPair('ES384', { extractable: true });
    privateKey = pair.privateKey;
    publicPem = await exportSPKI(pair.publicKey);
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: KID, alg: 'ES384', use: 'sig' };
    writeFileSync(join(dir, 'jwks.json'), JSON.stringify({ keys: [jwk] }));
    engine = countingEngine();
    fhir = await startFhirServer(seed);
    server = await startTestServer({ engine, cdsClients: [parseCdsClient(`${ISS}=${join(dir, 'jwks.json')}`)] });
    audience = `${server.base}/cds-services/${SERVICE}`;
  });
  after(async () => {
    await server.close();
    await fhir.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const now = () => Math.floor(Date.now() / 1000);
  async function token(claims: JWTPayload = {}, header: { alg?: string; kid?: string } = {}): Promise<string> {
    const t = now();
    return new SignJWT({
      iss: ISS,
      sub: 'ehr-client',
      aud: audience,
      iat: t,
      exp: t + 240,
      jti: crypto.randomUUID(),
      ...claims,
    })
      .setProtectedHeader({ alg: 'ES384', kid: KID, typ: 'JWT', ...header } as { alg: string })
      .sign(privateKey);
  }
  /** A call that needs the FHIR server (no prefetch), so a leak past authentication would show there too. */
  const call = (jwt: string | undefined) =>
    postJson(
      `${server.base}/cds-services/${SERVICE}`,
      hookRequest('patient-view', seed, { prefetch: null, fhirServer: fhir.baseUrl, accessToken: 'fhir-token' }),
      jwt === undefined ? {} : { authorization: `Bearer ${jwt}` },
    );

  async function assertRefused(jwt: string | undefined, why: RegExp): Promise<void> {
    const before = { ...engine.calls, fhir: fhir.requests.length };
    const response = await call(jwt);
    assert.equal(response.status, 401);
    const outcome = response.body as { resourceType: string; issue: { diagnostics: string }[] };
    assert.equal(outcome.resourceType, 'OperationOutcome');
    assert.match(outcome.issue[0]?.diagnostics ?? '', why);
    assert.deepEqual({ ...engine.calls, fhir: fhir.requests.length }, before, 'nothing evaluated or fetched');
  }

  test('no token', () => assertRefused(undefined, /Bearer JWT is required/));

  test('alg none', async () => {
    const t = now();
    const unsigned = `${b64({ alg: 'none', kid: KID, typ: 'JWT' })}.${b64({ iss: ISS, aud: audience, iat: t, exp: t + 60, jti: 'n1' })}.`;
    await assertRefused(unsigned, /ES384 or RS384/);
  });

  test('HS256 signed with the public key as the secret', async () => {
    const t = now();
    const forged = await new SignJWT({ iss: ISS, aud: audience, iat: t, exp: t + 60, jti: 'h1' })
      .setProtectedHeader({ alg: 'HS256', kid: KID })
      .sign(new TextEncoder().encode(publicPem));
    await assertRefused(forged, /ES384 or RS384/);
  });

  test('wrong aud: the refusal names the address the token must be for', async () =>
    assertRefused(
      await token({ aud: `${server.base}/cds-services/other` }),
      new RegExp(`^authentication failed: claim aud must be this endpoint's address, ${audience}$`),
    ));
  test('a required claim left out is named as missing', async () =>
    assertRefused(await token({ jti: undefined }), /^authentication failed: the token has no jti claim$/));
  test('aud of the feedback endpoint on the service call', async () =>
    assertRefused(await token({ aud: `${audience}/feedback` }), /aud/));

  test('feedback takes only a token for the feedback URL; one for the service URL stores nothing', async () => {
    const url = `${audience}/feedback`;
    const entry = {
      card: crypto.randomUUID(),
      outcome: 'accepted',
      acceptedSuggestions: [{ id: crypto.randomUUID() }],
      outcomeTimestamp: '2026-11-27T10:00:00Z',
    };
    const refused = await postJson(url, { feedback: [entry] }, { authorization: `Bearer ${await token()}` });
    assert.equal(refused.status, 401);
    assert.match((refused.body as { issue: { diagnostics: string }[] }).issue[0]?.diagnostics ?? '', /aud/);
    const list = async () =>
      fetch(url, { headers: { authorization: `Bearer ${await token({ aud: url })}` } }).then(
        async (r) => ((await r.json()) as { feedback: unknown[] }).feedback.length,
      );
    const before = await list();
    const stored = await postJson(url, { feedback: [entry] }, { authorization: `Bearer ${await token({ aud: url })}` });
    assert.equal(stored.status, 200);
    assert.equal(await list(), before + 1);
  });

  test('each client lists only its own feedback; a call without a JWT only the entries sent without one', async () => {
    const other = await generateKeyPair('ES384', { extractable: true });
    const otherJwk = { ...(await exportJWK(other.publicKey)), kid: 'b-1', alg: 'ES384' };
    writeFileSync(join(dir, 'b.json'), JSON.stringify({ keys: [otherJwk] }));
    const OTHER = 'https://ehr-b.example.org';
    const two = await startTestServer({
      engine,
      allowUnauthenticated: true,
      cdsClients: [
        parseCdsClient(`${ISS}=${join(dir, 'jwks.json')}`),
        parseCdsClient(`${OTHER}=${join(dir, 'b.json')}`),
      ],
    });
    try {
      const url = `${two.base}/cds-services/${SERVICE}/feedback`;
      const asA = async () => ({ authorization: `Bearer ${await token({ aud: url })}` });
      const asB = async () => ({
        authorization: `Bearer ${await new SignJWT({
          iss: OTHER,
          aud: url,
          iat: now(),
          exp: now() + 120,
          jti: crypto.randomUUID(),
        })
          .setProtectedHeader({ alg: 'ES384', kid: 'b-1' })
          .sign(other.privateKey)}`,
      });
      const entry = (userComment: string) => ({
        feedback: [
          {
            card: crypto.randomUUID(),
            outcome: 'overridden',
            overrideReason: {
              reason: { system: 'urn:precision-trd:cds-override-reason', code: 'patient-declined' },
              userComment,
            },
            outcomeTimestamp: '2026-11-27T10:00:00Z',
          },
        ],
      });
      const list = async (headers: Record<string, string>) =>
        (
          (await (await fetch(url, { headers })).json()) as {
            feedback: { overrideReason?: { userComment?: string } }[];
          }
        ).feedback.map((f) => f.overrideReason?.userComment);
      assert.equal((await postJson(url, entry('from A'), await asA())).status, 200);
      assert.equal((await postJson(url, entry('unauthenticated'))).status, 200);
      assert.deepEqual(await list(await asB()), [], "B reads none of A's entries");
      assert.deepEqual(await list(await asA()), ['from A']);
      assert.deepEqual(await list({}), ['unauthenticated']);
    } finally {
      await two.close();
    }
  });

  test('expired beyond the 60 s skew', async () =>
    assertRefused(await token({ iat: now() - 400, exp: now() - 90 }), /expired/));
  test('iat in the future beyond the skew', async () =>
    assertRefused(await token({ iat: now() + 120, exp: now() + 200 }), /iat/));
  test('iat older than the 5-minute lifetime plus the skew, exp still ahead', async () =>
    assertRefused(await token({ iat: now() - 86_400, exp: now() + 120 }), /iat is too old/));
  test('iat just past the 5-minute lifetime but within the skew passes', async () => {
    const response = await call(await token({ iat: now() - 330, exp: now() + 60 }));
    assert.equal(response.status, 200);
  });
  test('unknown issuer', async () =>
    assertRefused(await token({ iss: 'https://other.example.org' }), /unknown issuer/));
  test('unknown kid', async () => assertRefused(await token({}, { kid: 'rotated-away' }), /unknown kid/));

  test('tampered signature', async () => {
    const good = await token();
    const [h, p, s] = good.split('.') as [string, string, string];
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString()) as JWTPayload;
    const tampered = `${h}.${b64({ ...payload, sub: 'someone-else' })}.${s}`;
    await assertRefused(tampered, /signature/);
  });

  test('a valid ES384 token passes once; its replay is refused', async () => {
    const jwt = await token();
    const first = await call(jwt);
    assert.equal(first.status, 200);
    assert.ok(engine.calls.assess > 0, 'evaluated');
    await assertRefused(jwt, /already used/);
  });

  test('the Bearer scheme is read in any case', async () => {
    for (const scheme of ['bearer', 'BEARER']) {
      const response = await postJson(`${server.base}/cds-services/${SERVICE}`, hookRequest('patient-view', seed), {
        authorization: `${scheme} ${await token()}`,
      });
      assert.equal(response.status, 200, scheme);
    }
  });

  test('RS384 from a second client passes; a rotated key in the JWKS file is picked up without a restart', async () => {
    const rsa = await generateKeyPair('RS384', { extractable: true });
    const rsaJwk = { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS384' };
    writeFileSync(join(dir, 'rsa.json'), JSON.stringify({ keys: [rsaJwk] }));
    const rotated = await generateKeyPair('ES384', { extractable: true });
    const rotatedJwk = { ...(await exportJWK(rotated.publicKey)), kid: 'ehr-key-2', alg: 'ES384' };
    const two = await startTestServer({
      engine,
      cdsClients: [
        parseCdsClient(`${ISS}=${join(dir, 'jwks.json')}`),
        parseCdsClient(`rsa-client=${join(dir, 'rsa.json')}`),
      ],
    });
    try {
      const aud = `${two.base}/cds-services/${SERVICE}`;
      const sign = (key: CryptoKey, alg: string, kid: string, iss: string) =>
        new SignJWT({ iss, aud, iat: now(), exp: now() + 120, jti: crypto.randomUUID() })
          .setProtectedHeader({ alg, kid })
          .sign(key);
      const send = (jwt: string) =>
        postJson(`${two.base}/cds-services/${SERVICE}`, hookRequest('patient-view', seed), {
          authorization: `Bearer ${jwt}`,
        });
      assert.equal((await send(await sign(rsa.privateKey, 'RS384', 'rsa-1', 'rsa-client'))).status, 200);
      assert.equal(
        (await send(await sign(rotated.privateKey, 'ES384', 'ehr-key-2', ISS))).status,
        401,
        'not yet published',
      );
      const current = JSON.parse(readFileSync(join(dir, 'jwks.json'), 'utf8')) as { keys: unknown[] };
      await new Promise((resolve) => setTimeout(resolve, 1100)); // the file is checked at most once a second
      writeFileSync(join(dir, 'jwks.json'), JSON.stringify({ keys: [...current.keys, rotatedJwk] }));
      assert.equal((await send(await sign(rotated.privateKey, 'ES384', 'ehr-key-2', ISS))).status, 200, 'rotated in');
    } finally {
      await two.close();
    }
  });

  test('with a data directory, a token used before a restart is refused after it', async () => {
    const dataDir = join(dir, 'data');
    const client = parseCdsClient(`${ISS}=${join(dir, 'jwks.json')}`);
    let first = await startTestServer({ engine, dataDir, cdsClients: [client], publicUrl: 'https://cds.example.org' });
    const jwt = await token({ aud: `https://cds.example.org/cds-services/${SERVICE}` });
    const send = (base: string) =>
      postJson(`${base}/cds-services/${SERVICE}`, hookRequest('patient-view', seed), {
        authorization: `Bearer ${jwt}`,
      });
    assert.equal((await send(first.base)).status, 200);
    await first.close();
    first = await startTestServer({ engine, dataDir, cdsClients: [client], publicUrl: 'https://cds.example.org' });
    try {
      const again = await send(first.base);
      assert.equal(again.status, 401);
      assert.match((again.body as { issue: { diagnostics: string }[] }).issue[0]?.diagnostics ?? '', /already used/);
    } finally {
      await first.close();
    }
  });

  test('a JWKS file saved with a byte order mark is read, as any input file; one that is not UTF-8 is refused', () => {
    writeFileSync(join(dir, 'bom.json'), `\ufeff${readFileSync(join(dir, 'jwks.json'), 'utf8')}`);
    assert.doesNotThrow(() => parseCdsClient(`${ISS}=${join(dir, 'bom.json')}`));
    const latin1 = Buffer.concat([Buffer.from('{"keys": [], "name": "'), Buffer.from([0xe9]), Buffer.from('"}')]);
    writeFileSync(join(dir, 'latin1.json'), latin1);
    assert.throws(
      () => parseCdsClient(`${ISS}=${join(dir, 'latin1.json')}`),
      /JWKS file .*latin1\.json is not UTF-8 text \(save it as UTF-8\)$/,
    );
  });

  test('a JWKS file that is missing, or not JSON, is refused saying which, as trd says it of an input file', () => {
    assert.throws(
      () => parseCdsClient(`${ISS}=${join(dir, 'no-such-jwks.json')}`),
      /cannot read JWKS file .*no-such-jwks\.json: no such file or folder$/,
    );
    writeFileSync(join(dir, 'comma.json'), '{"keys": [],}');
    assert.throws(
      () => parseCdsClient(`${ISS}=${join(dir, 'comma.json')}`),
      /JWKS file .*comma\.json is not valid JSON: malformed string, number or separator at position 12 \(line 1, column 13\)$/,
    );
  });

  test('without --cds-client every call is refused', async () => {
    const closed = await startTestServer({ engine });
    try {
      const before = engine.calls.assess;
      const response = await postJson(`${closed.base}/cds-services/${SERVICE}`, hookRequest('patient-view', seed));
      assert.equal(response.status, 401);
      assert.equal(engine.calls.assess, before);
    } finally {
      await closed.close();
    }
  });
});
