/**
 * Pre-dose clearance: whether the safety labs the protocol asks for before the infusion (the `safetyLabs` of the
 * visits before the dosing visit) are there and let the drug be started. Each analyte is judged on its latest
 * pre-treatment result on or before the infusion date; results repeated on that day that disagree count as the most
 * severe of them (a same-day repeat that reads better does not hide one that reads hold). An analyte without a
 * result, or whose result could not be judged (no ULN, a unit that does not convert), is not cleared: missing or
 * ambiguous data never reads as "go ahead". Pure.
 */
import type { LabAssessment } from '../safety/index.ts';
import type { TrialProtocol } from '../trials/schema.ts';
import type { LabRecord } from './model.ts';

/** The ids of the visits before the dosing visit (screening, baseline): their results are pre-treatment. */
export function preTreatmentVisits(protocol: TrialProtocol): string[] {
  const dosingDay = protocol.visits?.find((v) => v.dosing)?.day;
  return (protocol.visits ?? []).filter((v) => dosingDay !== undefined && v.day < dosingDay).map((v) => v.id);
}

export interface PreDoseAnalyte {
  readonly analyte: string;
  /** The result judged (the most severe of the latest day's), or null when there is none before the infusion. */
  readonly lab: LabRecord | null;
  /** `missing` without a result; otherwise the result's action. */
  readonly action: LabAssessment['action'] | 'missing';
}

export interface PreDoseClearance {
  /** True only when every analyte has a result and no hold, stop or undecided verdict. */
  readonly cleared: boolean;
  readonly analytes: readonly PreDoseAnalyte[];
}

const RANK: Record<PreDoseAnalyte['action'], number> = {
  continue: 0,
  monitor: 1,
  unknown: 2,
  missing: 2,
  hold: 3,
  discontinue: 4,
};

/**
 * The pre-dose clearance from the participant's labs, counting results collected on or before `onOrBefore` (the
 * infusion date; null before the infusion is recorded: every pre-treatment result so far).
 */
export function preDoseClearance(
  protocol: TrialProtocol,
  labs: readonly LabRecord[],
  onOrBefore: string | null,
): PreDoseClearance {
  const visits = preTreatmentVisits(protocol);
  const analytes = [
    ...new Set((protocol.visits ?? []).filter((v) => visits.includes(v.id)).flatMap((v) => v.safetyLabs)),
  ];
  const judged = analytes.map((analyte): PreDoseAnalyte => {
    const mine = labs.filter(
      (l) => l.analyte === analyte && visits.includes(l.visit) && (onOrBefore === null || l.collectedOn <= onOrBefore),
    );
    const latest = mine.reduce<string | null>((d, l) => (d === null || l.collectedOn > d ? l.collectedOn : d), null);
    const worst = mine
      .filter((l) => l.collectedOn === latest)
      .reduce<LabRecord | null>(
        (w, l) => (w === null || RANK[l.assessment.action] > RANK[w.assessment.action] ? l : w),
        null,
      );
    return { analyte, lab: worst, action: worst === null ? 'missing' : worst.assessment.action };
  });
  return { cleared: judged.every((a) => RANK[a.action] < RANK.unknown), analytes: judged };
}

/** The result an analyte was judged on, as entered and dated: `anc 1.8 10*9/L on 2026-11-04`. */
function judgedResult(analyte: string, lab: LabRecord): string {
  return `${analyte} ${lab.comparator ?? ''}${lab.value} ${lab.unit} on ${lab.collectedOn}`;
}

/**
 * One line per analyte not cleared, for an alert or a page: what is missing or what the rule says ([U] when the rule
 * or CTCAE table is not verified against its source).
 */
export function preDoseProblems(clearance: PreDoseClearance): string[] {
  return clearance.analytes
    .filter((a) => RANK[a.action] >= RANK.unknown)
    .map((a) =>
      a.lab === null
        ? `${a.analyte}: no result before the infusion`
        : a.action === 'unknown'
          ? `${judgedResult(a.analyte, a.lab)}: rules could not be checked (${a.lab.assessment.issues.map((i) => i.message).join('; ')})`
          : `${judgedResult(a.analyte, a.lab)}: ${a.action} (${a.lab.assessment.ruleTexts.join('; ')})${a.lab.assessment.verified ? '' : ' [U]'}`,
    );
}

/**
 * The results a clearance was judged on, one per analyte that has one (`anc 3.4 10*9/L on 2026-11-05`): what a reader
 * checks a "cleared" against, each dated, since a result entered late counts from the day it was collected.
 */
export function preDoseResults(clearance: PreDoseClearance): string[] {
  return clearance.analytes.flatMap((a) => (a.lab === null ? [] : [judgedResult(a.analyte, a.lab)]));
}
