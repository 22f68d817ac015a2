/**
 * `npm run bench:stats`: the statistics benchmarks of issue 3 in one run, so their figures share one machine state.
 * MMRM fit time for 200 and 2,000 subjects with 4 visits (goal: < 1 s for 2,000), then simulated power for 10,000
 * trials on 1 and 2 workers (goal: < 30 s on 2 cores). Each part prints its own baseline and ratios.
 */
import { cpus, loadavg } from 'node:os';
import { benchDesign } from './stats-design.ts';
import { benchMmrm } from './stats-mmrm.ts';

console.log(
  `node ${process.version}, ${cpus().length} cores, load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
await benchMmrm();
await benchDesign();
