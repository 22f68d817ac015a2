/**
 * Fixed-effects model matrix like R's model.matrix for the formulas the MMRM uses: factors with treatment contrasts
 * (first level = reference), numeric covariates, and interactions, with R's column names (`armDRUG`, `visit5`,
 * `armDRUG:visit5`, `baseline:visit5`; the first variable of an interaction varies fastest). Factors inside an
 * interaction always use contrasts, which is what R does when the marginal terms are in the model (as in
 * arm * visit); for other formulas check the columns. Aliased columns are detected in column order, as R's
 * pivoting QR (tolerance 1e-7), dropped and reported, so the MMRM always gets a full-rank X.
 */
import { Matrix, QrDecomposition } from 'ml-matrix';
import { fail, issue, ok, type Result } from '../../record/index.ts';

export type DesignVariable =
  | { readonly kind: 'factor'; readonly values: readonly string[]; readonly levels: readonly string[] }
  | { readonly kind: 'numeric'; readonly values: readonly number[] };

export interface DesignSpec {
  readonly variables: Readonly<Record<string, DesignVariable>>;
  /** Each term lists variable names: ['arm'], ['visit', 'arm'] for arm:visit in R order, ... */
  readonly terms: readonly (readonly string[])[];
  /** Include the intercept column `(Intercept)` (default true). */
  readonly intercept?: boolean;
}

export interface DesignColumn {
  readonly name: string;
  /** Index into spec.terms, -1 for the intercept. */
  readonly term: number;
  /** Per variable of the term: the factor level this column indicates, or null for a numeric variable. */
  readonly levels: readonly (string | null)[];
}

export interface DesignMatrix {
  readonly X: number[][];
  readonly columnNames: string[];
  readonly columns: DesignColumn[];
  /** Names of columns dropped as linear combinations of earlier ones (R reports these as NA coefficients). */
  readonly aliased: string[];
  /** The dropped columns, in the order of `aliased`. */
  readonly aliasedColumns: DesignColumn[];
  /** Per dropped column, its coefficients on the kept columns (column = X a): what makes a contrast estimable. */
  readonly aliasedCombinations: number[][];
}

/** R's default tolerance for declaring a column aliased in lm's QR (qr(..., tol = 1e-7)). */
const ALIAS_TOLERANCE = 1e-7;

/** All candidate columns of the spec, before alias detection, in R's order. */
export function designColumns(spec: DesignSpec): Result<DesignColumn[]> {
  const columns: DesignColumn[] = [];
  if (spec.intercept ?? true) columns.push({ name: '(Intercept)', term: -1, levels: [] });
  for (const [termIndex, term] of spec.terms.entries()) {
    let partial: { name: string[]; levels: (string | null)[] }[] = [{ name: [], levels: [] }];
    for (const variableName of term) {
      const variable = spec.variables[variableName];
      if (!variable)
        return fail([issue('stats.design.unknown-variable', `term uses unknown variable ${variableName}`)]);
      const options =
        variable.kind === 'numeric'
          ? [{ label: variableName, level: null }]
          : variable.levels.slice(1).map((level) => ({ label: `${variableName}${level}`, level }));
      // The first variable varies fastest, as in R's interaction columns.
      const next: typeof partial = [];
      for (const option of options) {
        for (const column of partial) {
          next.push({ name: [...column.name, option.label], levels: [...column.levels, option.level] });
        }
      }
      partial = next;
    }
    for (const column of partial) columns.push({ name: column.name.join(':'), term: termIndex, levels: column.levels });
  }
  return ok(columns);
}

/** Value of one design column for one row (or a reference-grid point): the product over the term's variables. */
export function columnValue(
  spec: DesignSpec,
  column: DesignColumn,
  valueOf: (variable: string) => string | number | Readonly<Record<string, number>>,
): number {
  if (column.term < 0) return 1;
  const term = spec.terms[column.term]!;
  let product = 1;
  term.forEach((variableName, position) => {
    const value = valueOf(variableName);
    const level = column.levels[position];
    if (level === null || level === undefined) product *= typeof value === 'number' ? value : Number.NaN;
    else if (typeof value === 'string') product *= value === level ? 1 : 0;
    else if (typeof value === 'object')
      product *= value[level] ?? 0; // averaged factor: weight of this level
    else product *= Number.NaN;
  });
  return product;
}

/** Builds X for all rows, dropping aliased columns. */
export function buildDesign(spec: DesignSpec): Result<DesignMatrix> {
  const candidates = designColumns(spec);
  if (!candidates.ok) return candidates;
  const lengths = new Set(Object.values(spec.variables).map((variable) => variable.values.length));
  if (lengths.size > 1) return fail([issue('stats.design.length-mismatch', 'all variables need the same length')]);
  const n = [...lengths][0] ?? 0;
  for (const [name, variable] of Object.entries(spec.variables)) {
    if (variable.kind === 'factor') {
      const known = new Set(variable.levels);
      const unknown = variable.values.find((value) => !known.has(value));
      if (unknown !== undefined) {
        return fail([issue('stats.design.unknown-level', `factor ${name} has value ${unknown} outside its levels`)]);
      }
    } else if (variable.values.some((value) => !Number.isFinite(value))) {
      return fail([issue('stats.design.not-finite', `numeric variable ${name} has a missing or non-finite value`)]);
    }
  }
  const columnsData = candidates.value.map((column) =>
    Float64Array.from({ length: n }, (_, row) =>
      columnValue(spec, column, (name) => spec.variables[name]!.values[row]!),
    ),
  );
  // Gram-Schmidt in column order (twice, for orthogonality in floating point): a column whose residual norm is
  // below 1e-7 of its own norm is a linear combination of the columns kept before it.
  const basis: Float64Array[] = [];
  const kept: number[] = [];
  const aliased: string[] = [];
  columnsData.forEach((values, index) => {
    const norm = euclideanNorm(values);
    const residual = Float64Array.from(values);
    for (let pass = 0; pass < 2; pass++) {
      for (const q of basis) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += q[i]! * residual[i]!;
        for (let i = 0; i < n; i++) residual[i]! -= dot * q[i]!;
      }
    }
    const residualNorm = euclideanNorm(residual);
    if (norm === 0 || residualNorm <= ALIAS_TOLERANCE * norm) {
      aliased.push(candidates.value[index]!.name);
      return;
    }
    basis.push(residual.map((v) => v / residualNorm));
    kept.push(index);
  });
  const columns = kept.map((index) => candidates.value[index]!);
  const X = Array.from({ length: n }, (_, row) => kept.map((index) => columnsData[index]![row]!));
  const aliasedIndices = candidates.value.flatMap((_, index) => (kept.includes(index) ? [] : [index]));
  // Least squares on the kept columns (full column rank) gives each dropped column as their exact combination.
  const qr = aliasedIndices.length > 0 && kept.length > 0 ? new QrDecomposition(new Matrix(X)) : null;
  const aliasedCombinations = aliasedIndices.map((index) =>
    qr ? qr.solve(Matrix.columnVector([...columnsData[index]!])).getColumn(0) : [],
  );
  return ok({
    X,
    columnNames: columns.map((column) => column.name),
    columns,
    aliased,
    aliasedColumns: aliasedIndices.map((index) => candidates.value[index]!),
    aliasedCombinations,
  });
}

/**
 * Whether the linear function L beta of the full design (L given as its values on the kept columns and on the dropped
 * ones) is estimable, as emmeans' estimability check and SAS's "Non-est": L must give each dropped column exactly the
 * weight of the kept columns it is a combination of (L is then orthogonal to the null space of the full X), and its
 * estimate is then the kept part times the kept coefficients, whatever values the dropped coefficients are given.
 */
export function isEstimable(design: DesignMatrix, keptRow: readonly number[], aliasedRow: readonly number[]): boolean {
  return design.aliasedCombinations.every((combination, j) => {
    const through = combination.reduce((sum, a, k) => sum + a * keptRow[k]!, 0);
    const scale = Math.max(1, Math.abs(aliasedRow[j]!), ...combination.map((a, k) => Math.abs(a * keptRow[k]!)));
    return Math.abs(aliasedRow[j]! - through) <= ESTIMABILITY_TOLERANCE * scale;
  });
}

/** Relative tolerance of the estimability check (emmeans' nonest tolerance is 1e-8 on a normalised basis). */
const ESTIMABILITY_TOLERANCE = 1e-6;

function euclideanNorm(values: Float64Array): number {
  let sum = 0;
  for (const value of values) sum += value * value;
  return Math.sqrt(sum);
}
