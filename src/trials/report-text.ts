/**
 * The readable form of trial-match results: first one line per trial (verdict and the first reason), then per trial
 * the detail: one line per criterion (status, kind, id, reason), what to collect, and which results rest on
 * unverified values. Pure string building; the CLI prints it.
 */
import type { CriterionResult, TrialMatchResult, TrialVerdict } from './result.ts';

const VERDICT: Record<TrialVerdict, string> = {
  eligible: 'ELIGIBLE on the recorded data',
  ineligible: 'NOT ELIGIBLE',
  'needs-data': 'NEEDS DATA (no criterion excludes; some cannot be decided from the record)',
};

/** The resources a criterion cites, each with its date when the result gives one: `[Condition/flu (2026-11-17)]`. */
function evidenceOf(r: TrialMatchResult, c: CriterionResult): string {
  const refs = c.evidence.filter((ref) => !ref.startsWith('Patient/'));
  if (refs.length === 0) return '';
  const dated = refs.map((ref) => {
    const date = r.evidenceDates[ref];
    return date === undefined ? ref : `${ref} (${date})`;
  });
  return ` [${dated.join(', ')}]`;
}

function criterionLine(r: TrialMatchResult, c: CriterionResult): string {
  const status = c.status.padEnd(7);
  const kind = (c.kind === 'inclusion' ? 'incl' : 'excl').padEnd(4);
  const flag = c.verified ? ' ' : '*';
  return `  ${status} ${kind} ${flag} ${c.id}: ${c.reason}${evidenceOf(r, c)}`;
}

const SHORT_VERDICT: Record<TrialVerdict, string> = {
  eligible: 'ELIGIBLE',
  ineligible: 'NOT ELIGIBLE',
  'needs-data': 'NEEDS DATA',
};

/** The reason that decides the verdict first: the first failed criterion, else the first open one, else all met. */
function firstReason(r: TrialMatchResult): string {
  const failed = r.criteria.find((c) => r.failed.includes(c.id));
  if (failed !== undefined) return `${failed.text}: ${failed.reason}${evidenceOf(r, failed)}`;
  const open =
    r.criteria.find((c) => c.status === 'unknown' && c.test !== 'manual') ??
    r.criteria.find((c) => c.status === 'unknown');
  if (open !== undefined) return `${open.text}: ${open.collect ?? open.reason}`;
  return 'every criterion decided from the record';
}

/**
 * `lead`: lines printed right after the heading, before the verdicts (`trd match` gives the care pathway's safety
 * alerts, which lead every report).
 */
export function renderMatchText(results: readonly TrialMatchResult[], lead: readonly string[] = []): string {
  const lines: string[] = [];
  const first = results[0];
  if (first !== undefined) {
    lines.push(
      `Trial matching for ${first.patient.reference} as of ${first.asOf} (${results.length} protocol${results.length === 1 ? '' : 's'})`,
    );
  }
  if (lead.length > 0) lines.push(...lead, '');
  const width = Math.max(0, ...results.map((r) => (r.trial.registry[0]?.id ?? r.trial.id).length));
  for (const r of results) {
    const name = (r.trial.registry[0]?.id ?? r.trial.id).padEnd(width);
    lines.push(`  ${name}  ${SHORT_VERDICT[r.verdict]}: ${firstReason(r)}`);
  }
  for (const r of results) {
    const registry = r.trial.registry.map((x) => x.id).join(', ');
    lines.push('', `${r.trial.title}`, `  ${registry}; protocol ${r.trial.id} v${r.trial.version}`);
    lines.push(`  Verdict: ${VERDICT[r.verdict]}`, `  ${r.summary}`, `  Population: ${r.trial.population}`, '');
    lines.push('  status  kind   criterion: reason');
    for (const c of r.criteria) lines.push(criterionLine(r, c));
    if (r.toCollect.length > 0) {
      lines.push('', '  To collect:');
      for (const t of r.toCollect) lines.push(`    - ${t.item} [${t.criterion}]`);
    }
    const unverified = r.criteria.filter((c) => !c.verified);
    if (unverified.length > 0) {
      lines.push('', '  * Rests on unverified values ([U], see docs/trial-criteria.md):');
      for (const c of unverified) lines.push(`    - ${c.id}: ${c.unverifiedNotes.join('; ')}`);
    }
    lines.push('', '  Sources (reference section, evidence tag):');
    for (const [key, c] of Object.entries(r.citations)) {
      lines.push(`    - ${key}: ${c.title} (section ${c.section}, ${c.tag})`);
    }
  }
  return `${lines.join('\n')}\n`;
}
