/**
 * assess: one patient record -> one Assessment (schema precision-trd/assessment@1): derive the facts, take the first
 * matching decision row, write the summaries. Pure and synchronous; the as-of date is passed in, never read.
 */
import type { Knowledge } from '../knowledge/index.ts';
import type { PatientRecord } from '../record/index.ts';
import { ASSESSMENT_SCHEMA } from './assessment.ts';
import type { Assessment } from './assessment.ts';
import { createContext } from './context.ts';
import { decide } from './decide.ts';
import { deriveFactsInContext } from './derive.ts';
import { clinicianStatement, clinicianSummary, fill, patientSummary, placeholderValues } from './summaries.ts';
import { REFERRAL_TRACK } from './workup.ts';
import { evidenceDates } from './evidence-dates.ts';
import type { ClinicalFacts } from './facts.ts';

/** Every resource the result cites as evidence (findings, alerts, scope, CRP, trials, medications not used). */
function citedRefs(f: ClinicalFacts): Set<string> {
  const refs = new Set<string>();
  // Plain loops: no concatenated copies of the finding lists and no mapped arrays per assessment.
  for (const list of [f.contraindications, f.cautions, f.comorbidIl6Disease, f.safetyAlerts]) {
    for (const x of list) addAll(refs, x.evidence);
  }
  addAll(refs, f.scope.evidence);
  if (f.inflammation.crp !== undefined) refs.add(f.inflammation.crp.source);
  for (const r of f.inflammation.rejected) refs.add(r.source);
  for (const e of f.treatmentResistance.exposures) addAll(refs, e.sources);
  for (const i of f.treatmentResistance.ignored) refs.add(i.source);
  return refs;
}

function addAll(refs: Set<string>, list: readonly string[]): void {
  for (const r of list) refs.add(r);
}

export interface AssessOptions {
  /** YYYY-MM-DD. Nothing dated after it is used. */
  readonly asOf: string;
}

export function assess(record: PatientRecord, knowledge: Knowledge, options: AssessOptions): Assessment {
  return assessFacts(record, deriveFactsInContext(createContext(record, knowledge, options.asOf)), knowledge, options);
}

/**
 * The assessment from facts already derived (deriveFacts) from the same record, knowledge and asOf: lets one caller
 * share the facts between the assessment and the trial matcher. `derived` is not modified.
 */
export function assessFacts(
  record: PatientRecord,
  derived: ClinicalFacts,
  knowledge: Knowledge,
  options: AssessOptions,
): Assessment {
  const pathway = knowledge.pathway;
  const { row, trace } = decide(pathway.decision, derived);
  // The missing work-up matters only to patients who may go on to a referral (definition 8).
  const facts = REFERRAL_TRACK.has(row.code) ? derived : { ...derived, missingWorkup: [] };
  const values = placeholderValues(facts);
  const tr = facts.treatmentResistance;
  return {
    schema: ASSESSMENT_SCHEMA,
    patient: facts.patient,
    scope: {
      inScope: facts.scope.inScope,
      reason: facts.scope.reason,
      evidence: facts.scope.evidence,
      ...(facts.scope.unconfirmed === true && { unconfirmed: true }),
    },
    safetyAlerts: facts.safetyAlerts,
    asOf: options.asOf,
    pathway: { id: pathway.id, version: pathway.version },
    recommendation: {
      code: row.code,
      rule: row.rule,
      title: fill(row.title, values),
      statement: clinicianStatement(pathway, row, facts, values),
      clinicianSummary: clinicianSummary(pathway, row, facts, values),
      patientSummary: patientSummary(pathway, row, facts, values),
      citation: row.citation,
    },
    treatmentResistance: {
      count: tr.count,
      required: tr.required,
      met: tr.met,
      adequateTrials: tr.adequateTrials,
      unverifiedTrials: tr.unverifiedTrials,
      exposures: tr.exposures,
      ignored: tr.ignored,
    },
    inflammation: facts.inflammation,
    contraindications: facts.contraindications,
    upperLimitsOfNormal: facts.upperLimitsOfNormal,
    cautions: facts.cautions,
    missingWorkup: facts.missingWorkup,
    symptomProfile: facts.symptomProfile,
    comorbidIl6Disease: facts.comorbidIl6Disease,
    maudsleyStaging: facts.maudsleyStaging,
    unverified: facts.unverified,
    issues: facts.issues,
    evidenceDates: evidenceDates(record, citedRefs(facts)),
    trace,
  };
}
