/**
 * A real trial server for tests: a SQLite trial store in a temporary folder, initialised with the INSIGHT protocol
 * (knowledge/trials/insight.json) on two sites, a kit list, one account per role, and the whole service
 * (buildServer with the trial plugin) listening on 127.0.0.1, port 0. Accounts use a lower scrypt cost than
 * production (2^14) so that the suites sign in quickly; the algorithm and code path are the production ones.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createEngine } from '../../engine/index.ts';
import type { Engine } from '../../engine/index.ts';
import { generateKits } from '../../trial/kits.ts';
import { planArms, planFactors } from '../../trial/strata.ts';
import type { TrialRole } from '../../trial/roles.ts';
import { openTrialStore } from '../../trial/store/open.ts';
import type { TrialStore } from '../../trial/store/port.ts';
import type { TrialProtocol } from '../../trials/schema.ts';
import { buildServer } from '../app.ts';
import { createAccounts, SETUP_CONTEXT } from './accounts.ts';
import type { AccountSpec } from './accounts.ts';
import type { LoginRateLimit } from './auth-routes.ts';
import { TrialClient } from './client.test-support.ts';
import { openTrialServer } from './index.ts';
import type { TrialServer } from './index.ts';

export const SITES = ['site-a', 'site-b'] as const;
export const TEST_COST = { N: 2 ** 14, r: 8, p: 1 };

export const TEST_ACCOUNTS: readonly AccountSpec[] = [
  // The store's first account must be an administrator.
  { username: 'admin', displayName: 'Administrator', role: 'administrator', site: null, password: 'pw-admin-123' },
  {
    username: 'coord-a',
    displayName: 'Coordinator A',
    role: 'coordinator',
    site: 'site-a',
    password: 'pw-coord-a-123',
  },
  {
    username: 'coord-b',
    displayName: 'Coordinator B',
    role: 'coordinator',
    site: 'site-b',
    password: 'pw-coord-b-123',
  },
  { username: 'inv-a', displayName: 'Investigator A', role: 'investigator', site: 'site-a', password: 'pw-inv-a-123' },
  { username: 'pharm', displayName: 'Pharmacist', role: 'unblinded-pharmacist', site: null, password: 'pw-pharm-123' },
  { username: 'monitor', displayName: 'Monitor', role: 'monitor', site: null, password: 'pw-monitor-123' },
  { username: 'stat', displayName: 'Statistician', role: 'statistician', site: null, password: 'pw-stat-123' },
  {
    username: 'rater-a',
    displayName: 'Outcome rater A',
    role: 'outcome-rater',
    site: 'site-a',
    password: 'pw-rater-a-123',
  },
];

export const accountFor = (role: TrialRole, site?: string): AccountSpec => {
  const found = TEST_ACCOUNTS.find((a) => a.role === role && (site === undefined || a.site === site));
  if (found === undefined) throw new Error(`no test account for ${role}`);
  return found;
};

let sharedEngine: Engine | undefined;
export const testEngine = (): Engine => (sharedEngine ??= createEngine());

export function insightProtocol(engine: Engine): TrialProtocol {
  const protocol = engine.protocols.find((p) => p.id === 'insight');
  if (protocol === undefined) throw new Error('INSIGHT protocol missing');
  return protocol;
}

/** Opens and initialises a trial store at `location` (permuted blocks, crp x site strata, `kitsPerArm` kits per arm). */
export async function initTestStore(
  location: string,
  engine: Engine,
  kitsPerArm = 400,
  clock?: () => Date,
): Promise<TrialStore> {
  const store = await openTrialStore(location, clock === undefined ? {} : { clock });
  if ((await store.trial()) !== null) return store;
  const protocol = insightProtocol(engine);
  const arms = planArms(protocol);
  await store.init(SETUP_CONTEXT, {
    protocol,
    plan: {
      method: 'permuted-blocks',
      arms,
      factors: planFactors(protocol, SITES),
      seed: 20261129,
      blockSizes: [2, 4, 6],
      // Every stratum's list can take all the participants the kits allow.
      perStratum: kitsPerArm * 2,
    },
  });
  await store.addKits(
    { actor: { userId: 'setup', role: 'unblinded-pharmacist', site: null }, reason: 'kit list received' },
    generateKits(arms, kitsPerArm, 7),
  );
  await createAccounts(store, TEST_ACCOUNTS, TEST_COST);
  return store;
}

export interface TestTrial {
  readonly app: FastifyInstance;
  readonly url: string;
  readonly store: TrialStore;
  /** The store's location (sqlite:PATH), for the command line (`--trial-db`). */
  readonly location: string;
  readonly trial: TrialServer;
  readonly engine: Engine;
  readonly armNames: readonly string[];
  /** A client signed in as the role's test account (of `site` when given). */
  signIn(role: TrialRole, site?: string): Promise<TrialClient>;
  /**
   * Runs `run` with the store's clock on `day` (09:00 UTC): the suites date infusions and visits in November 2026,
   * and an infusion may not be dated before the randomization, which the store dates by its clock.
   */
  onDay<T>(day: string, run: () => Promise<T>): Promise<T>;
  /** Randomizes the participant through the API as `client`, on `day` (onDay). */
  randomizeOn(client: TrialClient, participantId: string, day: string): Promise<{ kitCode: string }>;
  close(): Promise<void>;
}

export interface TestTrialOptions {
  readonly now?: () => Date;
  readonly sessionSeconds?: number;
  readonly loginRateLimit?: LoginRateLimit;
  /** Capture the server's log lines (at info level) instead of discarding them. */
  readonly logStream?: { write(line: string): void };
  /** The reverse proxies in front (ServerOptions.trustProxy). */
  readonly trustProxy?: readonly string[];
}

export async function startTestTrial(options: TestTrialOptions = {}): Promise<TestTrial> {
  const dir = mkdtempSync(join(tmpdir(), 'trd-trial-server-'));
  const engine = testEngine();
  const location = `sqlite:${join(dir, 'trial.sqlite')}`;
  // The store's clock is real time, except while randomizeOn holds it on a day.
  let heldDay: string | null = null;
  const store = await initTestStore(location, engine, undefined, () =>
    heldDay === null ? new Date() : new Date(`${heldDay}T09:00:00Z`),
  );
  const onDay = async <T>(day: string, run: () => Promise<T>): Promise<T> => {
    heldDay = day;
    try {
      return await run();
    } finally {
      heldDay = null;
    }
  };
  const trial = await openTrialServer({
    store,
    engine,
    passwordCost: TEST_COST,
    loginRateLimit: options.loginRateLimit ?? { max: 1000, windowMs: 60_000 },
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.sessionSeconds === undefined ? {} : { sessionSeconds: options.sessionSeconds }),
  });
  const app = await buildServer({
    engine,
    plugins: [trial.plugin],
    ...(options.trustProxy === undefined ? {} : { trustProxy: options.trustProxy }),
    ...(options.logStream === undefined ? { logLevel: false } : { logLevel: 'info', logStream: options.logStream }),
  });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  const protocol = insightProtocol(engine);
  return {
    app,
    url,
    store,
    location,
    trial,
    engine,
    armNames: (protocol.arms ?? []).flatMap((a) => [a.id, a.label]),
    async signIn(role, site) {
      const account = accountFor(role, site);
      const client = new TrialClient(url);
      const reply = await client.login(account.username, account.password);
      if (reply.status !== 200) throw new Error(`sign-in as ${role} failed: ${reply.status}`);
      return client;
    },
    onDay,
    async randomizeOn(client, participantId, day) {
      const reply = await onDay(day, () => client.post(`/trial/api/participants/${participantId}/randomize`));
      if (reply.status !== 201) throw new Error(`randomize: ${reply.status} ${reply.text}`);
      return reply.json as { kitCode: string };
    },
    async close() {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The screening answers that make a person eligible: every inclusion met, every exclusion not met. */
export function eligibleCriteria(protocol: TrialProtocol) {
  return protocol.criteria.map((c) => ({
    id: c.id,
    kind: c.kind,
    status: c.kind === 'inclusion' ? ('met' as const) : ('not-met' as const),
    reason: 'checked at the screening visit',
    verified: c.verified,
  }));
}

let codeCounter = 0;
/** Screens, consents and enrols one participant through the API; returns the participant id. */
export async function enrolThroughApi(
  client: TrialClient,
  protocol: TrialProtocol,
  site: string,
  crp: 'low' | 'high' = 'high',
): Promise<string> {
  codeCounter += 1;
  const code = `S${process.pid}-${codeCounter}`;
  const screening = await client.post('/trial/api/screening', {
    site,
    screeningCode: code,
    screenedOn: '2026-11-02',
    criteria: eligibleCriteria(protocol),
  });
  if (screening.status !== 201) throw new Error(`screening: ${screening.status} ${screening.text}`);
  const screeningId = (screening.json as { id: string }).id;
  const consent = await client.post('/trial/api/consents', {
    screeningId,
    consentedOn: '2026-11-03',
    formVersion: 'v1.0',
  });
  if (consent.status !== 201) throw new Error(`consent: ${consent.status} ${consent.text}`);
  const enrol = await client.post('/trial/api/participants', {
    screeningId,
    participantCode: `P-${code}`,
    strata: { crp, site },
    baselineCrpMgPerL: crp === 'high' ? 6.5 : 1.2,
    enrolledOn: '2026-11-04',
  });
  if (enrol.status !== 201) throw new Error(`enrol: ${enrol.status} ${enrol.text}`);
  return (enrol.json as { id: string }).id;
}

/**
 * Safety data a blinded reader must not be able to read an arm from (tocilizumab lowers neutrophils): an ANC of 0.8
 * x10^9/L at day 14, which raises a safety alert, and a serious adverse event (pneumonia). Gives the alert's id and
 * the two answers' texts.
 */
export async function recordNeutropeniaAndPneumonia(
  client: TrialClient,
  participantId: string,
): Promise<{ alertId: string; replies: readonly string[] }> {
  const lab = await client.post('/trial/api/labs', {
    participantId,
    visit: 'day-14',
    analyte: 'anc',
    value: 0.8,
    unit: '10*9/L',
    lowerLimitOfNormal: 2.0,
    upperLimitOfNormal: null,
    collectedOn: '2026-11-20',
  });
  if (lab.status !== 201) throw new Error(`lab: ${lab.status} ${lab.text}`);
  const alert = (lab.json as { alerts: { id: string }[] }).alerts[0];
  if (alert === undefined) throw new Error('ANC 0.8 raised no safety alert');
  const ae = await client.post('/trial/api/adverse-events', {
    participantId,
    term: 'Pneumonia',
    onsetOn: '2026-11-21',
    grade: 3,
    seriousCriteria: ['hospitalisation'],
    relatedness: 'possible',
    expectedness: 'expected',
    outcome: 'recovering',
  });
  if (ae.status !== 201) throw new Error(`adverse event: ${ae.status} ${ae.text}`);
  return { alertId: alert.id, replies: [lab.text, ae.text] };
}
