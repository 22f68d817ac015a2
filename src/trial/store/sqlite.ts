/**
 * SQLite through better-sqlite3 12: WAL journal (readers never block the writer, a crash loses no committed
 * transaction), synchronous=FULL (each commit is on disk before it is acknowledged), foreign keys on, and a busy
 * timeout so a second process waits for the write lock instead of failing. better-sqlite3 is synchronous; the async
 * store calls are serialised per database file with a Mutex so an await inside one transaction never lets another
 * transaction's statements in. Write transactions use BEGIN IMMEDIATE: the write lock is taken at the start, so two
 * processes never both read the same next slot.
 */
import { resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { Db, SqlValue, Tx } from './db.ts';
import { Mutex } from './db.ts';

/**
 * One Mutex per database file in this process. better-sqlite3 waits for a lock synchronously (busy_timeout), which
 * blocks the thread: if a second connection in the same process waited for the first, the first could never finish
 * its transaction. Connections to one file therefore queue in-process, and only other processes wait on the lock.
 */
const mutexes = new Map<string, Mutex>();
function mutexFor(path: string): Mutex {
  const key = path === ':memory:' ? `${path}#${mutexes.size}` : resolve(path);
  let m = mutexes.get(key);
  if (m === undefined) {
    m = new Mutex();
    mutexes.set(key, m);
  }
  return m;
}

export function openSqliteDb(path: string): Db & { readonly raw: Database.Database } {
  const raw = new Database(path);
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = FULL');
  raw.pragma('foreign_keys = ON');
  raw.pragma('busy_timeout = 10000');
  const mutex = mutexFor(path);
  const statements = new Map<string, Database.Statement>();
  const prepare = (sql: string): Database.Statement => {
    let s = statements.get(sql);
    if (s === undefined) {
      s = raw.prepare(sql);
      statements.set(sql, s);
    }
    return s;
  };
  const tx: Tx = {
    all: async <T>(sql: string, params: readonly SqlValue[] = []) => prepare(sql).all(...params) as T[],
    get: async <T>(sql: string, params: readonly SqlValue[] = []) => prepare(sql).get(...params) as T | undefined,
    run: async (sql: string, params: readonly SqlValue[] = []) => prepare(sql).run(...params).changes,
  };
  return {
    dialect: 'sqlite',
    raw,
    transaction: (mode, fn) =>
      mutex.run(async () => {
        raw.exec(mode === 'write' ? 'BEGIN IMMEDIATE' : 'BEGIN');
        try {
          const result = await fn(tx);
          raw.exec('COMMIT');
          return result;
        } catch (error) {
          if (raw.inTransaction) raw.exec('ROLLBACK');
          throw error;
        }
      }),
    exec: (script) =>
      mutex.run(async () => {
        statements.clear();
        raw.exec(script);
      }),
    close: () =>
      mutex.run(async () => {
        raw.close();
      }),
  };
}
