/**
 * The MMRM input, validated and grouped by missing-visit pattern. Subjects with the same set of observed visits share
 * one Sigma subset, so each distinct subset is inverted once per likelihood evaluation, and the design
 * cross-products per pattern (sum over subjects of x_ic x_id') are computed once, which makes an iteration's cost
 * independent of the number of subjects apart from one pass over the residuals.
 */
import { fail, issue, ok, type Issue, type Result } from '../../record/index.ts';

/** Long-format MMRM input: one row per observed (subject, visit); rows with a missing outcome are left out. */
export interface MmrmInput {
  readonly subject: readonly string[];
  /** 0-based visit position, 0..visitCount-1. */
  readonly visitIndex: readonly number[];
  readonly y: readonly number[];
  /** n x p fixed-effects design matrix (full column rank: see design.ts for building one and dropping aliased columns). */
  readonly X: readonly (readonly number[])[];
  readonly columnNames: readonly string[];
  readonly visitCount: number;
  /** The visits' labels in index order ("Week 2"), for messages; without them a visit is named by its position. */
  readonly visitLabels?: readonly string[];
}

/** Subjects sharing one set of observed visits. */
export interface PatternGroup {
  /** Observed visit indices, ascending; position in this list is the local index used below. */
  readonly visits: readonly number[];
  /** visit index -> local index, -1 when not observed in this pattern. */
  readonly localOf: readonly number[];
  /** Per subject, the data-row index of each observed visit in local order. */
  readonly subjectRows: readonly (readonly number[])[];
  /** crossX[c * m + d] = sum over subjects of x_c x_d' (p x p, row-major), local visits c, d. */
  readonly crossX: readonly Float64Array[];
  /** crossXy[c * m + d] = sum over subjects of x_c * y_d (p-vector). */
  readonly crossXy: readonly Float64Array[];
}

export interface MmrmData {
  readonly rowCount: number;
  readonly columnCount: number;
  readonly visitCount: number;
  readonly subjectCount: number;
  /** Row-major n x p. */
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly patterns: readonly PatternGroup[];
  readonly columnNames: readonly string[];
  readonly visitLabels?: readonly string[];
}

/**
 * A visit as messages name it: "visit 3 of 4" by position, and with its label when that is not the position
 * ("visit Week 8 (3 of 4)"), so a user reads the label of the data rather than an index that may be another label.
 */
export function visitName(data: Pick<MmrmData, 'visitCount' | 'visitLabels'>, index: number): string {
  const position = `${index + 1} of ${data.visitCount}`;
  const label = data.visitLabels?.[index];
  return label === undefined || label === String(index + 1) ? `visit ${position}` : `visit ${label} (${position})`;
}

/** Validates the input and groups subjects by missing-visit pattern. */
export function prepareMmrmData(input: MmrmInput): Result<MmrmData> {
  const issues: Issue[] = [];
  const n = input.y.length;
  const p = input.columnNames.length;
  const visitCount = input.visitCount;
  if (!Number.isInteger(visitCount) || visitCount < 1) {
    issues.push(issue('stats.mmrm.visit-count', `visitCount must be a positive integer, got ${visitCount}`));
  }
  if (input.subject.length !== n || input.visitIndex.length !== n || input.X.length !== n) {
    issues.push(issue('stats.mmrm.length-mismatch', 'subject, visitIndex, y and X must have one entry per row'));
  }
  if (n === 0 || p === 0) issues.push(issue('stats.mmrm.empty', 'no observations or no fixed-effect columns'));
  if (issues.length > 0) return fail(issues);

  const x = new Float64Array(n * p);
  const y = new Float64Array(n);
  const rowsBySubject = new Map<string, Map<number, number>>();
  for (let row = 0; row < n; row++) {
    const visit = input.visitIndex[row]!;
    const value = input.y[row]!;
    const xRow = input.X[row]!;
    if (!Number.isInteger(visit) || visit < 0 || visit >= visitCount) {
      issues.push(issue('stats.mmrm.visit-index', `row ${row}: visit index ${visit} outside 0..${visitCount - 1}`));
      continue;
    }
    if (!Number.isFinite(value)) issues.push(issue('stats.mmrm.y-not-finite', `row ${row}: outcome is not finite`));
    if (xRow.length !== p || xRow.some((v) => !Number.isFinite(v))) {
      issues.push(issue('stats.mmrm.x-row', `row ${row}: design row must have ${p} finite values`));
    }
    y[row] = value;
    for (let j = 0; j < p; j++) x[row * p + j] = xRow[j] ?? Number.NaN;
    const subject = input.subject[row]!;
    let visits = rowsBySubject.get(subject);
    if (!visits) rowsBySubject.set(subject, (visits = new Map()));
    if (visits.has(visit)) {
      issues.push(issue('stats.mmrm.duplicate-visit', `subject ${subject} has more than one row for visit ${visit}`));
    }
    visits.set(visit, row);
  }
  if (issues.length > 0) return fail(issues.slice(0, 20));

  const byPattern = new Map<string, number[][]>();
  for (const visits of rowsBySubject.values()) {
    const ordered = [...visits.entries()].sort((a, b) => a[0] - b[0]);
    const key = ordered.map(([visit]) => visit).join(',');
    let group = byPattern.get(key);
    if (!group) byPattern.set(key, (group = []));
    group.push(ordered.map(([, row]) => row));
  }
  const patterns = [...byPattern.entries()].map(([key, subjectRows]) =>
    buildPattern(key.split(',').map(Number), subjectRows, x, y, p, visitCount),
  );
  return ok({
    rowCount: n,
    columnCount: p,
    visitCount,
    subjectCount: rowsBySubject.size,
    x,
    y,
    patterns,
    columnNames: [...input.columnNames],
    ...(input.visitLabels?.length === visitCount ? { visitLabels: [...input.visitLabels] } : {}),
  });
}

function buildPattern(
  visits: number[],
  subjectRows: number[][],
  x: Float64Array,
  y: Float64Array,
  p: number,
  visitCount: number,
): PatternGroup {
  const m = visits.length;
  const localOf = new Array<number>(visitCount).fill(-1);
  visits.forEach((visit, local) => (localOf[visit] = local));
  const crossX = Array.from({ length: m * m }, () => new Float64Array(p * p));
  const crossXy = Array.from({ length: m * m }, () => new Float64Array(p));
  for (const rows of subjectRows) {
    for (let c = 0; c < m; c++) {
      const rc = rows[c]! * p;
      for (let d = 0; d < m; d++) {
        const rd = rows[d]! * p;
        const block = crossX[c * m + d]!;
        const vector = crossXy[c * m + d]!;
        const yd = y[rows[d]!]!;
        for (let i = 0; i < p; i++) {
          const xi = x[rc + i]!;
          if (xi === 0) continue;
          vector[i]! += xi * yd;
          for (let j = 0; j < p; j++) block[i * p + j]! += xi * x[rd + j]!;
        }
      }
    }
  }
  return { visits, localOf, subjectRows, crossX, crossXy };
}
