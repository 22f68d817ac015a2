/**
 * The report's figures as vega-lite specs, compiled with vega-lite and rendered to SVG server-side by vega's
 * `View.toSVG()` (renderer 'none': no browser, no canvas). Specs are plain data, so they can be tested and reused.
 */
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { AnalysisReport, VisitDescriptive } from './analyze.ts';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** Names every plain object answers to (`toString`, `constructor`, `__proto__`, ...). */
const OBJECT_MEMBERS: ReadonlySet<string> = new Set([...Object.getOwnPropertyNames(Object.prototype), '__proto__']);

/**
 * Labels as a vega expression array literal. Vega resolves a computed label text that equals an object member name
 * (`toString`, `constructor`) as one of its own operators and fails, so such a label gets a trailing zero-width
 * space: it prints the same and is no longer that name.
 */
function labelsLiteral(labels: readonly string[]): string {
  return JSON.stringify(labels.map((label) => (OBJECT_MEMBERS.has(label) ? `${label}\u200b` : label)));
}

/** Horizontal dodge of the two arms around each visit position, so their CIs do not overlap. */
const DODGE = 0.08;

/**
 * Mean change by visit and arm with 95% CIs (observed cases). Visits sit at positions 0..K-1 (labelled with the visit
 * names), so non-numeric visit labels work and the arms can be dodged on a quantitative axis, which lines need.
 */
export function meanChangeSpec(descriptives: readonly VisitDescriptive[], visits: readonly string[]): TopLevelSpec {
  const arms = [...new Set(descriptives.map((d) => d.arm))];
  const values = descriptives
    .filter((d) => d.mean !== null)
    .map((d) => ({
      position: visits.indexOf(d.visit) + (arms.indexOf(d.arm) === 0 ? -DODGE : DODGE),
      arm: arms.indexOf(d.arm),
      mean: d.mean,
      lower: d.ci?.[0] ?? d.mean,
      upper: d.ci?.[1] ?? d.mean,
      n: d.n,
    }));
  const x = {
    field: 'position',
    type: 'quantitative',
    title: 'Visit',
    scale: { domain: [-0.5, visits.length - 0.5], nice: false, zero: false },
    axis: { values: visits.map((_, i) => i), labelExpr: `${labelsLiteral(visits)}[datum.value]`, grid: false },
  } as const;
  return {
    $schema: SCHEMA,
    title: 'Mean change from baseline by visit (observed cases, 95% CI)',
    width: 480,
    height: 280,
    data: { values },
    encoding: { x, color: armColor(arms, 'Arm') },
    layer: [
      {
        mark: { type: 'rule' },
        encoding: {
          y: { field: 'lower', type: 'quantitative', title: 'Mean change from baseline' },
          y2: { field: 'upper' },
        },
      },
      { mark: { type: 'line' }, encoding: { y: { field: 'mean', type: 'quantitative' } } },
      {
        mark: { type: 'point', filled: true, size: 60 },
        encoding: { y: { field: 'mean', type: 'quantitative' }, tooltip: [{ field: 'n' }] },
      },
    ],
  } as TopLevelSpec;
}

/**
 * The arm colour channel. Vega keeps scale domains in plain objects, so data labels named like object members
 * (`constructor`, `__proto__`) crash it: the data carry the arm's index and the legend shows its label.
 */
function armColor(arms: readonly string[], title: string) {
  return {
    field: 'arm',
    type: 'nominal',
    title,
    sort: arms.map((_, i) => i),
    legend: { labelExpr: `${labelsLiteral(arms)}[datum.value]` },
  } as const;
}

/** Most rug ticks drawn per arm: beyond that a rug is ink, so evenly spaced order statistics stand for the rest. */
export const MAX_RUG_TICKS_PER_ARM = 1000;

function thinned(values: readonly number[]): number[] {
  if (values.length <= MAX_RUG_TICKS_PER_ARM) return [...values];
  const sorted = [...values].sort((a, b) => a - b);
  return Array.from(
    { length: MAX_RUG_TICKS_PER_ARM },
    (_, k) => sorted[Math.round((k * (sorted.length - 1)) / (MAX_RUG_TICKS_PER_ARM - 1))]!,
  );
}

function extent(values: Iterable<number>): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return [min, max];
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
              y: { field: 'label', type: 'nominal', sort: order, title: null, axis: { labelLimit: 320 } },
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
  const arms = [...new Set(observed.map((o) => o.arm))];
  const rug = arms.flatMap((arm, index) =>
    thinned(observed.filter((o) => o.arm === arm).map((o) => o.biomarker)).map((biomarker) => ({
      arm: index,
      biomarker,
    })),
  );
  // An explicit domain: otherwise the layers' "nice" log scales widen it to whole decades (0.1 to 100).
  const [low, high] = extent([...curve.map((c) => c.biomarker), ...rug.map((o) => o.biomarker), cut]);
  const x = {
    field: 'biomarker',
    type: 'quantitative',
    scale: { type: 'log', nice: false, domain: [low / 1.1, high * 1.1] },
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
        data: { values: rug },
        mark: { type: 'tick', orient: 'vertical', opacity: 0.6 },
        encoding: { x, y: { value: 275 }, color: armColor(arms, 'Observed (arm)') },
      },
      {
        data: { values: [{ zero: 0 }] },
        mark: { type: 'rule', strokeDash: [4, 4] },
        encoding: { y: { field: 'zero', type: 'quantitative' } },
      },
      {
        data: { values: [{ biomarker: cut }] },
        mark: { type: 'rule', color: 'gray' },
        encoding: { x },
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
  // The by-stratum effects are there also when the ln(biomarker) model could not be fitted.
  if ('strata' in report.interaction && !('available' in report.interaction.strata)) {
    const s = report.interaction.strata;
    const cut = String(report.input.options.biomarkerCut);
    rows.push({
      label: `Biomarker < ${cut} (n = ${s.n.low})`,
      estimate: s.low.estimate,
      lower: s.low.ci[0],
      upper: s.low.ci[1],
    });
    rows.push({
      label: `Biomarker >= ${cut} (n = ${s.n.high})`,
      estimate: s.high.estimate,
      lower: s.high.ci[0],
      upper: s.high.ci[1],
    });
  }
  return rows;
}
