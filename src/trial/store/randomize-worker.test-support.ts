/**
 * A second process for the cross-process randomization test: opens the SQLite store named in argv[2], prints
 * `ready`, waits for a line on stdin (so both processes start together), randomizes the participant ids in argv[3]
 * (comma-separated, possibly none) as a site-A coordinator, and prints the allocations as JSON.
 */
import { once } from 'node:events';
import { openTrialStore } from './open.ts';

const [location, ids] = process.argv.slice(2);
const store = await openTrialStore(location as string);
try {
  process.stdout.write('ready\n');
  await once(process.stdin, 'data');
  const ctx = { actor: { userId: 'worker', role: 'coordinator' as const, site: 'A' }, reason: 'second process' };
  // One request per event-loop turn, as requests arriving over time, so the other process gets its turns too.
  const results = [];
  for (const id of (ids ?? '').split(',').filter((x) => x !== '')) {
    results.push(await store.randomize(ctx, id));
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  process.stdout.write(`${JSON.stringify(results)}\n`);
} finally {
  await store.close();
  process.stdin.destroy();
}
