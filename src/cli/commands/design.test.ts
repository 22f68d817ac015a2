import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertGolden } from '../../stats/golden.test-support.ts';
import { trd as run, trdProcess } from '../run.test-support.ts';
import { loadCrpKnowledge, sources } from './design.ts';

/** `trd design ...args` in-process (runTrd), its output captured. */
async function trd(...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  const r = await run(['design', ...args]);
  return { status: r.code, stdout: r.stdout, stderr: r.stderr };
}

async function json(...args: string[]): Promise<Record<string, unknown>> {
  const r = await trd(...args, '--json');
  assert.equal(r.status, 0, r.stderr);
  const parsed = JSON.parse(r.stdout) as Record<string, unknown>;
  assert.equal(parsed.schema, 'precision-trd/design@1');
  return parsed;
}

test('as a process: trd design ttest --json prints the schema and power.t.test n; bad input exits 2', async () => {
  const ok = await trdProcess(['design', 'ttest', '--delta', '3', '--sd', '8', '--power', '0.8', '--json']);
  assert.equal(ok.code, 0, ok.stderr);
  const out = JSON.parse(ok.stdout) as { schema: string; result: { nPerArmExact: number; nPerArm: number } };
  assert.equal(out.schema, 'precision-trd/design@1');
  // design_reference.json ttest_sample_size.grid, delta 3, sd 8, power 0.8: n_per_arm_tol1e12.
  assertGolden(out.result.nPerArmExact, 112.59696789145892, 'rootFinding', 'n_per_arm_tol1e12 (delta 3, sd 8, 0.8)');
  assert.equal(out.result.nPerArm, 113);
  const bad = await trdProcess(['design', 'ttest', '--delta', '3', '--sd', '8', '--power', '1.5']);
  assert.equal(bad.code, 2);
  assert.equal(bad.stdout, '');
  assert.equal(bad.stderr, 'trd: design: power must be in (0, 1) (got 1.5)\n');
});

test('trd design ttest --json: n per arm = power.t.test (design_reference.json delta 3, sd 8, power 0.8)', async () => {
  const out = await json('ttest', '--delta', '3', '--sd', '8', '--power', '0.8');
  const result = out.result as { nPerArmExact: number; nPerArm: number; totalN: number };
  assertGolden(result.nPerArmExact, 112.59696789145892, 'rootFinding', 'n_per_arm_tol1e12 (delta 3, sd 8, 0.8)');
  assert.equal(result.nPerArm, 113);
  assert.equal(result.totalN, 226);
});

test('trd design ttest text output names the method and the n to randomise; --n gives power', async () => {
  const r = await trd('ttest', '--delta', '3', '--sd', '8', '--n', '100');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /power with 100 per arm: 0\.7514/);
  const n = await trd('ancova', '--delta', '3', '--sd', '8', '--rho', '0.5', '--power', '0.8', '--method', 'exact');
  assert.match(n.stdout, /n per arm: 84\.698 \(exact root\) -> randomise 85 per arm, 170 in total/);
});

test('trd design without --dropout: the n is to randomise, never called the n to recruit', async () => {
  // 113 per arm is what to randomise; recruiting 113 would allow for no patient lost before the outcome.
  for (const args of [
    ['ttest', '--delta', '3', '--sd', '8', '--power', '0.8'],
    ['ancova', '--delta', '3', '--sd', '8', '--rho', '0.5', '--power', '0.8'],
    ['proportions', '--p1', '0.313', '--p2', '0.539', '--power', '0.8'],
  ]) {
    const r = await trd(...args);
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /recruit \d/, args[0]);
    assert.match(r.stdout, /no allowance for dropout/, args[0]);
  }
  const t = await trd('ttest', '--delta', '3', '--sd', '8', '--power', '0.8');
  assert.match(
    t.stdout,
    /-> randomise 113 per arm, 226 in total\n {2}power with 113 per arm: 0\.8014\n {2}to recruit: no allowance/,
  );
});

test('trd design ttest and ancova --n without --dropout: the total randomised and no allowance for dropout, as proportions', async () => {
  for (const args of [
    ['ttest', '--delta', '3', '--sd', '8'],
    ['ancova', '--delta', '3', '--sd', '8', '--rho', '0.5'],
    ['proportions', '--p1', '0.313', '--p2', '0.539'],
  ]) {
    const r = await trd(...args, '--n', '60');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /\n {2}to randomise: 120 in total, no allowance for dropout\n/, args[0]);
  }
});

test('trd design ancova --n: the power of the recommended n, whichever the method (Borm sizes n only)', async () => {
  const sized = await trd('ancova', '--delta', '3', '--sd', '8', '--rho', '0.99', '--power', '0.8');
  // The header's "far rejection tail ignored" is power.t.test's n_ttest; the power beside it says what it is.
  assert.match(sized.stdout, /power with 3 per arm: 0\.5950 \(exact noncentral t, df 2n - 3, both tails; Borm/);
  for (const method of ['borm', 'exact']) {
    const r = await trd('ancova', '--delta', '3', '--sd', '8', '--rho', '0.99', '--n', '3', '--method', method);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /both rejection tails\n {2}power with 3 per arm: 0\.5950/, method);
  }
});

test('trd design ancova --sides 1 (Borm): the power beside the n is one-sided and never said to count both tails', async () => {
  // One-sided exact noncentral t, df 97, at 50 per arm: 0.7416 (scipy nct.sf(qt(0.95, 97), 97, 0.4 sqrt(25) / sqrt(0.75))).
  for (const target of [
    ['--n', '50'],
    ['--power', '0.7'],
  ]) {
    const r = await trd('ancova', '--delta', '4', '--sd', '10', '--rho', '0.5', '--sides', '1', ...target);
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /both tails|both rejection tails/, target.join(' '));
    assert.match(r.stdout, /\(exact noncentral t, df 2n - 3, one-sided; Borm's approximation sizes n only\)/);
  }
  const atN = await trd('ancova', '--delta', '4', '--sd', '10', '--rho', '0.5', '--sides', '1', '--n', '50');
  assert.match(atN.stdout, /power with 50 per arm: 0\.7416 /);
});

test('trd design ancova (Borm): the n is the t-test root times 1 - rho^2, said so once, not called a root', async () => {
  const r = await trd('ancova', '--delta', '3', '--sd', '8', '--rho', '0.5', '--power', '0.8');
  assert.equal(r.status, 0, r.stderr);
  assert.match(
    r.stdout,
    /\n {2}n per arm: 84\.448 \(Borm: t-test n 112\.597 x \(1 - rho\^2\) 0\.750\) -> randomise 85 per arm/,
  );
  assert.doesNotMatch(r.stdout, /exact root/);
  assert.equal(r.stdout.split('112.597').length, 2, r.stdout);
});

test('trd design enrichment --simulate: a negative slope on ln CRP reads "3 - 1 ln(CRP/3)", not "3 + -1"', async () => {
  const args = ['enrichment', '--simulate', '--beta0', '3', '--beta1', '-1', '--sd', '8', '--n-per-arm', '20'];
  const r = await trd(...args, '--trials', '50', '--workers', '1');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /\n {2}effect = 3 - 1 ln\(CRP\/3\); outcome SD 8;/);
});

test('trd design enrichment --simulate --prevalence above the default CRP >= 1 proportion names that default and the option', async () => {
  const args = ['enrichment', '--simulate', '--beta0', '3', '--beta1', '1', '--sd', '8', '--n-per-arm', '20'];
  const r = await trd(...args, '--prevalence', '0.6');
  assert.equal(r.status, 2);
  assert.equal(
    r.stderr,
    'trd: design: --prevalence 0.6 (CRP >= 3 mg/L) must be below the proportion with CRP >= 1 mg/L (0.58, the default of knowledge/design/crp-distribution.json): give --prevalence-above-second above it (it sets the CRP spread)\n',
  );
  const given = await trd(...args, '--prevalence', '0.6', '--prevalence-above-second', '0.5');
  assert.match(given.stderr, /CRP >= 1 mg\/L \(0\.5\): give --prevalence-above-second above it/);
});

test('trd design enrichment --simulate with one prevalence typed: the source says the other is the file default', async () => {
  const args = ['enrichment', '--simulate', '--beta0', '3', '--beta1', '2', '--sd', '8', '--n-per-arm', '20'];
  const r = await trd(...args, '--prevalence', '0.45', '--trials', '50', '--workers', '1');
  assert.equal(r.status, 0, r.stderr);
  // 0.45 above 3 mg/L with the file's 0.58 above 1 mg/L (which goes with its 0.27) gives ln SD 3.354.
  assert.match(r.stdout, /ln CRP ~ N\(0\.6771, 3\.3540\^2\)/);
  assert.match(
    r.stdout,
    /source: P\(CRP >= 3 mg\/L\) given on the command line, P\(CRP >= 1 mg\/L\) 0\.58 from knowledge\/design\/crp-distribution\.json, where it goes with P\(CRP >= 3 mg\/L\) 0\.27: the CRP spread rests on both \(give --prevalence-above-second too\); Osimo/,
  );
  const both = await trd(...args, '--prevalence', '0.45', '--prevalence-above-second', '0.7', '--trials', '50');
  assert.match(both.stdout, /source: CRP prevalences given on the command line; Osimo/);
  const analytic = await trd(
    'enrichment',
    '--prevalence',
    '0.45',
    '--delta-plus',
    '4',
    '--delta-minus',
    '1',
    '--sd',
    '8',
  );
  assert.match(analytic.stdout, /source: CRP prevalence given on the command line\n/);
});

test('trd design proportions: INSIGHT remission 31.3% vs 53.9%, n = power.prop.test, the continuity-corrected n labelled', async () => {
  // power.prop.test(p1 = 0.313, p2 = 0.539, power = 0.8, tol = 1e-12)$n (src/stats/design/proportions.test.ts).
  const out = await json('proportions', '--p1', '0.313', '--p2', '0.539', '--power', '0.8');
  assert.equal(out.kind, 'proportions');
  const r = out.result as {
    nPerArmExact: number;
    nPerArm: number;
    totalN: number;
    nnt: { rounded: number };
    continuityCorrected: { method: string; nPerArm: number; totalN: number };
  };
  assertGolden(r.nPerArmExact, 73.96230635733805, 'rootFinding', 'power.prop.test n (0.313, 0.539, 0.8)');
  assert.deepEqual([r.nPerArm, r.totalN, r.nnt.rounded], [74, 148, 5]);
  const cc = r.continuityCorrected;
  assert.deepEqual([cc.method, cc.nPerArm, cc.totalN], ['fleiss-tytun-ury-1980', 83, 166]);
  const text = await trd('proportions', '--p1', '0.313', '--p2', '0.539', '--power', '0.8');
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /^Two proportions \(R power\.prop\.test/);
  assert.match(text.stdout, /absolute difference 0\.226, NNT 5 \(raw 4\.42\), two-sided alpha 0\.05/);
  assert.match(text.stdout, /n per arm: 73\.962 \(exact root\) -> randomise 74 per arm, 148 in total/);
  assert.match(
    text.stdout,
    /continuity correction \(Fleiss, Tytun and Ury 1980; not in power\.prop\.test\): n per arm 82\.575 -> randomise 83 per arm, 166 in total/,
  );
  assert.match(
    text.stdout,
    /to randomise: 148 in total \(166 with the continuity correction\), no allowance for dropout/,
  );
  // power.prop.test(n = 50, p1 = 0.313, p2 = 0.539, strict = TRUE)$power = 0.6308319599542276.
  const power = await trd('proportions', '--p1', '0.313', '--p2', '0.539', '--n', '50', '--strict');
  assert.equal(power.status, 0, power.stderr);
  assert.match(
    power.stdout,
    /both rejection tails\n {2}power with 50 per arm: 0\.6308\n {2}to randomise: 100 in total/,
  );
});

test('trd design enrichment: the worked example 64 per arm, 284 screened, 186 all-comers; default prevalence 0.27', async () => {
  const out = await json('enrichment', '--prevalence', '0.45', '--delta-plus', '4', '--delta-minus', '1', '--sd', '8');
  const r = out.result as {
    enriched: { nPerArm: number; screenedExpected: number };
    allComers: { nPerArmExact: number };
  };
  assert.equal(r.enriched.nPerArm, 64);
  assert.equal(Math.round(r.enriched.screenedExpected), 284);
  assert.equal(Math.floor(r.allComers.nPerArmExact), 186);
  const text = await trd('enrichment', '--delta-plus', '4', '--delta-minus', '1', '--sd', '8');
  assert.match(text.stdout, /prevalence of high CRP 0\.27: screen 3\.7 per randomised patient/);
  assert.match(text.stdout, /Osimo/);
});

test('trd design enrichment: CRP-low patients harmed (all-comers effect <= 0) still gives the enriched design', async () => {
  const args = ['enrichment', '--delta-plus', '4', '--delta-minus', '-2', '--sd', '8'];
  const r = await trd(...args);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /\n {2}enriched +4\.000 +8\.000 +64 \(63\.77\) +128 +474\.1\n/);
  assert.match(r.stdout, /\n {2}all-comers +-0\.380 +not powerable\n/);
  assert.match(r.stdout, /pi delta\+ \+ \(1 - pi\) delta- = -0\.38 is not > 0: no all-comers trial can be powered/);
  const out = await json(...args);
  assert.equal((out.result as { allComers: { available: boolean } }).allComers.available, false);
});

test('trd design enrichment --simulate: same result with 1 and 2 workers, power with Monte-Carlo SE', async () => {
  const args = ['enrichment', '--simulate', '--beta0', '3', '--beta1', '1.5', '--sd', '8', '--n-per-arm', '40'];
  const one = await json(...args, '--trials', '400', '--seed', '7', '--workers', '1');
  const two = await json(...args, '--trials', '400', '--seed', '7', '--workers', '2');
  assert.deepEqual(one.result, two.result);
  const designs = (one.result as { designs: Record<string, { power: { ttest: { power: number; mcSe: number } } }> })
    .designs;
  for (const d of Object.values(designs)) {
    assert.ok(d.power.ttest.power > 0 && d.power.ttest.power < 1);
    assert.ok(d.power.ttest.mcSe > 0);
  }
});

test('invalid options: one line on stderr each, exit code 2, nothing on stdout', async () => {
  const cases: [string[], RegExp][] = [
    [['ttest', '--delta', '3', '--sd', '8', '--power', '1.5'], /power must be in \(0, 1\)/],
    [['ttest', '--delta', '3', '--sd', '-8', '--power', '0.8'], /sd must be a finite number > 0/],
    [['ttest', '--delta', '3', '--sd', '8'], /exactly one of --power/],
    [['ancova', '--delta', '3', '--sd', '8', '--rho', '1', '--n', '50'], /rho must be in \(-1, 1\)/],
    [['proportions', '--p1', '0.3', '--p2', '0.3', '--n', '50'], /p1 and p2 must differ/],
    [['proportions', '--p1', '31.3', '--p2', '0.539', '--power', '0.8'], /p1 must be in \(0, 1\) \(got 31\.3\)/],
    [['proportions', '--p1', '0.313', '--p2', '0.539', '--n', '0'], /n per arm must be a number >= 1/],
    [['proportions', '--p2', '0.539', '--power', '0.8'], /missing required option --p1/],
    [['enrichment', '--prevalence', '0', '--delta-plus', '4', '--delta-minus', '1', '--sd', '8'], /prevalence/],
    [['enrichment', '--simulate', '--sd', '8', '--n-per-arm', '50', '--beta0', '3'], /missing required option --beta1/],
    [
      ['ttest', '--delta', '3', '--sd', '8', '--n', '50', '--sides', '1', '--strict'],
      /--strict counts both rejection tails/,
    ],
    [
      ['proportions', '--p1', '0.313', '--p2', '0.539', '--power', '0.8', '--sides', '1', '--strict'],
      /--sides 1 has only one/,
    ],
    [['enrichment', '--delta-plus', '4', '--delta-minus', '1', '--sd', '8', '--sides', '1', '--strict'], /--strict/],
  ];
  for (const [args, message] of cases) {
    const r = await trd(...args);
    assert.equal(r.status, 2, args.join(' '));
    assert.equal(r.stdout, '');
    assert.match(r.stderr, message);
    assert.match(r.stderr, /^trd: design: [^\n]+\n$/);
  }
});

test('trd design enrichment: an option the chosen comparison does not use is refused, not ignored', async () => {
  const analytic = ['enrichment', '--delta-plus', '4', '--delta-minus', '1', '--sd', '8'];
  const simulated = ['enrichment', '--simulate', '--sd', '8', '--n-per-arm', '64', '--trials', '200'];
  const cases: [string[], string][] = [
    // The power at 100 per arm was asked for; the sample sizes for 80% power were printed.
    [
      [...analytic, '--n-per-arm', '100'],
      '--n-per-arm is for --simulate; the analytic comparison solves for n at --power',
    ],
    [[...analytic, '--seed', '7'], '--seed is for --simulate; the analytic comparison solves for n at --power'],
    [[...simulated, '--beta0', '3', '--beta1', '1', '--power', '0.9'], '--power is for the analytic comparison'],
    // The default log-CRP model simulated beta0 + beta1 ln(CRP/3) and dropped the step effect given.
    [
      [...simulated, '--beta0', '3', '--beta1', '1', '--delta-plus', '5'],
      '--delta-plus is not used by --effect-model logcrp',
    ],
    [
      [...simulated, '--effect-model', 'step', '--delta-plus', '4', '--delta-minus', '1', '--beta1', '1'],
      '--beta1 is not used',
    ],
    [
      [...simulated, '--beta0', '3', '--beta1', '1', '--n-enriched', '50', '--n-all-comers', '90'],
      '--n-per-arm is not used',
    ],
  ];
  for (const [args, message] of cases) {
    const r = await trd(...args);
    assert.equal(r.status, 2, args.join(' '));
    assert.equal(r.stdout, '');
    assert.ok(r.stderr.startsWith(`trd: design: ${message}`), r.stderr);
  }
  // Defaults are not "given": the plain runs still work.
  assert.equal((await trd(...analytic)).status, 0);
  assert.equal((await trd(...simulated, '--beta0', '3', '--beta1', '1')).status, 0);
});

test('trd design text: figures of one kind have the same decimals (0.020 beside 0.019, 478.0 beside 311.1)', async () => {
  const table = await trd('enrichment', '--delta-plus', '5', '--delta-minus', '1', '--sd', '8');
  assert.equal(table.status, 0, table.stderr);
  const rows = table.stdout.split('\n').filter((l) => /^ {2}(enriched|all-comers) +\d/.test(l));
  assert.equal(rows.length, 2);
  for (const row of rows) {
    assert.match(row, /^ {2}\S+ +\d+\.\d{3} +\d+\.\d{3} +\d+ \(\d+\.\d{2}\) +\d+ +\d+\.\d$/, row);
  }
  const args = ['enrichment', '--simulate', '--beta0', '3', '--beta1', '1.5', '--sd', '8', '--n-per-arm', '60'];
  const sim = await trd(...args, '--trials', '400', '--workers', '1');
  assert.equal(sim.status, 0, sim.stderr);
  const powers = [...sim.stdout.matchAll(/(\d+\.\d+) ± (\d+\.\d+)/g)];
  assert.equal(powers.length, 6);
  for (const [, power, se] of powers) assert.deepEqual([power?.length, se?.length], [5, 5], `${power} ± ${se}`);
  assert.match(sim.stdout, /\(\d+\.\d per randomised\)[\s\S]*\(\d+\.\d per randomised\)/);
  // Screened counts with 1 decimal, as in the analytic table (474.1 beside 474.1, not 474).
  const screened = [...sim.stdout.matchAll(/randomised, (\S+) screened/g)].map((m) => m[1]);
  assert.deepEqual(screened, ['444.4', '120.0']);
});

test('trd design --ratio 2 --dropout 0.15: each arm, the total to randomise and the total to recruit, text and JSON', async () => {
  // t-test: n1 = 84.366 (one-tail pwr.t2n.test root, n2 = 2 n1; see src/stats/design/allocation.test.ts)
  const t = await trd('ttest', '--delta', '3', '--sd', '8', '--power', '0.8', '--ratio', '2', '--dropout', '0.15');
  assert.equal(t.status, 0, t.stderr);
  assert.match(t.stdout, /unequal arms \(R pwr\.t2n\.test: noncentral t, df n1 \+ n2 - 2/);
  assert.match(t.stdout, /n control: 84\.366 \(exact root\); n treatment: 168\.733 \(2 x 84\.366\); allocation 2:1/);
  assert.match(t.stdout, /\n {2}to randomise: control 85, treatment 169, 254 in total\n/);
  assert.match(
    t.stdout,
    /\n {2}to recruit: after 15\.0% dropout \(n \/ \(1 - 0\.15\), rounded up per arm\): control 100, treatment 199, 299 in total\n/,
  );
  assert.match(t.stdout, /power with 85 control and 169 treatment: 0\.80/);
  const a = await trd(
    'ancova',
    '--delta',
    '3',
    '--sd',
    '8',
    '--rho',
    '0.5',
    '--power',
    '0.8',
    '--method',
    'exact',
    '--ratio',
    '2',
  );
  assert.match(a.stdout, /ANCOVA, exact: noncentral t, df n1 \+ n2 - 3,/);
  assert.match(
    a.stdout,
    /to randomise: control 64, treatment 127, 191 in total\n {2}to recruit: no allowance for dropout\n/,
  );
  assert.match(a.stdout, /the t-test alone needs 84\.366 in the control arm/);
  // Each design the same options and the same JSON block.
  for (const args of [
    ['ttest', '--delta', '3', '--sd', '8'],
    ['ancova', '--delta', '3', '--sd', '8', '--rho', '0.5'],
    ['proportions', '--p1', '0.313', '--p2', '0.539'],
  ]) {
    const out = await json(...args, '--power', '0.8', '--ratio', '2', '--dropout', '0.15');
    const inputs = out.inputs as { ratio: number; dropout: number };
    assert.deepEqual({ ratio: inputs.ratio, dropout: inputs.dropout }, { ratio: 2, dropout: 0.15 }, args[0]);
    const result = out.result as { totalN: number; arms: { randomiseTotal: number; recruitTotal: number } };
    assert.equal(result.arms.randomiseTotal, result.totalN, args[0]);
    assert.ok(result.arms.recruitTotal > result.totalN, args[0]);
  }
  // Proportions: the continuity-corrected n has its own arms (63 + 125; recruit 75 + 148).
  const p = await json(
    'proportions',
    '--p1',
    '0.313',
    '--p2',
    '0.539',
    '--power',
    '0.8',
    '--ratio',
    '2',
    '--dropout',
    '0.15',
  );
  const cc = (p.result as { continuityCorrected: { totalN: number; arms: { recruitTotal: number } } })
    .continuityCorrected;
  assert.deepEqual({ n: cc.totalN, recruit: cc.arms.recruitTotal }, { n: 188, recruit: 223 });
});

test('trd design --n with --ratio: --n is the control arm; power at (n, ratio x n) and both arms shown', async () => {
  const r = await trd(
    'ttest',
    '--delta',
    '3',
    '--sd',
    '8',
    '--n',
    '60',
    '--ratio',
    '2',
    '--dropout',
    '0.2',
    '--strict',
  );
  assert.equal(r.status, 0, r.stderr);
  // pwr.t2n.test(n1 = 60, n2 = 120, d = 0.375)$power = 0.6550364
  assert.match(r.stdout, /power with 60 control and 120 treatment: 0\.6550\n/);
  assert.match(r.stdout, /to randomise: control 60, treatment 120, 180 in total/);
  assert.match(r.stdout, /to recruit: after 20\.0% dropout .*: control 75, treatment 150, 225 in total/);
  // --ratio 1 --dropout 0 given: the equal-allocation output, either way round (no arms).
  const plain = await trd('ttest', '--delta', '3', '--sd', '8', '--n', '60');
  const given = await trd('ttest', '--delta', '3', '--sd', '8', '--n', '60', '--ratio', '1', '--dropout', '0');
  assert.equal(given.stdout, plain.stdout);
  const plainN = await trd('ttest', '--delta', '3', '--sd', '8', '--power', '0.8');
  const givenN = await trd('ttest', '--delta', '3', '--sd', '8', '--power', '0.8', '--ratio', '1', '--dropout', '0');
  assert.equal(givenN.stdout, plainN.stdout);
  const p = await trd('proportions', '--p1', '0.313', '--p2', '0.539', '--n', '50', '--ratio', '0.5');
  assert.equal(p.status, 0, p.stderr);
  assert.match(p.stdout, /Hmisc::bpower\/bsamsize/);
  assert.match(p.stdout, /allocation 1:2 \(treatment:control\), p1 the control arm, p2 the treatment arm/);
  assert.match(
    p.stdout,
    /to randomise: control 50, treatment 25, 75 in total\n {2}to recruit: no allowance for dropout\n/,
  );
});

test('trd design --n with --ratio: a fractional treatment arm is rounded up, the power is that of the arms randomised', async () => {
  // --n 31 at 1.5:1 randomises 31 and 47 (46.5 rounded up); the power is at (31, 47), not at an impossible 46.5.
  // scipy: t-test nct.sf(qt(0.975, 76), 76, 0.5 / sqrt(1/31 + 1/47)) = 0.4001; proportions, Hmisc::bpower's
  // formula at (31, 47), p1 0.313, p2 0.539: 0.5016; ANCOVA exact, rho 0.5, df 75: 0.5043.
  const cases: [string[], string][] = [
    [['ttest', '--delta', '4', '--sd', '10'], '0.4001'],
    [['proportions', '--p1', '0.313', '--p2', '0.539'], '0.5016'],
    [['ancova', '--delta', '4', '--sd', '10', '--rho', '0.5', '--method', 'exact'], '0.5043'],
  ];
  for (const [args, power] of cases) {
    const r = await trd(...args, '--n', '31', '--ratio', '1.5');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`power with 31 control and 47 treatment: ${power.replace('.', '\\.')}`), args[0]);
    assert.match(r.stdout, /to randomise: control 31, treatment 47, 78 in total/, args[0]);
    assert.doesNotMatch(r.stdout, /46\.5/, args[0]);
  }
});

test('trd design: --ratio 0, negative, huge, --dropout 1, 1.5, 0.99, 15 are one-line errors, exit 2', async () => {
  const cases: [string[], string][] = [
    [
      ['--ratio', '0'],
      'ratio must be between 0.1 and 10, n treatment / n control (got 0; 2 for 2:1 treatment:control)',
    ],
    [['--ratio', '-2'], 'ratio must be between 0.1 and 10'],
    [['--ratio', '1e6'], 'ratio must be between 0.1 and 10'],
    [['--ratio', 'two'], '--ratio: "two" is not a number'],
    [['--dropout', '1'], 'dropout must be in [0, 0.5] (got 1): the proportion expected to be lost'],
    [['--dropout', '1.5'], 'dropout must be in [0, 0.5] (got 1.5)'],
    [['--dropout', '0.99'], 'dropout must be in [0, 0.5] (got 0.99)'],
    [['--dropout', '15'], 'dropout must be in [0, 0.5] (got 15: a proportion, 0.15 for 15%)'],
  ];
  for (const design of [
    ['ttest', '--delta', '3', '--sd', '8', '--power', '0.8'],
    ['ancova', '--delta', '3', '--sd', '8', '--rho', '0.5', '--n', '50'],
    ['proportions', '--p1', '0.3', '--p2', '0.5', '--power', '0.8'],
  ]) {
    for (const [extra, message] of cases) {
      const r = await trd(...design, ...extra);
      const label = [...design, ...extra].join(' ');
      assert.equal(r.status, 2, label);
      assert.equal(r.stdout, '', label);
      assert.ok(r.stderr.startsWith(`trd: design: ${message}`), `${label}: ${r.stderr}`);
      assert.equal(r.stderr.split('\n').length, 2, label); // one line
    }
  }
  const enrichment = await trd('enrichment', '--delta-plus', '4', '--delta-minus', '1', '--sd', '8', '--ratio', '2');
  assert.equal(enrichment.status, 2);
  assert.match(enrichment.stderr, /unknown option '--ratio'/);
});

test('trd design enrichment: a CRP knowledge file not verified ([U]) is flagged wherever it is cited', () => {
  const crp = loadCrpKnowledge();
  assert.equal(crp.verified, true);
  for (const flags of [{}, { simulate: true, prevalence: '0.3' }]) {
    assert.doesNotMatch(sources(flags, crp).join('\n'), /unverified/);
    const cited = sources(flags, { ...crp, verified: false }).join('\n');
    assert.match(cited, /Osimo .*\[U\] unverified: check the prevalences against the primary source/);
  }
});
