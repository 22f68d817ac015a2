/**
 * The clinician and patient summaries. The pathway file holds each decision row's wording with {placeholders}
 * (MESSAGE_PLACEHOLDERS); this module fills them and, for clinicians, appends the facts the decision rests on: counts,
 * the CRP value, date and assay, each reason, the missing work-up, cautions and unverified values.
 */
import { MESSAGE_PLACEHOLDERS } from '../knowledge/schema-pathway.ts';
import type { DecisionRow, MessagePlaceholder, Pathway, ScopeReason } from '../knowledge/schema-pathway.ts';
import type { ClinicalFacts } from './facts.ts';
import { crpText } from './inflammation.ts';
import { LAB_LABEL } from './labs.ts';

const PLACEHOLDER = /\{([a-zA-Z]+)\}/g;
const KNOWN = new Set<string>(MESSAGE_PLACEHOLDERS);

const WORKUP_LABEL: Record<string, string> = {
  ...LAB_LABEL,
  'latent-tb-screen': 'latent-TB screen (IGRA)',
  'hepatitis-b-serology': 'hepatitis B serology',
  'pregnancy-test': 'pregnancy test result',
};

function listOr(items: readonly string[], none: string): string {
  return items.length === 0 ? none : items.join('; ');
}

export function placeholderValues(f: ClinicalFacts): Record<MessagePlaceholder, string> {
  const tr = f.treatmentResistance;
  const crp = f.inflammation.crp;
  return {
    adequateCount: String(tr.count),
    requiredTrials: String(tr.required),
    unverifiedCount: String(tr.unverifiedTrials.length),
    adequateList: listOr(
      tr.adequateTrials.map(
        (t) => `${t.ingredient} ${t.dailyDoseMg} mg/day for ${t.days} days (${t.start} to ${t.end})`,
      ),
      'none',
    ),
    unverifiedList: listOr(
      tr.unverifiedTrials.map((t) => `${t.ingredient} (confirm ${t.missing.join(' and ')}; ${t.sources.join(', ')})`),
      'none',
    ),
    crp:
      crp === undefined
        ? 'no valid result'
        : crpText(crp, [f.inflammation.cutOffMgPerL, f.inflammation.acuteAboveMgPerL]),
    crpDate: crp?.date ?? 'none',
    crpAssay:
      crp === undefined ? 'none' : crp.assay === 'high-sensitivity' ? 'high-sensitivity assay' : 'standard assay',
    cutOff: String(f.inflammation.cutOffMgPerL),
    acuteAbove: String(f.inflammation.acuteAboveMgPerL),
    windowDays: String(f.inflammation.windowDays),
    inflammationReason: f.inflammation.reason,
    contraindicationList: listOr(
      f.contraindications.map((c) => `${c.title} (${c.detail})`),
      'none',
    ),
    missingWorkupList: listOr(
      f.missingWorkup.map((w) => WORKUP_LABEL[w.code] ?? w.code),
      'none',
    ),
    age: ageYearsText(f.patient) ?? 'unknown',
  };
}

// Templates are parsed once into literal and placeholder parts (a handful per pathway), then joined per assessment.
const parsed = new Map<string, readonly string[]>();

/** Alternating literal text (even indexes) and placeholder names (odd indexes). */
function parts(template: string): readonly string[] {
  let p = parsed.get(template);
  if (p === undefined) {
    p = template.split(PLACEHOLDER);
    if (parsed.size < 1000) parsed.set(template, p);
  }
  return p;
}

export function fill(template: string, values: Record<MessagePlaceholder, string>): string {
  const p = parts(template);
  let out = p[0] ?? '';
  for (let i = 1; i < p.length; i += 2) {
    const name = p[i] ?? '';
    out += (KNOWN.has(name) ? values[name as MessagePlaceholder] : `{${name}}`) + (p[i + 1] ?? '');
  }
  return out;
}

function sentence(label: string, body: string): string {
  return `${label}: ${body.endsWith('.') ? body : `${body}.`}`;
}

/**
 * The recommendation in the clinician's words: the decision row's message (for out-of-scope, the message of the
 * reason that applied: a bipolar patient is not told that no depression is recorded), led by the safety alert's note
 * on a referral. The text report shows this and the facts in their own sections, so each thing is said once.
 */
/** The out-of-scope message for the reason: its `unconfirmed` variant when the reason rests on possible diagnoses. */
function scopeMessage(
  pathway: Pathway,
  reason: ScopeReason,
  unconfirmed: boolean | undefined,
): { clinicianSummary: string; patientSummary: string } {
  const message = pathway.definitions.scope.messages[reason];
  return unconfirmed === true ? (message.unconfirmed ?? message) : message;
}

export function clinicianStatement(
  pathway: Pathway,
  row: DecisionRow,
  f: ClinicalFacts,
  values: Record<MessagePlaceholder, string>,
): string {
  const parts = [fill(row.clinicianSummary, values)];
  if (row.code === 'out-of-scope' && f.scope.reason !== 'in-scope') {
    parts.push(fill(scopeMessage(pathway, f.scope.reason, f.scope.unconfirmed).clinicianSummary, values));
  }
  if (row.code === 'refer-to-trial' && f.safetyAlerts.length > 0) {
    parts.unshift(pathway.definitions.safety.suicideRisk.referralNote);
  }
  return parts.join(' ');
}

/** The statement followed by the facts the decision rests on (one self-contained paragraph, for the JSON result). */
export function clinicianSummary(
  pathway: Pathway,
  row: DecisionRow,
  f: ClinicalFacts,
  values: Record<MessagePlaceholder, string>,
): string {
  const parts = [clinicianStatement(pathway, row, f, values)];
  if (row.code === 'out-of-scope') {
    if (f.scope.evidence.length > 0) parts.push(sentence('Evidence', f.scope.evidence.join(', ')));
    if (f.scope.reason === 'no-depression' && f.depression.excluded.length > 0) {
      parts.push(
        sentence(
          'Depression records not counted',
          f.depression.excluded.map((e) => `${e.source} (${e.reason})`).join('; '),
        ),
      );
    }
    return parts.join(' ');
  }
  if (f.safetyAlerts.length > 0 && row.code !== 'refer-to-trial') {
    parts.push(sentence('Safety alert', f.safetyAlerts.map((a) => `${a.title} (${a.detail})`).join('; ')));
  }
  const tr = f.treatmentResistance;
  parts.push(sentence('Adequate trials', `${tr.count} of ${tr.required} required (${values.adequateList})`));
  if (tr.unverifiedTrials.length > 0) parts.push(sentence('Unverified trials', values.unverifiedList));
  parts.push(sentence('Inflammation', `${f.inflammation.status}, ${f.inflammation.reason}`));
  if (f.contraindications.length > 0) parts.push(sentence('Contraindications', values.contraindicationList));
  if (f.missingWorkup.length > 0) parts.push(sentence('Missing work-up', values.missingWorkupList));
  else if (row.code === 'refer-to-trial') parts.push('Safety work-up: complete.');
  if (f.cautions.length > 0)
    parts.push(sentence('Cautions', f.cautions.map((c) => `${c.title} (${c.detail})`).join('; ')));
  if (f.unverified.length > 0) {
    parts.push(sentence('Relies on unverified values', f.unverified.map((u) => u.item).join('; ')));
  }
  return parts.join(' ');
}

export function patientSummary(
  pathway: Pathway,
  row: DecisionRow,
  f: ClinicalFacts,
  values: Record<MessagePlaceholder, string>,
): string {
  if (row.code === 'out-of-scope' && f.scope.reason !== 'in-scope') {
    return fill(scopeMessage(pathway, f.scope.reason, f.scope.unconfirmed).patientSummary, values);
  }
  return fill(row.patientSummary, values);
}

/** "66", or "65 or 66" for a birth date given only as a year or month; undefined without a birth date. */
export function ageYearsText(patient: ClinicalFacts['patient']): string | undefined {
  if (patient.ageRange !== undefined) return `${patient.ageRange.youngest} or ${patient.ageRange.oldest}`;
  return patient.age === undefined ? undefined : String(patient.age);
}
