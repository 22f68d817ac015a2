/**
 * The readable `trd assess` report: any safety alert and the recommendation first (with its decision rule and the
 * scope), then the evidence a clinician checks before acting on it: trials, inflammation, contraindications,
 * cautions, missing work-up, symptoms, Maudsley staging, every unverified value used, data issues and the decision
 * trace. Every finding names its source resources with their dates (Assessment.evidenceDates) so it can be checked in
 * the record; each fact is said once (the recommendation shows its statement, the sections the facts).
 */
import { ageYearsText, datedReference, REFERRAL_TRACK, withEvidenceDates } from '../../pathway/index.ts';
import type { Assessment } from '../../pathway/index.ts';
import type { Finding } from '../../pathway/index.ts';
import { bullet, REPORT_WIDTH, table, wrap } from './text-layout.ts';

/** Data issues shown in full; the rest are counted (the JSON output has them all). */
const MAX_ISSUES_SHOWN = 10;

const heading = (title: string): string[] => [
  '',
  title.toUpperCase(),
  '-'.repeat(Math.min(title.length, REPORT_WIDTH)),
];

/** "Observation/crp (2026-11-06)": a cited resource with its date, when the record gives one. */
function dated(a: Assessment, ref: string): string {
  return datedReference(a.evidenceDates, ref);
}

/** Engine prose with the date after each resource it names (withEvidenceDates, Assessment.evidenceDates). */
function withDates(a: Assessment, text: string): string {
  return withEvidenceDates(a.evidenceDates, text);
}

function evidenceList(a: Assessment, refs: readonly string[]): string {
  return refs.map((r) => dated(a, r)).join(', ') || 'none recorded';
}

function findings(a: Assessment, list: readonly Finding[], none: string): string[] {
  if (list.length === 0) return [`  ${none}`];
  const out: string[] = [];
  for (const f of list) {
    out.push(...bullet(`${f.title} [${f.code}]: ${withDates(a, f.detail)}`));
    out.push(...wrap(`evidence: ${evidenceList(a, f.evidence)}; source: ${f.citation}`, '    '));
  }
  return out;
}

/**
 * Each safety alert (definition 7a) as a block, each after a blank line: "SAFETY ALERT [code]: title", its detail, its
 * evidence and source. Shown first in every report: `trd assess` and `trd match` both print them.
 */
export function safetyAlertLines(a: Assessment): string[] {
  const out: string[] = [];
  for (const s of a.safetyAlerts) {
    out.push('', `SAFETY ALERT [${s.code}]: ${s.title}`);
    out.push(...wrap(withDates(a, s.detail)));
    out.push(...wrap(`evidence: ${evidenceList(a, s.evidence)}; source: ${s.citation}`));
  }
  return out;
}

function header(a: Assessment): string[] {
  const years = ageYearsText(a.patient);
  const who = [years === undefined ? 'age unknown' : `${years} y`, a.patient.sex ?? 'sex unknown'];
  const r = a.recommendation;
  const scope = a.scope.inScope
    ? 'in scope'
    : `out of scope (${a.scope.reason}${a.scope.evidence.length > 0 ? `: ${evidenceList(a, a.scope.evidence)}` : ''})`;
  return [
    `precision-trd assessment: ${a.patient.reference} (${who.join(', ')}), as of ${a.asOf}`,
    `pathway ${a.pathway.id} ${a.pathway.version}`,
    ...safetyAlertLines(a),
    '',
    `RECOMMENDATION (rule ${r.rule}, ${r.code}): ${r.title}`,
    ...wrap(withDates(a, r.statement)),
    ...wrap(`Scope: ${scope}. Source: ${r.citation}`),
    ...unverifiedPointer(a),
    ...issuesPointer(a),
    '',
    'For the patient:',
    ...wrap(r.patientSummary),
  ];
}

/** Values tagged [U] sit at the end of the report; the reader of the recommendation learns here that it rests on them. */
function unverifiedPointer(a: Assessment): string[] {
  const n = a.unverified.length;
  if (n === 0) return [];
  return wrap(`[U] This result rests on ${n} unverified value${n === 1 ? '' : 's'}: see UNVERIFIED VALUES USED.`);
}

/**
 * Data issues also sit at the end; data the assessment met but could not use (an hCG with no interpretation, an ALT
 * whose ranges disagree) is named under the recommendation so that it does not read as settled.
 */
function issuesPointer(a: Assessment): string[] {
  const n = a.issues.filter((i) => i.severity !== 'information').length;
  if (n === 0) return [];
  return wrap(`! The assessment met ${n} data issue${n === 1 ? '' : 's'} it could not resolve: see DATA ISSUES.`);
}

function trials(a: Assessment): string[] {
  const tr = a.treatmentResistance;
  const out = heading('Antidepressant trials');
  out.push(`  ${tr.count} adequate of ${tr.required} required: treatment resistance ${tr.met ? 'met' : 'not met'}`);
  if (tr.exposures.length === 0) out.push('  No antidepressant exposure found in the record.');
  else {
    const rows = tr.exposures.map((e) => [
      e.ingredient,
      e.dailyDoseMg === undefined ? '?' : String(e.dailyDoseMg),
      e.minimumDailyDoseMg === undefined ? '?' : String(e.minimumDailyDoseMg),
      e.start ?? '?',
      e.end ?? '?',
      e.days === undefined ? '?' : String(e.days),
      e.adequacy,
      e.sources.join(', '),
    ]);
    out.push(...table(['ingredient', 'mg/day', 'min', 'start', 'end', 'days', 'verdict', 'sources'], rows));
    // Two courses of one ingredient are told apart by their dates (their reasons may read the same).
    const repeated = (ingredient: string): boolean =>
      tr.exposures.filter((x) => x.ingredient === ingredient).length > 1;
    for (const e of tr.exposures) {
      const missing = e.missing === undefined || e.missing.length === 0 ? '' : ` (confirm ${e.missing.join(', ')})`;
      const course = repeated(e.ingredient) ? ` from ${e.start ?? '?'} to ${e.end ?? '?'}` : '';
      out.push(...bullet(`${e.ingredient}${course}: ${withDates(a, e.reason)}${missing}`));
    }
  }
  for (const ignored of tr.ignored) {
    out.push(...bullet(`not used: ${dated(a, ignored.source)}: ${withDates(a, ignored.reason)}`));
  }
  return out;
}

function inflammation(a: Assessment): string[] {
  const inf = a.inflammation;
  const out = heading('Inflammation (CRP)');
  out.push(`  status: ${inf.status}`);
  out.push(...wrap(withDates(a, inf.reason)));
  if (inf.crp !== undefined) {
    const c = inf.crp;
    // The value and date are in the reason above; this line adds what it does not say.
    out.push(`  source: ${dated(a, c.source)}, reported as ${c.reported}, ${c.assay} assay`);
  }
  out.push(
    `  rule: cut-off ${inf.cutOffMgPerL} mg/L (at or above is elevated), acute above ${inf.acuteAboveMgPerL} mg/L, ` +
      `window ${inf.windowDays} days`,
  );
  for (const r of inf.rejected) out.push(...bullet(`not used: ${dated(a, r.source)}: ${withDates(a, r.reason)}`));
  return out;
}

function workup(a: Assessment): string[] {
  // The work-up is listed only on the referral track (definition 8); elsewhere the section would say nothing.
  if (!REFERRAL_TRACK.has(a.recommendation.code)) return [];
  const out = heading('Missing work-up (required before referral)');
  if (a.missingWorkup.length === 0) out.push('  None: the required work-up is on record.');
  for (const w of a.missingWorkup) out.push(...bullet(`${w.title}: ${w.action} (source: ${w.citation})`));
  return out;
}

function symptoms(a: Assessment): string[] {
  const out = heading('Symptom profile (informational)');
  const sp = a.symptomProfile;
  if (sp.scales.length === 0) out.push('  No PHQ-9, BDI-II or MADRS on record.');
  for (const s of sp.scales) {
    const total = s.total === undefined ? '' : `, total ${s.total}`;
    out.push(`  ${s.instrument}${s.date === undefined ? '' : ` on ${s.date}`}${total} (${s.source})`);
    const items = s.items.map((i) => `${i.domain} item ${i.item}: ${i.score}/${i.maxScore}`);
    if (items.length > 0) out.push(...wrap(items.join('; '), '    '));
  }
  const domains = Object.entries(sp.domains).map(([d, v]) => `${d} ${Math.round((v ?? 0) * 100)}%`);
  if (domains.length > 0) out.push(...wrap(`highest item score by domain: ${domains.join(', ')}`));
  out.push(...wrap(sp.note));
  return out;
}

function maudsley(a: Assessment): string[] {
  const m = a.maudsleyStaging;
  const out = heading('Maudsley Staging Method');
  const score =
    m.total === undefined
      ? `not fully scored: ${m.range.min}-${m.range.max} (unscored: ${m.unscored.join(', ')})`
      : `${m.total} (${m.category ?? 'uncategorised'})`;
  out.push(`  total: ${score}; source: ${m.citation}`);
  const rows = m.dimensions.map((d) => [
    d.dimension,
    d.scored ? String(d.minPoints) : `${d.minPoints}-${d.maxPoints}`,
    withDates(a, d.basis),
  ]);
  out.push(...table(['dimension', 'points', 'basis'], rows));
  return out;
}

function unverified(a: Assessment): string[] {
  const out = heading('Unverified values used');
  if (a.unverified.length === 0) out.push('  None.');
  for (const u of a.unverified) out.push(...bullet(`${u.item}: ${u.note} (source: ${u.citation})`));
  return out;
}

function issues(a: Assessment): string[] {
  const out = heading('Data issues');
  if (a.issues.length === 0) return [...out, '  None.'];
  for (const i of a.issues.slice(0, MAX_ISSUES_SHOWN)) {
    const path = i.path === undefined ? '' : ` (${withDates(a, i.path)})`;
    out.push(...bullet(`${i.severity}: ${withDates(a, i.message)}${path} [${i.code}]`));
  }
  if (a.issues.length > MAX_ISSUES_SHOWN) {
    out.push(`  ... and ${a.issues.length - MAX_ISSUES_SHOWN} more (see --json)`);
  }
  return out;
}

function trace(a: Assessment): string[] {
  const out = heading('Decision trace (first matching rule wins, marked >)');
  // A rule whose outcome repeats the rule before it points there instead of saying it again.
  let previous: { rule: string; outcome: string } | undefined;
  for (const t of a.trace) {
    const outcome =
      previous?.outcome === t.outcome ? `as rule ${previous.rule.split(' ')[0]}` : withDates(a, t.outcome);
    if (previous?.outcome !== t.outcome) previous = { rule: t.rule, outcome: t.outcome };
    out.push(...bullet(`${t.rule}: ${outcome} (${t.citation})`, t.matched ? '>' : ' '));
  }
  return out;
}

export function formatAssessmentText(a: Assessment): string {
  const lines = [
    ...header(a),
    ...trials(a),
    ...inflammation(a),
    ...heading('Absolute contraindications to IL-6 blockade'),
    ...findings(a, a.contraindications, 'None found.'),
    ...heading('Cautions'),
    ...findings(a, a.cautions, 'None found.'),
    ...workup(a),
    ...heading('Comorbid IL-6-responsive disease (informational)'),
    ...findings(a, a.comorbidIl6Disease, 'None recorded.'),
    ...symptoms(a),
    ...maudsley(a),
    ...unverified(a),
    ...issues(a),
    ...trace(a),
  ];
  return `${lines.join('\n')}\n`;
}
