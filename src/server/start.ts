/**
 * Starting the service from the command line: options checked (one-line InputError), the server built, listening,
 * the address printed, and a graceful close on SIGTERM / SIGINT. Kept apart from the commander wiring so tests and
 * other commands can start the same service.
 */
import { createEngine, InputError } from '../engine/index.ts';
import { buildServer } from './app.ts';
import type { ServerOptions } from './app.ts';
import { parseCdsClient } from './auth/jwks.ts';

export interface StartOptions {
  readonly port: string;
  readonly host: string;
  readonly publicUrl?: string;
  readonly cdsClient: readonly string[];
  readonly allowUnauthenticated?: boolean;
  readonly dataDir: string;
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

export async function startService(options: StartOptions, extra: Partial<ServerOptions> = {}): Promise<void> {
  let port: number;
  let serverOptions: ServerOptions;
  try {
    port = parsePort(options.port);
    serverOptions = {
      ...extra,
      cdsClients: options.cdsClient.map(parseCdsClient),
      allowUnauthenticated: options.allowUnauthenticated === true,
      dataDir: options.dataDir,
      ...(options.publicUrl === undefined ? {} : { publicUrl: parsePublicUrl(options.publicUrl) }),
    };
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    process.stderr.write(`trd: ${error.message}\n`);
    process.exitCode = 2;
    return;
  }
  // One engine (knowledge loaded once) for every feature of the server; features receive it through `extra`.
  const app = await buildServer({ ...serverOptions, engine: extra.engine ?? createEngine() });
  const address = await app.listen({ port, host: options.host });
  app.log.info(
    { address, cdsClients: serverOptions.cdsClients?.map((c) => ({ iss: c.issuer, jwks: c.jwksSource })) },
    'listening',
  );
  if (serverOptions.allowUnauthenticated === true) {
    app.log.warn('CDS Hooks client authentication is OFF (--allow-unauthenticated): for the demo and development only');
    process.stdout.write(
      'CDS Hooks client authentication is OFF (--allow-unauthenticated): demo and development only\n',
    );
  } else if ((serverOptions.cdsClients?.length ?? 0) === 0) {
    app.log.warn('no --cds-client given: every CDS Hooks call will be refused (401)');
  }
  process.stdout.write(`precision-trd service listening on ${address} (open ${address}/ in a browser)\n`);
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
