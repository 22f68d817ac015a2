/**
 * A small FHIR R4 REST server for tests (node:http on 127.0.0.1 port 0): reads (`Patient/{id}`) and searches by
 * `patient` over a fixed set of resources, paged with absolute `next` links, as FHIR R4 servers page searchsets: a
 * search's `_count` is the page size, clamped to `maxPageSize` as servers clamp it; without one, `pageSize`. It
 * records every request with its Authorization header.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FhirResourceJson } from '../server.test-support.ts';

export interface TestFhirServer {
  readonly baseUrl: string;
  readonly requests: { path: string; authorization?: string }[];
  close(): Promise<void>;
}

function subjectOf(resource: FhirResourceJson): string | undefined {
  const ref = (resource.subject ?? resource.patient) as { reference?: string } | undefined;
  return ref?.reference;
}

export async function startFhirServer(
  resources: readonly FhirResourceJson[],
  pageSize = 2,
  maxPageSize = pageSize,
): Promise<TestFhirServer> {
  const requests: TestFhirServer['requests'] = [];
  let baseUrl = '';
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://placeholder');
    requests.push({
      path: `${url.pathname}${url.search}`,
      ...(req.headers.authorization === undefined ? {} : { authorization: req.headers.authorization }),
    });
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/fhir+json' });
      res.end(JSON.stringify(body));
    };
    const parts = url.pathname
      .replace(/^\/fhir\/?/, '')
      .split('/')
      .filter(Boolean);
    if (parts.length === 2) {
      const found = resources.find((r) => r.resourceType === parts[0] && r.id === parts[1]);
      return found === undefined ? send(404, { resourceType: 'OperationOutcome', issue: [] }) : send(200, found);
    }
    const type = parts[0];
    const patient = url.searchParams.get('patient');
    const codes = url.searchParams.get('code')?.split(',');
    const matches = resources.filter((r) => {
      if (r.resourceType !== type || subjectOf(r) !== `Patient/${patient}`) return false;
      if (codes === undefined) return true;
      const coding = (r.code as { coding?: { system?: string; code?: string }[] } | undefined)?.coding ?? [];
      return coding.some((c) => codes.includes(`${c.system}|${c.code}`));
    });
    const page = Number(url.searchParams.get('_page') ?? '0');
    const asked = Number(url.searchParams.get('_count') ?? pageSize);
    const size = Math.min(Number.isInteger(asked) && asked > 0 ? asked : pageSize, maxPageSize);
    const slice = matches.slice(page * size, (page + 1) * size);
    const link = [{ relation: 'self', url: `${baseUrl}${url.pathname.replace(/^\/fhir/, '')}${url.search}` }];
    if ((page + 1) * size < matches.length) {
      const next = new URL(url.href);
      next.searchParams.set('_page', String(page + 1));
      link.push({ relation: 'next', url: `${baseUrl}${next.pathname.replace(/^\/fhir/, '')}${next.search}` });
    }
    send(200, {
      resourceType: 'Bundle',
      type: 'searchset',
      total: matches.length,
      link,
      entry: slice.map((resource) => ({ resource, search: { mode: 'match' } })),
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/fhir`;
  return {
    baseUrl,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
