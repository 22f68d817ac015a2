/**
 * `trd serve --trial-db LOCATION [--demo]`: opens the trial store and returns the trial plugin for the service.
 * With --demo (and no --trial-db, a fresh SQLite file in a temporary folder) the INSIGHT trial is initialised on two
 * demo sites with a kit list, and one account per role is created with a random password, printed once at start.
 * Without --demo nothing is created: accounts come from `trd trial-user add` (src/cli/commands/trial-user.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Engine } from '../../engine/index.ts';
import { generateKits } from '../../trial/kits.ts';
import { planArms, planFactors } from '../../trial/strata.ts';
import { openTrialStore, storeKnowledgeFor } from '../../trial/store/open.ts';
import type { TrialStore } from '../../trial/store/port.ts';
import type { ServerPlugin } from '../app.ts';
import { onLoopback } from '../cds-hooks/routes.ts';
import { createAccounts, demoAccounts, SETUP_CONTEXT } from './accounts.ts';
import { openTrialServer } from './index.ts';

export const DEMO_SITES = ['site-a', 'site-b'] as const;

export interface TrialStartOptions {
  readonly trialDb?: string;
  readonly demo?: boolean;
  /** `--public-url`: the address browsers use; an https one makes the session cookie Secure. */
  readonly publicUrl?: string;
  /** `--host`: the interface the service listens on. */
  readonly host?: string;
  /** Overrides what the public URL implies (tests). */
  readonly secureCookies?: boolean;
}

/**
 * Whether browsers reach the service over HTTPS: the public URL says so (TLS usually ends at a proxy in front, so the
 * server's own socket cannot tell). The session cookie is then Secure, never sent over plain HTTP.
 */
export function servedOverHttps(publicUrl: string | undefined): boolean {
  return publicUrl !== undefined && /^https:/i.test(publicUrl.trim());
}

/** The demo trial: INSIGHT, permuted blocks of 2, 4 or 6 within hs-CRP band x site, 500 kits per arm. */
export async function initDemoTrial(store: TrialStore, engine: Engine): Promise<void> {
  if ((await store.trial()) !== null) return;
  const protocol = engine.protocols.find((p) => p.id === 'insight');
  if (protocol === undefined) throw new Error('the INSIGHT protocol is missing from knowledge/trials');
  const arms = planArms(protocol);
  await store.init(SETUP_CONTEXT, {
    protocol,
    plan: {
      method: 'permuted-blocks',
      arms,
      factors: planFactors(protocol, DEMO_SITES),
      seed: Math.floor(Math.random() * 0x7fffffff),
      blockSizes: [2, 4, 6],
      perStratum: 500,
    },
  });
  await store.addKits(
    { actor: { userId: 'setup', role: 'unblinded-pharmacist', site: null }, reason: 'demo kit list' },
    generateKits(arms, 500, Math.floor(Math.random() * 0x7fffffff)),
  );
}

/** Whether `--host` names this machine's loopback only (127.0.0.0/8, ::1, localhost). */
function loopbackInterface(host: string): boolean {
  try {
    return onLoopback(new URL(`http://${host.includes(':') ? `[${host}]` : host}`));
  } catch {
    return false;
  }
}

export async function trialPlugin(
  options: TrialStartOptions,
  engine: Engine,
  print: (line: string) => void,
): Promise<ServerPlugin | undefined> {
  if (options.trialDb === undefined && options.demo !== true) return undefined;
  let location = options.trialDb;
  if (location === undefined) {
    // A throwaway demo store: removed when the process ends.
    const dir = mkdtempSync(join(tmpdir(), 'trd-trial-demo-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    location = `sqlite:${join(dir, 'trial.sqlite')}`;
  }
  // The store judges entries (plausible ranges, the CRP conversion) by the pathway the server serves (--pathway).
  const store = await openTrialStore(location, { knowledge: storeKnowledgeFor(engine.knowledge.pathway) });
  if (options.demo === true) {
    await initDemoTrial(store, engine);
    if ((await store.countUsers()) === 0) {
      const accounts = demoAccounts(DEMO_SITES);
      await createAccounts(store, accounts);
      print('Trial demo accounts (passwords made for this demo database, shown once):');
      for (const a of accounts)
        print(`  ${a.username.padEnd(15)} ${a.password}  ${a.role}${a.site === null ? '' : ` at ${a.site}`}`);
    }
  } else if ((await store.countUsers()) === 0) {
    print('The trial store has no accounts yet: create them with trd trial-user add (docs/trial-server.md).');
  }
  if (!servedOverHttps(options.publicUrl) && options.host !== undefined && !loopbackInterface(options.host)) {
    print(
      'Warning: trial sign-in is served over plain HTTP on a network interface: passwords and session cookies would cross the network in clear. Put TLS in front and give --public-url https://...',
    );
  }
  const trial = await openTrialServer({
    store,
    engine,
    secureCookies: options.secureCookies ?? servedOverHttps(options.publicUrl),
  });
  print(`Trial operations at /trial/ (store: ${store.dialect}).`);
  return trial.plugin;
}
