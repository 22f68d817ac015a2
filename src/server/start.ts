/**
 * Starting the service from the command line: options checked (bad ones throw a one-line InputError), the server
 * built, listening, the address printed, and a graceful close on SIGTERM / SIGINT; or, with --workers above 1,
 * several such server processes under one primary (cluster.ts). Kept apart from the commander wiring so tests and
 * other commands can start the same service.
 */
import cluster from 'node:cluster';
import { isIP } from 'node:net';
import { createEngine, InputError } from '../engine/index.ts';
import { buildServer } from './app.ts';
import type { ServerOptions } from './app.ts';
import { parseCdsClient } from './auth/jwks.ts';
import { SqliteReplayCache } from './auth/replay-store.ts';
import { FeedbackStore } from './cds-hooks/feedback-store.ts';
import { onLoopback } from './cds-hooks/routes.ts';
import { runCluster } from './cluster.ts';

export interface StartOptions {
  readonly port: string;
  readonly host: string;
  readonly publicUrl?: string;
  readonly cdsClient: readonly string[];
  readonly allowUnauthenticated?: boolean;
  readonly dataDir: string;
  /** `--fhir-server`: the FHIR servers the CDS services may read (ServerOptions.fhirServers). */
  readonly fhirServer?: readonly string[];
  /** `--trust-proxy`: the reverse proxies in front (ServerOptions.trustProxy). */
  readonly trustProxy?: readonly string[];
}

export function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d{1,5}$/.test(value) || port > 65535) throw new InputError('--port must be an integer 0-65535');
  return port;
}

/** An absolute http(s) URL without a trailing slash, query or fragment. */
export function parsePublicUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InputError('--public-url must be an absolute http(s) URL');
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.search !== '' || url.hash !== '') {
    throw new InputError('--public-url must be an absolute http(s) URL without query or fragment');
  }
  return url.href.replace(/\/+$/, '');
}

/** A `--fhir-server` base URL: https (http only on loopback, as for a call's fhirServer), no query or fragment. */
export function parseFhirServer(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InputError('--fhir-server must be an absolute https URL (the FHIR base)');
  }
  const scheme = url.protocol === 'https:' || (url.protocol === 'http:' && onLoopback(url));
  if (!scheme || url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw new InputError('--fhir-server must be an absolute https URL (the FHIR base) without query or fragment');
  }
  return url.href.replace(/\/+$/, '');
}

/** The names proxy-addr (fastify's trustProxy) gives to address ranges. */
const PROXY_RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/** `--trust-proxy` values: each an IP address, an address/prefix (CIDR), or a range name; comma-separated or repeated. */
export function parseTrustProxy(values: readonly string[]): string[] {
  const entries = values.flatMap((v) => v.split(',')).map((v) => v.trim());
  for (const entry of entries) {
    const [address = '', prefix, extra] = entry.split('/');
    const family = isIP(address);
    const prefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 6 ? 128 : 32));
    if (!(PROXY_RANGE_NAMES.includes(entry) || (family !== 0 && prefixOk && extra === undefined))) {
      throw new InputError(
        '--trust-proxy takes IP addresses, address/prefix ranges, or loopback, linklocal, uniquelocal',
      );
    }
  }
  return entries;
}

/** The server's options from the command line's; bad ones throw InputError (one line) before anything starts. */
function serverOptionsOf(options: StartOptions, extra: Partial<ServerOptions>): ServerOptions {
  return {
    ...extra,
    cdsClients: options.cdsClient.map(parseCdsClient),
    allowUnauthenticated: options.allowUnauthenticated === true,
    dataDir: options.dataDir,
    ...(options.publicUrl === undefined ? {} : { publicUrl: parsePublicUrl(options.publicUrl) }),
    ...(options.trustProxy === undefined ? {} : { trustProxy: parseTrustProxy(options.trustProxy) }),
    ...(options.fhirServer === undefined ? {} : { fhirServers: options.fhirServer.map(parseFhirServer) }),
  };
}

const AUTH_OFF = 'CDS Hooks client authentication is OFF (--allow-unauthenticated): demo and development only';
const listeningLine = (address: string, processes: string): string =>
  `precision-trd service listening on ${address}${processes} (open ${address}/ in a browser)\n`;

export async function startService(options: StartOptions, extra: Partial<ServerOptions> = {}): Promise<void> {
  const port = parsePort(options.port);
  const serverOptions = serverOptionsOf(options, extra);
  // One engine (knowledge loaded once) for every feature of the server; features receive it through `extra`.
  const engine = extra.engine ?? createEngine();
  const app = await buildServer({ ...serverOptions, engine });
  const address = await app.listen({ port, host: options.host });
  const { id, version } = engine.pathway;
  app.log.info(
    {
      address,
      cdsClients: serverOptions.cdsClients?.map((c) => ({ iss: c.issuer, jwks: c.jwksSource })),
      pathway: `${id} ${version}`,
    },
    'listening',
  );
  // In a cluster the primary speaks for the service on standard output (startCluster); each process still logs.
  const announce = !cluster.isWorker;
  if (serverOptions.allowUnauthenticated === true) {
    app.log.warn(AUTH_OFF);
    if (announce) process.stdout.write(`${AUTH_OFF}\n`);
  } else if ((serverOptions.cdsClients?.length ?? 0) === 0) {
    app.log.warn('no --cds-client given: every CDS Hooks call will be refused (401)');
  }
  if (announce) process.stdout.write(listeningLine(address, ''));
  let closing = false;
  const close = (signal: string): void => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'closing');
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => close('SIGTERM'));
  process.once('SIGINT', () => close('SIGINT'));
}

/** Creates the service's SQLite files (and their tables) in DATA_DIR, as one process, before several open them. */
export function prepareDataDir(dataDir: string): void {
  new FeedbackStore(dataDir).close();
  new SqliteReplayCache(dataDir).close();
}

/**
 * `trd serve --workers N` (N > 1), in the primary process: the options are checked and the SQLite files created
 * here, once, before N processes open them; each server process then runs this command line as a lone
 * `trd serve` (startService). Ends the process when the service ends.
 */
export async function startCluster(options: StartOptions, workers: number): Promise<never> {
  parsePort(options.port);
  const serverOptions = serverOptionsOf(options, {});
  prepareDataDir(options.dataDir);
  const code = await runCluster({
    workers,
    onListening: (address) => {
      if (serverOptions.allowUnauthenticated === true) process.stdout.write(`${AUTH_OFF}\n`);
      process.stdout.write(listeningLine(address, `, ${workers} server processes`));
    },
    warn: (line) => process.stderr.write(`trd: ${line}\n`),
  });
  process.exit(code);
}
