/**
 * PostgreSQL through pg (a Pool: one client per transaction) or PGlite (one in-process connection, serialised with a
 * Mutex). The store's SQL is written with `?`; it is rewritten to $1, $2, ... once per statement text. Counts come
 * back as strings from pg (bigint); the store converts them.
 */
import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { cannotConnect } from '../../io/postgres-connection.ts';
import type { Db, SqlValue, Tx } from './db.ts';
import { Mutex, numberedPlaceholders } from './db.ts';

const rewritten = new Map<string, string>();
const pgSql = (sql: string): string => {
  let s = rewritten.get(sql);
  if (s === undefined) {
    s = numberedPlaceholders(sql);
    rewritten.set(sql, s);
  }
  return s;
};

interface Queryable {
  query(sql: string, params: unknown[]): Promise<{ rows: unknown[]; rowCount?: number | null; affectedRows?: number }>;
}

function txOver(q: Queryable): Tx {
  return {
    all: async <T>(sql: string, params: readonly SqlValue[] = []) =>
      (await q.query(pgSql(sql), [...params])).rows as T[],
    get: async <T>(sql: string, params: readonly SqlValue[] = []) =>
      (await q.query(pgSql(sql), [...params])).rows[0] as T | undefined,
    run: async (sql: string, params: readonly SqlValue[] = []) => {
      const r = await q.query(pgSql(sql), [...params]);
      return r.rowCount ?? r.affectedRows ?? 0;
    },
  };
}

export function openPgPoolDb(connectionString: string): Db {
  const pool = new pg.Pool({ connectionString, max: 10 });
  // A server restart or an administrator's terminate drops idle connections; the pool discards them and connects
  // afresh on the next transaction, but an 'error' event without a listener would end the whole process.
  pool.on('error', () => undefined);
  // pool.end() resolves once the goodbye is sent, not once the server has let go; close() waits for each socket to
  // close so a caller may drop the database straight after.
  const live = new Set<pg.PoolClient>();
  pool.on('connect', (client) => {
    live.add(client);
    client.once('end', () => live.delete(client));
  });
  // A server that is down or refuses when the store is opened (`trd trial`, `trd serve --trial-db` starting): one line
  // in words, the explanation `trd screen` gives too, not pg's bare `connect ECONNREFUSED`. Only until a connection
  // has succeeded: a running service that loses its server later answers with an internal error, never a 400 naming
  // the database host to a web client. A query's own failure is left as it is.
  let connected = false;
  const connect = async (): Promise<pg.PoolClient> => {
    try {
      const client = await pool.connect();
      connected = true;
      return client;
    } catch (error) {
      throw connected ? error : cannotConnect(connectionString, error, 'trial.db.unreachable');
    }
  };
  return {
    dialect: 'postgres',
    async transaction(mode, fn) {
      const client = await connect();
      try {
        await client.query(mode === 'write' ? 'BEGIN ISOLATION LEVEL READ COMMITTED' : 'BEGIN READ ONLY');
        const result = await fn(txOver(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    async exec(script) {
      const client = await connect();
      try {
        await client.query(script);
      } finally {
        client.release();
      }
    },
    async close() {
      const closed = [...live].map((client) => new Promise((resolve) => client.once('end', resolve)));
      await pool.end();
      await Promise.all(closed);
    },
  };
}

export function openPgliteDb(db: PGlite): Db {
  const mutex = new Mutex();
  const q: Queryable = { query: (sql, params) => db.query(sql, params) };
  return {
    dialect: 'postgres',
    transaction: (mode, fn) =>
      mutex.run(async () => {
        await db.exec(mode === 'write' ? 'BEGIN' : 'BEGIN READ ONLY');
        try {
          const result = await fn(txOver(q));
          await db.exec('COMMIT');
          return result;
        } catch (error) {
          await db.exec('ROLLBACK').catch(() => undefined);
          throw error;
        }
      }),
    exec: (script) => mutex.run(async () => void (await db.exec(script))),
    close: () => mutex.run(() => db.close()),
  };
}
