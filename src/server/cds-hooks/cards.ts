/**
 * CDS Hooks 2.0 cards computed from the engine's results: the assessment (recommendation, safety alerts,
 * contraindications, cautions, missing work-up, trace, citations) and the trial matches. No rule is restated here;
 * this module chooses how a result is shown (indicator, wording of the summary line, which orders to suggest) and
 * takes every code and citation from the knowledge.
 */
import { randomUUID } from 'node:crypto';
import type { Assessment, TrialMatchResult } from '../../engine/index.ts';
import type { Knowledge } from '../../knowledge/index.ts';
import { inSentence } from '../../trials/sentence.ts';
import type { DraftIl6Order } from './draft-orders.ts';

export type Indicator = 'info' | 'warning' | 'critical';

export interface Coding {
  readonly system: string;
  readonly code: string;
  readonly display?: string;
}

export interface Suggestion {
  readonly label: string;
  readonly uuid: string;
  readonly isRecommended?: boolean;
  readonly actions: readonly {
    readonly type: 'create' | 'update' | 'delete';
    readonly description: string;
    readonly resource?: Record<string, unknown>;
  }[];
}

export interface Card {
  readonly uuid: string;
  readonly summary: string;
  readonly detail: string;
  readonly indicator: Indicator;
  readonly source: { readonly label: string; readonly url?: string; readonly topic?: Coding };
  readonly suggestions?: readonly Suggestion[];
  readonly selectionBehavior?: 'at-most-one' | 'any';
  readonly overrideReasons?: readonly Coding[];
  readonly links?: readonly { readonly label: string; readonly url: string; readonly type: 'absolute' | 'smart' }[];
}

/** The spec: "summary: one-sentence, <140-character summary message". */
export const SUMMARY_MAX = 139;

export const OVERRIDE_REASON_SYSTEM = 'urn:precision-trd:cds-override-reason';
export const OVERRIDE_REASONS: readonly Coding[] = [
  { system: OVERRIDE_REASON_SYSTEM, code: 'data-incorrect', display: 'The record used is incomplete or wrong' },
  { system: OVERRIDE_REASON_SYSTEM, code: 'already-addressed', display: 'Already addressed' },
  { system: OVERRIDE_REASON_SYSTEM, code: 'patient-declined', display: 'Patient declined' },
  { system: OVERRIDE_REASON_SYSTEM, code: 'clinical-judgement', display: 'Clinical judgement' },
];

function summary(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= SUMMARY_MAX ? line : `${line.slice(0, SUMMARY_MAX - 1).trimEnd()}…`;
}

/**
 * The web address of a citation's `source` text (knowledge/citations.json), which lists identifiers and addresses
 * separated by ';' ("doi:10.1136/...; PMID 30244217; https://..."): the DOI's resolver address when there is a DOI
 * (the stable one), else the first http(s) address, cut at the first space, ';' or ','; undefined when there is none.
 */
export function citationUrl(sourceText: string): string | undefined {
  const doi = /\bdoi:\s*(10\.\d{4,9}\/[^\s;,]+)/i.exec(sourceText)?.[1];
  const candidate = doi !== undefined ? `https://doi.org/${doi}` : /https?:\/\/[^\s;,]+/.exec(sourceText)?.[0];
  if (candidate === undefined || !URL.canParse(candidate)) return undefined;
  return candidate;
}

function source(knowledge: Knowledge, citationKey: string, fallback: string): Card['source'] {
  const citation = knowledge.citations.get(citationKey);
  const label = citation?.title ?? fallback;
  const url = citation === undefined ? undefined : citationUrl(citation.source);
  return url === undefined ? { label } : { label, url };
}

/**
 * Text of the record, the engine or the knowledge inside a card's Markdown `detail`: the characters that open markup
 * inside a line in GitHub Flavored Markdown (\ ` * _ [ < | ~) are escaped and line breaks are spaces, so a Condition's
 * "Pneumonia [see](https://...)" or "<b>" in its text is shown as written, never as a link, HTML, emphasis, a table
 * cell or a new block (only the recommendation's summary and an alert's detail, the engine's words, start a line).
 */
export function markdownText(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').replace(/[\\`*_[<|~]/g, '\\$&');
}

/** The evidence references with each one's date (Assessment.evidenceDates): "(evidence: `Observation/1` 2026-11-06)". */
function refs(evidence: readonly string[], dates: Assessment['evidenceDates']): string {
  if (evidence.length === 0) return '';
  const dated = evidence.map((e) => {
    const date = dates[e as keyof typeof dates];
    return date === undefined ? `\`${e}\`` : `\`${e}\` ${date}`;
  });
  return ` (evidence: ${dated.join('; ')})`;
}

/** Registry pages of a trial's registry ids (the registries the trial protocols use). */
export function registryUrl(system: string, id: string): string | undefined {
  if (/^NCT\d{8}$/.test(id)) return `https://clinicaltrials.gov/study/${id}`;
  if (/^ISRCTN\d+$/.test(id) || system.toUpperCase() === 'ISRCTN') return `https://www.isrctn.com/${id}`;
  return undefined;
}

function coding(
  knowledge: Knowledge,
  setId: string,
  pick?: (assay: string | undefined) => boolean,
): Coding | undefined {
  const set = knowledge.codeSets.get(setId);
  const entry = set?.codes.find((c) => c.match !== 'prefix' && (pick === undefined || pick(c.assay)));
  return entry === undefined ? undefined : { system: entry.system, code: entry.code, display: entry.display };
}

/**
 * The codes to order for a missing work-up item: the first code of each of its `orderCodeSets` (hepatitis B
 * serology: HBsAg and anti-HBc), else of the analyte's or screen's code set.
 */
function workupCodings(knowledge: Knowledge, workupCode: string): Coding[] {
  const rule = knowledge.pathway.missingWorkup.find((w) => w.code === workupCode);
  if (rule === undefined) return [];
  const definitions = knowledge.pathway.definitions as unknown as {
    labs: { analytes: Record<string, { codeSets: string[] }> };
    screens: Record<string, string[] | undefined>;
  };
  const setIds =
    rule.predicate === 'lab-in-window'
      ? definitions.labs.analytes[rule.analyte]?.codeSets.slice(0, 1)
      : rule.predicate === 'screen-in-window'
        ? (rule.orderCodeSets ?? definitions.screens[`${rule.screen}CodeSets`]?.slice(0, 1))
        : undefined;
  return (setIds ?? []).flatMap((setId) => coding(knowledge, setId) ?? []);
}

function serviceRequest(label: string, code: Coding, patientId: string, reason: string): Suggestion {
  return {
    label,
    uuid: randomUUID(),
    actions: [
      {
        type: 'create',
        description: label,
        resource: {
          resourceType: 'ServiceRequest',
          status: 'draft',
          intent: 'proposal',
          code: { coding: [code], text: code.display },
          subject: { reference: `Patient/${patientId}` },
          reasonCode: [{ text: reason }],
        },
      },
    ],
  };
}

export function missingWorkupSuggestions(
  knowledge: Knowledge,
  missingWorkup: Assessment['missingWorkup'],
  patientId: string,
): Suggestion[] {
  const out: Suggestion[] = [];
  for (const item of missingWorkup) {
    const codes = workupCodings(knowledge, item.code);
    for (const code of codes) {
      // One order per test; the label names the test when the item needs several.
      const label = codes.length === 1 ? `Order ${item.title}` : `Order ${item.title}: ${code.display ?? code.code}`;
      out.push(serviceRequest(label, code, patientId, item.action));
    }
  }
  return out;
}

function crpSuggestion(knowledge: Knowledge, assessment: Assessment, patientId: string): Suggestion | undefined {
  const hsCrp = coding(
    knowledge,
    knowledge.pathway.definitions.inflammation.crpCodeSets[0] ?? 'crp',
    (assay) => assay === 'high-sensitivity',
  );
  if (hsCrp === undefined) return undefined;
  return { ...serviceRequest('Order hs-CRP', hsCrp, patientId, assessment.recommendation.title), isRecommended: true };
}

/** An info card whose assessment met a data issue of warning or error severity is a warning: data it could not use. */
function raisedByIssues(indicator: Indicator, assessment: Assessment): Indicator {
  return indicator === 'info' && assessment.issues.some((i) => i.severity !== 'information') ? 'warning' : indicator;
}

function assessmentMarkdown(assessment: Assessment): string {
  const lines: string[] = [];
  const r = assessment.recommendation;
  lines.push(
    `**${markdownText(r.title)}** (rule ${r.rule}, \`${r.code}\`, pathway ${assessment.pathway.id} ${assessment.pathway.version}, as of ${assessment.asOf})`,
    '',
    markdownText(r.clinicianSummary),
  );
  for (const alert of assessment.safetyAlerts)
    lines.push('', `**Safety alert: ${markdownText(alert.title)}**${refs(alert.evidence, assessment.evidenceDates)}`);
  const inflammation = assessment.inflammation;
  lines.push(
    '',
    `**Inflammation:** ${inflammation.status}: ${markdownText(inflammation.reason)}${inflammation.crp === undefined ? '' : refs([inflammation.crp.source], assessment.evidenceDates)}`,
  );
  const tr = assessment.treatmentResistance;
  lines.push(
    '',
    `**Adequate antidepressant trials:** ${tr.count} of ${tr.required} required` +
      (tr.adequateTrials.length === 0
        ? ''
        : `: ${markdownText(tr.adequateTrials.map((t) => `${t.ingredient} ${t.dailyDoseMg} mg/day, ${t.start} to ${t.end} (${t.days} days)`).join('; '))}`),
  );
  if (tr.unverifiedTrials.length > 0) {
    lines.push(
      `Unverified: ${markdownText(tr.unverifiedTrials.map((t) => `${t.ingredient} (confirm ${t.missing.join(', ')}: ${t.reason})`).join('; '))}`,
    );
  }
  if (assessment.contraindications.length > 0) {
    lines.push('', '**Absolute contraindications:**');
    for (const c of assessment.contraindications)
      lines.push(`- ${markdownText(c.title)}: ${markdownText(c.detail)}${refs(c.evidence, assessment.evidenceDates)}`);
  }
  if (assessment.cautions.length > 0) {
    lines.push('', '**Cautions:**');
    for (const c of assessment.cautions)
      lines.push(`- ${markdownText(c.title)}: ${markdownText(c.detail)}${refs(c.evidence, assessment.evidenceDates)}`);
  }
  if (assessment.missingWorkup.length > 0) {
    lines.push('', '**Work-up required before referral:**');
    for (const w of assessment.missingWorkup) lines.push(`- ${markdownText(w.title)}: ${markdownText(w.action)}`);
  }
  // The data problems the assessment met (an hCG with no interpretation, an ALT whose ranges disagree): what it
  // could not use, so the card is never more confident than the assessment (docs/service.md, CDS Hooks).
  if (assessment.issues.length > 0) {
    lines.push('', '**Data issues:**');
    for (const i of assessment.issues)
      lines.push(`- ${markdownText(i.message)}${i.path === undefined ? '' : refs([i.path], assessment.evidenceDates)}`);
  }
  if (assessment.unverified.length > 0) {
    lines.push(
      '',
      `**Unverified values relied on:** ${markdownText(assessment.unverified.map((u) => u.item).join('; '))}`,
    );
  }
  lines.push('', '**Trace:**', '', '| rule | matched | outcome |', '|---|---|---|');
  for (const t of assessment.trace)
    lines.push(`| ${t.rule} | ${t.matched ? 'yes' : 'no'} | ${markdownText(t.outcome)} |`);
  return lines.join('\n');
}

const INDICATOR: Readonly<Partial<Record<Assessment['recommendation']['code'], Indicator>>> = {
  contraindicated: 'warning',
  'repeat-crp': 'warning',
};

/**
 * The critical card of one safety alert, the same on every hook: what was found (the alert's detail: the answer, its
 * date, how it was read, [U] when unverified) with its evidence, and the recommendation it comes before.
 */
function safetyAlertCard(
  knowledge: Knowledge,
  assessment: Assessment,
  alert: Assessment['safetyAlerts'][number],
): Card {
  return {
    uuid: randomUUID(),
    summary: summary(`Safety alert: ${alert.title}`),
    indicator: 'critical',
    detail: [
      `**${markdownText(alert.title)}**${refs(alert.evidence, assessment.evidenceDates)}`,
      markdownText(alert.detail ?? ''),
      '',
      `Recommendation: ${markdownText(assessment.recommendation.title)}`,
    ].join('\n'),
    source: source(knowledge, alert.citation ?? assessment.recommendation.citation, knowledge.pathway.title),
    overrideReasons: OVERRIDE_REASONS,
  };
}

/** patient-view: one critical card per safety alert, then the recommendation card (none when out of scope). */
export function patientViewCards(
  knowledge: Knowledge,
  assessment: Assessment,
  /** Called only when a recommendation card is shown (not for a patient outside the pathway's scope). */
  trialMatches: () => readonly TrialMatchResult[],
  patientId: string,
): Card[] {
  const cards: Card[] = assessment.safetyAlerts.map((alert) => safetyAlertCard(knowledge, assessment, alert));
  const r = assessment.recommendation;
  if (r.code === 'out-of-scope') return cards;
  const suggestions: Suggestion[] = [];
  if (r.code === 'measure-crp' || r.code === 'repeat-crp') {
    const crp = crpSuggestion(knowledge, assessment, patientId);
    if (crp !== undefined) suggestions.push(crp);
  }
  // The engine lists the missing work-up only on the referral track (docs/care-pathway.md, definition 8).
  suggestions.push(...missingWorkupSuggestions(knowledge, assessment.missingWorkup, patientId));
  const matches = trialMatches();
  const links = matches
    .filter((m) => m.verdict !== 'ineligible')
    .flatMap((m) =>
      m.trial.registry.flatMap((reg) => {
        const url = registryUrl(reg.system, reg.id);
        return url === undefined
          ? []
          : [{ label: summary(`${reg.id} (${m.verdict}): ${m.trial.title}`), url, type: 'absolute' as const }];
      }),
    );
  const trialLines = matches.map(
    (m) =>
      `- ${markdownText(m.trial.registry.map((x) => x.id).join('/'))}: **${m.verdict}**: ${markdownText(m.summary)}`,
  );
  cards.push({
    uuid: randomUUID(),
    summary: summary(r.title),
    indicator: raisedByIssues(INDICATOR[r.code] ?? 'info', assessment),
    detail: [assessmentMarkdown(assessment), '', '**Trials:**', ...trialLines].join('\n'),
    source: source(knowledge, r.citation, knowledge.pathway.title),
    ...(suggestions.length > 0 ? { suggestions, selectionBehavior: 'any' as const } : {}),
    overrideReasons: OVERRIDE_REASONS,
    ...(links.length > 0 ? { links } : {}),
  });
  return cards;
}

/**
 * order-sign / order-select: a card for draft IL-6 blocker orders. Critical, naming each reason, when the record
 * shows an absolute contraindication or missing work-up; otherwise the recommendation (IL-6 blockade for depression
 * only within a trial), none for a patient outside the pathway's scope. `missingWorkup` is the work-up missing whatever the decision (Engine.assessForOrder): an
 * IL-6 blocker needs it on every track, not only on the referral track where the assessment lists it.
 */
export function orderCheckCards(
  knowledge: Knowledge,
  assessment: Assessment,
  missingWorkup: Assessment['missingWorkup'],
  orders: readonly DraftIl6Order[],
  patientId: string,
): Card[] {
  if (orders.length === 0) return [];
  const medicines = [...new Set(orders.map((o) => o.medication))].join(', ');
  const blockers = assessment.contraindications;
  const missing = missingWorkup;
  // A brand name says which brand it was read as; one the clinical reference does not give is flagged [U].
  const brand = (o: DraftIl6Order): string => {
    const b = o.name?.brand;
    if (b === undefined) return '';
    return ` ("${b.name}", a brand name of ${b.ingredient}${b.verified ? '' : `, unverified [U]: ${b.note ?? b.citation}`})`;
  };
  const how = (o: DraftIl6Order): string =>
    o.identifiedBy === 'name'
      ? `, named in its text${brand(o)} but not coded with the il6-blockers code set: confirm the medicine`
      : o.unverifiedCode === undefined
        ? ''
        : `, by an unverified code: ${o.unverifiedCode}`;
  const header = `Draft order${orders.length > 1 ? 's' : ''}: ${orders.map((o) => `\`${o.reference}\` (${markdownText(`${o.medication}${how(o)}`)})`).join(', ')}`;
  const cards: Card[] = assessment.safetyAlerts.map((alert) => safetyAlertCard(knowledge, assessment, alert));
  if (blockers.length > 0 || missing.length > 0) {
    // Inside the line, a title reads as words of it: "no latent tuberculosis screen", "no ALT".
    const reasons = [...blockers.map((c) => c.title), ...missing.map((w) => `no ${inSentence(w.title)}`)];
    const suggestions = missingWorkupSuggestions(knowledge, missing, patientId);
    cards.push({
      uuid: randomUUID(),
      summary: summary(
        `${medicines}: ${blockers.length > 0 ? 'contraindicated' : 'work-up missing'}: ${reasons.join(', ')}`,
      ),
      indicator: 'critical',
      detail: [
        header,
        '',
        ...blockers.map(
          (c) =>
            `- **${markdownText(c.title)}** (\`${c.code}\`): ${markdownText(c.detail)}${refs(c.evidence, assessment.evidenceDates)}`,
        ),
        ...missing.map((w) => `- **Missing: ${markdownText(w.title)}** (\`${w.code}\`): ${markdownText(w.action)}`),
        '',
        assessmentMarkdown(assessment),
      ].join('\n'),
      source: source(
        knowledge,
        blockers[0]?.citation ?? missing[0]?.citation ?? assessment.recommendation.citation,
        knowledge.pathway.title,
      ),
      ...(suggestions.length > 0 ? { suggestions, selectionBehavior: 'any' as const } : {}),
      overrideReasons: OVERRIDE_REASONS,
    });
    return cards;
  }
  // Outside the pathway's scope (no depression recorded: an IL-6 blocker for rheumatoid arthritis, say) with nothing
  // against the order, the pathway has nothing to say, as on patient-view: no card.
  if (assessment.recommendation.code === 'out-of-scope') return cards;
  cards.push({
    uuid: randomUUID(),
    summary: summary(`${medicines}: ${assessment.recommendation.title}`),
    indicator: raisedByIssues(assessment.recommendation.code === 'refer-to-trial' ? 'info' : 'warning', assessment),
    detail: [header, '', assessmentMarkdown(assessment)].join('\n'),
    source: source(knowledge, assessment.recommendation.citation, knowledge.pathway.title),
    overrideReasons: OVERRIDE_REASONS,
  });
  return cards;
}
