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
import type { Actor, Allocation, WriteContext } from '../model.ts';
import { PGlite } from '@electric-sql/pglite';
import type { Db } from './db.ts';
import { openPgliteDb } from './postgres.ts';
import { migrate } from './migrations.ts';
import { bundledStoreKnowledge, openDb } from './open.ts';
import { SqlTrialStore } from './sql-store.ts';

/**
 * The day a fixture's randomization is dated: a store's clock is the test's (real time by default) except while
 * `randomizeOn` holds it on a day, since an infusion may not be dated before the randomization and the fixtures date
 * their infusions and visits in November 2026.
 */
const heldDays = new WeakMap<SqlTrialStore, { day: string | null }>();

function storeWithClock(db: Db, clock: () => Date = () => new Date()): SqlTrialStore {
  const held: { day: string | null } = { day: null };
  const store = new SqlTrialStore(db, bundledStoreKnowledge(), () =>
    held.day === null ? clock() : new Date(`${held.day}T09:00:00Z`),
  );
  heldDays.set(store, held);
  return store;
}

/** Randomizes a participant with the store's clock on `day` (09:00 UTC), as if done at the site that day. */
export async function randomizeOn(
  store: SqlTrialStore,
  ctx: WriteContext,
  participantId: string,
  day: string,
): Promise<Allocation> {
  const held = heldDays.get(store);
  if (held === undefined) throw new Error('randomizeOn: a store opened by the test factories only');
  held.day = day;
  try {
    return await store.randomize(ctx, participantId);
  } finally {
    held.day = null;
  }
}

/** Opens the store and keeps the raw database handle, so tests can play an attacker with direct SQL access. */
async function openWithDb(location: string, clock?: () => Date): Promise<{ store: SqlTrialStore; db: Db }> {
  const db = await openDb(location);
  await migrate(db);
  return { store: storeWithClock(db, clock), db };
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
    const store = storeWithClock(db, clock);
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
  await store.addKits(as('unblinded-pharmacist'), generateKits(planArms(protocol), kitsPerArm, 7));
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

/**
 * Randomizes a participant on `randomizedOn` (the infusion's day unless given) and records the infusion of the
 * allocated kit (560 mg, 70 kg) on `administeredOn`.
 */
export async function randomizeAndInfuse(
  store: SqlTrialStore,
  ctx: ReturnType<typeof as>,
  participantId: string,
  administeredOn = '2026-11-05',
  randomizedOn = administeredOn,
) {
  const allocation = await randomizeOn(store, ctx, participantId, randomizedOn);
  const { dose, alerts } = await store.recordDose(ctx, {
    participantId,
    visit: 'infusion',
    kitCode: allocation.kitCode,
    administeredOn,
    doseMg: 560,
    bodyWeightKg: 70,
  });
  return { allocation, dose, alerts };
}

/** BDI-II answers whose somatic items (4, 15, 16, 18, 19, 20, 21) sum to `somatic` and other items to `rest`. */
export function bdiAnswers(somatic: number, rest: number): Record<string, number | string> {
  const somaticItems = [4, 15, 16, 18, 19, 20, 21];
  const others = Array.from({ length: 21 }, (_, i) => i + 1).filter((n) => !somaticItems.includes(n));
  const spread = (total: number, items: number[]): Map<number, number> => {
    const m = new Map(items.map((n) => [n, 0]));
    for (let k = 0; k < total; k++)
      m.set(items[k % items.length] as number, (m.get(items[k % items.length] as number) ?? 0) + 1);
    return m;
  };
  const values = new Map([...spread(somatic, somaticItems), ...spread(rest, others)]);
  return Object.fromEntries(
    [...values].map(([n, v]) => [
      String(n),
      n === 16 || n === 18 ? (v === 0 ? '0' : `${v}${n === 16 ? 'a' : 'b'}`) : v,
    ]),
  );
}

/**
 * A trial with `n` randomized participants at sites A and B: infusion, BDI-II at baseline and days 7, 14, 28 (the
 * somatic score falls more in the tocilizumab arm), day-7 safety labs, one serious adverse event, one participant
 * lost to follow-up before day 28, and two screening failures.
 */
export async function populateTrial(store: SqlTrialStore, n = 12): Promise<TrialProtocol> {
  const protocol = await initTrial(store);
  const criteria = eligibleCriteria(protocol);
  for (const code of ['X1', 'X2']) {
    await store.addScreening(as('coordinator', 'A'), {
      site: 'A',
      screeningCode: code,
      screenedOn: '2026-10-01',
      criteria: criteria.map((c) => (c.id === 'insight-in-hscrp' ? { ...c, status: 'not-met' as const } : c)),
    });
  }
  for (let i = 0; i < n; i++) {
    const site = i % 2 === 0 ? 'A' : 'B';
    const ctx = as('coordinator', site, 'visit entry');
    const id = await enrolOne(store, protocol, `P${String(i + 1).padStart(3, '0')}`, site, 3 + (i % 5) * 1.7);
    const { allocation } = await randomizeAndInfuse(store, ctx, id);
    const baseline = 9 + (i % 4);
    const drop = allocation.arm === 'tocilizumab' ? 4 : 1;
    const days = i === n - 1 ? ['baseline', 'day-7', 'day-14'] : ['baseline', 'day-7', 'day-14', 'day-28'];
    for (const [k, visit] of days.entries()) {
      const somatic = Math.max(0, baseline - Math.round((drop * k) / 1.5) - (i % 3 === 0 ? 1 : 0) * (k > 0 ? 1 : 0));
      await store.saveForm(ctx, {
        participantId: id,
        visit,
        instrument: 'bdi-ii',
        answers: bdiAnswers(somatic, 8),
        completedOn: `2026-11-${String(2 + k * 7).padStart(2, '0')}`,
      });
    }
    await store.addLab(ctx, {
      participantId: id,
      visit: 'day-7',
      analyte: 'anc',
      value: i === 2 ? 0.8 : 3.2,
      unit: '10*9/L',
      upperLimitOfNormal: null,
      lowerLimitOfNormal: 2,
      collectedOn: '2026-11-12',
    });
    if (i === 3) {
      await store.addAdverseEvent(ctx, {
        participantId: id,
        term: 'Cellulitis',
        onsetOn: '2026-11-10',
        grade: 3,
        seriousCriteria: ['hospitalisation'],
        relatedness: 'possible',
        expectedness: 'expected',
        outcome: 'recovered',
      });
    }
    if (i === n - 1)
      await store.recordDisposition(ctx, { participantId: id, event: 'lost-to-follow-up', on: '2026-11-25' });
  }
  return protocol;
}
