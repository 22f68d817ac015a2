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

export async function postgresRunner(url: string): Promise<SqlRunner> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'connection failed';
    await client.end().catch(() => undefined);
    throw new InputError(
      `cannot connect to the PostgreSQL database at ${hostOf(url)} (${code})`,
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
