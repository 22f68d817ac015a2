/**
 * `npm run bench:cli`: how long `trd` takes to start and answer, as a user runs it (bin/trd.js on the build), against
 * `node -e 0` measured in the same run (Node's own start-up: the floor); dist/ is rebuilt first if older than the
 * sources (bench/compiled.ts). Each command runs ROUNDS times, the commands
 * interleaved round by round so that the machine's load falls on all of them alike; the figure is the median wall
 * time, with the median CPU time of the process beside it (less disturbed when the machine is shared). Goal (issue 6):
 * `trd assess` on the demo patient within 4x `node -e 0`. BENCH_CLI_BEFORE=<folder> adds another built checkout (an
 * earlier commit) to the same rounds, for a before/after under the same load.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { ensureBuild, ROOT } from './compiled.ts';

const BIN = join(ROOT, 'bin', 'trd.js');
const ROUNDS = Number(process.env.BENCH_CLI_ROUNDS ?? 21);
const GOAL = 4;

ensureBuild('bench:cli');

const demo = join(ROOT, 'examples', 'seed-vignette.json');
const commands: { name: string; args: string[] }[] = [
  { name: 'node -e 0', args: ['-e', '0'] },
  { name: 'trd --help', args: [BIN, '--help'] },
  { name: 'trd assess (demo patient)', args: [BIN, 'assess', demo, '--as-of', '2026-11-27'] },
  { name: 'trd assess --json', args: [BIN, 'assess', demo, '--as-of', '2026-11-27', '--json'] },
  { name: 'trd match (demo patient)', args: [BIN, 'match', demo, '--as-of', '2026-11-27'] },
  // For comparison: the same command from source through tsx, as bin/trd.js ran it before the build step.
  {
    name: 'assess from source (tsx)',
    args: ['--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts'), 'assess', demo, '--as-of', '2026-11-27'],
  },
];
// BENCH_CLI_BEFORE=<folder>: another checkout of precision-trd, built (an earlier commit), measured in the same rounds.
const before = process.env.BENCH_CLI_BEFORE;
if (before !== undefined && before !== '') {
  const otherBin = join(before, 'bin', 'trd.js');
  if (!existsSync(otherBin)) {
    console.error(`bench:cli: ${otherBin} does not exist`);
    process.exit(1);
  }
  commands.push(
    { name: 'BEFORE trd --help', args: [otherBin, '--help'] },
    { name: 'BEFORE trd assess', args: [otherBin, 'assess', demo, '--as-of', '2026-11-27'] },
  );
}

/**
 * Wall time of one run, and its CPU time (user + system, all threads) from bash's `time` (getrusage of the child, to
 * the millisecond; the POSIX shell's `times` counts in 10 ms clock ticks).
 */
function runOnce(args: string[]): { wall: number; cpu: number } {
  const start = process.hrtime.bigint();
  const r = spawnSync(
    'bash',
    ['-c', 'TIMEFORMAT="%3U %3S"; time "$0" "$@" >/dev/null 2>/tmp/trd-bench-cli.err', process.execPath, ...args],
    { cwd: ROOT, encoding: 'utf8' },
  );
  const wall = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed (status ${r.status})`);
  const [user, system] = r.stderr.trim().split(/\s+/).map(Number);
  return { wall, cpu: ((user ?? NaN) + (system ?? NaN)) * 1000 };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

// One untimed round first: the file-system cache and the OS page cache warm up for every command alike.
for (const c of commands) runOnce(c.args);
const times = commands.map(() => [] as number[]);
const cpuTimes = commands.map(() => [] as number[]);
for (let round = 0; round < ROUNDS; round++) {
  commands.forEach((c, k) => {
    const { wall, cpu } = runOnce(c.args);
    times[k]!.push(wall);
    cpuTimes[k]!.push(cpu);
  });
}

const medians = times.map(median);
const cpuMedians = cpuTimes.map(median);
const floor = medians[0]!;
const cpuFloor = cpuMedians[0]!;
console.log(
  `bench:cli: node ${process.version}, ${cpus().length} cores, load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}; ${ROUNDS} interleaved rounds, median wall time`,
);
commands.forEach((c, k) => {
  const q = [...times[k]!].sort((a, b) => a - b);
  const p10 = q[Math.floor(q.length * 0.1)]!;
  const p90 = q[Math.min(q.length - 1, Math.floor(q.length * 0.9))]!;
  console.log(
    `  ${c.name.padEnd(28)} wall ${medians[k]!.toFixed(1).padStart(7)} ms (p10 ${p10.toFixed(1)}, p90 ${p90.toFixed(1)}) ${(medians[k]! / floor).toFixed(2)}x;` +
      `  CPU ${cpuMedians[k]!.toFixed(0).padStart(4)} ms ${(cpuMedians[k]! / cpuFloor).toFixed(2)}x node -e 0`,
  );
});
const assessRatio = medians[2]! / floor;
const assessCpuRatio = cpuMedians[2]! / cpuFloor;
// Met only when both hold: wall time is what a user waits, CPU time is what the load on a shared machine cannot hide.
const met = assessRatio <= GOAL && assessCpuRatio <= GOAL;
console.log(
  `verdict: trd assess = ${assessRatio.toFixed(2)}x node -e 0 in wall time and ${assessCpuRatio.toFixed(2)}x in CPU time ` +
    `(goal <= ${GOAL}x): ${met ? 'MET' : 'NOT MET'}`,
);
