/**
 * The patient timeline as a vega-lite spec, rendered to SVG on the server by the project's one renderer
 * (renderSvg in src/analysis/plots.ts): CRP results against the pathway's cut-off and acute lines; antidepressant
 * courses as bars marked adequate, short, under-dosed or unverified (the engine's verdicts); ANC, platelets, ALT
 * and AST against their limits. Values are read from the normalized record (made by engine.read, the engine door's
 * reader), matched to the knowledge's code sets and converted with src/units; the limits come from the pathway file.
 */
import type { TopLevelSpec } from 'vega-lite';
import { renderSvg } from '../../analysis/plots.ts';
import type { Assessment } from '../../engine/index.ts';
import type { Knowledge } from '../../knowledge/index.ts';
import { matchConceptInSets } from '../../knowledge/index.ts';
import type { PatientRecord } from '../../record/index.ts';
import { convertQuantity } from '../../units/index.ts';

interface Point {
  readonly series: string;
  readonly date: string;
  readonly value: number;
  readonly unit: string;
  readonly used: boolean;
}

interface Course {
  readonly ingredient: string;
  readonly start: string;
  readonly end: string;
  readonly verdict: string;
}

interface Limit {
  readonly series: string;
  readonly value: number;
  readonly label: string;
}

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

type Definitions = {
  labs: { analytes: Record<string, { codeSets: string[]; unit: string }> };
  inflammation: { crpCodeSets: string[] };
};

export interface TimelineData {
  readonly crp: readonly Point[];
  readonly labs: readonly Point[];
  readonly courses: readonly Course[];
  readonly limits: readonly Limit[];
  /** Results that could not be placed (unit not convertible, no value), counted for the caption. */
  readonly notPlotted: number;
}

const LAB_LABEL: Readonly<Record<string, string>> = {
  anc: 'ANC (10^9/L)',
  platelets: 'Platelets (10^9/L)',
  alt: 'ALT (U/L)',
  ast: 'AST (U/L)',
};

export function timelineData(knowledge: Knowledge, record: PatientRecord, assessment: Assessment): TimelineData {
  const definitions = knowledge.pathway.definitions as unknown as Definitions;
  const crp: Point[] = [];
  const labs: Point[] = [];
  let notPlotted = 0;
  const usedCrp = assessment.inflammation.crp?.source;
  for (const obs of record.observations) {
    if (obs.effective === undefined || obs.effective.slice(0, 10) > assessment.asOf) continue;
    const date = obs.effective.slice(0, 10);
    if (matchConceptInSets(knowledge, definitions.inflammation.crpCodeSets, obs.code) !== undefined) {
      const v = obs.value?.kind === 'quantity' ? convertQuantity(obs.value.quantity, 'mg/L') : undefined;
      if (v?.ok === true)
        crp.push({ series: 'CRP (mg/L)', date, value: v.value, unit: 'mg/L', used: obs.ref === usedCrp });
      else notPlotted++;
      continue;
    }
    for (const [analyte, def] of Object.entries(definitions.labs.analytes)) {
      if (matchConceptInSets(knowledge, def.codeSets, obs.code) === undefined) continue;
      const v = obs.value?.kind === 'quantity' ? convertQuantity(obs.value.quantity, def.unit) : undefined;
      if (v?.ok === true)
        labs.push({ series: LAB_LABEL[analyte] ?? analyte, date, value: v.value, unit: def.unit, used: false });
      else notPlotted++;
    }
  }
  const courses: Course[] = assessment.treatmentResistance.exposures
    .filter((e) => e.start !== undefined)
    .map((e) => ({
      ingredient: e.ingredient,
      start: e.start as string,
      end: e.end ?? (e.start as string),
      verdict:
        e.adequacy === 'adequate'
          ? 'adequate'
          : e.adequacy === 'unverified'
            ? 'unverified'
            : e.dailyDoseMg !== undefined && e.minimumDailyDoseMg !== undefined && e.dailyDoseMg < e.minimumDailyDoseMg
              ? 'under-dosed'
              : 'short',
    }));
  const limits: Limit[] = [];
  for (const rule of knowledge.pathway.contraindications) {
    if (rule.predicate === 'lab-below') {
      limits.push({
        series: LAB_LABEL[rule.analyte] ?? rule.analyte,
        value: rule.threshold.value,
        label: `${rule.title} below`,
      });
    } else if (rule.predicate === 'lab-above-uln') {
      for (const analyte of rule.analytes) {
        const uln = rule.defaultUln[analyte as 'alt' | 'ast'];
        limits.push({
          series: LAB_LABEL[analyte] ?? analyte,
          value: uln.value * rule.multipleOfUln.value,
          label: `${rule.multipleOfUln.value} x default ULN`,
        });
      }
    }
  }
  return { crp, labs, courses, limits, notPlotted };
}

const VERDICT_COLOURS = {
  domain: ['adequate', 'short', 'under-dosed', 'unverified'],
  range: ['#1b7837', '#b35806', '#8c2d04', '#5e5e5e'],
};

/**
 * A YYYY-MM-DD day as a vega expression. The shared x scale is bounded with domainMin/domainMax expressions rather
 * than `domain: [start, end]`: vega-lite parses an explicit date domain differently in a bar with x2 (the course
 * panel) and warns of two conflicting domains.
 */
function dayExpr(day: string): { expr: string } {
  const [year, month, date] = day.slice(0, 10).split('-').map(Number);
  return { expr: `datetime(${year ?? 1970}, ${(month ?? 1) - 1}, ${date ?? 1})` };
}

export function timelineSpec(data: TimelineData, assessment: Assessment): TopLevelSpec {
  const dates = [...data.crp, ...data.labs].map((p) => p.date).concat(data.courses.flatMap((c) => [c.start, c.end]));
  const first = dates.length === 0 ? assessment.asOf : dates.reduce((a, b) => (a < b ? a : b));
  const x = {
    field: 'date',
    type: 'temporal',
    title: null,
    scale: { domainMin: dayExpr(first), domainMax: dayExpr(assessment.asOf) },
  } as const;
  const width = 560;
  const crpPanel = {
    title: 'CRP (mg/L)',
    width,
    height: 140,
    layer: [
      {
        data: { values: data.crp.map((p) => ({ ...p, result: p.used ? 'used for the decision' : 'other result' })) },
        mark: { type: 'line', point: { filled: true, size: 60 }, color: '#0b5394' },
        encoding: {
          x,
          y: { field: 'value', type: 'quantitative', title: 'mg/L' },
          tooltip: [{ field: 'date', type: 'temporal' }, { field: 'value', type: 'quantitative' }, { field: 'result' }],
        },
      },
      {
        data: {
          values: [
            {
              value: assessment.inflammation.cutOffMgPerL,
              line: `cut-off ${assessment.inflammation.cutOffMgPerL} mg/L`,
            },
            {
              value: assessment.inflammation.acuteAboveMgPerL,
              line: `acute above ${assessment.inflammation.acuteAboveMgPerL} mg/L`,
            },
          ],
        },
        layer: [
          {
            mark: { type: 'rule', strokeDash: [6, 4], color: '#8a1020' },
            encoding: { y: { field: 'value', type: 'quantitative' } },
          },
          {
            mark: { type: 'text', align: 'left', dx: 4, dy: -6, color: '#8a1020' },
            encoding: {
              y: { field: 'value', type: 'quantitative' },
              // Pinned to the panel's left edge in pixels: a temporal datum here would add a second,
              // differently typed domain to the shared x scale.
              x: { value: 0 },
              text: { field: 'line' },
            },
          },
        ],
      },
    ],
  };
  const coursePanel = {
    title: 'Antidepressant courses',
    width,
    height: Math.max(40, 24 * new Set(data.courses.map((c) => c.ingredient)).size),
    data: { values: data.courses.map((c) => ({ ...c })) },
    mark: { type: 'bar', height: 14 },
    encoding: {
      x: { ...x, field: 'start' },
      x2: { field: 'end' },
      y: { field: 'ingredient', type: 'nominal', title: null },
      color: { field: 'verdict', type: 'nominal', scale: VERDICT_COLOURS, title: 'Course' },
      tooltip: [{ field: 'ingredient' }, { field: 'start' }, { field: 'end' }, { field: 'verdict' }],
    },
  };
  const labSeries = [...new Set(data.labs.map((p) => p.series))];
  const labPanels = labSeries.map((series) => ({
    title: series,
    width,
    height: 80,
    layer: [
      {
        data: { values: data.labs.filter((p) => p.series === series).map((p) => ({ ...p })) },
        mark: { type: 'line', point: { filled: true, size: 50 }, color: '#0b5394' },
        encoding: { x, y: { field: 'value', type: 'quantitative', title: null, scale: { zero: false } } },
      },
      {
        data: { values: data.limits.filter((l) => l.series === series).map((l) => ({ ...l })) },
        mark: { type: 'rule', strokeDash: [6, 4], color: '#8a1020' },
        encoding: { y: { field: 'value', type: 'quantitative' }, tooltip: [{ field: 'label' }, { field: 'value' }] },
      },
    ],
  }));
  return {
    $schema: SCHEMA,
    vconcat: [crpPanel, ...(data.courses.length > 0 ? [coursePanel] : []), ...labPanels],
    config: { font: 'system-ui, sans-serif', axis: { labelFontSize: 11, titleFontSize: 11 } },
  } as TopLevelSpec;
}

export async function timelineSvg(
  knowledge: Knowledge,
  record: PatientRecord,
  assessment: Assessment,
): Promise<{ svg: string; data: TimelineData }> {
  const data = timelineData(knowledge, record, assessment);
  return { svg: await renderSvg(timelineSpec(data, assessment)), data };
}
