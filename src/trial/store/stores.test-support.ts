/**
 * The databases the contract suite runs against: SQLite in a temporary file, PGlite in memory, and a real PostgreSQL
 * server when TRD_PG_URL is set (.ci/run starts one), each test on a fresh database.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { loadKnowledge } from '../../knowledge/load.ts';
import { loadTrials } from '../../trials/load.ts';
import type { TrialProtocol } from '../../trials/schema.ts';
import type { RandomizationPlan } from '../../randomization/index.ts';
import { generateKits } from '../kits.ts';
import { planArms, planFactors } from '../strata.ts';
import type { Actor, WriteContext } from '../model.ts';
import { PGlite } from '@electric-sql/pglite';
import type { Db } from './db.ts';
import { openPgliteDb } from './postgres.ts';
import { migrate } from './migrations.ts';
import { bundledStoreKnowledge, openDb } from './open.ts';
import { SqlTrialStore } from './sql-store.ts';

/** Opens the store and keeps the raw database handle, so tests can play an attacker with direct SQL access. */
async function openWithDb(location: string, clock?: () => Date): Promise<{ store: SqlTrialStore; db: Db }> {
  const db = await openDb(location);
  await migrate(db);
  return { store: new SqlTrialStore(db, bundledStoreKnowledge(), clock), db };
}

export interface OpenedStore {
  readonly store: SqlTrialStore;
  readonly db: Db;
  /** The location it was opened from (to reopen it). */
  readonly location: string;
  cleanup(): Promise<void>;
}

export interface StoreFactory {
  readonly name: string;
  open(clock?: () => Date): Promise<OpenedStore>;
}

export const sqliteFactory: StoreFactory = {
  name: 'SQLite (temporary file)',
  async open(clock) {
    const dir = mkdtempSync(join(tmpdir(), 'trd-trial-'));
    const location = join(dir, 'trial.db');
    const { store, db } = await openWithDb(location, clock);
    return {
      store,
      db,
      location,
      async cleanup() {
        await store.close().catch(() => undefined);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

let sharedPglite: Promise<PGlite> | undefined;
let schemaCounter = 0;

/** PGlite starts slowly (WASM), so one instance serves the suite and each test gets a fresh schema. */
export const pgliteFactory: StoreFactory = {
  name: 'PostgreSQL (PGlite in memory)',
  async open(clock) {
    sharedPglite ??= PGlite.create();
    const pglite = await sharedPglite;
    const schema = `t${++schemaCounter}`;
    await pglite.exec(`CREATE SCHEMA ${schema}; SET search_path TO ${schema};`);
    const inner = openPgliteDb(pglite);
    const db: Db = { ...inner, close: async () => undefined };
    await migrate(db);
    const store = new SqlTrialStore(db, bundledStoreKnowledge(), clock);
    return {
      store,
      db,
      location: 'pglite:memory',
      cleanup: () => pglite.exec(`SET search_path TO public; DROP SCHEMA ${schema} CASCADE;`).then(() => undefined),
    };
  },
};

export async function closeSharedPglite(): Promise<void> {
  if (sharedPglite !== undefined) await (await sharedPglite).close();
  sharedPglite = undefined;
}

/** A fresh database on the server of TRD_PG_URL, dropped afterwards. */
export function serverFactory(url: string): StoreFactory {
  return {
    name: 'PostgreSQL server (TRD_PG_URL)',
    async open(clock) {
      const name = `trd_test_${process.pid}_${Math.floor(Math.random() * 1e9)}`;
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${name}`);
      await admin.end();
      const u = new URL(url);
      u.pathname = `/${name}`;
      const { store, db } = await openWithDb(u.toString(), clock);
      return {
        store,
        db,
        location: u.toString(),
        async cleanup() {
          await store.close().catch(() => undefined);
          const c = new pg.Client({ connectionString: url });
          await c.connect();
          await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
          await c.end();
        },
      };
    },
  };
}

export function allFactories(): StoreFactory[] {
  const url = process.env.TRD_PG_URL;
  return [sqliteFactory, pgliteFactory, ...(url === undefined || url === '' ? [] : [serverFactory(url)])];
}

export function insightProtocol(): TrialProtocol {
  const { protocols } = loadTrials(loadKnowledge());
  const p = protocols.find((x) => x.id === 'insight');
  if (p === undefined) throw new Error('insight protocol missing');
  return p;
}

export const SITES = ['A', 'B'];

export function blocksPlan(protocol: TrialProtocol, seed = 20261129, perStratum = 40): RandomizationPlan {
  return {
    method: 'permuted-blocks',
    arms: planArms(protocol),
    factors: planFactors(protocol, SITES),
    seed,
    blockSizes: [2, 4, 6],
    perStratum,
  };
}

export const actor = (role: Actor['role'], site: string | null = null, userId = `${role}-1`): Actor => ({
  userId,
  role,
  site,
});
export const as = (role: Actor['role'], site: string | null = null, reason = 'test'): WriteContext => ({
  actor: actor(role, site),
  reason,
});

/** Every INSIGHT criterion answered `met`/`not-met` so the verdict is eligible. */
export function eligibleCriteria(protocol: TrialProtocol): {
  id: string;
  kind: 'inclusion' | 'exclusion';
  status: 'met' | 'not-met';
  reason: string;
  source: 'entered';
  verified: boolean;
}[] {
  return protocol.criteria.map((c) => ({
    id: c.id,
    kind: c.kind,
    status: c.kind === 'inclusion' ? 'met' : 'not-met',
    reason: 'checked at the screening visit',
    source: 'entered',
    verified: c.verified,
  }));
}

/** Initialises the INSIGHT trial with kits for `kitsPerArm` participants per arm. */
export async function initTrial(
  store: SqlTrialStore,
  plan?: RandomizationPlan,
  kitsPerArm = 60,
): Promise<TrialProtocol> {
  const protocol = insightProtocol();
  await store.init(as('administrator'), { protocol, plan: plan ?? blocksPlan(protocol) });
  const arms = (protocol.arms ?? []).map((a) => a.id);
  await store.addKits(as('unblinded-pharmacist'), generateKits(arms, kitsPerArm, 7));
  return protocol;
}

/** Screens, consents and enrols one participant at `site` with baseline CRP `crp`. */
export async function enrolOne(
  store: SqlTrialStore,
  protocol: TrialProtocol,
  code: string,
  site = 'A',
  crp = 5.2,
): Promise<string> {
  const ctx = as('coordinator', site);
  const s = await store.addScreening(ctx, {
    site,
    screeningCode: `S-${code}`,
    screenedOn: '2026-11-01',
    criteria: eligibleCriteria(protocol),
  });
  await store.recordConsent(ctx, { screeningId: s.id, consentedOn: '2026-11-02', formVersion: 'v1.0' });
  const p = await store.enrol(ctx, {
    screeningId: s.id,
    participantCode: code,
    strata: { crp: crp >= 3 ? 'high' : 'low', site },
    baselineCrpMgPerL: crp,
    enrolledOn: '2026-11-03',
  });
  return p.id;
}
