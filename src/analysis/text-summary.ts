/**
 * The plain-text summary `trd analyze` prints without --json: each result with its estimate, CI and p-value, and one
 * line saying what it means, so a clinician can read it without the JSON.
 */
import type { BinaryComparison } from '../stats/binary.ts';
import type { StrataResult } from '../stats/interaction.ts';
import type { AnalysisReport, Unavailable } from './analyze.ts';
import type { CountsReport } from './counts.ts';
import type { ResponderAnalysis } from './responders.ts';
import { fmt, fmtCi, fmtNnt, fmtPercent, fmtPIs, fmtRatio } from './format.ts';

const isUnavailable = (x: object): x is Unavailable => 'available' in x && (x as Unavailable).available === false;

function binaryLines(title: string, b: BinaryComparison, treatment: string, control: string): string[] {
  const arm = (label: string, r: BinaryComparison['treatment']): string =>
    `  ${label}: ${r.events}/${r.n} = ${fmtPercent(r.rate)} (95% CI ${fmtPercent(r.ci[0])} to ${fmtPercent(r.ci[1])}, Wilson)`;
  return [
    title,
    arm(treatment, b.treatment),
    arm(control, b.control),
    `  difference ${fmtPercent(b.difference.estimate)} (95% CI ${fmtPercent(b.difference.ci[0])} to ${fmtPercent(b.difference.ci[1])}, Newcombe); Fisher ${fmtPIs(b.fisherP)}`,
    `  ${fmtNnt(b.nnt)}`,
    `  risk ratio ${fmtRatio(b.riskRatio)}; odds ratio ${fmtRatio(b.oddsRatio)}`,
  ];
}

function observedLines(b: BinaryComparison | Unavailable, treatment: string, control: string): string[] {
  if (isUnavailable(b)) return [`  observed cases: ${b.reason}`];
  return binaryLines('  observed cases:', b, treatment, control).map((l, i) => (i === 0 ? l : `  ${l}`));
}

/** An NRI block (or why it is not estimable) with its observed-cases block. */
function responderLines(name: string, r: ResponderAnalysis, treatment: string, control: string): string[] {
  const title = `${name} (${r.definition}, non-responder imputation)`;
  return [
    ...(isUnavailable(r) ? [`${title}: ${r.reason}`] : binaryLines(title, r, treatment, control)),
    ...observedLines(r.observed, treatment, control),
  ];
}

export function countsSummary(r: CountsReport): string {
  return [...binaryLines(`${r.label} (treatment vs control)`, r, 'treatment', 'control'), ''].join('\n');
}

/** What "change" is in this analysis: the outcome minus the baseline column, or the outcome column itself. */
export function changeOf(input: AnalysisReport['input']): string {
  const { outcome, baseline } = input.columns;
  return input.outcomeType === 'score' ? `${outcome} - ${baseline}` : `column ${outcome}, baseline ${baseline}`;
}

function strataLine(strata: StrataResult): string {
  return 'available' in strata
    ? `  by stratum: not available (${strata.reason})`
    : `  by stratum: low (n = ${strata.n.low}) ${fmt(strata.low.estimate)} (${fmtCi(strata.low.ci)}); high (n = ${strata.n.high}) ${fmt(strata.high.estimate)} (${fmtCi(strata.high.ci)})`;
}

/**
 * Beside the biomarker interaction: how many subjects' biomarker rests on a conversion with an unverified factor, and
 * the interaction and by-stratum effects without them (the warning says the same among the issues).
 */
function conversionLines(r: AnalysisReport): string[] {
  const c = r.biomarkerConversion;
  if (c?.sensitivity === undefined) return [];
  const s = c.sensitivity.interaction;
  const head = `  ${c.unverified} subject${c.unverified === 1 ? "'s" : "s'"} biomarker converted from nmol/L with an unverified factor [U] (column ${c.column}); without them`;
  if ('available' in s) return [`${head}: interaction not available (${s.reason})`, `  ${strataLine(s.strata)}`];
  return [
    `${head} (n = ${s.n}): ${fmt(s.estimate)} per unit ln(biomarker) (SE ${fmt(s.se, 3)}), ${fmtPIs(s.p)}`,
    `  ${strataLine(s.strata)}`,
  ];
}

export function analysisSummary(r: AnalysisReport): string {
  const t = String(r.input.options.treatment);
  const c = String(r.input.options.control);
  const out: string[] = [
    `Trial analysis of ${r.input.file}: ${t} (n = ${r.input.subjects.treatment}) vs ${c} (n = ${r.input.subjects.control}); visits ${r.input.visits.join(', ')}; primary visit ${r.input.primaryVisit}.`,
    `Effects are treatment minus control in change from baseline (${changeOf(r.input)}; negative = more improvement on treatment).`,
    '',
  ];
  if (isUnavailable(r.ancova)) out.push(`ANCOVA: not available (${r.ancova.reason})`);
  else {
    const a = r.ancova;
    out.push(
      `ANCOVA (${a.formula}, observed cases, n = ${a.n.total}): ${fmt(a.estimate)} (SE ${fmt(a.se, 3)}, 95% CI ${fmtCi(a.ci)}), t(${a.df}) = ${fmt(a.t, 3)}, ${fmtPIs(a.p)}`,
      `  LS means: ${t} ${fmt(a.lsMeans.treatment.estimate)} (${fmtCi(a.lsMeans.treatment.ci)}), ${c} ${fmt(a.lsMeans.control.estimate)} (${fmtCi(a.lsMeans.control.ci)}) at baseline ${fmt(a.covariateMeans.baseline)}`,
      `  unadjusted: Student t ${fmtPIs(a.tTests.student.p)}, Welch t ${fmtPIs(a.tTests.welch.p)}`,
    );
  }
  if (isUnavailable(r.mmrm)) out.push(`MMRM: not available (${r.mmrm.reason})`);
  else {
    const kr = r.mmrm.kenwardRoger;
    const sw = r.mmrm.satterthwaite;
    out.push(
      `MMRM at the primary visit (unstructured, REML, ${r.mmrm.subjects} subjects, ${r.mmrm.observations} outcomes): ${fmt(kr.estimate)} (SE ${fmt(kr.se, 4)}, Kenward-Roger df ${fmt(kr.df, 1)}, 95% CI ${fmtCi(kr.ci)}), ${fmtPIs(kr.p)}`,
      `  Satterthwaite: SE ${fmt(sw.se, 4)}, df ${fmt(sw.df, 1)}, ${fmtPIs(sw.p)}`,
    );
  }
  out.push('', ...responderLines('Response', r.response, t, c));
  if (isUnavailable(r.remission) && !('definition' in r.remission))
    out.push(`Remission: not analysed (${r.remission.reason})`);
  else out.push(...responderLines('Remission', r.remission, t, c));
  out.push('');
  if (isUnavailable(r.hedgesG)) out.push(`Hedges g: not available (${r.hedgesG.reason})`);
  else {
    const g = r.hedgesG;
    out.push(
      `Hedges g (change at the primary visit, observed cases, n = ${g.n.treatment} ${t} + ${g.n.control} ${c}): ${fmt(g.estimate, 3)} (95% CI ${fmtCi(g.ciNormal, 3)} normal; ${fmtCi(g.ciNoncentralT, 3)} noncentral t)`,
    );
  }
  if (isUnavailable(r.interaction) && !('strata' in r.interaction))
    out.push(`Biomarker interaction: not analysed (${r.interaction.reason})`);
  else if (isUnavailable(r.interaction)) {
    // The ln(biomarker) model could not be fitted; the by-stratum effects need only the stratum.
    out.push(
      `Treatment x ln(biomarker) interaction: not available (${r.interaction.reason})`,
      strataLine(r.interaction.strata),
      ...conversionLines(r),
    );
  } else {
    const i = r.interaction;
    out.push(
      `Treatment x ln(biomarker) interaction (${i.formula}, n = ${i.n}): ${fmt(i.estimate)} per unit ln(biomarker) (SE ${fmt(i.se, 3)}), F(1, ${i.fTest.df2}) = ${fmt(i.fTest.f, 3)}, ${fmtPIs(i.p)}`,
      ...i.effects.map(
        (e) => `  effect at biomarker ${e.biomarker}: ${fmt(e.estimate)} (95% CI ${fmtCi(e.ci)}), ${fmtPIs(e.p)}`,
      ),
      strataLine(i.strata),
      ...conversionLines(r),
    );
  }
  for (const issue of r.issues) out.push(`${issue.severity}: ${issue.message}`);
  return `${out.join('\n')}\n`;
}
