/**
 * A PostgreSQL connection that fails, told in words: the one explanation for every command that connects to a
 * PostgreSQL server (`trd screen` of an OMOP database, src/screen/sources/postgres.ts; the trial store of `trd trial`
 * and `trd serve --trial-db`, src/trial/store/postgres.ts). The line names the host and port, never the URL (which may
 * hold a password), and never the server's message (which may name the user or the database).
 */
import { InputError } from '../record/issues.ts';

/**
 * The host and port of a postgres:// URL, never its user or password. A Unix socket's folder, as pg reads it from
 * the URL (`postgres:///omop?host=/var/run/postgresql`, or percent-encoded as the host), is the host, so that the
 * line names where pg looked (it named nothing: "at  (ENOENT)").
 */
export function postgresHost(url: string): string {
  try {
    const u = new URL(url);
    const host = u.searchParams.get('host') ?? decodeURIComponent(u.hostname);
    const port = u.port === '' ? (u.searchParams.get('port') ?? '') : u.port;
    return `${host === '' ? 'localhost' : host}${port === '' ? '' : `:${port}`}`;
  } catch {
    return 'the server';
  }
}

/** Node's TLS errors of a certificate it could not verify (a private CA, a self-signed or expired certificate). */
const TLS_CERTIFICATE_CODES: ReadonlySet<string> = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * What a connection failure means, in words, by its code (a PostgreSQL SQLSTATE, or Node's network error code): a
 * bare "28P01" does not tell a user that the password was refused.
 */
export function connectionFailure(code: string): string {
  const why: Readonly<Record<string, string>> = {
    '28P01': 'the server refused the user name or password',
    '28000': 'the server refused this user from this address (authentication or pg_hba.conf)',
    '3D000': 'the server has no database of that name',
    '53300': 'the server has no free connection',
    '57P03': 'the server is starting up or shutting down',
    ECONNREFUSED: 'nothing listens at that address and port',
    ENOTFOUND: 'no such host',
    EAI_AGAIN: 'the host name could not be looked up',
    ETIMEDOUT: 'no answer in time',
    EHOSTUNREACH: 'the host cannot be reached',
    // A Unix socket (a host that is a folder): no socket file there.
    ENOENT: 'no server socket in that folder (the server is not running, or its unix_socket_directories is another)',
    // pg's own failures, which carry no code (pgFailure).
    'no password': 'the server asks for a password and none was given (in the URL, PGPASSWORD or ~/.pgpass)',
    timeout: 'the server accepted the connection but did not answer in time',
    'no SSL': 'the URL asks for SSL (sslmode) and the server does not offer it',
  };
  // The server's certificate, with an sslmode that verifies it (pg takes require as verify-full).
  if (TLS_CERTIFICATE_CODES.has(code)) {
    return "the server's TLS certificate could not be verified (give its certificate authority with sslrootcert=FILE in the URL)";
  }
  return Object.hasOwn(why, code) ? (why[code] as string) : 'the connection failed';
}

/**
 * A failure pg reports without a code, by its message (never shown: it may quote the server): a server that asks for
 * a SCRAM password when the URL gives none (pg: "client password must be a string"), which a site whose password is
 * meant to come from elsewhere meets first; and a server that accepted the connection but never answered (pg's
 * connection timeout: "timeout expired"), a proxy or a server too busy to start a session.
 */
function pgFailure(error: unknown): string | undefined {
  const message = error instanceof Error ? error.message : '';
  if (/client password must be a (?:non-empty )?string/.test(message)) return 'no password';
  if (message === 'timeout expired') return 'timeout';
  if (message === 'The server does not support SSL connections') return 'no SSL';
  return undefined;
}

/**
 * A failed connection to the PostgreSQL database at `url` as one InputError (`issueCode` says whose database):
 * `cannot connect to the PostgreSQL database at HOST:PORT (ECONNREFUSED): nothing listens at that address and port`.
 */
export function cannotConnect(url: string, error: unknown, issueCode: string): InputError {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const shown = typeof code === 'string' ? code : (pgFailure(error) ?? 'connection failed');
  return new InputError(
    `cannot connect to the PostgreSQL database at ${postgresHost(url)} (${shown}): ${connectionFailure(shown)}`,
    issueCode,
  );
}
