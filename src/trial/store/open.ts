/**
 * Opens the trial store named by a location, runs its migrations, and returns the port:
 * - a file path or `sqlite:<path>`: SQLite (the embedded default);
 * - `postgres://...` or `postgresql://...`: a PostgreSQL server (multicentre);
 * - `pglite:memory` or `pglite:<dir>`: PGlite, PostgreSQL in-process (tests).
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { loadInstruments } from '../../instruments/load.ts';
import { loadKnowledge } from '../../knowledge/load.ts';
import { InputError } from '../../record/index.ts';
import { loadCtcae } from '../../safety/load.ts';
import type { Db } from './db.ts';
import { migrate } from './migrations.ts';
import type { OpenOptions, TrialStore } from './port.ts';
import { openPgliteDb, openPgPoolDb } from './postgres.ts';
import { openSqliteDb } from './sqlite.ts';
import { SqlTrialStore, type StoreKnowledge } from './sql-store.ts';

let bundled: StoreKnowledge | undefined;

/**
 * The bundled instruments, CTCAE tables and the pathway's plausible CRP, safety lab and body weight ranges, read once
 * per process.
 */
export function bundledStoreKnowledge(): StoreKnowledge {
  if (bundled === undefined) {
    const tables = new Map<string, ReturnType<typeof loadCtcae>>();
    const { pathway } = loadKnowledge();
    const { plausibility } = pathway.definitions;
    bundled = {
      instruments: loadInstruments(),
      pathway,
      crpPlausible: plausibility.crpMgPerL,
      labPlausible: plausibility.safetyLabs,
      bodyWeightPlausible: plausibility.bodyWeightKg,
      ctcae(version) {
        let t = tables.get(version);
        if (t === undefined) {
          t = loadCtcae(version);
          tables.set(version, t);
        }
        return t;
      },
    };
  }
  return bundled;
}

export type StoreLocation =
  { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string } | { kind: 'pglite'; dir: string | null };

export function parseLocation(location: string): StoreLocation {
  const l = location.trim();
  if (l === '')
    throw new InputError('trial database: give a file path, sqlite:<path>, postgres://... or pglite:memory');
  if (/^postgres(ql)?:\/\//.test(l)) return { kind: 'postgres', url: l };
  if (l.startsWith('pglite:')) {
    const rest = l.slice('pglite:'.length);
    return { kind: 'pglite', dir: rest === 'memory' || rest === '' ? null : rest };
  }
  return { kind: 'sqlite', path: l.startsWith('sqlite:') ? l.slice('sqlite:'.length) : l };
}

/**
 * Can several processes open this store and see one trial? A SQLite file or a PostgreSQL server can; an in-memory
 * SQLite database or PGlite (in-process PostgreSQL) belongs to the process that opened it.
 */
export function sharedAcrossProcesses(location: string): boolean {
  const where = parseLocation(location);
  return where.kind === 'postgres' || (where.kind === 'sqlite' && where.path !== ':memory:');
}

export async function openDb(location: string): Promise<Db> {
  const where = parseLocation(location);
  switch (where.kind) {
    case 'sqlite':
      // The folder is made as `trd serve --data-dir` makes its own: a new trial's database needs no setup step.
      if (where.path !== ':memory:') mkdirSync(dirname(resolve(where.path)), { recursive: true });
      return openSqliteDb(where.path);
    case 'postgres':
      return openPgPoolDb(where.url);
    case 'pglite': {
      const { PGlite } = await import('@electric-sql/pglite');
      const pglite = where.dir === null ? new PGlite() : new PGlite(where.dir);
      await pglite.waitReady;
      return openPgliteDb(pglite);
    }
  }
}

/** The store at `location`, migrated to the current schema. */
export async function openTrialStore(location: string, options: OpenOptions = {}): Promise<SqlTrialStore> {
  const db = await openDb(location);
  try {
    await migrate(db);
  } catch (error) {
    await db.close().catch(() => undefined);
    throw error;
  }
  return new SqlTrialStore(db, bundledStoreKnowledge(), options.clock);
}

export type { TrialStore };
