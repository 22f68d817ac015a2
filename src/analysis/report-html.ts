/**
 * One self-contained HTML page for `trd analyze --report`: the input summary, every result as a table with a line on
 * how to read it, the figures as inline SVG (no scripts, no external files), the conventions and any warnings.
 */
import type { BinaryComparison } from '../stats/binary.ts';
import type { StrataResult } from '../stats/interaction.ts';
import type { AnalysisReport, Unavailable } from './analyze.ts';
import { fmt, fmtCi, fmtNnt, fmtP, fmtPercent, fmtPIs, fmtRatio } from './format.ts';
import { changeOf } from './text-summary.ts';
// The JSON's input keys are the commander keys of `trd analyze`: responseReduction is --response-reduction.
import { optionName } from '../cli/io.ts';
import { forestRows, forestSpec, interactionSpec, meanChangeSpec, renderSvg, type BiomarkerPoint } from './plots.ts';

export const escape = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const th = head.map((h) => `<th>${escape(h)}</th>`).join('');
  const trs = rows.map((r) => `<tr>${r.map((c) => `<td>${escape(c)}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${th}</tr></thead><tbody>\n${trs}\n</tbody></table>`;
}

function binaryTable(b: BinaryComparison, treatment: string, control: string): string {
  const arm = (label: string, r: BinaryComparison['treatment']): string[] => [
    label,
    `${r.events}/${r.n}`,
    fmtPercent(r.rate),
    `${fmtPercent(r.ci[0])} to ${fmtPercent(r.ci[1])}`,
  ];
  return (
    table(['Arm', 'Events/n', 'Rate', '95% CI (Wilson)'], [arm(treatment, b.treatment), arm(control, b.control)]) +
    table(
      ['Risk difference', '95% CI (Newcombe)', 'NNT', 'Risk ratio (95% CI)', 'Odds ratio (95% CI)', 'Fisher p'],
      [
        [
          fmtPercent(b.difference.estimate),
          `${fmtPercent(b.difference.ci[0])} to ${fmtPercent(b.difference.ci[1])}`,
          fmtNnt(b.nnt),
          fmtRatio(b.riskRatio),
          fmtRatio(b.oddsRatio),
          fmtP(b.fisherP),
        ],
      ],
    )
  );
}

/** A comparison's table, or why it is not estimable (an arm without any primary-visit outcome): NRI or observed. */
function observedTable(b: BinaryComparison | Unavailable, treatment: string, control: string): string {
  return 'available' in b ? `<p>${escape(b.reason)}</p>` : binaryTable(b, treatment, control);
}

/** The by-stratum effects as a table with n, SE, CI and p, or why they are not available. */
function strataTable(strata: StrataResult, cut: number): string {
  return 'available' in strata
    ? `<p>Effects by stratum: not available (${escape(strata.reason)}).</p>`
    : table(
        ['Stratum', 'n', 'Effect', 'SE', '95% CI', 'p'],
        [
          [`biomarker < ${cut}`, strata.n.low, strata.low] as const,
          [`biomarker >= ${cut}`, strata.n.high, strata.high] as const,
        ].map(([label, n, e]) => [label, String(n), fmt(e.estimate, 3), fmt(e.se, 4), fmtCi(e.ci, 3), fmtP(e.p)]),
      );
}

/**
 * The subjects whose biomarker was converted from nmol/L with an unverified factor [U], and the interaction and
 * by-stratum effects without them (biomarkerConversion.sensitivity).
 */
function conversionSection(report: AnalysisReport, cut: number): string[] {
  const c = report.biomarkerConversion;
  if (c?.sensitivity === undefined) return [];
  const s = c.sensitivity.interaction;
  const factors = c.conversions
    .filter((f) => f.unverified)
    .map((f) => `${f.subjects} with ${f.conversion ?? 'a conversion this version does not recognise'}`)
    .join(', ');
  const head = `<h3>Sensitivity: without the biomarker values converted with an unverified factor</h3><p>${c.unverified} subject${c.unverified === 1 ? "'s" : "s'"} baseline biomarker was converted from a molar unit (nmol/L) with a factor flagged unverified [U] (column ${escape(c.column)}: ${escape(factors)}); ${c.inInteractionModel} of them are in the interaction model above. Without them:</p>`;
  if ('available' in s)
    return [head, `<p>Not available (the model on ln(biomarker)): ${escape(s.reason)}</p>`, strataTable(s.strata, cut)];
  return [
    head,
    `<p>${escape(s.formula)} (n = ${s.n}). Interaction ${fmt(s.estimate, 3)} per unit ln(biomarker) (SE ${fmt(s.se, 4)}), F(1, ${s.fTest.df2}) = ${fmt(s.fTest.f, 3)}, ${fmtPIs(s.p)}.</p>`,
    table(
      ['Biomarker', 'Effect', 'SE', '95% CI', 'p'],
      s.effects.map((e) => [String(e.biomarker), fmt(e.estimate, 3), fmt(e.se, 4), fmtCi(e.ci, 3), fmtP(e.p)]),
    ),
    strataTable(s.strata, cut),
  ];
}

/**
 * The options analysed, as typed on the command line (`--outcome madrs`, `--response-reduction 0.5`), so the report
 * reads as the command that made it; `--effects-at` only when a biomarker was analysed, since it is used only then.
 */
function optionRows(report: AnalysisReport): string[][] {
  const { columns, options, outcomeType } = report.input;
  const stratified = options.biomarkerCut !== undefined;
  return [
    ...Object.entries(columns).map(([k, v]) =>
      k === 'biomarkerConversion' ? ['biomarker conversion column', String(v)] : [optionName(k), String(v)],
    ),
    ['--outcome-type', outcomeType],
    ...Object.entries(options)
      .filter(([k]) => k !== 'level' && (k !== 'effectsAt' || stratified))
      .map(([k, v]) => [optionName(k), Array.isArray(v) ? v.join(', ') : String(v)]),
    ['confidence level', String(options.level)],
  ];
}

/** Renders the report; `points` are the subjects' baseline biomarker values for the interaction plot's rug. */
export async function renderHtmlReport(
  report: AnalysisReport,
  points: readonly BiomarkerPoint[] = [],
): Promise<string> {
  const t = String(report.input.options.treatment);
  const c = String(report.input.options.control);
  const parts: string[] = [];
  parts.push(
    `<h1>Trial analysis: ${escape(t)} vs ${escape(c)}</h1>`,
    `<p>File <code>${escape(report.input.file)}</code>; ${report.input.subjects.treatment} subjects on ${escape(t)}, ${report.input.subjects.control} on ${escape(c)}; visits ${escape(report.input.visits.join(', '))}; primary visit ${escape(report.input.primaryVisit)}. Effects are ${escape(t)} minus ${escape(c)} in change from baseline (${escape(changeOf(report.input))}): negative values mean more improvement on ${escape(t)}.</p>`,
    table(['Option', 'Value'], optionRows(report)),
    '<h2>Mean change by visit</h2>',
    await renderSvg(meanChangeSpec(report.descriptives, report.input.visits)),
    table(
      ['Visit', 'Arm', 'n', 'Mean change', 'SD', '95% CI'],
      report.descriptives.map((d) => [d.visit, d.arm, String(d.n), fmt(d.mean, 3), fmt(d.sd, 3), fmtCi(d.ci, 3)]),
    ),
  );

  parts.push('<h2>ANCOVA at the primary visit</h2>');
  if ('available' in report.ancova) parts.push(`<p>Not available: ${escape(report.ancova.reason)}</p>`);
  else {
    const a = report.ancova;
    // Read from the formula fitted: a constant baseline (or stratum) is left out of it, with a warning.
    const terms = a.formula.split(' ~ ')[1]?.split(' + ') ?? [];
    const adjusted = [
      ...(terms.includes('baseline') ? ['baseline'] : []),
      ...(terms.includes('stratum') ? ['biomarker stratum'] : []),
    ];
    parts.push(
      `<p>${escape(a.formula)}, observed cases (n = ${a.n.total}). ${adjusted.length > 0 ? `The difference is adjusted for ${adjusted.join(' and ')}.` : 'The difference is not adjusted for any covariate (see the warnings).'}</p>`,
      table(
        ['Estimate', 'SE', 'df', 't', 'p', '95% CI'],
        [[fmt(a.estimate, 3), fmt(a.se, 4), String(a.df), fmt(a.t, 3), fmtP(a.p), fmtCi(a.ci, 3)]],
      ),
      table(
        ['Arm', 'LS mean', 'SE', '95% CI'],
        [
          [t, fmt(a.lsMeans.treatment.estimate, 3), fmt(a.lsMeans.treatment.se, 4), fmtCi(a.lsMeans.treatment.ci, 3)],
          [c, fmt(a.lsMeans.control.estimate, 3), fmt(a.lsMeans.control.se, 4), fmtCi(a.lsMeans.control.ci, 3)],
        ],
      ),
      `<p>Unadjusted check: Student t ${fmtPIs(a.tTests.student.p)}, Welch t ${fmtPIs(a.tTests.welch.p)} (df ${fmt(a.tTests.welch.df, 1)}).</p>`,
    );
  }

  parts.push('<h2>MMRM (all visits)</h2>');
  if (!report.mmrm.available) parts.push(`<p>Not available: ${escape(report.mmrm.reason)}</p>`);
  else {
    const m = report.mmrm;
    parts.push(
      `<p>Unstructured covariance, REML, ${m.subjects} subjects with ${m.observations} post-baseline outcomes, converged in ${m.iterations} iterations. Kenward-Roger inference matches SAS PROC MIXED DDFM=KR.</p>`,
      table(
        ['Visit', 'Difference', 'SE (KR)', 'df (KR)', 'p (KR)', '95% CI (KR)', 'SE (Satt.)', 'df (Satt.)', 'p (Satt.)'],
        m.visits.map((v) => {
          if ('available' in v) return [v.visit, v.reason, '', '', '', '', '', '', ''];
          const kr = v.difference.kenwardRoger;
          const sw = v.difference.satterthwaite;
          return [
            v.visit,
            fmt(kr.estimate, 3),
            fmt(kr.se, 4),
            fmt(kr.df, 1),
            fmtP(kr.p),
            fmtCi(kr.ci, 3),
            fmt(sw.se, 4),
            fmt(sw.df, 1),
            fmtP(sw.p),
          ];
        }),
      ),
    );
  }

  parts.push('<h2>Forest plot</h2>', await renderSvg(forestSpec(forestRows(report))));

  parts.push(
    `<h2>Response</h2><p>${escape(report.response.definition)}; non-responder imputation (missing = no response).</p>`,
  );
  parts.push(
    observedTable(report.response, t, c),
    '<p>Observed cases only:</p>',
    observedTable(report.response.observed, t, c),
  );
  parts.push('<h2>Remission</h2>');
  if (!('definition' in report.remission)) parts.push(`<p>Not analysed: ${escape(report.remission.reason)}</p>`);
  else {
    parts.push(`<p>${escape(report.remission.definition)}; non-responder imputation.</p>`);
    parts.push(
      observedTable(report.remission, t, c),
      '<p>Observed cases only:</p>',
      observedTable(report.remission.observed, t, c),
    );
  }

  parts.push('<h2>Standardised effect size</h2>');
  if ('available' in report.hedgesG) parts.push(`<p>Not available: ${escape(report.hedgesG.reason)}</p>`);
  else {
    const g = report.hedgesG;
    parts.push(
      `<p>Change at the primary visit, observed cases (n = ${g.n.treatment} ${escape(t)}, ${g.n.control} ${escape(c)}; pooled SD ${fmt(g.sdPooled, 3)}), without covariates: its n can exceed the ANCOVA's.</p>`,
      table(
        ['Hedges g', 'SE (Hedges-Olkin)', '95% CI (normal)', '95% CI (noncentral t)'],
        [[fmt(g.estimate, 3), fmt(g.se, 4), fmtCi(g.ciNormal, 3), fmtCi(g.ciNoncentralT, 3)]],
      ),
    );
  }

  parts.push('<h2>Effect modification by the baseline biomarker</h2>');
  const cut = Number(report.input.options.biomarkerCut);
  if ('available' in report.interaction && !('strata' in report.interaction))
    parts.push(`<p>Not analysed: ${escape(report.interaction.reason)}</p>`);
  else if ('available' in report.interaction) {
    // The ln(biomarker) model could not be fitted; the by-stratum effects need only the stratum.
    parts.push(
      `<p>Not available (the model on ln(biomarker)): ${escape(report.interaction.reason)}</p>`,
      strataTable(report.interaction.strata, cut),
    );
  } else {
    const i = report.interaction;
    parts.push(
      `<p>${escape(i.formula)} (n = ${i.n}). Interaction ${fmt(i.estimate, 3)} per unit ln(biomarker) (SE ${fmt(i.se, 4)}), F(1, ${i.fTest.df2}) = ${fmt(i.fTest.f, 3)}, ${fmtPIs(i.p)}. The line shows the estimated effect at each biomarker value; ticks are the observed baseline values.</p>`,
      table(
        ['Biomarker', 'Effect', 'SE', '95% CI', 'p'],
        i.effects.map((e) => [String(e.biomarker), fmt(e.estimate, 3), fmt(e.se, 4), fmtCi(e.ci, 3), fmtP(e.p)]),
      ),
      strataTable(i.strata, cut),
      await renderSvg(
        interactionSpec(
          i.curve,
          points.filter((p) => p.biomarker > 0),
          cut,
        ),
      ),
    );
  }

  parts.push(...conversionSection(report, cut));

  parts.push('<h2>Conventions</h2><ul>', ...report.conventions.map((s) => `<li>${escape(s)}</li>`), '</ul>');
  if (report.issues.length > 0) {
    parts.push(
      '<h2>Warnings</h2><ul>',
      ...report.issues.map((i) => `<li>${escape(`${i.severity}: ${i.message}`)}</li>`),
      '</ul>',
    );
  }
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>precision-trd analysis</title>
<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse;margin:.5rem 0 1rem}th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:right}
th{background:#f3f3f3}td:first-child{text-align:left}svg{max-width:100%;height:auto}</style></head>
<body>
${parts.join('\n')}
<p><small>schema ${escape(report.schema)}</small></p>
</body></html>
`;
}
