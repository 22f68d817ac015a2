/**
 * Model matrices with R's conventions: an intercept column named `(Intercept)`, factors coded by `contr.treatment`
 * (the reference level, e.g. control, is the all-zero row, so each coefficient is level minus reference).
 */

/** One named column of a design matrix. */
export interface DesignColumn {
  readonly name: string;
  readonly values: readonly number[];
}

/** A dense design matrix (row-major) and the R-style names of its columns. */
export interface Design {
  readonly x: number[][];
  readonly terms: string[];
}

/**
 * The `contr.treatment` indicator of one non-reference level: 1 where `values[i] === level`, else 0.
 * @example treatmentIndicator(['PLACEBO', 'DRUG'], 'DRUG') // [0, 1]
 */
export function treatmentIndicator(values: readonly string[], level: string): number[] {
  return values.map((v) => (v === level ? 1 : 0));
}

/** Elementwise product of two columns (an interaction term such as `armDRUG:logcrp`). */
export function interactionColumn(a: DesignColumn, b: DesignColumn): DesignColumn {
  return { name: `${a.name}:${b.name}`, values: a.values.map((v, i) => v * (b.values[i] ?? Number.NaN)) };
}

/** Assembles `(Intercept)` followed by `columns`; all columns must have the same length. */
export function designMatrix(columns: readonly DesignColumn[]): Design {
  const n = columns[0]?.values.length ?? 0;
  for (const c of columns) {
    if (c.values.length !== n) throw new RangeError(`column ${c.name} has ${c.values.length} rows, expected ${n}`);
  }
  const x: number[][] = [];
  for (let i = 0; i < n; i++) x.push([1, ...columns.map((c) => c.values[i] ?? Number.NaN)]);
  return { x, terms: ['(Intercept)', ...columns.map((c) => c.name)] };
}
