/**
 * The in-process ceiling of bench/trial.ts, in plain node on the compiled store (dist/): no tsx hooks.
 * Usage: node bench/trial-child.mjs LOCATION IDS.json; randomizes the participants listed in IDS.json one after
 * another with the store's own randomize() and prints one JSON line: { perSecond }.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { openTrialStore } from '../dist/trial/store/open.js';

const [location, idsPath] = process.argv.slice(2);
const ids = JSON.parse(readFileSync(idsPath, 'utf8'));
const store = await openTrialStore(location);
const ctx = { actor: { userId: 'bench', role: 'coordinator', site: 'site-a' }, reason: 'randomization' };
const t0 = performance.now();
for (const id of ids) {
  const p = await store.getParticipant(id);
  await store.randomize({ ...ctx, actor: { ...ctx.actor, site: p?.site ?? 'site-a' } }, id);
}
const perSecond = ids.length / ((performance.now() - t0) / 1000);
await store.close();
console.log(JSON.stringify({ perSecond }));
