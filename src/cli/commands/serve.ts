/**
 * `trd serve [--port N] [--host H] [--public-url URL] [--cds-client ISS=JWKS ...] [--allow-unauthenticated]
 * [--data-dir DIR] [--workers N|auto] [--pathway FILE]`: the point-of-care service (REST API, CDS Hooks, clinician web app) on one
 * port, loopback by default. SIGTERM and SIGINT close the server gracefully (in-flight requests finish, new ones
 * get 503). With --workers above 1, several server processes share the port (src/server/cluster.ts).
 */
import cluster from 'node:cluster';
import type { Command } from 'commander';
import type { TrialStartOptions } from '../../server/trial/start.ts';
import { InputError, makeOutputFolder } from '../input.ts';

export interface ServeCliOptions {
  readonly port: string;
  readonly host: string;
  readonly publicUrl?: string;
  readonly cdsClient: string[];
  readonly allowUnauthenticated?: boolean;
  readonly dataDir: string;
  readonly workers: string;
  readonly trustProxy?: string[];
  readonly fhirServer?: string[];
  /** A care-pathway file to serve instead of the bundled one (as `trd assess --pathway`). */
  readonly pathway?: string;
}

export const DEFAULT_PORT = 8787;

/** What of the options only one server process can run (each process would hold its own trial), if anything. */
function oneProcessOnly(
  options: TrialStartOptions,
  sharedAcrossProcesses: (location: string) => boolean,
): string | undefined {
  if (options.demo === true) return 'the trial demo (--demo makes its own database in each process): use one process';
  if (options.trialDb !== undefined && !sharedAcrossProcesses(options.trialDb))
    return 'a trial store kept in one process (--trial-db :memory: or pglite:): use one process, or a SQLite file or a PostgreSQL URL';
  return undefined;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve the REST API, CDS Hooks services and the clinician web app (demo patients included)')
    .option('--port <n>', 'TCP port (0 picks a free one)', String(DEFAULT_PORT))
    .option('--host <host>', 'interface to listen on (default loopback only)', '127.0.0.1')
    .option('--public-url <url>', 'absolute URL clients use to reach this server (JWT aud); default http://HOST:PORT')
    .option(
      '--cds-client <iss=jwks>',
      'a trusted CDS client: its issuer and its JWKS (a file or an https URL); repeatable',
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .option('--allow-unauthenticated', 'accept CDS Hooks calls without a client JWT (demo and development only)')
    .option(
      '--data-dir <dir>',
      'where the service keeps its SQLite files (CDS feedback, JWT replay cache)',
      '.trd-data',
    )
    .option(
      '--workers <n>',
      'server processes sharing the port: a number, or auto (one per core, at most 8); the trial demo needs 1',
      '1',
    )
    .option(
      '--fhir-server <url>',
      "a FHIR server (base URL) the CDS services may read with a caller's fhirAuthorization; repeatable; default any",
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option(
      '--trust-proxy <addresses>',
      'the reverse proxies in front (IP, CIDR, or loopback); their X-Forwarded-For names the client; repeatable',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option('--pathway <file>', 'a care-pathway JSON file to serve instead of the bundled one')
    .option('--trial-db <location>', 'serve trial operations at /trial from this trial store (docs/trial-server.md)')
    .option('--demo', 'trial demo: INSIGHT on two sites with one account per role (random passwords, printed)')
    .action(async (options: ServeCliOptions & TrialStartOptions) => {
      // An empty host would make the server listen on every interface instead of loopback.
      if (options.host.trim() === '') {
        throw new InputError('--host must name an interface, e.g. 127.0.0.1 (loopback) or 0.0.0.0 (all)', 'serve.host');
      }
      makeOutputFolder('--data-dir', options.dataDir);
      // Loaded on use: the other commands never pay for fastify.
      // Bad options throw InputError, which the CLI's one boundary (src/cli/trd.ts) prints as one line, exit 2.
      const { parseWorkers } = await import('../../server/cluster.ts');
      const { startCluster, startService } = await import('../../server/start.ts');
      const { sharedAcrossProcesses } = await import('../../trial/store/open.ts');
      const workers = parseWorkers(options.workers, oneProcessOnly(options, sharedAcrossProcesses));
      const { createEngine } = await import('../../engine/index.ts');
      // A pathway file that does not load is one line before anything listens (the primary checks it too).
      const engine = createEngine(options.pathway === undefined ? {} : { pathway: options.pathway });
      if (options.pathway !== undefined && !cluster.isWorker) {
        const { id, version } = engine.knowledge.pathway;
        process.stdout.write(`Care pathway ${id} ${version} from ${options.pathway} (not the bundled one).\n`);
      }
      // The primary forks the server processes; each runs this same action as a lone server (cluster.isWorker).
      if (workers > 1 && cluster.isPrimary) return startCluster(options, workers);
      const { trialPlugin } = await import('../../server/trial/start.ts');
      // Under --workers, the first server process alone prints the trial store's lines (the primary opens no store).
      const quiet = cluster.isWorker && cluster.worker?.id !== 1;
      const trial = await trialPlugin(options, engine, (line) => {
        if (!quiet) process.stdout.write(`${line}\n`);
      });
      await startService(options, { engine, ...(trial === undefined ? {} : { plugins: [trial] }) });
    });
}
