/**
 * `trd design`: sample size and power of the next trial. `ttest`, `ancova` and `proportions` (a binary outcome)
 * solve for n (given --power) or for power (given --n), with equal arms or --ratio, and --dropout for the n to
 * recruit; `enrichment` compares randomising only CRP-high patients with all-comers, analytically or by
 * simulation (--simulate, on worker threads). Numbers come from src/stats/design; this file parses options, loads
 * the CRP calibration from knowledge/design/crp-distribution.json, and prints text or JSON
 * (schema precision-trd/design@1). Invalid options are one-line messages on stderr and exit code 2.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { z } from 'zod';
import { runEnrichmentSimulation } from '../../io/workers/run-enrichment-simulation.ts';
import { InputError, type Issue, type Result } from '../../record/index.ts';
import {
  ancovaPower,
  ancovaSampleSize,
  armSizes,
  isDefaultAllocation,
  type Allocation,
  calibrateCrpLogNormal,
  enrichmentAnalytic,
  proportionsPower,
  proportionsSampleSize,
  ttestPower,
  ttestSampleSize,
  type EffectModel,
} from '../../stats/design/index.ts';
import { optionName, out } from '../io.ts';
import { formatDesign, type DesignReport } from './design-format.ts';

export const DESIGN_SCHEMA = 'precision-trd/design@1';

const CRP_KNOWLEDGE = new URL('../../../knowledge/design/crp-distribution.json', import.meta.url);

const crpKnowledgeSchema = z.object({
  schema: z.literal('precision-trd/design-crp@1'),
  version: z.string(),
  thresholdMgPerL: z.number().positive(),
  prevalenceAboveThreshold: z.number().gt(0).lt(1),
  secondThresholdMgPerL: z.number().positive(),
  prevalenceAboveSecondThreshold: z.number().gt(0).lt(1),
  citation: z.object({ title: z.string(), source: z.string(), section: z.string(), values: z.string() }),
  verified: z.boolean(),
});
type CrpKnowledge = z.infer<typeof crpKnowledgeSchema>;

/** The first error as the one line the boundary prints, with the count of the others. */
function issuesError(issues: readonly Issue[]): InputError {
  const first = issues[0];
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : '';
  return new InputError(`design: ${first?.message ?? 'invalid settings'}${more}`, first?.code ?? 'design.invalid');
}

const inputError = (message: string): InputError => new InputError(`design: ${message}`, 'design.cli');

export function loadCrpKnowledge(): CrpKnowledge {
  const parsed = crpKnowledgeSchema.safeParse(JSON.parse(readFileSync(CRP_KNOWLEDGE, 'utf8')));
  if (!parsed.success) throw new Error(`knowledge/design/crp-distribution.json is invalid: ${parsed.error.message}`);
  return parsed.data;
}

function num(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(v)) throw inputError(`--${name}: "${raw}" is not a number`);
  return v;
}

function requiredNum(name: string, raw: string | undefined): number {
  const v = num(name, raw);
  if (v === undefined) throw inputError(`missing required option --${name}`);
  return v;
}

function integer(name: string, raw: string | undefined): number | undefined {
  const v = num(name, raw);
  if (v !== undefined && !Number.isInteger(v)) throw inputError(`--${name}: "${raw}" is not an integer`);
  return v;
}

function valueOf<T>(r: Result<T>): T {
  if (!r.ok) throw issuesError(r.issues);
  return r.value;
}

interface CommonFlags {
  alpha: string;
  sides: string;
  strict?: boolean;
  json?: boolean;
}

function common(flags: CommonFlags) {
  const alpha = requiredNum('alpha', flags.alpha);
  const sides = requiredNum('sides', flags.sides);
  if (sides !== 1 && sides !== 2) throw inputError(`--sides: must be 1 or 2 (got ${flags.sides})`);
  // --strict adds the far tail of a two-sided test; a one-sided test has none, so it would be silently ignored.
  if (sides === 1 && flags.strict === true) {
    throw inputError(
      '--strict counts both rejection tails of a two-sided test; --sides 1 has only one (drop one of them)',
    );
  }
  return { alpha, sides: sides as 1 | 2, strict: flags.strict ?? false };
}

interface AllocationFlags {
  ratio?: string;
  dropout?: string;
}

/** --ratio and --dropout, only those given (so that a design without them reads as before); checked by the design. */
function allocation(flags: AllocationFlags): Allocation {
  const ratio = num('ratio', flags.ratio);
  const dropout = num('dropout', flags.dropout);
  return { ...(ratio !== undefined && { ratio }), ...(dropout !== undefined && { dropout }) };
}

/** Exactly one of --power (solve for n) and --n (solve for power). */
function target(flags: { power?: string; n?: string }): { power: number } | { n: number } {
  if ((flags.power === undefined) === (flags.n === undefined)) {
    throw inputError('give exactly one of --power (to solve for n per arm) or --n (to solve for power)');
  }
  return flags.power !== undefined ? { power: requiredNum('power', flags.power) } : { n: requiredNum('n', flags.n) };
}

interface TTestFlags extends CommonFlags, AllocationFlags {
  delta?: string;
  sd?: string;
  power?: string;
  n?: string;
}

function runTTest(flags: TTestFlags): DesignReport {
  const settings = {
    delta: requiredNum('delta', flags.delta),
    sd: requiredNum('sd', flags.sd),
    ...common(flags),
    ...allocation(flags),
  };
  const t = target(flags);
  if ('power' in t) {
    return {
      kind: 'ttest',
      solveFor: 'n',
      inputs: { ...settings, ...t },
      result: valueOf(ttestSampleSize({ ...settings, ...t })),
    };
  }
  const power = valueOf(ttestPower({ ...settings, ...t }));
  return { kind: 'ttest', solveFor: 'power', inputs: { ...settings, ...t }, result: { power, ...arms(settings, t.n) } };
}

/** The power at --n with a ratio or a dropout: both arms (n control, ratio x n treatment) and the totals. */
function arms(a: Allocation, n: number) {
  return isDefaultAllocation(a) ? {} : { arms: armSizes(n, a) };
}

interface AncovaFlags extends TTestFlags {
  rho?: string;
  method: string;
}

function runAncova(flags: AncovaFlags): DesignReport {
  if (flags.method !== 'borm' && flags.method !== 'exact') {
    throw inputError(`--method: must be borm or exact (got ${flags.method})`);
  }
  const settings = {
    delta: requiredNum('delta', flags.delta),
    sd: requiredNum('sd', flags.sd),
    rho: requiredNum('rho', flags.rho),
    method: flags.method as 'borm' | 'exact',
    ...common(flags),
    ...allocation(flags),
  };
  const t = target(flags);
  if ('power' in t) {
    return {
      kind: 'ancova',
      solveFor: 'n',
      inputs: { ...settings, ...t },
      result: valueOf(ancovaSampleSize({ ...settings, ...t })),
    };
  }
  const power = valueOf(ancovaPower({ ...settings, ...t }));
  return {
    kind: 'ancova',
    solveFor: 'power',
    inputs: { ...settings, ...t },
    result: { power, ...arms(settings, t.n) },
  };
}

interface ProportionsFlags extends CommonFlags, AllocationFlags {
  p1?: string;
  p2?: string;
  power?: string;
  n?: string;
}

function runProportions(flags: ProportionsFlags): DesignReport {
  const settings = {
    p1: requiredNum('p1', flags.p1),
    p2: requiredNum('p2', flags.p2),
    ...common(flags),
    ...allocation(flags),
  };
  const t = target(flags);
  if ('power' in t) {
    return {
      kind: 'proportions',
      solveFor: 'n',
      inputs: { ...settings, ...t },
      result: valueOf(proportionsSampleSize({ ...settings, ...t })),
    };
  }
  return {
    kind: 'proportions',
    solveFor: 'power',
    inputs: { ...settings, ...t },
    result: { ...valueOf(proportionsPower({ ...settings, ...t })), ...arms(settings, t.n) },
  };
}

interface EnrichmentFlags extends CommonFlags {
  prevalence?: string;
  prevalenceAboveSecond?: string;
  deltaPlus?: string;
  deltaMinus?: string;
  sd?: string;
  power?: string;
  simulate?: boolean;
  effectModel: string;
  beta0?: string;
  beta1?: string;
  nPerArm?: string;
  nEnriched?: string;
  nAllComers?: string;
  trials: string;
  seed: string;
  workers: string;
}

/**
 * The citation applies only when the prevalences come from the knowledge file, not from the command line. A file whose
 * values are not verified against the primary source ("verified": false, a [U] value) says so wherever it is cited.
 */
export function sources(
  flags: Pick<EnrichmentFlags, 'prevalence' | 'prevalenceAboveSecond' | 'simulate'>,
  crp: CrpKnowledge,
): string[] {
  const overridden = flags.prevalence !== undefined || flags.prevalenceAboveSecond !== undefined;
  const unverified = crp.verified
    ? ''
    : ' [U] unverified: check the prevalences against the primary source before a protocol relies on them';
  const cited = `${crp.citation.title} (${crp.citation.values})${unverified}`;
  if (!overridden) return [cited];
  if (!flags.simulate) return ['CRP prevalence given on the command line'];
  // The simulated CRP spread rests on both prevalences: one typed and one from the knowledge file, where it goes with
  // the file's other one, is said so (0.45 above 3 mg/L with the file's 0.58 above 1 mg/L is a very wide spread).
  const first = `P(CRP >= ${crp.thresholdMgPerL} mg/L)`;
  const second = `P(CRP >= ${crp.secondThresholdMgPerL} mg/L)`;
  if (flags.prevalence === undefined || flags.prevalenceAboveSecond === undefined) {
    const [typed, kept, keptValue, otherValue, option] =
      flags.prevalence === undefined
        ? [second, first, crp.prevalenceAboveThreshold, crp.prevalenceAboveSecondThreshold, '--prevalence']
        : [
            first,
            second,
            crp.prevalenceAboveSecondThreshold,
            crp.prevalenceAboveThreshold,
            '--prevalence-above-second',
          ];
    return [
      `${typed} given on the command line, ${kept} ${keptValue} from knowledge/design/crp-distribution.json, where it goes with ${typed} ${otherValue}: the CRP spread rests on both (give ${option} too)`,
      cited,
    ];
  }
  return ['CRP prevalences given on the command line', cited];
}

function runEnrichmentAnalytic(flags: EnrichmentFlags, crp: CrpKnowledge): DesignReport {
  const inputs = {
    prevalence: num('prevalence', flags.prevalence) ?? crp.prevalenceAboveThreshold,
    deltaPlus: requiredNum('delta-plus', flags.deltaPlus),
    deltaMinus: requiredNum('delta-minus', flags.deltaMinus),
    sd: requiredNum('sd', flags.sd),
    power: num('power', flags.power) ?? 0.8,
    ...common(flags),
  };
  return {
    kind: 'enrichment',
    solveFor: 'n',
    inputs: { ...inputs, crpThresholdMgPerL: crp.thresholdMgPerL },
    result: valueOf(enrichmentAnalytic(inputs)),
    sources: sources(flags, crp),
  };
}

async function runEnrichmentSimulated(flags: EnrichmentFlags, crp: CrpKnowledge): Promise<DesignReport> {
  const calibration = {
    thresholdMgPerL: crp.thresholdMgPerL,
    prevalenceAboveThreshold: num('prevalence', flags.prevalence) ?? crp.prevalenceAboveThreshold,
    secondThresholdMgPerL: crp.secondThresholdMgPerL,
    prevalenceAboveSecondThreshold:
      num('prevalence-above-second', flags.prevalenceAboveSecond) ?? crp.prevalenceAboveSecondThreshold,
  };
  // The second point's default belongs to the knowledge file's first: a --prevalence at or above it leaves no
  // log-normal through both, and the library's message would name a 0.58 the user never typed.
  const { prevalenceAboveThreshold: p1, prevalenceAboveSecondThreshold: p2 } = calibration;
  if (p1 > 0 && p1 < 1 && p2 > 0 && p2 < 1 && p2 <= p1) {
    const second =
      flags.prevalenceAboveSecond === undefined ? ', the default of knowledge/design/crp-distribution.json' : '';
    throw inputError(
      `--prevalence ${p1} (CRP >= ${crp.thresholdMgPerL} mg/L) must be below the proportion with CRP >= ${crp.secondThresholdMgPerL} mg/L (${p2}${second}): give --prevalence-above-second above it (it sets the CRP spread)`,
    );
  }
  const crpDistribution = valueOf(calibrateCrpLogNormal(calibration));
  let effect: EffectModel;
  if (flags.effectModel === 'logcrp') {
    effect = { model: 'logCrp', beta0: requiredNum('beta0', flags.beta0), beta1: requiredNum('beta1', flags.beta1) };
  } else if (flags.effectModel === 'step') {
    effect = {
      model: 'step',
      deltaPlus: requiredNum('delta-plus', flags.deltaPlus),
      deltaMinus: requiredNum('delta-minus', flags.deltaMinus),
    };
  } else {
    throw inputError(`--effect-model: must be logcrp or step (got ${flags.effectModel})`);
  }
  const nPerArm = integer('n-per-arm', flags.nPerArm);
  const nEnriched = integer('n-enriched', flags.nEnriched) ?? nPerArm;
  const nAllComers = integer('n-all-comers', flags.nAllComers) ?? nPerArm;
  if (nEnriched === undefined || nAllComers === undefined) {
    throw inputError('give --n-per-arm (or both --n-enriched and --n-all-comers) for the simulated trials');
  }
  const { alpha, sides } = common(flags);
  const config = {
    crp: crpDistribution,
    effect,
    sd: requiredNum('sd', flags.sd),
    nPerArm: { enriched: nEnriched, allComers: nAllComers },
    alpha,
    sides,
  };
  const options = {
    seed: integer('seed', flags.seed) ?? 42,
    trials: integer('trials', flags.trials) ?? 10000,
    workers: integer('workers', flags.workers) ?? 2,
  };
  const summary = valueOf(await runEnrichmentSimulation(config, options));
  return {
    kind: 'enrichment-simulation',
    solveFor: 'power',
    inputs: { ...config, calibration, workers: options.workers },
    result: summary,
    sources: sources(flags, crp),
  };
}

const SIMULATION_ONLY: readonly (keyof EnrichmentFlags)[] = [
  'effectModel',
  'beta0',
  'beta1',
  'nPerArm',
  'nEnriched',
  'nAllComers',
  'prevalenceAboveSecond',
  'trials',
  'seed',
  'workers',
];

/**
 * An option the chosen comparison does not use is refused rather than ignored, as `trd analyze` does: `--n-per-arm`
 * without `--simulate` would print the sample sizes for 80% power where the power at that n was asked for, and
 * `--delta-plus` beside the default log-CRP effect model would simulate an effect other than the one given.
 */
function checkEnrichmentOptions(flags: EnrichmentFlags, given: (key: keyof EnrichmentFlags) => boolean): void {
  if (flags.simulate !== true) {
    const unused = SIMULATION_ONLY.find(given);
    if (unused !== undefined) {
      throw inputError(`${optionName(unused)} is for --simulate; the analytic comparison solves for n at --power`);
    }
    return;
  }
  if (given('power')) {
    throw inputError('--power is for the analytic comparison; --simulate gives the power at --n-per-arm');
  }
  const model = flags.effectModel;
  if (model !== 'logcrp' && model !== 'step') {
    throw inputError(`--effect-model: must be logcrp or step (got ${model})`);
  }
  const unused = (model === 'step' ? (['beta0', 'beta1'] as const) : (['deltaPlus', 'deltaMinus'] as const)).find(
    given,
  );
  if (unused !== undefined) {
    const uses = model === 'step' ? '--delta-plus and --delta-minus' : '--beta0 and --beta1';
    throw inputError(`${optionName(unused)} is not used by --effect-model ${model}, which takes ${uses}`);
  }
  if (given('nPerArm') && given('nEnriched') && given('nAllComers')) {
    throw inputError('--n-per-arm is not used when both --n-enriched and --n-all-comers are given');
  }
}

function emit(report: DesignReport, json: boolean | undefined): void {
  out(json ? `${JSON.stringify({ schema: DESIGN_SCHEMA, ...report }, null, 2)}\n` : formatDesign(report));
}

/** An action that prints the report; input problems are thrown to the boundary in src/cli/trd.ts. */
function printed<F extends { json?: boolean }>(
  run: (flags: F, command: Command) => DesignReport | Promise<DesignReport>,
) {
  return async (flags: F, command: Command) => emit(await run(flags, command), flags.json);
}

/** The allocation options of the t-test, ANCOVA and two-proportion designs (src/stats/design/allocation.ts). */
function withAllocation(command: Command): Command {
  return command
    .option('--ratio <k>', 'allocation ratio: n treatment = k x n control, in [0.1, 10] (2 for 2:1; default 1)')
    .option(
      '--dropout <d>',
      'proportion lost before the outcome, in [0, 0.5]: recruit n / (1 - d) per arm (default 0)',
    );
}

function withCommon(command: Command): Command {
  return command
    .option('--alpha <a>', 'type I error rate (two-sided unless --sides 1)', '0.05')
    .option('--sides <1|2>', 'one- or two-sided test', '2')
    .option('--strict', 'two-sided power counts both rejection tails (R strict = TRUE)')
    .option('--json', `print JSON (schema ${DESIGN_SCHEMA})`);
}

export function registerDesign(program: Command): void {
  const design = program
    .command('design')
    .description(
      'Sample size and power of the next trial: t-test, ANCOVA, two proportions, CRP enrichment vs all-comers',
    );

  withCommon(
    withAllocation(
      design
        .command('ttest')
        .description('two-sample t-test (R power.t.test): n per arm for --power, or power for --n')
        .option('--delta <d>', 'difference in means to detect (outcome units, > 0)')
        .option('--sd <s>', 'within-arm standard deviation (outcome units, > 0)')
        .option('--power <p>', 'target power in (0, 1): solve for n per arm')
        .option('--n <n>', 'patients per arm (the control arm with --ratio): solve for power'),
    ),
  ).action(printed<TTestFlags>(runTTest));

  withCommon(
    withAllocation(
      design
        .command('ancova')
        .description('ANCOVA adjusted for a baseline covariate correlated rho with the outcome')
        .option('--delta <d>', 'difference in means to detect (outcome units, > 0)')
        .option('--sd <s>', 'unadjusted within-arm standard deviation (> 0)')
        .option('--rho <r>', 'baseline-outcome correlation in (-1, 1)')
        .option('--method <m>', 'borm (n_ttest (1 - rho^2), Borm 2007) or exact (noncentral t, df 2n - 3)', 'borm')
        .option('--power <p>', 'target power in (0, 1): solve for n per arm')
        .option('--n <n>', 'patients per arm (the control arm with --ratio): solve for power'),
    ),
  ).action(printed<AncovaFlags>(runAncova));

  withCommon(
    withAllocation(
      design
        .command('proportions')
        .description('two proportions, a binary outcome (R power.prop.test): n per arm for --power, or power for --n')
        .option('--p1 <p>', 'proportion with the outcome in the control arm, e.g. placebo remission (in (0, 1))')
        .option('--p2 <p>', 'proportion with the outcome in the treatment arm, e.g. active remission (in (0, 1))')
        .option('--power <p>', 'target power in (0, 1): solve for n per arm')
        .option('--n <n>', 'patients per arm (the p1 arm with --ratio): solve for power'),
    ),
  ).action(printed<ProportionsFlags>(runProportions));

  withCommon(
    design
      .command('enrichment')
      .description('randomise only CRP-high patients (enriched) vs all-comers: analytic, or --simulate')
      .option('--prevalence <pi>', 'proportion with CRP >= 3 mg/L (default from knowledge/design: 0.27, Osimo 2019)')
      .option('--delta-plus <d>', 'effect in CRP-high patients (analytic, or --effect-model step)')
      .option('--delta-minus <d>', 'effect in CRP-low patients (analytic, or --effect-model step)')
      .option('--sd <s>', 'within-arm outcome standard deviation (> 0)')
      .option('--power <p>', 'analytic: target power', '0.8')
      .option('--simulate', 'simulate trials instead (power at given n, log-normal CRP)')
      .option('--effect-model <m>', 'simulation: logcrp (beta0 + beta1 ln(CRP/3)) or step (delta+/delta-)', 'logcrp')
      .option('--beta0 <b>', 'simulation, logcrp: effect at CRP = 3 mg/L')
      .option('--beta1 <b>', 'simulation, logcrp: change in effect per unit of ln CRP')
      .option('--n-per-arm <n>', 'simulation: patients per arm in both designs')
      .option('--n-enriched <n>', 'simulation: patients per arm in the enriched design')
      .option('--n-all-comers <n>', 'simulation: patients per arm in the all-comers design')
      .option('--prevalence-above-second <p>', 'simulation: proportion with CRP >= 1 mg/L (sets the CRP spread)')
      .option('--trials <n>', 'simulation: simulated trials per design', '10000')
      .option('--seed <s>', 'simulation: random seed, integer in [0, 2^31 - 1]', '42')
      .option('--workers <n>', 'simulation: worker threads (the result does not depend on it)', '2'),
  ).action(
    printed<EnrichmentFlags>((flags, command) => {
      checkEnrichmentOptions(flags, (key) => command.getOptionValueSource(key) === 'cli');
      const crp = loadCrpKnowledge();
      return flags.simulate ? runEnrichmentSimulated(flags, crp) : runEnrichmentAnalytic(flags, crp);
    }),
  );
}
