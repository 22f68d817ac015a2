/**
 * The little the store needs from a database: statements with `?` placeholders (rewritten to $1, $2, ... for
 * PostgreSQL) run inside a transaction. Adapters: sqlite.ts (better-sqlite3) and postgres.ts (pg Pool or PGlite).
 */
export type SqlValue = string | number | null;

export interface Tx {
  all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  get<T>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  /** Returns the number of rows changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
}

export interface Db {
  readonly dialect: 'sqlite' | 'postgres';
  /**
   * Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. `write` transactions are
   * serialised against each other (SQLite: BEGIN IMMEDIATE; PostgreSQL: the audit head row is locked FOR UPDATE by
   * the store's first statement).
   */
  transaction<T>(mode: 'read' | 'write', fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** Runs a migration script (several statements) outside any other transaction. */
  exec(script: string): Promise<void>;
  close(): Promise<void>;
}

/** `?` placeholders to `$1`, `$2`, ... (the store's SQL has no `?` inside string literals). */
export function numberedPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** Serialises async work on one connection: a second transaction waits until the first has committed. */
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn, fn);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
