/**
 * CTCAE grading of a safety lab and the protocol's hold/stop rules for it. What cannot be decided stays undecided:
 * a missing ULN (ALT/AST), a missing LLN where it matters (grade 0 vs 1 of a decreased count), or a unit that does
 * not convert gives grade null and an issue naming what is needed; a rule that cannot be evaluated gives action
 * `unknown`, never `continue`. Pure.
 */
import { issue, type Issue } from '../record/index.ts';
import { convertQuantity } from '../units/index.ts';
import { within, type CtcaeTable, type SafetyAction, type SafetyAnalyte, type SafetyRule } from './schema.ts';

export interface LabReading {
  readonly analyte: SafetyAnalyte;
  readonly value: number;
  /** UCUM. */
  readonly unit: string;
  readonly upperLimitOfNormal: number | null;
  readonly lowerLimitOfNormal: number | null;
  /** The participant's baseline value of the same analyte in the same unit, if known (ALT/AST abnormal baseline). */
  readonly baselineValue: number | null;
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

export function gradeLab(
  table: CtcaeTable,
  reading: LabReading,
): { term: string; grade: number | null; issues: Issue[] } {
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
  const uln = reading.upperLimitOfNormal;
  const baseline = reading.baselineValue;
  const abnormalBaseline =
    uln !== null && baseline !== null && baseline > uln && def.abnormalBaselineGrades !== undefined;
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
  let undecided = false;
  const mine = rules.filter(
    (r) => r.analyte === reading.analyte && (r.beforeDosing !== true || reading.beforeDosing === true),
  );
  for (const rule of mine) {
    const x = rule.measure === 'x-uln' ? ulnMultiple(reading) : valueIn(reading, rule.unit ?? reading.unit);
    if (typeof x !== 'number') {
      undecided = true;
      if (!issues.some((i) => i.code === x.code)) issues.push(x);
      continue;
    }
    if (within(x, rule.bounds)) applying.push(rule);
  }
  const worst = applying.reduce<SafetyRule | undefined>(
    (w, r) => (w === undefined || SEVERITY[r.action] > SEVERITY[w.action] ? r : w),
    undefined,
  );
  // A rule that applies decides even when another could not be evaluated; otherwise undecided means unknown.
  const action = worst?.action ?? (undecided ? 'unknown' : 'continue');
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
