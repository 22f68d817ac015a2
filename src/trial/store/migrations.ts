/**
 * Versioned migrations: migrations/NNN-name.sql runs on both dialects, NNN-name.sqlite.sql or NNN-name.postgres.sql
 * only on that one. Applied versions are recorded in schema_migrations; each runs once, in order, in its own
 * transaction, so a store opened by a newer release upgrades itself and an older release refuses a newer database.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Db } from './db.ts';

const DIR = new URL('./migrations/', import.meta.url);

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export function migrationsFor(dialect: Db['dialect']): Migration[] {
  const byVersion = new Map<number, Migration[]>();
  for (const file of readdirSync(fileURLToPath(DIR)).sort()) {
    const m = /^(\d{3})-([a-z0-9-]+?)(?:\.(sqlite|postgres))?\.sql$/.exec(file);
    if (m === null || (m[3] !== undefined && m[3] !== dialect)) continue;
    const version = Number(m[1]);
    const list = byVersion.get(version) ?? [];
    list.push({ version, name: file, sql: readFileSync(new URL(file, DIR), 'utf8') });
    byVersion.set(version, list);
  }
  return [...byVersion.entries()]
    .sort(([a], [b]) => a - b)
    .map(([version, list]) => ({
      version,
      name: list.map((l) => l.name).join('+'),
      sql: list.map((l) => l.sql).join('\n'),
    }));
}

export const LATEST_VERSION = (): number => Math.max(...migrationsFor('sqlite').map((m) => m.version));

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
  for (const m of all) {
    if (applied.has(m.version)) continue;
    const record = `INSERT INTO schema_migrations (version, name, applied_at) VALUES (${m.version}, '${m.name}', '${new Date().toISOString()}');`;
    try {
      await db.exec(`BEGIN;\n${m.sql}\n${record}\nCOMMIT;`);
    } catch (error) {
      await db.exec('ROLLBACK').catch(() => undefined);
      // Another process opening the same new database may have applied it first: then it is done, not failed.
      if ((await appliedVersions(db)).has(m.version)) continue;
      throw error;
    }
    ran.push(m.version);
  }
  return ran;
}
