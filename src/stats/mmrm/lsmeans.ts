/**
 * LS means the emmeans / SAS LSMEANS way: a reference-grid row of the design, with the named factors fixed at a
 * level, every other factor averaged over its levels with equal weights, and numeric covariates at their mean over
 * the analysed rows (for an MMRM the long-format rows, not one value per subject). Products of averages equal
 * averages of products here because the reference grid is a full factorial of the factors.
 */
import { columnValue, type DesignColumn, type DesignSpec } from './design.ts';

/** Mean of each numeric variable over the rows in the spec (the analysed rows). */
export function covariateMeans(spec: DesignSpec): Record<string, number> {
  const means: Record<string, number> = {};
  for (const [name, variable] of Object.entries(spec.variables)) {
    if (variable.kind !== 'numeric') continue;
    means[name] = variable.values.reduce((sum, v) => sum + v, 0) / variable.values.length;
  }
  return means;
}

/**
 * The linear-function row L for the LS mean at `fixed` (factor -> level), over the kept design columns.
 * `means` overrides covariate values (default: covariateMeans(spec)).
 */
export function referenceGridRow(
  spec: DesignSpec,
  columns: readonly DesignColumn[],
  fixed: Readonly<Record<string, string>>,
  means: Readonly<Record<string, number>> = covariateMeans(spec),
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
