/**
 * One line of `trd screen --out` (schema precision-trd/screen-result@1): the assessment of one patient reduced to
 * what a population report counts, with the assessment's own field names. Pure: no I/O.
 */
import { onlyToConfirm } from '../pathway/index.ts';
import type { Assessment } from '../pathway/index.ts';
import type { Issue } from '../record/index.ts';

export const SCREEN_RESULT_SCHEMA = 'precision-trd/screen-result@1';

export interface ScreenLine {
  readonly patient: string;
  readonly recommendation: { readonly code: string };
  /** Pathway 1.1 scope: `in-scope` or the reason the pathway does not apply; absent from a 1.0 engine. */
  readonly scope?: { readonly inScope: boolean; readonly reason: string };
  readonly contraindications: readonly string[];
  readonly cautions: readonly string[];
  /**
   * The cautions that rest only on records to confirm (a medicine named without a listed code, or coded but recorded
   * as a cream: docs/care-pathway.md, "Medications named without a listed code"); absent when none.
   */
  readonly cautionsToConfirm?: readonly string[];
  readonly missingWorkup: readonly string[];
  readonly safetyAlerts: readonly string[];
  readonly inflammation: { readonly status: string; readonly crpMgPerL?: number };
  readonly adequateTrials: number;
  /** CRP or lab results set aside because their unit could not be converted (data quality). */
  readonly unconvertibleUnits: number;
  /** Issue codes the engine raised about the data (error or warning: data quality), deduplicated. */
  readonly issues: readonly string[];
  /**
   * Codes of the engine's information issues, deduplicated: how the records were read, never a fault in them (resources
   * the pathway does not use, `fhir.resource.skipped`; an as-needed dose). Absent when none.
   */
  readonly information?: readonly string[];
  /** The recommendation code at each extra CRP cut-off (`--cut-offs`), keyed by the cut-off in mg/L. */
  readonly atCutOff?: Readonly<Record<string, string>>;
  /**
   * Other Patient records of the same person (`Patient.link` in a FHIR export) whose resources were read as this
   * patient's; absent when none (docs/screening.md, "Merged patient records").
   */
  readonly mergedRecords?: readonly string[];
  /** When the patient's data could not be assessed at all (no Patient resource, several...): the one-line reason. */
  readonly error?: string;
}

/** The codes of the issues of the severities asked for, deduplicated and sorted. */
const codesOf = (issues: Assessment['issues'], severities: (severity: Issue['severity']) => boolean): string[] =>
  [...new Set(issues.filter((i) => severities(i.severity)).map((i) => i.code))].sort();

export function screenLine(patient: string, a: Assessment, atCutOff?: Record<string, string>): ScreenLine {
  const extra = a as Assessment & {
    scope?: { inScope: boolean; reason: string };
    safetyAlerts?: readonly { code: string }[];
  };
  const crp = a.inflammation.crp;
  const toConfirm = a.cautions.filter(onlyToConfirm).map((c) => c.code);
  const information = codesOf(a.issues, (severity) => severity === 'information');
  return {
    patient,
    recommendation: { code: a.recommendation.code },
    ...(extra.scope === undefined ? {} : { scope: { inScope: extra.scope.inScope, reason: extra.scope.reason } }),
    contraindications: a.contraindications.map((c) => c.code),
    cautions: a.cautions.map((c) => c.code),
    ...(toConfirm.length === 0 ? {} : { cautionsToConfirm: toConfirm }),
    missingWorkup: a.missingWorkup.map((m) => m.code),
    safetyAlerts: (extra.safetyAlerts ?? []).map((s) => s.code),
    inflammation: {
      status: a.inflammation.status,
      ...(crp?.mgPerL === undefined ? {} : { crpMgPerL: crp.mgPerL }),
    },
    adequateTrials: a.treatmentResistance.count,
    unconvertibleUnits:
      (a.inflammation.status === 'unknown' && /cannot be converted/.test(a.inflammation.reason) ? 1 : 0) +
      a.issues.filter((i) => /\.unit\b/.test(i.code)).length,
    issues: codesOf(a.issues, (severity) => severity !== 'information'),
    ...(information.length === 0 ? {} : { information }),
    ...(atCutOff === undefined ? {} : { atCutOff }),
  };
}

export function errorLine(patient: string, reason: string): ScreenLine {
  return {
    patient,
    recommendation: { code: 'not-assessed' },
    contraindications: [],
    cautions: [],
    missingWorkup: [],
    safetyAlerts: [],
    inflammation: { status: 'unknown' },
    adequateTrials: 0,
    unconvertibleUnits: 0,
    issues: [],
    error: reason,
  };
}
