/**
 * Readable text for `trd design` results: what was solved, the answer with the n to recruit, and how it was
 * computed, so a statistician can check it against R in one line.
 */
import type {
  AncovaSampleSize,
  ArmSizes,
  EnrichmentAnalytic,
  EnrichmentSimulationSummary,
  ProportionsPower,
  ProportionsSampleSize,
  SampleSize,
  SimulatedDesign,
} from '../../stats/design/index.ts';
import { fmt } from '../../analysis/format.ts';

export type DesignReport =
  | { kind: 'ttest'; solveFor: 'n'; inputs: Record<string, unknown>; result: SampleSize }
  | {
      kind: 'ttest' | 'ancova';
      solveFor: 'power';
      inputs: Record<string, unknown>;
      result: { power: number; arms?: ArmSizes };
    }
  | { kind: 'ancova'; solveFor: 'n'; inputs: Record<string, unknown>; result: AncovaSampleSize }
  | { kind: 'proportions'; solveFor: 'n'; inputs: Record<string, unknown>; result: ProportionsSampleSize }
  | {
      kind: 'proportions';
      solveFor: 'power';
      inputs: Record<string, unknown>;
      result: ProportionsPower & { arms?: ArmSizes };
    }
  | {
      kind: 'enrichment';
      solveFor: 'n';
      inputs: Record<string, unknown>;
      result: EnrichmentAnalytic;
      sources: string[];
    }
  | {
      kind: 'enrichment-simulation';
      solveFor: 'power';
      inputs: Record<string, unknown>;
      result: EnrichmentSimulationSummary;
      sources: string[];
    };

/**
 * A number with a fixed count of decimals, so that figures of one kind line up and compare (0.020 beside 0.019,
 * 238.90 beside 41.17); dropping trailing zeros printed them with different precisions.
 */
const f = (x: number, digits = 4): string => (Number.isFinite(x) ? fmt(x, digits) : 'n/a');
const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

function testLine(inputs: Record<string, unknown>): string {
  const sides = inputs.sides === 1 ? 'one-sided' : 'two-sided';
  const tails =
    inputs.sides === 2 ? (inputs.strict ? ', both rejection tails' : ', far rejection tail ignored (R default)') : '';
  return `${sides} alpha ${String(inputs.alpha)}${tails}`;
}

/** "2:1 (treatment:control)", "1:2 (treatment:control)" for 0.5, "1.5:1" otherwise. */
function ratioText(ratio: number): string {
  const k = ratio >= 1 || !Number.isInteger(1 / ratio) ? `${String(ratio)}:1` : `1:${String(1 / ratio)}`;
  return `${k} (treatment:control)`;
}

/** Both arms as "control 60, treatment 119" (equal arms: "113 per arm"). */
function perArm(a: ArmSizes, n: (arm: ArmSizes['control']) => number): string {
  return a.ratio === 1 ? `${n(a.control)} per arm` : `control ${n(a.control)}, treatment ${n(a.treatment)}`;
}

/** Randomise and recruit, per arm and in total, with a ratio or a dropout (allocation.ts). */
function armLines(a: ArmSizes, what = 'to randomise', suffix = ''): string[] {
  const recruit =
    a.dropout === 0
      ? 'no allowance for dropout'
      : `after ${pct(a.dropout)} dropout (n / (1 - ${String(a.dropout)}), rounded up per arm): ${perArm(a, (x) => x.recruit)}, ${a.recruitTotal} in total`;
  return [
    `  ${what}: ${perArm(a, (x) => x.randomise)}, ${a.randomiseTotal} in total${suffix}`,
    `  ${what === 'to randomise' ? 'to recruit' : `${what}, to recruit`}: ${recruit}`,
  ];
}

/** The power line for a design with a ratio: both arms named. */
function powerWith(a: ArmSizes | undefined, nPerArm: number | string, nTreatment?: number): string {
  if (a === undefined || a.ratio === 1) return `${String(nPerArm)} per arm`;
  return `${String(nPerArm)} control and ${String(nTreatment ?? a.treatment.randomise)} treatment`;
}

function sampleSizeLines(r: SampleSize, how = '', source = 'exact root'): string[] {
  const a = r.arms;
  if (a !== undefined) {
    const exact =
      a.ratio === 1
        ? `  n per arm: ${f(r.nPerArmExact, 3)} (${source})`
        : `  n control: ${f(r.nPerArmExact, 3)} (${source}); n treatment: ${f(a.treatment.exact, 3)} (${String(a.ratio)} x ${f(a.control.exact, 3)}); allocation ${ratioText(a.ratio)}`;
    return [
      exact,
      ...armLines(a),
      `  power with ${powerWith(a, a.control.randomise, a.treatment.randomise)}: ${f(r.achievedPower)}${how}`,
    ];
  }
  return [
    `  n per arm: ${f(r.nPerArmExact, 3)} (${source}) -> randomise ${r.nPerArm} per arm, ${r.totalN} in total`,
    `  power with ${r.nPerArm} per arm: ${f(r.achievedPower)}${how}`,
  ];
}

function ttest(report: Extract<DesignReport, { kind: 'ttest' | 'ancova' }>): string[] {
  const i = report.inputs;
  const d = Number(i.delta) / Number(i.sd);
  // Unequal arms (--ratio): the formulas of pwr::pwr.t2n.test, n1 the control arm and n2 = ratio x n1.
  const unequal = i.ratio !== undefined && i.ratio !== 1;
  const ancovaDf = unequal ? 'df n1 + n2 - 3' : 'df 2n - 3';
  const head =
    report.kind === 'ttest'
      ? unequal
        ? 'Two-sample t-test, unequal arms (R pwr.t2n.test: noncentral t, df n1 + n2 - 2, ncp delta / (sd sqrt(1/n1 + 1/n2)))'
        : 'Two-sample t-test (R power.t.test: noncentral t, df 2(n - 1), ncp sqrt(n/2) delta/sd)'
      : i.method === 'exact'
        ? `ANCOVA, exact: noncentral t, ${ancovaDf}, residual SD sd sqrt(1 - rho^2)`
        : `ANCOVA, Borm et al. 2007: n = n_ttest (1 - rho^2)${unequal ? ', n_ttest for unequal arms (R pwr.t2n.test)' : ''}`;
  const rho = report.kind === 'ancova' ? `, rho ${String(i.rho)}` : '';
  // The exact ANCOVA always counts both rejection tails (as the R reference does), and so does the ANCOVA power at a
  // given n, which is the exact noncentral t for both methods.
  const exactPower = report.kind === 'ancova' && (i.method === 'exact' || report.solveFor === 'power');
  const tails = exactPower ? { ...i, strict: true } : i;
  // Borm's factor sizes n only: the power shown beside it is the exact noncentral t, and says so, with its tails:
  // both when two-sided, the one of the effect when one-sided (no far tail to count).
  const bormPower =
    report.kind === 'ancova' && i.method !== 'exact'
      ? ` (exact noncentral t, ${ancovaDf}, ${i.sides === 1 ? 'one-sided' : 'both tails'}; Borm's approximation sizes n only)`
      : '';
  const lines = [head, `  delta ${String(i.delta)}, sd ${String(i.sd)} (d = ${f(d, 3)})${rho}, ${testLine(tails)}`];
  if (report.solveFor === 'power') {
    const a = report.result.arms;
    lines.push(
      `  power with ${powerWith(a, String(i.n), a?.treatment.randomise)}: ${f(report.result.power)}${bormPower}`,
    );
    if (a !== undefined) lines.push(...(a.ratio === 1 ? [] : [`  allocation ${ratioText(a.ratio)}`]), ...armLines(a));
    // As for two proportions: the n asked about is what is randomised, with nothing allowed for dropout.
    else lines.push(`  to randomise: ${String(2 * Number(i.n))} in total, no allowance for dropout`);
  } else {
    // Borm's n is no root: the t-test's root scaled by 1 - rho^2, which the line shows (and so not again below).
    const source =
      report.kind === 'ancova' && i.method !== 'exact'
        ? `Borm: t-test n ${f(report.result.nPerArmTTestExact, 3)} x (1 - rho^2) ${f(1 - Number(i.rho) ** 2, 3)}`
        : 'exact root';
    lines.push(`  target power ${String(i.power)}`, ...sampleSizeLines(report.result, bormPower, source));
    // Without --ratio or --dropout the n is what to randomise: recruiting only that many allows for no loss.
    if (report.result.arms === undefined) lines.push('  to recruit: no allowance for dropout (--dropout)');
    if (report.kind === 'ancova') {
      lines.push(
        `  residual SD ${f(report.result.residualSd, 3)}${bormPower === '' ? `; the t-test alone needs ${f(report.result.nPerArmTTestExact, 3)} ${unequal ? 'in the control arm' : 'per arm'}` : ''}`,
      );
      const exactN = report.result.nPerArmExactMethod;
      if (exactN !== undefined) {
        const arm =
          report.result.arms !== undefined && report.result.arms.ratio !== 1 ? ' in the control arm' : ' per arm';
        lines.push(
          `  warning: Borm's approximation falls short of the target power at this small n; the exact method (--method exact) needs ${exactN}${arm}`,
        );
      }
    }
  }
  return lines;
}

function proportions(report: Extract<DesignReport, { kind: 'proportions' }>): string[] {
  const i = report.inputs;
  const r = report.result;
  const lines = [
    i.ratio !== undefined && i.ratio !== 1
      ? 'Two proportions, unequal arms (Fleiss, Tytun and Ury 1980, R Hmisc::bpower/bsamsize: normal approximation, pooled p under H0 weighted by the arms)'
      : 'Two proportions (R power.prop.test: normal approximation, pooled variance under H0, n per arm)',
    `  p1 ${String(i.p1)}, p2 ${String(i.p2)}: absolute difference ${f(r.absoluteDifference, 3)}, NNT ${r.nnt.rounded} (raw ${f(r.nnt.estimate, 2)}), ${testLine(i)}`,
  ];
  if (report.solveFor === 'power') {
    const a = report.result.arms;
    if (a !== undefined) {
      lines.push(
        `  power with ${powerWith(a, String(i.n), a.treatment.randomise)}: ${f(report.result.power)}`,
        ...(a.ratio === 1 ? [] : [`  allocation ${ratioText(a.ratio)}, p1 the control arm, p2 the treatment arm`]),
        ...armLines(a),
      );
      return lines;
    }
    const total = 2 * Number(i.n);
    lines.push(
      `  power with ${String(i.n)} per arm: ${f(report.result.power)}`,
      `  to randomise: ${String(total)} in total, no allowance for dropout`,
    );
    return lines;
  }
  const cc = report.result.continuityCorrected;
  if (cc.arms !== undefined) {
    return [
      ...lines,
      `  target power ${String(i.power)}${cc.arms.ratio === 1 ? '' : '; p1 the control arm, p2 the treatment arm'}`,
      ...sampleSizeLines(report.result),
      `  with continuity correction (Fleiss, Tytun and Ury 1980; not in power.prop.test): n ${cc.arms.ratio === 1 ? 'per arm' : 'control'} ${f(cc.nPerArmExact, 3)}`,
      ...armLines(cc.arms, '    with the correction'),
    ];
  }
  return [
    ...lines,
    `  target power ${String(i.power)}`,
    ...sampleSizeLines(report.result),
    `  with continuity correction (Fleiss, Tytun and Ury 1980; not in power.prop.test): n per arm ${f(cc.nPerArmExact, 3)} -> randomise ${cc.nPerArm} per arm, ${cc.totalN} in total`,
    `  to randomise: ${report.result.totalN} in total (${cc.totalN} with the continuity correction), no allowance for dropout`,
  ];
}

function enrichment(report: Extract<DesignReport, { kind: 'enrichment' }>): string[] {
  const { enriched: e, allComers: a, prevalence } = report.result;
  const row = (name: string, d: EnrichmentAnalytic['enriched']) =>
    `  ${name.padEnd(11)} ${f(d.delta, 3).padStart(7)} ${f(d.sd, 3).padStart(7)} ${`${d.nPerArm} (${f(d.nPerArmExact, 2)})`.padStart(15)} ${String(d.randomised).padStart(10)} ${f(d.screenedExpected, 1).padStart(10)}`;
  return [
    `Enrichment (CRP >= ${String(report.inputs.crpThresholdMgPerL)} mg/L only) vs all-comers, analytic t-test, power ${String(report.inputs.power)}, ${testLine(report.inputs)}`,
    `  prevalence of high CRP ${prevalence}: screen ${f(e.screenedPerRandomised, 1)} per randomised patient in the enriched trial`,
    `  design       effect      SD   n/arm (exact) randomised   screened`,
    row('enriched', e),
    ...('available' in a
      ? [`  ${'all-comers'.padEnd(11)} ${f(a.delta, 3).padStart(7)}   not powerable`, `  ${a.reason}`]
      : [
          row('all-comers', a),
          `  all-comers effect = pi delta+ + (1 - pi) delta-; its treated arm SD is ${f(a.treatedArmSd, 3)} (effect heterogeneity)`,
        ]),
    `  source: ${report.sources.join('; ')}`,
  ];
}

function simulatedRow(name: string, d: SimulatedDesign): string[] {
  const p = (a: keyof SimulatedDesign['power']) => `${f(d.power[a].power, 3)} ± ${f(d.power[a].mcSe, 3)}`;
  return [
    `  ${name}: ${d.nPerArm} per arm, ${d.randomised} randomised, ${f(d.screenedExpected, 1)} screened (${f(d.screenedPerRandomised, 1)} per randomised)`,
    `    mean effect ${f(d.meanEffect, 3)} (SD across patients ${f(d.effectSd, 3)}); analytic t-test power ${f(d.analyticTTestPower, 3)}`,
    `    simulated power: t-test ${p('ttest')}, stratified (arm + CRP>=3) ${p('stratified')}, ANCOVA (arm + ln CRP) ${p('ancovaLogCrp')}`,
  ];
}

function simulation(report: Extract<DesignReport, { kind: 'enrichment-simulation' }>): string[] {
  const r = report.result;
  const effect = report.inputs.effect as {
    model: string;
    beta0?: number;
    beta1?: number;
    deltaPlus?: number;
    deltaMinus?: number;
  };
  const effectText =
    effect.model === 'logCrp'
      ? `effect = ${String(effect.beta0)} ${(effect.beta1 ?? 0) < 0 ? '-' : '+'} ${String(Math.abs(effect.beta1 ?? 0))} ln(CRP/3)`
      : `effect ${String(effect.deltaPlus)} if CRP >= 3 mg/L, else ${String(effect.deltaMinus)}`;
  const crp = report.inputs.crp as {
    meanLog: number;
    sdLog: number;
    medianMgPerL: number;
    prevalenceAboveThreshold: number;
  };
  return [
    `Enrichment vs all-comers, simulated: ${r.replicates} trials per design, seed ${r.seed}, ${String(report.inputs.workers)} worker(s)`,
    `  ${effectText}; outcome SD ${String(report.inputs.sd)}; ${testLine({ ...report.inputs, strict: true })}`,
    `  CRP log-normal: ln CRP ~ N(${f(crp.meanLog)}, ${f(crp.sdLog)}^2), median ${f(crp.medianMgPerL, 2)} mg/L, P(CRP >= 3) = ${pct(crp.prevalenceAboveThreshold)}`,
    ...simulatedRow('enriched', r.designs.enriched),
    ...simulatedRow('all-comers', r.designs.allComers),
    `  power ± Monte-Carlo SE; source: ${report.sources.join('; ')}`,
  ];
}

export function formatDesign(report: DesignReport): string {
  const lines =
    report.kind === 'enrichment'
      ? enrichment(report)
      : report.kind === 'enrichment-simulation'
        ? simulation(report)
        : report.kind === 'proportions'
          ? proportions(report)
          : ttest(report);
  return `${lines.join('\n')}\n`;
}
