/**
 * The report's figures as vega-lite specs, compiled with vega-lite and rendered to SVG server-side by vega's
 * `View.toSVG()` (renderer 'none': no browser, no canvas). Specs are plain data, so they can be tested and reused.
 */
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { AnalysisReport, VisitDescriptive } from './analyze.ts';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** Mean change by visit and arm with 95% CIs (observed cases). */
export function meanChangeSpec(descriptives: readonly VisitDescriptive[], visits: readonly string[]): TopLevelSpec {
  const values = descriptives
    .filter((d) => d.mean !== null)
    .map((d) => ({
      visit: d.visit,
      arm: d.arm,
      mean: d.mean,
      lower: d.ci?.[0] ?? d.mean,
      upper: d.ci?.[1] ?? d.mean,
      n: d.n,
    }));
  const x = { field: 'visit', type: 'ordinal', sort: [...visits], title: 'Visit' } as const;
  return {
    $schema: SCHEMA,
    title: 'Mean change from baseline by visit (observed cases, 95% CI)',
    width: 480,
    height: 280,
    data: { values },
    encoding: { x, color: { field: 'arm', type: 'nominal', title: 'Arm' }, xOffset: { field: 'arm' } },
    layer: [
      {
        mark: { type: 'rule' },
        encoding: {
          y: { field: 'lower', type: 'quantitative', title: 'Mean change from baseline' },
          y2: { field: 'upper' },
        },
      },
      {
        mark: { type: 'point', filled: true, size: 60 },
        encoding: { y: { field: 'mean', type: 'quantitative' }, tooltip: [{ field: 'n' }] },
      },
      { mark: { type: 'line' }, encoding: { y: { field: 'mean', type: 'quantitative' } } },
    ],
  } as TopLevelSpec;
}

export interface ForestRow {
  readonly label: string;
  readonly estimate: number;
  readonly lower: number;
  readonly upper: number;
}

/** Forest plot of treatment - control effects (overall and by biomarker stratum), with a reference line at 0. */
export function forestSpec(rows: readonly ForestRow[]): TopLevelSpec {
  const order = rows.map((r) => r.label);
  return {
    $schema: SCHEMA,
    title: 'Treatment - control difference in change (95% CI)',
    width: 420,
    height: Math.max(60, 36 * rows.length),
    layer: [
      {
        data: { values: rows.map((r) => ({ ...r })) },
        layer: [
          {
            mark: { type: 'rule' },
            encoding: {
              y: { field: 'label', type: 'nominal', sort: order, title: null },
              x: { field: 'lower', type: 'quantitative', title: 'Difference (negative favours treatment)' },
              x2: { field: 'upper' },
            },
          },
          {
            mark: { type: 'square', size: 90, filled: true },
            encoding: {
              y: { field: 'label', type: 'nominal', sort: order },
              x: { field: 'estimate', type: 'quantitative' },
            },
          },
        ],
      },
      {
        data: { values: [{ zero: 0 }] },
        mark: { type: 'rule', strokeDash: [4, 4] },
        encoding: { x: { field: 'zero', type: 'quantitative' } },
      },
    ],
  } as TopLevelSpec;
}

export interface BiomarkerPoint {
  readonly arm: string;
  readonly biomarker: number;
}

/** Effect against baseline biomarker: the interaction model's line with its 95% CI band, observed values as a rug. */
export function interactionSpec(
  curve: readonly { biomarker: number; estimate: number; ci: readonly [number, number] }[],
  observed: readonly BiomarkerPoint[],
  cut: number,
): TopLevelSpec {
  const x = {
    field: 'biomarker',
    type: 'quantitative',
    scale: { type: 'log' },
    title: 'Baseline biomarker (log scale)',
  } as const;
  return {
    $schema: SCHEMA,
    title: 'Treatment effect by baseline biomarker (interaction model, 95% CI)',
    width: 480,
    height: 280,
    layer: [
      {
        data: {
          values: curve.map((c) => ({ biomarker: c.biomarker, estimate: c.estimate, lower: c.ci[0], upper: c.ci[1] })),
        },
        layer: [
          {
            mark: { type: 'area', opacity: 0.25 },
            encoding: {
              x,
              y: { field: 'lower', type: 'quantitative', title: 'Treatment - control change' },
              y2: { field: 'upper' },
            },
          },
          { mark: { type: 'line' }, encoding: { x, y: { field: 'estimate', type: 'quantitative' } } },
        ],
      },
      {
        data: { values: observed.map((o) => ({ ...o })) },
        mark: { type: 'tick', orient: 'vertical', opacity: 0.6 },
        encoding: { x, y: { value: 275 }, color: { field: 'arm', type: 'nominal', title: 'Observed (arm)' } },
      },
      {
        data: { values: [{ zero: 0 }] },
        mark: { type: 'rule', strokeDash: [4, 4] },
        encoding: { y: { field: 'zero', type: 'quantitative' } },
      },
      {
        data: { values: [{ cut }] },
        mark: { type: 'rule', color: 'gray' },
        encoding: { x: { field: 'cut', type: 'quantitative' } },
      },
    ],
  } as TopLevelSpec;
}

/** Compiles a vega-lite spec and renders it to an SVG string without a browser. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** The forest rows a report shows: ANCOVA overall, MMRM (if fitted) and the two biomarker strata. */
export function forestRows(report: AnalysisReport): ForestRow[] {
  const rows: ForestRow[] = [];
  if (!('available' in report.ancova)) {
    rows.push({
      label: `ANCOVA, all (n = ${report.ancova.n.total})`,
      estimate: report.ancova.estimate,
      lower: report.ancova.ci[0],
      upper: report.ancova.ci[1],
    });
  }
  if (report.mmrm.available) {
    const kr = report.mmrm.kenwardRoger;
    rows.push({ label: 'MMRM, all (Kenward-Roger)', estimate: kr.estimate, lower: kr.ci[0], upper: kr.ci[1] });
  }
  if (!('available' in report.interaction)) {
    const s = report.interaction.strata;
    rows.push({
      label: `Biomarker < cut (n = ${s.n.low})`,
      estimate: s.low.estimate,
      lower: s.low.ci[0],
      upper: s.low.ci[1],
    });
    rows.push({
      label: `Biomarker >= cut (n = ${s.n.high})`,
      estimate: s.high.estimate,
      lower: s.high.ci[0],
      upper: s.high.ci[1],
    });
  }
  return rows;
}
