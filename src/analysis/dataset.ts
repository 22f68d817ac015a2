/**
 * Turns the records of a long-format trial CSV (one row per subject and visit) into a validated dataset for
 * `trd analyze`. Every problem is collected as an Issue with a one-line message naming the column, label or CSV line,
 * then the build fails once (an analysis of malformed data would look confident and be wrong).
 *
 * Conventions: change = post - baseline; an empty outcome cell is missing; visits sort numerically when every visit
 * label is a number or one name with a number ("Week 2"), otherwise in order of first appearance, with a warning;
 * only the treatment and control arms are analysed.
 */
import { fail, issue, ok, type Issue, type Result } from '../record/index.ts';
import type { BiomarkerLimit } from '../stats/biomarker-stratum.ts';
import { CONCEALED_ARM } from '../trial/exports/analysis-csv.ts';

export interface ColumnMap {
  readonly subject: string;
  readonly arm: string;
  readonly visit: string;
  readonly outcome: string;
  readonly baseline: string;
  readonly biomarker?: string;
  /**
   * The column saying which baseline biomarker values were converted from a molar unit and with what factor (the
   * trial export's `crp_conversion`, read with --biomarker when the file has it); empty cell = not converted.
   */
  readonly biomarkerConversion?: string;
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
  /** post - baseline; null when the outcome is missing (or, for a score, the baseline). */
  readonly change: number | null;
  /** The baseline score; null when its cell is empty (the subject is left out of the models that adjust for it). */
  readonly baseline: number | null;
  /** The post-baseline score of a row without a baseline (its change is unknown; remission reads it). */
  readonly scoreWithoutBaseline?: number;
  /** Baseline biomarker (e.g. hs-CRP mg/L); null when no biomarker column, the cell is empty or beyond a limit. */
  readonly biomarker: number | null;
  /** A biomarker reported beyond the assay's limit ("<0.2", ">10"): biomarker is then null. */
  readonly biomarkerLimit?: BiomarkerLimit;
  /** The conversion the biomarker rests on (its `biomarkerConversion` cell), absent when it was not converted. */
  readonly biomarkerConversion?: string;
}

export interface TrialSubject {
  readonly subject: string;
  readonly arm: string;
  readonly baseline: number | null;
  readonly biomarker: number | null;
  readonly biomarkerLimit?: BiomarkerLimit;
  readonly biomarkerConversion?: string;
}

export interface TrialDataset {
  readonly rows: LongRow[];
  readonly subjects: TrialSubject[];
  /** Visit labels in analysis order. */
  readonly visits: string[];
  readonly primaryVisit: string;
  readonly treatment: string;
  readonly control: string;
  /** The CSV columns read and what the outcome column holds: the record of which data were analysed. */
  readonly columns: ColumnMap;
  readonly outcomeType: DatasetSpec['outcomeType'];
  /** Rows of other arms that were left out. */
  readonly otherArmRows: number;
}

/**
 * The largest magnitude a cell may hold: sums of squares (variances, least squares) of values beyond it overflow to
 * Infinity in double precision, and every figure built on them would be noise (1e150 squared is 1e300).
 */
const MAX_MAGNITUDE = 1e150;

/** Parses a numeric cell; '' is missing (null); anything non-numeric, or beyond MAX_MAGNITUDE, is NaN. */
function numberCell(raw: string | undefined): number | null {
  const s = (raw ?? '').trim();
  if (s === '' || s.toUpperCase() === 'NA') return null;
  const v = Number(s);
  return Number.isFinite(v) && Math.abs(v) <= MAX_MAGNITUDE ? v : Number.NaN;
}

/** A number written with a comma ("6,88", "-1,5"): a decimal comma or a thousands separator, which no cell may hold. */
const COMMA_NUMBER = /^[-+]?\d*,\d+$/;

/**
 * The problem of a cell that is not a number, as [code, describe]: one written with a comma says so (what a
 * spreadsheet in a decimal-comma locale exports into a comma-separated file, quoted), any other the given problem.
 */
function numberProblem(
  raw: string | undefined,
  kind: 'outcome' | 'baseline' | 'biomarker',
  column: string | undefined,
  otherwise: readonly [string, string],
): readonly [string, string] {
  if (!COMMA_NUMBER.test((raw ?? '').trim())) return otherwise;
  return [
    `analysis.${kind}.decimal-comma`,
    `${kind} column ${column} holds a number written with a comma (6,88): write numbers with a decimal point (6.88) and no thousands separator`,
  ];
}

/** A value the lab reports beyond its assay's limit: "<0.2", "<=0.2", "≤0.2", ">10", ">=10", "≥10" (limit > 0). */
const LIMIT_CELL = /^(<=?|≤|>=?|≥)\s*(\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|\.\d+)$/;

/** A censored cell as its limit, or undefined for any other cell. */
function limitCell(raw: string | undefined): BiomarkerLimit | undefined {
  const m = LIMIT_CELL.exec((raw ?? '').trim());
  const limit = Number(m?.[2]);
  if (!m || !(limit > 0 && limit <= MAX_MAGNITUDE)) return undefined;
  const sign = m[1]!;
  return {
    side: sign.startsWith('<') || sign === '≤' ? 'below' : 'above',
    limit,
    inclusive: sign.length === 2 || sign === '≤' || sign === '≥',
  };
}

/** How many line numbers a message lists before "and N more". */
const LINES_SHOWN = 5;

/**
 * Problems of one kind gathered over all rows, reported as ONE issue with the count and the first line numbers: a
 * column of 10,000 bad cells is one line, and no cell content is ever quoted (it is the user's data).
 */
class RowProblems {
  private readonly byCode = new Map<string, { describe: string; lines: number[]; severity: Issue['severity'] }>();

  add(code: string, describe: string, line: number, severity: Issue['severity'] = 'error'): void {
    const entry = this.byCode.get(code) ?? { describe, lines: [], severity };
    entry.lines.push(line);
    this.byCode.set(code, entry);
  }

  issues(): Issue[] {
    return [...this.byCode].map(([code, { describe, lines, severity }]) => {
      const shown = lines.slice(0, LINES_SHOWN).join(', ');
      const more = lines.length > LINES_SHOWN ? ` and ${lines.length - LINES_SHOWN} more` : '';
      const rows = lines.length === 1 ? '1 row' : `${lines.length} rows`;
      return issue(
        code,
        `${describe}: ${rows} (line${lines.length === 1 ? '' : 's'} ${shown}${more})`,
        undefined,
        severity,
      );
    });
  }
}

/** Visit labels that name the baseline itself (a baseline row among post-baseline rows). */
const BASELINE_LABEL = /^(?:0|bl|base(?:line)?|screen(?:ing)?|(?:week|wk|day|visit|v)[\s_-]?0+)$/i;

/** Whether a visit label names the baseline itself (warning `analysis.visit.baseline-row`). */
export const isBaselineVisitLabel = (visit: string): boolean => BASELINE_LABEL.test(visit);

/**
 * The header is one column whose name holds semicolons or tabs: the file is separated by those, not by commas (a
 * spreadsheet saved in a decimal-comma locale writes "subject;arm;week" and 6,88). Undefined for any other header.
 * The CSV reader asks it too when the rows do not parse (6,88 splits a row into more fields than the header has).
 */
export function separatorIssue(header: readonly string[]): Issue | undefined {
  const separator = header.length === 1 ? [';', '\t'].find((s) => header[0]!.includes(s)) : undefined;
  if (separator === undefined) return undefined;
  return issue(
    'analysis.csv.separator',
    `the header is one column holding ${separator === ';' ? 'semicolons' : 'tabs'}: the file is not comma-separated; save it as CSV with commas between fields and decimal points (not commas) in numbers`,
  );
}

/**
 * Validates and builds the dataset.
 * @param header the CSV column names
 * @param records the CSV records keyed by column name (prototype-free objects)
 * @param lines the file line of each record, for messages: a reader that skips empty lines (or reads a quoted
 *   field over two lines) knows them; without it, record i is line i + 2 (after the header)
 */
export function buildDataset(
  header: readonly string[],
  records: readonly Record<string, string>[],
  spec: DatasetSpec,
  lines?: readonly number[],
): Result<TrialDataset> {
  const lineOf = (index: number): number => lines?.[index] ?? index + 2;
  const issues: Issue[] = [];
  const cols = spec.columns;
  const named: [string, string | undefined][] = [
    ['--subject', cols.subject],
    ['--arm', cols.arm],
    ['--visit', cols.visit],
    ['--outcome', cols.outcome],
    ['--baseline', cols.baseline],
    ['--biomarker', cols.biomarker],
    ['--biomarker', cols.biomarkerConversion],
  ];
  for (const [option, column] of named) {
    if (column !== undefined && !header.includes(column)) {
      // Column names are matched exactly; one that differs only in letter case ("MADRS" for madrs) is said, without
      // quoting the header.
      const caseOnly = header.some((name) => name.toLowerCase() === column.toLowerCase());
      issues.push(
        issue(
          'analysis.column.unknown',
          `${option}: unknown column "${column}" (the header has ${header.length} columns${caseOnly ? '; one of them differs from it only in letter case, and column names are matched exactly' : ''})`,
        ),
      );
    }
    // Two columns of one name (a merged export): the records keep only one of them, so which values are read would be
    // a guess.
    const times = header.filter((name) => name === column).length;
    if (times > 1) {
      issues.push(
        issue(
          'analysis.column.duplicate',
          `${option}: the header names ${times} columns "${column}": rename them so that each name is one column`,
        ),
      );
    }
  }
  // Said first, since every column is unknown.
  const separator = separatorIssue(header);
  if (issues.length > 0 && separator !== undefined) issues.unshift(separator);
  if (issues.length > 0) return fail(issues);
  if (records.length === 0) return fail([issue('analysis.csv.empty', 'the CSV has no data rows')]);

  // Arm labels are trimmed as subject and visit labels are: "DRUG " from a fixed-width export is the arm DRUG.
  const armOf = (r: Record<string, string>): string => (r[cols.arm] ?? '').trim();
  const armsFound = new Set(records.map(armOf));
  // A blinded trial-store export (trd trial export --blinded) writes every arm as "concealed": no arm to compare.
  if (armsFound.size === 1 && armsFound.has(CONCEALED_ARM) && spec.treatment !== CONCEALED_ARM) {
    return fail([
      issue(
        'analysis.arm.absent',
        `column ${cols.arm} holds only "${CONCEALED_ARM}": a blinded export (trd trial export --blinded) has no arms to compare; analyse an unblinded export`,
      ),
    ]);
  }
  for (const [option, label] of [
    ['--treatment', spec.treatment],
    ['--control', spec.control],
  ] as const) {
    if (!armsFound.has(label)) {
      // Every row of the arm written in other letter case ("Placebo" for placebo) is said, as for a column name,
      // without quoting the labels found.
      const caseOnly = [...armsFound].some((found) => found.toLowerCase() === label.toLowerCase());
      issues.push(
        issue(
          'analysis.arm.absent',
          `${option}: arm label "${label}" not found in column ${cols.arm} (it holds ${armsFound.size} other label${armsFound.size === 1 ? '' : 's'}${caseOnly ? '; one of them differs from it only in letter case, and arm labels are matched exactly' : ''})`,
        ),
      );
    }
  }
  if (spec.treatment === spec.control) issues.push(issue('analysis.arm.same', '--treatment and --control must differ'));
  if (issues.length > 0) return fail(issues);

  const problems = new RowProblems();
  const notes = new RowProblems();
  const rows: LongRow[] = [];
  const subjects = new Map<string, TrialSubject & { line: number }>();
  const seen = new Set<string>();
  let otherArmRows = 0;
  records.forEach((r, i) => {
    const line = lineOf(i);
    // A row of empty cells (",,,,," that spreadsheets write below the data) is an empty line, not a row of another arm.
    if (Object.values(r).every((cell) => cell.trim() === '')) return;
    const arm = armOf(r);
    if (arm === '') {
      // No arm is not another arm: leaving the row out would drop a randomised subject behind the other-arms warning.
      problems.add('analysis.arm.missing', `empty arm in column ${cols.arm}`, line);
      return;
    }
    if (arm !== spec.treatment && arm !== spec.control) {
      // A label that is an analysed arm's in other letter case is the same arm written two ways far more often than a
      // third arm: leaving its rows out would drop subjects of that arm behind a warning.
      const lower = arm.toLowerCase();
      if (lower === spec.treatment.toLowerCase() || lower === spec.control.toLowerCase()) {
        problems.add(
          'analysis.arm.case',
          `arm label in column ${cols.arm} differs from --treatment or --control only in letter case (the same arm written two ways?)`,
          line,
        );
      }
      otherArmRows++;
      return;
    }
    const subject = (r[cols.subject] ?? '').trim();
    const visit = (r[cols.visit] ?? '').trim();
    if (subject === '') problems.add('analysis.subject.missing', `empty subject in column ${cols.subject}`, line);
    // Most often the row of a subject with only a baseline: it needs a visit to count in the NRI denominators.
    if (visit === '') {
      problems.add(
        'analysis.visit.missing',
        `empty visit in column ${cols.visit} (a subject with only a baseline takes a row at the primary visit with an empty outcome, so that non-responder imputation counts it)`,
        line,
      );
    }
    const outcome = numberCell(r[cols.outcome]);
    const baseline = numberCell(r[cols.baseline]);
    const biomarkerCell = cols.biomarker === undefined ? undefined : r[cols.biomarker];
    const biomarkerLimit = limitCell(biomarkerCell);
    const biomarker = biomarkerCell === undefined || biomarkerLimit ? null : numberCell(biomarkerCell);
    const conversionCell = cols.biomarkerConversion === undefined ? '' : (r[cols.biomarkerConversion] ?? '').trim();
    const biomarkerConversion = conversionCell === '' ? undefined : conversionCell;
    const conversion = biomarkerConversion === undefined ? {} : { biomarkerConversion };
    if (Number.isNaN(outcome)) {
      const [code, describe] = numberProblem(r[cols.outcome], 'outcome', cols.outcome, [
        'analysis.outcome.non-numeric',
        `outcome column ${cols.outcome} is not a number (or is beyond ±${MAX_MAGNITUDE})`,
      ]);
      problems.add(code, describe, line);
    }
    if (Number.isNaN(baseline)) {
      const [code, describe] = numberProblem(r[cols.baseline], 'baseline', cols.baseline, [
        'analysis.baseline.invalid',
        `baseline column ${cols.baseline} is not a number (or is beyond ±${MAX_MAGNITUDE})`,
      ]);
      problems.add(code, describe, line);
    }
    if (Number.isNaN(biomarker) || (biomarker !== null && biomarker <= 0)) {
      const [code, describe] = numberProblem(biomarkerCell, 'biomarker', cols.biomarker, [
        'analysis.biomarker.invalid',
        `biomarker column ${cols.biomarker} is not a positive number (it is log-transformed; a value beyond the assay's limit is written as the lab reports it, <0.2 or >10)`,
      ]);
      problems.add(code, describe, line);
    }
    if (subject === '' || visit === '' || Number.isNaN(outcome) || Number.isNaN(baseline) || Number.isNaN(biomarker))
      return;

    const key = `${subject}\u0000${visit}`;
    if (seen.has(key)) problems.add('analysis.row.duplicate', 'a second row for the same subject and visit', line);
    seen.add(key);
    const prior = subjects.get(subject);
    if (prior === undefined) {
      subjects.set(subject, {
        subject,
        arm,
        baseline,
        biomarker,
        ...(biomarkerLimit ? { biomarkerLimit } : {}),
        ...conversion,
        line,
      });
    } else if (prior.arm !== arm) {
      problems.add('analysis.subject.two-arms', 'a subject in another arm than on an earlier line', line);
    } else if (prior.baseline !== baseline) {
      problems.add('analysis.baseline.inconsistent', 'a subject with another baseline than on an earlier line', line);
    } else if (
      prior.biomarker !== biomarker ||
      JSON.stringify(prior.biomarkerLimit) !== JSON.stringify(biomarkerLimit) ||
      prior.biomarkerConversion !== biomarkerConversion
    ) {
      problems.add(
        'analysis.biomarker.inconsistent',
        'a subject with another baseline biomarker than on an earlier line',
        line,
      );
    }
    if (outcome === null) {
      notes.add(
        'analysis.outcome.missing',
        'outcome missing (kept for the MMRM, left out of ANCOVA and observed-case analyses at that visit)',
        line,
        'warning',
      );
    }
    // Rating-scale scores are never negative: a negative score is most often a missing-value code (-9, -99) that would
    // enter every analysis as a real score. Said, not refused: an outcome may be on another scale.
    if ((spec.outcomeType === 'score' && outcome !== null && outcome < 0) || (baseline !== null && baseline < 0)) {
      notes.add(
        'analysis.score.negative',
        `negative score in column ${spec.outcomeType === 'score' ? `${cols.outcome} or ` : ''}${cols.baseline} (a missing-value code such as -9? write missing values as empty cells); analysed as a score`,
        line,
        'warning',
      );
    }
    if (isBaselineVisitLabel(visit)) {
      notes.add(
        'analysis.visit.baseline-row',
        `visit looks like the baseline visit; rows must be post-baseline only (the baseline score belongs in column ${cols.baseline}): remove these rows`,
        line,
        'warning',
      );
    }
    // Without a baseline a score has no change (kept as the score, for remission), and a change no score.
    const change =
      outcome === null ? null : spec.outcomeType === 'change' ? outcome : baseline === null ? null : outcome - baseline;
    const scoreOnly = spec.outcomeType === 'score' && baseline === null && outcome !== null;
    rows.push({
      subject,
      arm,
      visit,
      change,
      baseline,
      ...(scoreOnly ? { scoreWithoutBaseline: outcome } : {}),
      biomarker,
      ...(biomarkerLimit ? { biomarkerLimit } : {}),
      ...conversion,
    });
  });
  issues.push(...problems.issues());

  const { visits, byAppearance } = orderVisits(rows.map((r) => r.visit));
  // Visits ordered by their number are one visit per number: "8" and "8.0" (or "Week 8" and "week 08") written by
  // two exports would otherwise be two visits, and the rows under the label that is not --primary-visit would count
  // as missing there (non-responders under NRI).
  // The labels are named (as the visit-order warning names them): "Day 28" beside "day28" is found at a glance.
  // Labels of different names ("D28" and "Day 28", listed by appearance) are one visit written two ways when no
  // subject has a row under both; two visits of one number ("Day 4" and "Week 4") share subjects.
  const labelsOf = new Map<number, string[]>();
  for (const v of visits) {
    const n = visitNumber(v);
    if (n !== undefined) labelsOf.set(n, [...(labelsOf.get(n) ?? []), v]);
  }
  const subjectsAt = new Map<string, Set<string>>();
  if (byAppearance) {
    for (const r of rows) subjectsAt.set(r.visit, (subjectsAt.get(r.visit) ?? new Set()).add(r.subject));
  }
  const disjoint = (labels: readonly string[]): boolean =>
    labels.every((a, i) =>
      labels.slice(i + 1).every((b) => ![...subjectsAt.get(a)!].some((x) => subjectsAt.get(b)!.has(x))),
    );
  for (const [n, labels] of labelsOf) {
    if (labels.length > 1 && (!byAppearance || disjoint(labels))) {
      issues.push(
        issue(
          'analysis.visit.same-number',
          `visit labels in column ${cols.visit} name one visit two ways (${labels.length} labels for visit number ${n}: ${labels.map((v) => `"${v}"`).join(', ')}${byAppearance ? ', and no subject has a row under more than one' : ''}): write each visit one way`,
        ),
      );
    }
  }
  if (!visits.includes(spec.primaryVisit)) {
    // "6.0" or "06" for the visit 6: the label is matched exactly, and the one it most likely means is named.
    const wanted = visitNumber(spec.primaryVisit);
    const sameNumber = wanted === undefined ? undefined : visits.find((v) => visitNumber(v) === wanted);
    issues.push(
      issue(
        'analysis.visit.primary-absent',
        `--primary-visit: visit "${spec.primaryVisit}" not found in column ${cols.visit} (it holds ${visits.length} visits: ${listVisits(visits)}${sameNumber === undefined ? '' : `; "${sameNumber}" is that visit's number written another way`})`,
      ),
    );
  }
  if (issues.length > 0) return fail(issues);
  const warnings: Issue[] = notes.issues();
  if (byAppearance) {
    warnings.push(
      issue(
        'analysis.visit.order',
        `visit labels are neither numbers nor one name with numbers: visits are listed in order of first appearance (${listVisits(visits)}); the unstructured MMRM does not depend on it`,
        undefined,
        'warning',
      ),
    );
  }
  if (otherArmRows > 0) {
    warnings.push(
      issue(
        'analysis.arm.other',
        `${otherArmRows === 1 ? '1 row' : `${otherArmRows} rows`} of arms other than ${spec.treatment} and ${spec.control} ${otherArmRows === 1 ? 'was' : 'were'} left out`,
        undefined,
        'warning',
      ),
    );
  }
  const withoutBaseline = [...subjects.values()].filter((x) => x.baseline === null).length;
  if (withoutBaseline > 0) {
    warnings.push(
      issue(
        'analysis.baseline.missing',
        `${withoutBaseline} subject${withoutBaseline === 1 ? '' : 's'} without a baseline score: left out of the ANCOVA, the MMRM and the biomarker model (they adjust for it)${spec.outcomeType === 'score' ? ' and of every analysis of change' : ''}; non-responders under NRI (response is a reduction from baseline); ${spec.outcomeType === 'score' ? 'remission is read from the post-baseline score' : 'their remission is unknown too (a change without its baseline gives no score)'}`,
        undefined,
        'warning',
      ),
    );
  }
  const primary = new Set(
    rows
      .filter((r) => r.visit === spec.primaryVisit && (r.change !== null || r.scoreWithoutBaseline !== undefined))
      .map((r) => r.subject),
  );
  const withoutPrimary = subjects.size - primary.size;
  if (withoutPrimary > 0) {
    warnings.push(
      issue(
        'analysis.subject.no-primary',
        `${withoutPrimary} of ${subjects.size} subjects have no outcome at the primary visit: left out of ANCOVA, Hedges g and observed cases, counted as non-responders under NRI`,
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
      columns: spec.columns,
      outcomeType: spec.outcomeType,
      otherArmRows,
    },
    warnings,
  );
}

/** The visits as a message lists them: the first 6 in analysis order, then "...". */
function listVisits(visits: readonly string[]): string {
  return `${visits.slice(0, 6).join(', ')}${visits.length > 6 ? ', ...' : ''}`;
}

/** A visit label made of a name and a number ("Week 2", "day28", "V10"): the name and the number. */
const NAMED_NUMBER = /^(\D*?)\s*(\d+(?:\.\d+)?)$/;

/** The number a visit label is ordered by: the label itself when numeric, else the number after its name. */
function visitNumber(label: string): number | undefined {
  const t = label.trim();
  if (t !== '' && Number.isFinite(Number(t))) return Number(t);
  const m = NAMED_NUMBER.exec(t);
  return m === null ? undefined : Number(m[2]);
}

/**
 * The visits in time order: numerically when every label is a number (so "10" follows "9") or one name with a
 * number ("Week 2" before "Week 10"), else in order of first appearance (`byAppearance`: the caller says so, since
 * nothing in the labels vouches for that order).
 */
export function orderVisits(labels: readonly string[]): { visits: string[]; byAppearance: boolean } {
  const unique = [...new Set(labels)];
  if (unique.every((v) => v.trim() !== '' && Number.isFinite(Number(v))))
    return { visits: unique.sort((a, b) => Number(a) - Number(b)), byAppearance: false };
  const named = unique.map((v) => NAMED_NUMBER.exec(v.trim()));
  const name = named[0]?.[1]?.toLowerCase();
  if (named.every((m) => m !== null && m[1]?.toLowerCase() === name)) {
    const numberOf = new Map(unique.map((v, i) => [v, Number(named[i]?.[2])]));
    return { visits: unique.sort((a, b) => (numberOf.get(a) ?? 0) - (numberOf.get(b) ?? 0)), byAppearance: false };
  }
  return { visits: unique, byAppearance: unique.length > 1 };
}
