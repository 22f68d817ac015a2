/**
 * CTCAE grading of a safety lab and the protocol's hold/stop rules for it. What cannot be decided stays undecided:
 * a missing ULN (ALT/AST), a missing LLN where it matters (grade 0 vs 1 of a decreased count), or a unit that does
 * not convert gives grade null and an issue naming what is needed; a rule that cannot be evaluated gives action
 * `unknown`, never `continue`. Pure.
 */
import { issue, type Issue } from '../record/index.ts';
import { convertQuantity, enzymeActivityUnit } from '../units/index.ts';
import {
  censoredEnds,
  within,
  type CensoredComparator,
  type CtcaeTable,
  type SafetyAction,
  type SafetyAnalyte,
  type SafetyRule,
} from './schema.ts';

export interface LabReading {
  readonly analyte: SafetyAnalyte;
  readonly value: number;
  /** UCUM. */
  readonly unit: string;
  readonly upperLimitOfNormal: number | null;
  readonly lowerLimitOfNormal: number | null;
  /**
   * A censored result ("<5" U/L below the assay's limit, ">1000"): `value` is the limit. It is graded and ruled on
   * only where every value it allows gives the same verdict (censoredEnds); otherwise the grade is null and the
   * action unknown, with the issue `safety.lab.censored`.
   */
  readonly comparator?: CensoredComparator | undefined;
  /** The participant's baseline value of the same analyte, if known (ALT/AST abnormal baseline), in `baselineUnit`. */
  readonly baselineValue: number | null;
  /**
   * The unit (UCUM) the baseline result was reported in, with its ULN; absent: this result's unit. A baseline in
   * another unit is converted to this result's (UCUM); one that does not convert leaves the grade null.
   */
  readonly baselineUnit?: string | undefined;
  /** The baseline's comparator when the baseline result was censored. */
  readonly baselineComparator?: CensoredComparator | undefined;
  /**
   * The ULN the baseline result was reported with (its laboratory's, in the same unit): whether the baseline was
   * abnormal is read against it, not against this result's ULN from another laboratory. Absent or null: this
   * result's ULN.
   */
  readonly baselineUpperLimitOfNormal?: number | null | undefined;
  /** From a visit before the dosing visit: the rules marked `beforeDosing` (do not initiate) apply too. */
  readonly beforeDosing?: boolean;
}

export interface LabAssessment {
  readonly ctcaeVersion: string;
  readonly term: string;
  /** 0 (normal) to 4; null when it cannot be decided (see issues). */
  readonly grade: number | null;
  /** The most severe rule that applies: `continue` when the rules were evaluated and none applies. */
  readonly action: SafetyAction | 'continue' | 'unknown';
  /** Ids of the rules that apply. */
  readonly rules: readonly string[];
  readonly ruleTexts: readonly string[];
  readonly citations: readonly string[];
  /** False when a rule or the CTCAE table used is unverified. */
  readonly verified: boolean;
  readonly issues: readonly Issue[];
}

const SEVERITY: Record<SafetyAction, number> = { monitor: 1, hold: 2, discontinue: 3 };

/** The value in `unit`, or an Issue. */
function valueIn(reading: LabReading, unit: string): number | Issue {
  if (reading.unit === unit) return reading.value;
  const c = convertQuantity({ value: reading.value, ucum: reading.unit }, unit);
  return c.ok ? c.value : issue('safety.lab.unit', `${reading.analyte}: unit cannot be converted to ${unit}`);
}

function ulnMultiple(reading: LabReading): number | Issue {
  const uln = reading.upperLimitOfNormal;
  if (uln === null) return issue('safety.lab.uln-missing', `${reading.analyte}: the upper limit of normal is needed`);
  return reading.value / uln;
}

/**
 * The baseline value and its laboratory's ULN converted to the reading's unit (the enzyme's [IU]/L read as U/L). A
 * baseline whose unit does not convert is an issue when the baseline matters to the grade (`needed`): the grade is
 * never made against a baseline of unknown size, nor by ignoring one that may have been abnormal.
 */
function baselineInUnit(
  reading: LabReading,
  needed: boolean,
): { ok: true; value: number | null; uln: number | null } | { ok: false; issue: Issue } {
  const value = reading.baselineValue;
  const uln = reading.baselineUpperLimitOfNormal ?? null;
  const from = reading.baselineUnit;
  if (value === null || from === undefined || from === reading.unit) return { ok: true, value, uln };
  const to = enzymeActivityUnit(reading.unit);
  const convert = (x: number) => convertQuantity({ value: x, ucum: enzymeActivityUnit(from) }, to);
  const v = convert(value);
  const u = uln === null ? null : convert(uln);
  if (v.ok && (u === null || u.ok)) return { ok: true, value: v.value, uln: u === null ? null : u.value };
  if (!needed) return { ok: true, value: null, uln: null };
  return {
    ok: false,
    issue: issue(
      'safety.lab.baseline-unit',
      `${reading.analyte}: the baseline ${value} ${from} cannot be converted to ${reading.unit}: whether to grade by multiples of the ULN or of the baseline cannot be told; enter the baseline in ${reading.unit} or a unit that converts to it`,
    ),
  };
}

/** The result as it reads: "<5 U/L", "0.8 10*9/L". */
const shownReading = (r: LabReading): string => `${r.comparator ?? ''}${r.value} ${r.unit}`;

function censoredIssue(reading: LabReading, what: string): Issue {
  return issue(
    'safety.lab.censored',
    `${reading.analyte} ${shownReading(reading)} is censored: ${what} cannot be told from it; repeat it for a value`,
  );
}

export function gradeLab(
  table: CtcaeTable,
  reading: LabReading,
): { term: string; grade: number | null; issues: Issue[] } {
  const { comparator } = reading;
  if (comparator !== undefined) {
    // Graded at both ends of what the result allows: the same grade at both is the grade of every value between.
    const [lo, hi] = censoredEnds(reading.value, comparator).map((value) =>
      gradeLab(table, { ...reading, value, comparator: undefined }),
    ) as [ReturnType<typeof gradeLab>, ReturnType<typeof gradeLab>];
    if (lo.grade === null || hi.grade === null) return lo.grade === null ? lo : hi;
    if (lo.grade === hi.grade) return lo;
    const [a, b] = [Math.min(lo.grade, hi.grade), Math.max(lo.grade, hi.grade)];
    return { term: lo.term, grade: null, issues: [censoredIssue(reading, `the grade (${a} to ${b})`)] };
  }
  const def = table.terms[reading.analyte];
  if (def === undefined) {
    return {
      term: reading.analyte,
      grade: null,
      issues: [issue('safety.ctcae.term', `${reading.analyte}: not graded by CTCAE v${table.version} here`)],
    };
  }
  if (def.measure === 'value') {
    const v = valueIn(reading, def.unit);
    if (typeof v !== 'number') return { term: def.term, grade: null, issues: [v] };
    for (const band of [...def.grades].sort((a, b) => b.grade - a.grade)) {
      if (band.belowLln === true) {
        // Grade 1 of a decreased count: below the LLN down to the grade-2 boundary.
        if (!within(v, band)) continue;
        const lln = reading.lowerLimitOfNormal;
        if (lln === null) {
          return {
            term: def.term,
            grade: null,
            issues: [
              issue(
                'safety.lab.lln-missing',
                `${reading.analyte}: the lower limit of normal is needed to tell grade 0 from grade 1`,
              ),
            ],
          };
        }
        const llnIn = valueIn({ ...reading, value: lln }, def.unit);
        if (typeof llnIn !== 'number') return { term: def.term, grade: null, issues: [llnIn] };
        return { term: def.term, grade: v < llnIn ? band.grade : 0, issues: [] };
      }
      if (within(v, band)) return { term: def.term, grade: band.grade, issues: [] };
    }
    return { term: def.term, grade: 0, issues: [] };
  }
  // The baseline (and its laboratory's ULN) in this result's unit: a baseline in U/L grades a result in ukat/L.
  const inUnit = baselineInUnit(reading, def.abnormalBaselineGrades !== undefined);
  if (!inUnit.ok) return { term: def.term, grade: null, issues: [inUnit.issue] };
  // Whether the baseline was above the ULN is read against its own laboratory's ULN when it was given.
  const uln = inUnit.uln ?? reading.upperLimitOfNormal;
  const baseline = inUnit.value;
  // A censored baseline whose limit does not place it against the ULN ("<100" against 40), or one above it whose
  // value is not known (">100"), leaves the basis of the grade (ULN or baseline multiples) unknown.
  if (reading.baselineComparator !== undefined && uln !== null && baseline !== null) {
    const normal = reading.baselineComparator === '<' && baseline <= uln;
    if (!normal) {
      return {
        term: def.term,
        grade: null,
        issues: [
          issue(
            'safety.lab.censored',
            `${reading.analyte}: the baseline ${reading.baselineComparator}${baseline} ${reading.unit} is censored: whether to grade by multiples of the ULN or of the baseline cannot be told; repeat the baseline for a value`,
          ),
        ],
      };
    }
  }
  const abnormalBaseline =
    uln !== null &&
    baseline !== null &&
    reading.baselineComparator === undefined &&
    baseline > uln &&
    def.abnormalBaselineGrades !== undefined;
  const m = abnormalBaseline ? reading.value / (baseline as number) : ulnMultiple(reading);
  if (typeof m !== 'number') return { term: def.term, grade: null, issues: [m] };
  const bands = abnormalBaseline ? (def.abnormalBaselineGrades ?? []) : def.grades;
  for (const band of [...bands].sort((a, b) => b.grade - a.grade)) {
    if (within(m, band)) return { term: def.term, grade: band.grade, issues: [] };
  }
  return { term: def.term, grade: 0, issues: [] };
}

/** Grades the reading and applies the protocol's rules for its analyte. */
export function assessLab(table: CtcaeTable, rules: readonly SafetyRule[], reading: LabReading): LabAssessment {
  const graded = gradeLab(table, reading);
  const issues: Issue[] = [...graded.issues];
  const applying: SafetyRule[] = [];
  /** Rules a censored result may or may not meet. */
  const possible: SafetyRule[] = [];
  let undecided = false;
  const mine = rules.filter(
    (r) => r.analyte === reading.analyte && (r.beforeDosing !== true || reading.beforeDosing === true),
  );
  // A censored result is judged at both ends of what it allows (censoredEnds): a rule applies when it applies at both,
  // and one that applies at one end only is undecided, never taken or dropped.
  const ends =
    reading.comparator === undefined
      ? [reading]
      : censoredEnds(reading.value, reading.comparator).map((value) => ({ ...reading, value }));
  for (const rule of mine) {
    const xs = ends.map((r) => (rule.measure === 'x-uln' ? ulnMultiple(r) : valueIn(r, rule.unit ?? r.unit)));
    const failed = xs.find((x): x is Issue => typeof x !== 'number');
    if (failed !== undefined) {
      undecided = true;
      if (!issues.some((i) => i.code === failed.code)) issues.push(failed);
      continue;
    }
    const applies = (xs as number[]).map((x) => within(x, rule.bounds));
    if (applies.every(Boolean)) applying.push(rule);
    else if (applies.some(Boolean)) {
      undecided = true;
      possible.push(rule);
    }
  }
  const worst = applying.reduce<SafetyRule | undefined>(
    (w, r) => (w === undefined || SEVERITY[r.action] > SEVERITY[w.action] ? r : w),
    undefined,
  );
  // A rule that applies decides even when another could not be evaluated; otherwise undecided means unknown. A more
  // severe rule a censored result may meet leaves the action unknown too: "ANC <0.8" may be a hold or a stop.
  const graver = possible.filter((r) => worst === undefined || SEVERITY[r.action] > SEVERITY[worst.action]);
  if (graver.length > 0 && !issues.some((i) => i.code === 'safety.lab.censored')) {
    issues.push(censoredIssue(reading, `whether it meets ${graver.map((r) => r.id).join(', ')}`));
  }
  const action = graver.length > 0 ? 'unknown' : (worst?.action ?? (undecided ? 'unknown' : 'continue'));
  return {
    ctcaeVersion: table.version,
    term: graded.term,
    grade: graded.grade,
    action,
    rules: applying.map((r) => r.id),
    ruleTexts: applying.map((r) => r.text),
    citations: [...new Set([table.citation, ...applying.map((r) => r.citation)])],
    verified: table.verified && applying.every((r) => r.verified),
    issues,
  };
}
