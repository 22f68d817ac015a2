/**
 * Turns the records of a long-format trial CSV (one row per subject and visit) into a validated dataset for
 * `trd analyze`. Every problem is collected as an Issue with a one-line message naming the column, label or CSV line,
 * then the build fails once (an analysis of malformed data would look confident and be wrong).
 *
 * Conventions: change = post - baseline; an empty outcome cell is missing; visits sort numerically when every visit
 * label is a number, otherwise in order of first appearance; only the treatment and control arms are analysed.
 */
import { fail, issue, ok, type Issue, type Result } from '../record/index.ts';

export interface ColumnMap {
  readonly subject: string;
  readonly arm: string;
  readonly visit: string;
  readonly outcome: string;
  readonly baseline: string;
  readonly biomarker?: string;
}

export interface DatasetSpec {
  readonly columns: ColumnMap;
  readonly treatment: string;
  readonly control: string;
  readonly primaryVisit: string;
  /** `score`: the outcome column is the post-baseline score; `change`: it is already post - baseline. */
  readonly outcomeType: 'score' | 'change';
}

export interface LongRow {
  readonly subject: string;
  readonly arm: string;
  readonly visit: string;
  /** post - baseline; null when the outcome is missing. */
  readonly change: number | null;
  readonly baseline: number;
  /** Baseline biomarker (e.g. hs-CRP mg/L); null when no biomarker column or the cell is empty. */
  readonly biomarker: number | null;
}

export interface TrialSubject {
  readonly subject: string;
  readonly arm: string;
  readonly baseline: number;
  readonly biomarker: number | null;
}

export interface TrialDataset {
  readonly rows: LongRow[];
  readonly subjects: TrialSubject[];
  /** Visit labels in analysis order. */
  readonly visits: string[];
  readonly primaryVisit: string;
  readonly treatment: string;
  readonly control: string;
  /** Rows of other arms that were left out. */
  readonly otherArmRows: number;
}

/** The first data record is CSV line 2 (after the header). */
const lineOf = (index: number): number => index + 2;

/** Parses a numeric cell; '' is missing (null); anything non-numeric is NaN. */
function numberCell(raw: string | undefined): number | null {
  const s = (raw ?? '').trim();
  if (s === '' || s.toUpperCase() === 'NA') return null;
  const v = Number(s);
  return Number.isFinite(v) ? v : Number.NaN;
}

/**
 * Validates and builds the dataset.
 * @param header the CSV column names
 * @param records the CSV records keyed by column name (as csv-parse `columns: true` returns them)
 */
export function buildDataset(
  header: readonly string[],
  records: readonly Record<string, string>[],
  spec: DatasetSpec,
): Result<TrialDataset> {
  const issues: Issue[] = [];
  const cols = spec.columns;
  const named: [string, string | undefined][] = [
    ['--subject', cols.subject],
    ['--arm', cols.arm],
    ['--visit', cols.visit],
    ['--outcome', cols.outcome],
    ['--baseline', cols.baseline],
    ['--biomarker', cols.biomarker],
  ];
  for (const [option, column] of named) {
    if (column !== undefined && !header.includes(column)) {
      issues.push(
        issue('analysis.column.unknown', `${option}: unknown column "${column}" (columns: ${header.join(', ')})`),
      );
    }
  }
  if (issues.length > 0) return fail(issues);
  if (records.length === 0) return fail([issue('analysis.csv.empty', 'the CSV has no data rows')]);

  const armsFound = [...new Set(records.map((r) => r[cols.arm] ?? ''))];
  for (const [option, label] of [
    ['--treatment', spec.treatment],
    ['--control', spec.control],
  ] as const) {
    if (!armsFound.includes(label)) {
      issues.push(
        issue(
          'analysis.arm.absent',
          `${option}: arm label "${label}" not found in column ${cols.arm} (found: ${armsFound.join(', ')})`,
        ),
      );
    }
  }
  if (spec.treatment === spec.control) issues.push(issue('analysis.arm.same', '--treatment and --control must differ'));
  if (issues.length > 0) return fail(issues);

  const rows: LongRow[] = [];
  const subjects = new Map<string, TrialSubject & { line: number }>();
  const seen = new Set<string>();
  let otherArmRows = 0;
  records.forEach((r, i) => {
    const line = lineOf(i);
    const arm = r[cols.arm] ?? '';
    if (arm !== spec.treatment && arm !== spec.control) {
      otherArmRows++;
      return;
    }
    const subject = (r[cols.subject] ?? '').trim();
    const visit = (r[cols.visit] ?? '').trim();
    if (subject === '')
      issues.push(issue('analysis.subject.missing', `line ${line}: empty subject in column ${cols.subject}`));
    if (visit === '') issues.push(issue('analysis.visit.missing', `line ${line}: empty visit in column ${cols.visit}`));
    const outcome = numberCell(r[cols.outcome]);
    const baseline = numberCell(r[cols.baseline]);
    const biomarker = cols.biomarker === undefined ? null : numberCell(r[cols.biomarker]);
    if (Number.isNaN(outcome)) {
      issues.push(
        issue(
          'analysis.outcome.non-numeric',
          `line ${line}: outcome "${r[cols.outcome]}" in column ${cols.outcome} is not a number`,
        ),
      );
    }
    if (baseline === null || Number.isNaN(baseline)) {
      issues.push(
        issue(
          'analysis.baseline.invalid',
          `line ${line}: baseline "${r[cols.baseline] ?? ''}" in column ${cols.baseline} is missing or not a number`,
        ),
      );
    }
    if (Number.isNaN(biomarker) || (biomarker !== null && biomarker <= 0)) {
      issues.push(
        issue(
          'analysis.biomarker.invalid',
          `line ${line}: biomarker "${r[cols.biomarker!]}" in column ${cols.biomarker} must be a positive number (it is log-transformed)`,
        ),
      );
    }
    if (
      subject === '' ||
      visit === '' ||
      Number.isNaN(outcome) ||
      baseline === null ||
      Number.isNaN(baseline) ||
      Number.isNaN(biomarker)
    )
      return;

    const key = `${subject}\u0000${visit}`;
    if (seen.has(key))
      issues.push(
        issue('analysis.row.duplicate', `line ${line}: subject ${subject} has a second row for visit ${visit}`),
      );
    seen.add(key);
    const prior = subjects.get(subject);
    if (prior === undefined) {
      subjects.set(subject, { subject, arm, baseline, biomarker, line });
    } else if (prior.arm !== arm) {
      issues.push(
        issue(
          'analysis.subject.two-arms',
          `line ${line}: subject ${subject} is in arm ${arm} but in arm ${prior.arm} on line ${prior.line}`,
        ),
      );
    } else if (prior.baseline !== baseline) {
      issues.push(
        issue(
          'analysis.baseline.inconsistent',
          `line ${line}: subject ${subject} has baseline ${baseline} but ${prior.baseline} on line ${prior.line}`,
        ),
      );
    } else if (prior.biomarker !== biomarker) {
      issues.push(
        issue(
          'analysis.biomarker.inconsistent',
          `line ${line}: subject ${subject} has baseline biomarker ${biomarker} but ${prior.biomarker} on line ${prior.line}`,
        ),
      );
    }
    const change = outcome === null ? null : spec.outcomeType === 'score' ? outcome - baseline : outcome;
    rows.push({ subject, arm, visit, change, baseline, biomarker });
  });

  const visits = orderVisits(rows.map((r) => r.visit));
  if (!visits.includes(spec.primaryVisit)) {
    issues.push(
      issue(
        'analysis.visit.primary-absent',
        `--primary-visit: visit "${spec.primaryVisit}" not found in column ${cols.visit} (found: ${visits.join(', ')})`,
      ),
    );
  }
  if (issues.length > 0) return fail(issues);
  const warnings: Issue[] = [];
  if (otherArmRows > 0) {
    warnings.push(
      issue(
        'analysis.arm.other',
        `${otherArmRows} rows of arms other than ${spec.treatment} and ${spec.control} were left out`,
        undefined,
        'warning',
      ),
    );
  }
  const subjectList = [...subjects.values()].map(({ line: _line, ...s }) => s);
  return ok(
    {
      rows,
      subjects: subjectList,
      visits,
      primaryVisit: spec.primaryVisit,
      treatment: spec.treatment,
      control: spec.control,
      otherArmRows,
    },
    warnings,
  );
}

/** Numeric order when every label is a number (so "10" follows "9"), else first appearance. */
export function orderVisits(labels: readonly string[]): string[] {
  const unique = [...new Set(labels)];
  const allNumeric = unique.every((v) => v.trim() !== '' && Number.isFinite(Number(v)));
  return allNumeric ? unique.sort((a, b) => Number(a) - Number(b)) : unique;
}
