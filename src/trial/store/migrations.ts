/**
 * Versioned migrations: migrations/NNN-name.ts exports `sql` (both dialects) or `sqlite` and `postgres` (one text per
 * dialect). Applied versions are recorded in schema_migrations; each runs once, in order, in its own transaction, so
 * a store opened by a newer release upgrades itself and an older release refuses a newer database. The SQL lives in
 * TypeScript modules so the build carries it with the code.
 */
import type { Db } from './db.ts';
import * as v001 from './migrations/001-initial.ts';
import * as v002 from './migrations/002-audit-append-only.ts';
import * as v003 from './migrations/003-sign-in-attempts.ts';
import * as v004 from './migrations/004-record-versions.ts';
import * as v005 from './migrations/005-site-time-zones.ts';
import * as v006 from './migrations/006-baseline-crp-unit.ts';
import * as v007 from './migrations/007-censored-results.ts';
import * as v008 from './migrations/008-alert-action-taken.ts';
import * as v009 from './migrations/009-demographics.ts';
import * as v010 from './migrations/010-participant-code-per-site.ts';

type MigrationModule = { sql: string } | { sqlite: string; postgres: string };

/** Add a migration here: never edit or remove one that has shipped. */
const MIGRATIONS: readonly (readonly [number, string, MigrationModule])[] = [
  [1, '001-initial', v001],
  [2, '002-audit-append-only', v002],
  [3, '003-sign-in-attempts', v003],
  [4, '004-record-versions', v004],
  [5, '005-site-time-zones', v005],
  [6, '006-baseline-crp-unit', v006],
  [7, '007-censored-results', v007],
  [8, '008-alert-action-taken', v008],
  [9, '009-demographics', v009],
  [10, '010-participant-code-per-site', v010],
];

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export function migrationsFor(dialect: Db['dialect']): Migration[] {
  return MIGRATIONS.map(([version, name, m]) => ({ version, name, sql: 'sql' in m ? m.sql : m[dialect] }));
}

const appliedVersions = async (db: Db): Promise<Set<number>> =>
  new Set(
    (await db.transaction('read', (tx) => tx.all<{ version: number }>('SELECT version FROM schema_migrations'))).map(
      (r) => Number(r.version),
    ),
  );

export async function migrate(db: Db): Promise<number[]> {
  await db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
  );
  const applied = await appliedVersions(db);
  const all = migrationsFor(db.dialect);
  const newest = Math.max(...all.map((m) => m.version));
  const unknown = [...applied].filter((v) => v > newest);
  if (unknown.length > 0) {
    throw new Error(
      `the trial database has schema version ${Math.max(...unknown)}, newer than this release (${newest})`,
    );
  }
  const ran: number[] = [];
  // SQLite changes a table's constraints only by rebuilding it (new table, copy, drop, rename), which foreign keys
  // referencing it would refuse: as SQLite's ALTER TABLE page prescribes, its migrations run with foreign keys off
  // (a pragma that is a no-op inside a transaction) and each is checked with foreign_key_check before its commit, a
  // violation failing the CHECK and so the migration.
  const sqlite = db.dialect === 'sqlite';
  const fkCheck = sqlite
    ? 'CREATE TEMP TABLE migration_fk_check (violations INTEGER NOT NULL CHECK (violations = 0));\nINSERT INTO migration_fk_check SELECT COUNT(*) FROM pragma_foreign_key_check;\nDROP TABLE migration_fk_check;'
    : '';
  if (sqlite) await db.exec('PRAGMA foreign_keys = OFF');
  try {
    for (const m of all) {
      if (applied.has(m.version)) continue;
      const record = `INSERT INTO schema_migrations (version, name, applied_at) VALUES (${m.version}, '${m.name}', '${new Date().toISOString()}');`;
      try {
        await db.exec(`BEGIN;\n${m.sql}\n${fkCheck}\n${record}\nCOMMIT;`);
      } catch (error) {
        await db.exec('ROLLBACK').catch(() => undefined);
        // Another process opening the same new database may have applied it first: then it is done, not failed.
        if ((await appliedVersions(db)).has(m.version)) continue;
        throw error;
      }
      ran.push(m.version);
    }
  } finally {
    if (sqlite) await db.exec('PRAGMA foreign_keys = ON');
  }
  return ran;
}
