/**
 * Fetch when there is no prefetch: the service reads the record from a real FHIR HTTP server (in-process, paged two
 * resources at a time) with the fhirAuthorization token, gives the same cards as with the full prefetch, and
 * answers 412 when the server is down or a key can be had from nowhere: without fhirAuthorization the server is not
 * read at all. fhirAuthorization without fhirServer is a 400. An OperationOutcome, as a prefetch value (the client's
 * prefetch failed) or as the FHIR server's answer to a search, is missing data, never an empty list.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Card } from './cards.ts';
import { fetchQuery } from './fhir-client.ts';
import { startFhirServer } from './fhir-server.test-support.ts';
import type { TestFhirServer } from './fhir-server.test-support.ts';
import { fullPrefetch, hookRequest, postJson, readBundleFile, startTestServer } from '../server.test-support.ts';

const seed = readBundleFile('examples/seed-vignette.json').entry.map((e) => e.resource);
const URL_PATH = '/cds-services/trd-il6-candidacy';

/** Cards without their random uuids, for comparing two answers. */
function comparable(cards: Card[]): unknown {
  return cards.map(({ uuid: _uuid, suggestions, ...card }) => ({
    ...card,
    suggestions: suggestions?.map(({ uuid: _s, ...s }) => s),
  }));
}

/**
 * A patient-view call to the service at `base` whose `missing` prefetch key is null, so that the service fetches it
 * from a FHIR server on 127.0.0.1 that gives `answer(port)` (JSON, status 200) to every request; the server is closed
 * afterwards.
 */
async function viewFetchingFrom(
  base: string,
  missing: string,
  answer: (port: number) => unknown,
): Promise<Awaited<ReturnType<typeof postJson>>> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/fhir+json' });
    res.end(JSON.stringify(answer((server.address() as AddressInfo).port)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const prefetch = fullPrefetch(seed);
    prefetch[missing] = null;
    return await postJson(
      `${base}${URL_PATH}`,
      hookRequest('patient-view', seed, {
        prefetch,
        fhirServer: `http://127.0.0.1:${(server.address() as AddressInfo).port}/fhir`,
        accessToken: 'token-abc',
      }),
    );
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

describe('CDS Hooks: fetching from fhirServer', () => {
  let service: Awaited<ReturnType<typeof startTestServer>>;
  let fhir: TestFhirServer;
  before(async () => {
    service = await startTestServer({ allowUnauthenticated: true });
    fhir = await startFhirServer(seed, 2);
  });
  after(async () => {
    await service.close();
    await fhir.close();
  });

  test('no prefetch: every key is fetched, pages followed, the token sent, and the cards equal the full-prefetch cards', async () => {
    const full = await postJson(`${service.base}${URL_PATH}`, hookRequest('patient-view', seed));
    assert.equal(full.status, 200);
    const fetched = await postJson(
      `${service.base}${URL_PATH}`,
      hookRequest('patient-view', seed, { prefetch: null, fhirServer: fhir.baseUrl, accessToken: 'token-abc' }),
    );
    assert.equal(fetched.status, 200);
    assert.deepEqual(
      comparable((fetched.body as { cards: Card[] }).cards),
      comparable((full.body as { cards: Card[] }).cards),
    );
    assert.ok(
      fhir.requests.some((r) => r.path.includes('_page=1')),
      'a next link was followed',
    );
    assert.ok(
      fhir.requests.some((r) => r.path.includes('_page=2')),
      'observations span several pages',
    );
    assert.ok(fhir.requests.every((r) => r.authorization === 'Bearer token-abc'));
  });

  test('partial prefetch: null keys are fetched and the rest read from the prefetch', async () => {
    fhir.requests.length = 0;
    const prefetch = fullPrefetch(seed);
    prefetch.observations = null;
    const full = await postJson(`${service.base}${URL_PATH}`, hookRequest('patient-view', seed));
    const partial = await postJson(
      `${service.base}${URL_PATH}`,
      hookRequest('patient-view', seed, { prefetch, fhirServer: fhir.baseUrl, accessToken: 'token-abc' }),
    );
    assert.equal(partial.status, 200);
    assert.deepEqual(
      comparable((partial.body as { cards: Card[] }).cards),
      comparable((full.body as { cards: Card[] }).cards),
    );
    assert.ok(fhir.requests.length > 0 && fhir.requests.every((r) => r.path.startsWith('/fhir/Observation?')));
  });

  test('412 when the FHIR server is down, and when a key is missing with no fhirServer', async () => {
    const down = await startFhirServer([]);
    const deadUrl = down.baseUrl;
    await down.close();
    const response = await postJson(
      `${service.base}${URL_PATH}`,
      hookRequest('patient-view', seed, { prefetch: null, fhirServer: deadUrl, accessToken: 'token-abc' }),
    );
    assert.equal(response.status, 412);
    assert.equal((response.body as { resourceType: string }).resourceType, 'OperationOutcome');
    const prefetch = fullPrefetch(seed);
    delete prefetch.conditions;
    const missing = await postJson(`${service.base}${URL_PATH}`, hookRequest('patient-view', seed, { prefetch }));
    assert.equal(missing.status, 412);
  });

  test('412 naming every key the service cannot read at once, each with why, so the prefetch is fixed in one pass', async () => {
    const prefetch = fullPrefetch(seed);
    delete prefetch.conditions;
    prefetch.immunizations = null;
    prefetch.procedures = { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'exception' }] };
    (prefetch.observations as { link?: unknown[] }).link = [{ relation: 'next', url: 'https://ehr.example.org/p2' }];
    const response = await postJson(`${service.base}${URL_PATH}`, hookRequest('patient-view', seed, { prefetch }));
    assert.equal(response.status, 412);
    assert.equal(
      (response.body as { issue: { diagnostics: string }[] }).issue[0]?.diagnostics,
      'prefetch conditions, immunizations are missing; procedures failed at the client; observations is partial ' +
        'and there is no fhirServer',
    );
  });

  test("order-sign: a draft's Medication that nothing sent is read from fhirServer, else 412, never passed over", async () => {
    const toci = {
      resourceType: 'Medication',
      id: 'med-toci',
      code: { coding: [{ system: 'http://www.whocc.no/atc', code: 'L04AC07', display: 'tocilizumab' }] },
    };
    const withMedication = await startFhirServer([...seed, toci]);
    try {
      const patientId = seed.find((r) => r.resourceType === 'Patient')?.id as string;
      const draftOrders = {
        resourceType: 'Bundle',
        entry: [
          {
            resource: {
              resourceType: 'MedicationRequest',
              id: 'draft-1',
              status: 'draft',
              intent: 'order',
              subject: { reference: `Patient/${patientId}` },
              // Neither contained, nor in draftOrders or the prefetch, and no display: only the server knows it.
              medicationReference: { reference: 'Medication/med-toci' },
            },
          },
        ],
      };
      const url = `${service.base}/cds-services/trd-il6-blocker-order-sign`;
      const read = await postJson(
        url,
        hookRequest('order-sign', seed, {
          context: { draftOrders },
          fhirServer: withMedication.baseUrl,
          accessToken: 'token-abc',
        }),
      );
      assert.equal(read.status, 200);
      const cards = (read.body as { cards: Card[] }).cards;
      assert.ok(
        cards.some((c) => c.indicator === 'critical' && /^tocilizumab: /.test(c.summary)),
        'the order is checked as the IL-6 blocker it is',
      );
      assert.deepEqual(
        withMedication.requests.map((r) => r.path),
        ['/fhir/Medication/med-toci'],
      );
      // An absolute reference to the FHIR server itself (as Oracle Health writes them) is read the same.
      const absolute = structuredClone(draftOrders);
      absolute.entry[0]!.resource.medicationReference.reference = `${withMedication.baseUrl}/Medication/med-toci`;
      const readAbsolute = await postJson(
        url,
        hookRequest('order-sign', seed, {
          context: { draftOrders: absolute },
          fhirServer: withMedication.baseUrl,
          accessToken: 'token-abc',
        }),
      );
      assert.equal(readAbsolute.status, 200);
      assert.ok((readAbsolute.body as { cards: Card[] }).cards.some((c) => /^tocilizumab: /.test(c.summary)));
      const unread = await postJson(url, hookRequest('order-sign', seed, { context: { draftOrders } }));
      assert.equal(unread.status, 412);
      assert.equal(
        (unread.body as { issue: { diagnostics: string }[] }).issue[0]?.diagnostics,
        'the Medication of context.draftOrders.entry[0] is not sent and there is no fhirServer',
      );
      // Beside a draft identified as an IL-6 blocker, the one that cannot be read does not withhold its card.
      const coded = {
        ...draftOrders.entry[0]!.resource,
        id: 'draft-2',
        medicationReference: undefined,
        medicationCodeableConcept: toci.code,
      };
      const both = await postJson(
        url,
        hookRequest('order-sign', seed, {
          context: { draftOrders: { ...draftOrders, entry: [...draftOrders.entry, { resource: coded }] } },
        }),
      );
      assert.equal(both.status, 200);
      assert.ok(
        (both.body as { cards: Card[] }).cards.some(
          (c) => c.indicator === 'critical' && /^tocilizumab: /.test(c.summary),
        ),
      );
    } finally {
      await withMedication.close();
    }
  });

  test('a prefetch key holding what its template does not ask for is a 400; a read answered by an empty Bundle is missing', async () => {
    const patient = seed.find((r) => r.resourceType === 'Patient');
    const wrongType = fullPrefetch(seed);
    // A client mapping its prefetch keys wrong: read as conditions, the patient would have no depression, no card.
    wrongType.conditions = patient;
    const invalid = await postJson(
      `${service.base}${URL_PATH}`,
      hookRequest('patient-view', seed, { prefetch: wrongType }),
    );
    assert.equal(invalid.status, 400);
    assert.equal(
      (invalid.body as { issue: { diagnostics: string }[] }).issue[0]?.diagnostics,
      'prefetch conditions is not the Bundle its search template asks for',
    );
    const notPatient = fullPrefetch(seed);
    notPatient.patient = (notPatient.conditions as { entry: { resource: unknown }[] }).entry[0]?.resource;
    const read = await postJson(
      `${service.base}${URL_PATH}`,
      hookRequest('patient-view', seed, { prefetch: notPatient }),
    );
    assert.equal(read.status, 400);
    assert.equal(
      (read.body as { issue: { diagnostics: string }[] }).issue[0]?.diagnostics,
      'prefetch patient is not the Patient its template reads',
    );
    // The Patient read found nothing: missing data (fetched, else 412), not a request without a Patient.
    const notFound = fullPrefetch(seed);
    notFound.patient = { resourceType: 'Bundle', type: 'searchset', total: 0, entry: [] };
    const missing = await postJson(
      `${service.base}${URL_PATH}`,
      hookRequest('patient-view', seed, { prefetch: notFound }),
    );
    assert.equal(missing.status, 412);
    assert.equal(
      (missing.body as { issue: { diagnostics: string }[] }).issue[0]?.diagnostics,
      'prefetch patient is missing and there is no fhirServer',
    );
    const fetched = await postJson(
      `${service.base}${URL_PATH}`,
      hookRequest('patient-view', seed, { prefetch: notFound, fhirServer: fhir.baseUrl, accessToken: 'token-abc' }),
    );
    assert.equal(fetched.status, 200);
    assert.ok((fetched.body as { cards: Card[] }).cards.length > 0);
  });

  test('412 without fetching when fhirServer comes without fhirAuthorization', async () => {
    fhir.requests.length = 0;
    const prefetch = fullPrefetch(seed);
    prefetch.observations = null;
    for (const request of [
      hookRequest('patient-view', seed, { prefetch: null, fhirServer: fhir.baseUrl }),
      hookRequest('patient-view', seed, { prefetch, fhirServer: fhir.baseUrl }),
    ]) {
      const response = await postJson(`${service.base}${URL_PATH}`, request);
      assert.equal(response.status, 412);
      const outcome = response.body as { resourceType: string; issue: { diagnostics: string }[] };
      assert.equal(outcome.resourceType, 'OperationOutcome');
      assert.match(outcome.issue[0]?.diagnostics ?? '', /no fhirAuthorization/);
    }
    assert.equal(fhir.requests.length, 0, 'the FHIR server was not asked');
  });

  test('fhirAuthorization with an http fhirServer off this host is a 400 (the token is never sent in clear)', async () => {
    // Full prefetch: nothing would be fetched either way, so no request leaves this machine.
    const clear = await postJson(
      `${service.base}${URL_PATH}`,
      hookRequest('patient-view', seed, { fhirServer: 'http://ehr.example.org/fhir', accessToken: 'token-abc' }),
    );
    assert.equal(clear.status, 400);
    assert.match(
      (clear.body as { issue: { diagnostics: string }[] }).issue[0]?.diagnostics ?? '',
      /^fhirServer: must be https/,
    );
    for (const fhirServer of ['https://ehr.example.org/fhir', 'http://localhost:1/fhir', 'http://127.0.0.1:1/fhir']) {
      const ok = await postJson(
        `${service.base}${URL_PATH}`,
        hookRequest('patient-view', seed, { fhirServer, accessToken: 'token-abc' }),
      );
      assert.equal(ok.status, 200, fhirServer);
    }
  });

  test('fhirAuthorization.token_type is read as OAuth 2.0 reads it, in any case; another type is a 400', async () => {
    fhir.requests.length = 0;
    const prefetch = fullPrefetch(seed);
    prefetch.observations = null;
    const call = (tokenType: string) => {
      const request = hookRequest('patient-view', seed, {
        prefetch,
        fhirServer: fhir.baseUrl,
        accessToken: 'token-abc',
      });
      (request.fhirAuthorization as { token_type: string }).token_type = tokenType;
      return postJson(`${service.base}${URL_PATH}`, request);
    };
    assert.equal((await call('bearer')).status, 200);
    assert.ok(fhir.requests.length > 0 && fhir.requests.every((r) => r.authorization === 'Bearer token-abc'));
    const mac = await call('MAC');
    assert.equal(mac.status, 400);
    assert.equal(
      (mac.body as { issue: { diagnostics: string }[] }).issue[0]?.diagnostics,
      'fhirAuthorization.token_type: must be "Bearer"',
    );
  });

  test('fhirAuthorization.patient other than context.patientId is a 400, and the server is never asked with that token', async () => {
    fhir.requests.length = 0;
    const request = hookRequest('patient-view', seed, {
      prefetch: null,
      fhirServer: fhir.baseUrl,
      accessToken: 'token-abc',
    });
    (request.fhirAuthorization as { patient?: string }).patient = 'another-patient';
    const response = await postJson(`${service.base}${URL_PATH}`, request);
    assert.equal(response.status, 400);
    assert.equal(
      (response.body as { issue: { diagnostics: string }[] }).issue[0]?.diagnostics,
      'fhirAuthorization.patient: is not context.patientId',
    );
    assert.equal(fhir.requests.length, 0);
    (request.fhirAuthorization as { patient?: string }).patient = (request.context as { patientId: string }).patientId;
    assert.equal((await postJson(`${service.base}${URL_PATH}`, request)).status, 200);
  });

  test('fhirAuthorization without fhirServer is a 400', async () => {
    const prefetch = fullPrefetch(seed);
    prefetch.observations = null;
    const response = await postJson(
      `${service.base}${URL_PATH}`,
      hookRequest('patient-view', seed, { prefetch, accessToken: 'token-abc' }),
    );
    assert.equal(response.status, 400);
    const outcome = response.body as { resourceType: string; issue: { diagnostics: string }[] };
    assert.equal(outcome.resourceType, 'OperationOutcome');
    assert.match(outcome.issue[0]?.diagnostics ?? '', /^fhirServer: /);
  });

  test('an OperationOutcome as a prefetch value, or a searchset with an error outcome, is missing data: fetched, else 412', async () => {
    const failed = { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'exception' }] };
    const full = await postJson(`${service.base}${URL_PATH}`, hookRequest('patient-view', seed));
    for (const key of ['observations', 'conditions', 'patient']) {
      const prefetch = fullPrefetch(seed);
      prefetch[key] = failed;
      const response = await postJson(`${service.base}${URL_PATH}`, hookRequest('patient-view', seed, { prefetch }));
      assert.equal(response.status, 412, `${key}: the client's prefetch failed and there is no fhirServer`);
      assert.match(
        (response.body as { issue: { diagnostics: string }[] }).issue[0]?.diagnostics ?? '',
        new RegExp(`prefetch ${key} failed at the client`),
      );
      fhir.requests.length = 0;
      const refetched = await postJson(
        `${service.base}${URL_PATH}`,
        hookRequest('patient-view', seed, { prefetch, fhirServer: fhir.baseUrl, accessToken: 'token-abc' }),
      );
      assert.equal(refetched.status, 200);
      assert.ok(fhir.requests.length > 0, `${key} was fetched`);
      assert.deepEqual(
        comparable((refetched.body as { cards: Card[] }).cards),
        comparable((full.body as { cards: Card[] }).cards),
      );
    }
    const prefetch = fullPrefetch(seed);
    (prefetch.observations as { entry: unknown[] }).entry.push({ resource: failed, search: { mode: 'outcome' } });
    const withOutcome = await postJson(`${service.base}${URL_PATH}`, hookRequest('patient-view', seed, { prefetch }));
    assert.equal(withOutcome.status, 412);
  });

  test('412 when the FHIR server answers a search with another resource: its type named, never other text it sent', async () => {
    for (const [type, named] of [
      ['Patient', 'a Patient'],
      ['Zelda-Quartermain, born 1970-01-01', 'a resource of no FHIR type'],
    ] as const) {
      const response = await viewFetchingFrom(service.base, 'observations', () => ({ resourceType: type }));
      assert.equal(response.status, 412);
      const text = JSON.stringify(response.body);
      assert.ok(text.includes(`the FHIR server answered with ${named}`), text);
      assert.ok(!text.includes('Zelda'), text);
    }
  });

  test('412 when the FHIR server answers a search with an OperationOutcome (status 200) or a searchset with an error outcome', async () => {
    for (const answer of [
      { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'too-costly' }] },
      {
        resourceType: 'Bundle',
        type: 'searchset',
        entry: [
          {
            resource: { resourceType: 'OperationOutcome', issue: [{ severity: 'fatal', code: 'exception' }] },
            search: { mode: 'outcome' },
          },
        ],
      },
    ]) {
      const response = await viewFetchingFrom(service.base, 'observations', () => answer);
      assert.equal(response.status, 412, `${answer.resourceType}: the observations are missing, not empty`);
    }
  });

  test('a redirect is followed on the FHIR server only: one to another host is a 412, and that host is never asked', async () => {
    const elsewhere: string[] = [];
    const other = createServer((req, res) => {
      elsewhere.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'application/fhir+json' });
      res.end(JSON.stringify({ resourceType: 'Bundle', type: 'searchset', entry: [] }));
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const otherBase = `http://localhost:${(other.address() as AddressInfo).port}`;
    // Redirects Condition searches (to another host, or to the same search on the real FHIR server); the rest
    // goes to the real FHIR server.
    let target = '';
    const proxy = createServer((req, res) => {
      const path = req.url ?? '/';
      if (path.startsWith('/fhir/Condition') && !path.includes('moved=1')) {
        res.writeHead(302, { location: target === 'other' ? `${otherBase}/steal` : `${path}&moved=1` });
        return res.end();
      }
      void fetch(`${fhir.baseUrl}${path.replace(/^\/fhir/, '')}`, {
        headers: { authorization: req.headers.authorization ?? '' },
      }).then(async (answer) => {
        res.writeHead(answer.status, { 'content-type': 'application/fhir+json' });
        res.end(await answer.text());
      });
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const proxyBase = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/fhir`;
    try {
      const prefetch = fullPrefetch(seed);
      prefetch.conditions = null;
      const request = hookRequest('patient-view', seed, { prefetch, fhirServer: proxyBase, accessToken: 'token-abc' });
      target = 'other';
      const away = await postJson(`${service.base}${URL_PATH}`, request);
      assert.equal(away.status, 412, 'a redirect to another host');
      assert.deepEqual(elsewhere, [], 'the other host was never asked (the query names the patient)');
      target = 'same';
      const full = await postJson(`${service.base}${URL_PATH}`, hookRequest('patient-view', seed));
      const same = await postJson(`${service.base}${URL_PATH}`, request);
      assert.equal(same.status, 200, 'a redirect on the same server is followed');
      assert.deepEqual(
        comparable((same.body as { cards: Card[] }).cards),
        comparable((full.body as { cards: Card[] }).cards),
      );
    } finally {
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
      await new Promise<void>((resolve) => other.close(() => resolve()));
    }
  });
});

/**
 * A heavily monitored patient: the seed vignette with 1,500 weekly ALT results. The service asks the FHIR server for
 * large pages (`_count`), which a server clamps to its own maximum, and reads the whole record whatever page size
 * the server keeps to; the prefetch templates themselves ask for no `_count` (a prefetch holds every result at once).
 */
describe('CDS Hooks: paging a large record from fhirServer', () => {
  const alt = Array.from({ length: 1500 }, (_, i) => ({
    resourceType: 'Observation',
    id: `alt-${i}`,
    status: 'final',
    subject: { reference: 'Patient/seed-patient' },
    code: { coding: [{ system: 'http://loinc.org', code: '1742-6' }] },
    effectiveDateTime: new Date(Date.UTC(2026, 10, 1) - i * 7 * 86_400_000).toISOString().slice(0, 10),
    valueQuantity: { value: 20 + (i % 7), unit: 'U/L', system: 'http://unitsofmeasure.org', code: 'U/L' },
  }));
  const heavy = [...seed, ...alt];
  let service: Awaited<ReturnType<typeof startTestServer>>;
  before(async () => {
    service = await startTestServer({ allowUnauthenticated: true });
  });
  after(async () => {
    await service.close();
  });

  /**
   * patient-view for the heavy record fetched (no prefetch) from a FHIR server paging `pageSize` a time, or `_count`
   * up to `maxPageSize`: answered 200 with the full-prefetch cards. Gives the paths the FHIR server was asked.
   */
  async function viewFetched(pageSize: number, maxPageSize: number): Promise<string[]> {
    const fhir = await startFhirServer(heavy, pageSize, maxPageSize);
    try {
      const full = await postJson(`${service.base}${URL_PATH}`, hookRequest('patient-view', heavy));
      assert.equal(full.status, 200);
      const fetched = await postJson(
        `${service.base}${URL_PATH}`,
        hookRequest('patient-view', heavy, { prefetch: null, fhirServer: fhir.baseUrl, accessToken: 'token-abc' }),
      );
      assert.equal(fetched.status, 200, JSON.stringify(fetched.body).slice(0, 300));
      assert.deepEqual(
        comparable((fetched.body as { cards: Card[] }).cards),
        comparable((full.body as { cards: Card[] }).cards),
      );
      return fhir.requests.map((r) => r.path);
    } finally {
      await fhir.close();
    }
  }

  test('the service asks for large pages: a server that clamps _count to 500 answers 1,500 observations in 4 pages', async () => {
    const paths = await viewFetched(20, 500);
    const observations = paths.filter((p) => p.startsWith('/fhir/Observation?'));
    assert.equal(observations.length, 4, observations.map((p) => p.slice(-40)).join('\n'));
    const searches = paths.filter((p) => p.includes('?') && !p.includes('_page='));
    assert.ok(
      searches.length > 0 && searches.every((p) => /[?&]_count=1000(&|$)/.test(p)),
      'every search asks for _count=1000',
    );
    const reads = paths.filter((p) => p.startsWith('/fhir/Patient/'));
    assert.ok(reads.length === 1 && !reads[0]?.includes('?'), 'a read (Patient/id) carries no _count');
    const discovery = await fetch(`${service.base}/cds-services`);
    const { services } = (await discovery.json()) as { services: { prefetch: Record<string, string> }[] };
    for (const s of services) {
      for (const template of Object.values(s.prefetch)) {
        assert.ok(!template.includes('_count'), 'a prefetch template limits nothing: the client sends every result');
      }
    }
  });

  test('a server that ignores _count (20 a page) still gives the whole record: 76 pages are no reason for a 412', async () => {
    const paths = await viewFetched(20, 20);
    const observations = paths.filter((p) => p.startsWith('/fhir/Observation?'));
    assert.equal(observations.length, Math.ceil(1506 / 20), "the seed's 6 observations and the 1,500 ALT results");
  });

  test('more resources than the limit for one search is a DataUnavailable (412), whatever the pages', async () => {
    const fhir = await startFhirServer(heavy, 20, 500);
    try {
      const access = { baseUrl: fhir.baseUrl, accessToken: 'token-abc' };
      const query = 'Observation?patient=seed-patient';
      assert.equal((await fetchQuery(query, access)).length, 1506);
      await assert.rejects(fetchQuery(query, { ...access, maxResources: 1000 }), /more than 1000 resources/);
    } finally {
      await fhir.close();
    }
  });

  test('with --fhir-server, a fhirServer off the list is a 400 and is never asked; one on it is read', async () => {
    // The FHIR servers this service may read, as the service agreement names them: a caller cannot point the service
    // (and the bearer token it hands over) at another host or port, inside the hospital's network or on this host.
    const fhir = await startFhirServer(seed, 2);
    const listed = await startTestServer({ allowUnauthenticated: true, fhirServers: [`${fhir.baseUrl}/`] });
    const elsewhere = await startFhirServer(seed, 2);
    try {
      const ask = (fhirServer: string) =>
        postJson(
          `${listed.base}${URL_PATH}`,
          hookRequest('patient-view', seed, { prefetch: null, fhirServer, accessToken: 'token-abc' }),
        );
      const refused = await ask(elsewhere.baseUrl);
      assert.equal(refused.status, 400);
      assert.match(JSON.stringify(refused.body), /fhirServer is not one this service may read/);
      assert.equal(elsewhere.requests.length, 0, 'the other server is never asked');
      // A path outside the listed base on the listed host is off the list too.
      assert.equal((await ask(`${fhir.baseUrl.replace(/\/fhir$/, '')}/admin`)).status, 400);
      const before = fhir.requests.length;
      const read = await ask(fhir.baseUrl);
      assert.equal(read.status, 200);
      assert.ok(fhir.requests.length > before, 'the listed server is read');
    } finally {
      await listed.close();
      await elsewhere.close();
      await fhir.close();
    }
  });

  test('an answer larger than the page limit is a DataUnavailable, read no further than the limit', async () => {
    // A 20 MiB searchset (one long string): a server gone wrong, or a fhirServer the caller chose, could send any size.
    const filler = 'x'.repeat(20 * 1024 * 1024);
    let sent = 0;
    const huge = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/fhir+json' });
      const body = Buffer.from(JSON.stringify({ resourceType: 'Bundle', type: 'searchset', entry: [], note: filler }));
      // In pieces, without a length, as a streamed answer comes; stops when the reader hangs up.
      let at = 0;
      const more = (): void => {
        while (at < body.length) {
          const piece = body.subarray(at, at + 65_536);
          at += piece.length;
          sent += piece.length;
          if (!res.write(piece)) return void res.once('drain', more);
        }
        res.end();
      };
      res.on('close', () => (at = body.length));
      more();
    });
    await new Promise<void>((resolve) => huge.listen(0, '127.0.0.1', resolve));
    try {
      const access = {
        baseUrl: `http://127.0.0.1:${(huge.address() as AddressInfo).port}/fhir`,
        accessToken: 'token-abc',
        maxPageBytes: 1024 * 1024,
      };
      await assert.rejects(fetchQuery('Condition?patient=seed-patient', access), /larger than 1 MiB/);
      assert.ok(sent < 20 * 1024 * 1024, 'the rest of the answer was not read');
    } finally {
      huge.closeAllConnections();
      await new Promise<void>((resolve) => huge.close(() => resolve()));
    }
  });

  test('next links that lead back to a page already read are a 412 at once, not a walk to the page limit', async () => {
    let requests = 0;
    // Every page's next link is the same second page: the second page links to itself.
    const response = await viewFetchingFrom(service.base, 'conditions', (port) => {
      requests++;
      const next = `http://127.0.0.1:${port}/fhir/Condition?_page=1`;
      return { resourceType: 'Bundle', type: 'searchset', link: [{ relation: 'next', url: next }] };
    });
    assert.equal(response.status, 412);
    assert.match((response.body as { issue: { diagnostics: string }[] }).issue[0]?.diagnostics ?? '', /loop/);
    assert.ok(requests <= 3, `${requests} requests`);
  });
});
