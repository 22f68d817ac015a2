/**
 * Effect modification by a baseline biomarker (e.g. hs-CRP): R's
 * `lm(change ~ arm * log_b + baseline)` with log_b = ln(biomarker) - ln(cut), so the `arm` coefficient is the
 * treatment effect at the cut and the interaction is the change in effect per unit of ln(biomarker).
 * Also the subgroup model `lm(change ~ arm * stratum + baseline)` (stratum = biomarker >= cut) for a forest plot.
 * Conventions as in ancova.ts: contr.treatment with control as reference (effects are treatment minus control).
 */
import { fail, issue, ok, type Result } from '../record/index.ts';
import { biomarkerStratum, type BiomarkerLimit } from './biomarker-stratum.ts';
import { pfUpper } from './distributions.ts';
import { designMatrix, interactionColumn, treatmentIndicator, type DesignColumn } from './linear/model-matrix.ts';
import { fitOls, linearContrast, type TInference } from './linear/ols.ts';

export interface InteractionRow {
  readonly arm: string;
  readonly change: number | null;
  readonly baseline: number;
  /** Baseline biomarker, strictly positive (it is log-transformed). */
  readonly biomarker: number | null;
  /** A biomarker reported beyond the assay's limit ("<0.2"; biomarker null): no logarithm, but maybe a stratum. */
  readonly biomarkerLimit?: BiomarkerLimit;
}

export interface InteractionSpec {
  readonly treatment: string;
  readonly control: string;
  /** Centring point of the log scale and the stratum cut (e.g. 3 mg/L). */
  readonly biomarkerCut: number;
  /** Biomarker values at which to report the treatment effect (default 1, 3, 10). */
  readonly effectsAt?: readonly number[];
  readonly level?: number;
}

export interface EffectAtBiomarker extends TInference {
  readonly biomarker: number;
}

export interface InteractionResult {
  readonly formula: string;
  readonly n: number;
  /** Coefficient of arm x (ln biomarker - ln cut): change in treatment effect per unit ln(biomarker). */
  readonly interaction: TInference;
  /** F test of the interaction (nested models, 1 numerator df); equals the squared t. */
  readonly fTest: { readonly f: number; readonly df1: number; readonly df2: number; readonly p: number };
  readonly effects: EffectAtBiomarker[];
  /** The effect on a log-spaced grid over the observed biomarker range (for plotting the line and its CI band). */
  readonly curve: EffectAtBiomarker[];
  /**
   * Treatment effect within each stratum, from change ~ arm * stratum + baseline; not available when a stratum has
   * no subject of an arm (an enriched trial has one stratum only), which leaves the log-scale model above intact.
   */
  readonly strata: StrataResult;
}

/** The by-stratum effects, or why they are not available. */
export type StrataResult = StratumEffects | { readonly available: false; readonly reason: string };

export interface StratumEffects {
  readonly low: TInference;
  readonly high: TInference;
  readonly n: { readonly low: number; readonly high: number };
}

const CURVE_POINTS = 41;

/**
 * Fits the interaction model on the rows with change and a positive biomarker, and the subgroup model on the rows with
 * change and a stratum (a positive biomarker, or one beyond an assay limit that places it against the cut).
 */
export function biomarkerInteraction(
  rows: readonly InteractionRow[],
  spec: InteractionSpec,
): Result<InteractionResult> {
  const used = rows.filter(
    (r) =>
      (r.arm === spec.treatment || r.arm === spec.control) &&
      r.change !== null &&
      r.biomarker !== null &&
      r.biomarker > 0,
  );
  if (!(spec.biomarkerCut > 0))
    return fail([issue('stats.interaction.cut', 'the biomarker cut must be > 0 (log scale)')]);
  const change = used.map((r) => r.change as number);
  const arm: DesignColumn = {
    name: `arm${spec.treatment}`,
    values: treatmentIndicator(
      used.map((r) => r.arm),
      spec.treatment,
    ),
  };
  const logB: DesignColumn = {
    name: 'logBiomarkerCentred',
    values: used.map((r) => Math.log(r.biomarker as number) - Math.log(spec.biomarkerCut)),
  };
  const baselineValues = used.map((r) => r.baseline);
  // A baseline equal in every subject is a constant R's lm aliases: left out and said, as the ANCOVA and the MMRM do
  // (docs/statistics.md 'ANCOVA'). `zeros` keeps the contrasts' positions right either way.
  const covariates: DesignColumn[] =
    new Set(baselineValues).size > 1 ? [{ name: 'baseline', values: baselineValues }] : [];
  const zeros = covariates.map(() => 0);

  const full = designMatrix([arm, logB, ...covariates, interactionColumn(arm, logB)]);
  const reduced = designMatrix([arm, logB, ...covariates]);
  // Too few subjects with a logarithm (nearly every value beyond an assay limit) is named as such, not only as "3 rows
  // for 5 coefficients", so the reader knows which subjects the model lacks.
  if (used.length <= full.terms.length) {
    return fail([
      issue(
        'stats.interaction.too-few',
        `only ${used.length} subject${used.length === 1 ? ' with an outcome has a biomarker value' : 's with an outcome have a biomarker value'} with a logarithm (not beyond an assay limit): the ln(biomarker) model needs more than its ${full.terms.length} coefficients`,
      ),
    ]);
  }
  const fitFull = fitOls(change, full.x, full.terms, spec.level);
  const fitReduced = fitOls(change, reduced.x, reduced.terms, spec.level);
  if (!fitFull.ok) return fail(fitFull.issues);
  if (!fitReduced.ok) return fail(fitReduced.issues);
  const f = fitFull.value;
  const fValue = (fitReduced.value.rss - f.rss) / (f.rss / f.df);

  const effectsAt = spec.effectsAt ?? [1, 3, 10];
  const effectAt = (b: number): EffectAtBiomarker => ({
    biomarker: b,
    ...linearContrast(f, [0, 1, 0, ...zeros, Math.log(b) - Math.log(spec.biomarkerCut)]),
  });
  const logs = used.map((r) => Math.log(r.biomarker as number));
  // A loop, not Math.min(...logs): spreading 130,000 values overflows the call stack.
  let logMin = Infinity;
  let logMax = -Infinity;
  for (const l of logs) {
    if (l < logMin) logMin = l;
    if (l > logMax) logMax = l;
  }
  // An effect outside the observed biomarker range rests on the straight line alone: said, not refused.
  const outside = effectsAt.filter((b) => Math.log(b) < logMin || Math.log(b) > logMax);
  const warnings = [
    ...(covariates.length > 0
      ? []
      : [
          issue(
            'stats.interaction.constant-baseline',
            `every analysed subject has the baseline ${baselineValues[0]}: the baseline term is left out of the interaction model`,
            undefined,
            'warning',
          ),
        ]),
    ...(outside.length === 0
      ? []
      : [
          issue(
            'stats.interaction.extrapolated',
            `effects at biomarker ${outside.join(', ')} lie outside the observed range (${Number(Math.exp(logMin).toPrecision(3))} to ${Number(Math.exp(logMax).toPrecision(3))}): extrapolated from the log-linear model`,
            'effectsAt',
            'warning',
          ),
        ]),
  ];
  return ok(
    {
      formula: `change ~ arm * log(biomarker / cut)${covariates.length > 0 ? ' + baseline' : ''}`,
      n: used.length,
      interaction: linearContrast(f, [0, 0, 0, ...zeros, 1]),
      fTest: { f: fValue, df1: 1, df2: f.df, p: pfUpper(fValue, 1, f.df) },
      effects: effectsAt.map(effectAt),
      curve: Array.from({ length: CURVE_POINTS }, (_, i) =>
        effectAt(Math.exp(logMin + ((logMax - logMin) * i) / (CURVE_POINTS - 1))),
      ),
      strata: biomarkerStrata(rows, spec),
    },
    warnings,
  );
}

/**
 * The subgroup model `change ~ arm * stratum + baseline` on its own. It needs only each subject's stratum: a value
 * beyond the assay's limit that places it against the cut ("<0.2" below 3) is in it, as in the stratified ANCOVA and
 * MMRM, although it has no logarithm; so it is reported also when the ln(biomarker) model cannot be fitted (nearly
 * every value beyond the limit).
 */
export function biomarkerStrata(rows: readonly InteractionRow[], spec: InteractionSpec): StrataResult {
  const stratified = rows.flatMap((r) => {
    const side = biomarkerStratum(r.biomarker, r.biomarkerLimit, spec.biomarkerCut);
    return (r.arm === spec.treatment || r.arm === spec.control) && r.change !== null && side !== null
      ? [{ arm: r.arm, change: r.change, baseline: r.baseline, side }]
      : [];
  });
  const stratum: DesignColumn = { name: 'stratumHigh', values: stratified.map((r) => r.side) };
  const nHigh = stratum.values.filter((v) => v === 1).length;
  const stratifiedBaseline = stratified.map((r) => r.baseline);
  const strata = stratumEffects(
    stratified.map((r) => r.change),
    {
      name: `arm${spec.treatment}`,
      values: treatmentIndicator(
        stratified.map((r) => r.arm),
        spec.treatment,
      ),
    },
    stratum,
    new Set(stratifiedBaseline).size > 1 ? [{ name: 'baseline', values: stratifiedBaseline }] : [],
    spec,
  );
  return typeof strata === 'string'
    ? { available: false, reason: strata }
    : { ...strata, n: { low: stratified.length - nHigh, high: nHigh } };
}

/** The effect in each stratum, or why it cannot be estimated: a stratum without subjects of an arm. */
function stratumEffects(
  change: readonly number[],
  arm: DesignColumn,
  stratum: DesignColumn,
  covariates: readonly DesignColumn[],
  spec: InteractionSpec,
): Omit<StratumEffects, 'n'> | string {
  const cells = (a: number, s: number): number =>
    arm.values.filter((v, i) => v === a && stratum.values[i] === s).length;
  const nHigh = stratum.values.filter((v) => v === 1).length;
  if (stratum.values.length === 0)
    return `no subject with an outcome has a biomarker that places it against the cut ${spec.biomarkerCut}`;
  if (nHigh === 0 || nHigh === stratum.values.length) {
    return `all ${stratum.values.length} subjects are in the stratum biomarker ${nHigh === 0 ? '<' : '>='} ${spec.biomarkerCut}`;
  }
  for (const [s, side] of [
    [0, '<'],
    [1, '>='],
  ] as const) {
    for (const [a, label] of [
      [1, spec.treatment],
      [0, spec.control],
    ] as const) {
      if (cells(a, s) === 0) return `no ${label} subject in the stratum biomarker ${side} ${spec.biomarkerCut}`;
    }
  }
  const sub = designMatrix([arm, stratum, ...covariates, interactionColumn(arm, stratum)]);
  const fitSub = fitOls(change, sub.x, sub.terms, spec.level);
  if (!fitSub.ok) return fitSub.issues.map((i) => i.message).join('; ');
  const zeros = covariates.map(() => 0);
  return {
    low: linearContrast(fitSub.value, [0, 1, 0, ...zeros, 0]),
    high: linearContrast(fitSub.value, [0, 1, 0, ...zeros, 1]),
  };
}
