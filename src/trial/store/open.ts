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
import type { Pathway } from '../../knowledge/schema-pathway.ts';
import { InputError } from '../../record/index.ts';
import { loadCtcae } from '../../safety/load.ts';
import type { Db } from './db.ts';
import { migrate } from './migrations.ts';
import type { OpenOptions, TrialStore } from './port.ts';
import { openPgliteDb, openPgPoolDb } from './postgres.ts';
import { openSqliteDb } from './sqlite.ts';
import { SqlTrialStore, type StoreKnowledge } from './sql-store.ts';

let bundled: StoreKnowledge | undefined;
let instruments: StoreKnowledge['instruments'] | undefined;
const ctcaeTables = new Map<string, ReturnType<typeof loadCtcae>>();

/**
 * What the store reads from the knowledge: the bundled instruments and CTCAE tables (read once per process), and from
 * `pathway` its CRP conversion and plausible CRP, safety lab and body weight ranges. A server given `--pathway`
 * passes its own, so that the pages and the store judge a value by one pathway.
 */
export function storeKnowledgeFor(pathway: Pathway): StoreKnowledge {
  const { plausibility } = pathway.definitions;
  return {
    instruments: (instruments ??= loadInstruments()),
    pathway,
    crpPlausible: plausibility.crpMgPerL,
    labPlausible: plausibility.safetyLabs,
    bodyWeightPlausible: plausibility.bodyWeightKg,
    ctcae(version) {
      let t = ctcaeTables.get(version);
      if (t === undefined) {
        t = loadCtcae(version);
        ctcaeTables.set(version, t);
      }
      return t;
    },
  };
}

/** The store's knowledge from the bundled pathway, made once per process. */
export function bundledStoreKnowledge(): StoreKnowledge {
  return (bundled ??= storeKnowledgeFor(loadKnowledge().pathway));
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
  return new SqlTrialStore(db, options.knowledge ?? bundledStoreKnowledge(), options.clock);
}

export type { TrialStore };
