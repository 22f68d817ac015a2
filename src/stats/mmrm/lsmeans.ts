/**
 * LS means the emmeans / SAS LSMEANS way: a reference-grid row of the design, with the named factors fixed at a
 * level, every other factor averaged over its levels with equal weights, and numeric covariates at their mean over
 * the analysed rows (for an MMRM the long-format rows, not one value per subject). Products of averages equal
 * averages of products here because the reference grid is a full factorial of the factors.
 * A numeric covariate with at most two distinct values (a 0/1 stratum such as hs-CRP >= 3 mg/L) is averaged over its
 * values with equal weights instead, i.e. 0.5, as emmeans does by default (cov.keep = "2") and as SAS LSMEANS does
 * for a CLASS stratum (checked in trd-stratum.golden.test.ts against reference/r/mmrm_trd_stratum.json).
 */
import { columnValue, type DesignColumn, type DesignSpec } from './design.ts';

/**
 * The reference-grid value of each numeric variable: its mean over the rows in the spec (the analysed rows), or the
 * equal-weight average of its distinct values when it has at most two (emmeans' cov.keep = "2").
 */
export function referenceCovariateValues(spec: DesignSpec): Record<string, number> {
  const values: Record<string, number> = {};
  for (const [name, variable] of Object.entries(spec.variables)) {
    if (variable.kind !== 'numeric') continue;
    const distinct = [...new Set(variable.values)];
    values[name] =
      distinct.length <= 2
        ? distinct.reduce((sum, v) => sum + v, 0) / distinct.length
        : variable.values.reduce((sum, v) => sum + v, 0) / variable.values.length;
  }
  return values;
}

/**
 * The linear-function row L for the LS mean at `fixed` (factor -> level), over the kept design columns.
 * `means` overrides covariate values (default: referenceCovariateValues(spec)).
 */
export function referenceGridRow(
  spec: DesignSpec,
  columns: readonly DesignColumn[],
  fixed: Readonly<Record<string, string>>,
  means: Readonly<Record<string, number>> = referenceCovariateValues(spec),
): number[] {
  const valueOf = (name: string): string | number | Record<string, number> => {
    const variable = spec.variables[name]!;
    if (variable.kind === 'numeric') return means[name] ?? Number.NaN;
    const level = fixed[name];
    if (level !== undefined) return level;
    const weight = 1 / variable.levels.length;
    return Object.fromEntries(variable.levels.map((l) => [l, weight]));
  };
  return columns.map((column) => columnValue(spec, column, valueOf));
}
