/**
 * A PostgreSQL OMOP database (a postgres:// URL) as the SqlRunner of sources/omop.ts, through `pg`. Connection
 * failures become one InputError that names the host, never the URL (which may hold a password).
 */
import pg from 'pg';
import { InputError } from '../../record/index.ts';
import type { SqlRunner } from './omop.ts';

export function isPostgresUrl(source: string): boolean {
  return /^postgres(?:ql)?:\/\//i.test(source);
}

function hostOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}${u.port === '' ? '' : `:${u.port}`}`;
  } catch {
    return 'the server';
  }
}

/**
 * What a connection failure means, in words, by its code (a PostgreSQL SQLSTATE, or Node's network error code): a
 * bare "28P01" does not tell a user that the password was refused. Never the server's own message, which may name
 * the user or the database.
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
  };
  return Object.hasOwn(why, code) ? (why[code] as string) : 'the connection failed';
}

export async function postgresRunner(url: string): Promise<SqlRunner> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'connection failed';
    await client.end().catch(() => undefined);
    throw new InputError(
      `cannot connect to the PostgreSQL database at ${hostOf(url)} (${code}): ${connectionFailure(code)}`,
      'screen.source.unreachable',
    );
  }
  // A connection the server drops between queries fails the next query; without a listener it would end the process.
  client.on('error', () => undefined);
  // pg gives bigint and numeric columns as text: person ids keep every digit; values are read with Number.
  return {
    dialect: 'postgres',
    rows: async (sql) => (await client.query({ text: sql, rowMode: 'array' })).rows as unknown[][],
    close: async () => {
      await client.end();
    },
  };
}
