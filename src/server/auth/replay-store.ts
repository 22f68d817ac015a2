/**
 * The `jti` replay cache kept in SQLite (better-sqlite3) when the service has a data directory: a token seen before
 * a restart is still refused after it while it could be valid, and several server processes sharing the directory
 * share the cache. One row per issuer and jti, kept until the token's expiry plus the skew.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { CLOCK_SKEW_SECONDS } from './cds-jwt.ts';
import type { ReplayGuard } from './cds-jwt.ts';

export class SqliteReplayCache implements ReplayGuard {
  private readonly db: Database.Database;
  private readonly upsert: Database.Statement;
  private readonly purge: Database.Statement;
  private calls = 0;

  constructor(dataDir: string) {
    mkdirSync(dataDir, { recursive: true });
    this.db = new Database(join(dataDir, 'cds-jti.sqlite'));
    this.db.pragma('journal_mode = WAL');
    this.db.exec('CREATE TABLE IF NOT EXISTS seen_jti (key TEXT PRIMARY KEY, until INTEGER NOT NULL) WITHOUT ROWID');
    // Inserts a new pair, or revives an expired one; a live pair is left alone (0 changes = replay).
    this.upsert = this.db.prepare(
      'INSERT INTO seen_jti (key, until) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET until = excluded.until WHERE seen_jti.until < ?',
    );
    this.purge = this.db.prepare('DELETE FROM seen_jti WHERE until < ?');
  }

  remember(issuer: string, jti: string, expiresAt: number, now: number): boolean {
    if (++this.calls % 1000 === 0) this.purge.run(now);
    return this.upsert.run(`${issuer}\u0000${jti}`, expiresAt + CLOCK_SKEW_SECONDS, now).changes === 1;
  }

  close(): void {
    this.db.close();
  }
}
