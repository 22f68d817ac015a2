/**
 * A PostgreSQL OMOP database (a postgres:// URL) as the SqlRunner of sources/omop.ts, through `pg`. Connection
 * failures become one InputError that names the host, never the URL (which may hold a password): the explanation
 * every PostgreSQL connection shares (src/io/postgres-connection.ts).
 */
import pg from 'pg';
import { InputError } from '../../record/index.ts';
import { cannotConnect, postgresHost } from '../../io/postgres-connection.ts';
import type { SqlRunner } from './omop.ts';

export function isPostgresUrl(source: string): boolean {
  return /^postgres(?:ql)?:\/\//i.test(source);
}

/**
 * Why the server failed a query, by its SQLSTATE: the failures of the server or its settings, not of the query;
 * never the server's message, which may quote data.
 */
const QUERY_FAILURES: Readonly<Record<string, string>> = {
  '57P01': 'the server ended the connection (an administrator, or a restart)',
  '57P02': 'the server ended the connection (a crash of another session)',
  '57P03': 'the server is starting up or shutting down',
  '57014': 'the server cancelled the query (a statement_timeout set for this user or database, or an administrator)',
  '42501': 'this database user may not read a table the screen reads',
  '53100': 'the server is out of disk space',
  '53200': 'the server is out of memory',
  '25P03': 'the server ended an idle transaction (idle_in_transaction_session_timeout)',
};

/** What a query's failure means, in words, by its SQLSTATE (class 08: the connection failed). */
export function queryFailure(code: string): string {
  if (Object.hasOwn(QUERY_FAILURES, code)) return QUERY_FAILURES[code] as string;
  return code.startsWith('08') ? 'the connection failed' : 'the server refused the query';
}

/**
 * A query's failure as one InputError naming the host (never the URL): a SQLSTATE in words, or a connection lost
 * between or during queries (a network cut, a restart), which pg reports without a SQLSTATE. The screen keeps its
 * checkpoint, so the same command resumes. Any other error is left as it is.
 */
function failedQuery(url: string, error: unknown): unknown {
  const code = (error as { code?: unknown }).code;
  const resume = 'run the same command again to resume';
  // Only the server's own failures: an error in the screen's SQL stays an internal error, which a run again repeats.
  if (typeof code === 'string' && (Object.hasOwn(QUERY_FAILURES, code) || /^08[0-9A-Z]{3}$/.test(code))) {
    return new InputError(
      `a query to the PostgreSQL database at ${postgresHost(url)} failed (${code}): ${queryFailure(code)}; ${resume}`,
      'screen.source.query',
    );
  }
  const message = error instanceof Error ? error.message : '';
  if (
    code === 'ECONNRESET' ||
    code === 'EPIPE' ||
    /Connection terminated|not queryable|ended by the other party/i.test(message)
  ) {
    return new InputError(
      `the connection to the PostgreSQL database at ${postgresHost(url)} was lost; ${resume}`,
      'screen.source.lost',
    );
  }
  return error;
}

export async function postgresRunner(url: string): Promise<SqlRunner> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw cannotConnect(url, error, 'screen.source.unreachable');
  }
  // A connection the server drops between queries fails the next query; without a listener it would end the process.
  client.on('error', () => undefined);
  // pg gives bigint and numeric columns as text: person ids keep every digit; values are read with Number.
  return {
    dialect: 'postgres',
    rows: async (sql) => {
      try {
        return (await client.query({ text: sql, rowMode: 'array' })).rows as unknown[][];
      } catch (error) {
        throw failedQuery(url, error);
      }
    },
    close: async () => {
      await client.end();
    },
  };
}
