/**
 * The patient timeline as a vega-lite spec, rendered to SVG on the server by the project's one renderer
 * (renderSvg in src/analysis/plots.ts): CRP results against the pathway's cut-off and acute lines; antidepressant
 * courses as bars marked adequate, short, under-dosed or unverified (the engine's verdicts, in colour and in each
 * row's label); ANC, platelets, ALT and AST against their limits. Values are read from the normalized record (made by engine.read, the engine door's
 * reader), matched to the knowledge's code sets and converted with src/units; the limits come from the pathway file.
 */
import type { TopLevelSpec } from 'vega-lite';
import { renderSvg } from '../../analysis/plots.ts';
import type { Assessment } from '../../engine/index.ts';
import type { Knowledge } from '../../knowledge/index.ts';
import { matchConceptInSets } from '../../knowledge/index.ts';
import type { CitedValue } from '../../knowledge/schema-pathway.ts';
import {
  convertObservationQuantity,
  CRP_MOLAR_FACTOR_ITEM,
  crpMolarFactor,
  describeQuantity,
  readByLabel,
} from '../../pathway/index.ts';
import type { PatientRecord, Quantity } from '../../record/index.ts';

interface Point {
  readonly series: string;
  /** The Observation drawn (its reference). */
  readonly source: string;
  readonly date: string;
  /** In `unit`; for a censored result ("<3.5") the bound, drawn as a bound and never joined to the line. */
  readonly value: number;
  readonly unit: string;
  readonly used: boolean;
  /** How the result reads: "7", "<3.5", "7 [U]" (converted with an unverified value). */
  readonly shown: string;
  readonly censored: boolean;
  /** Set when the value was converted with an unverified ([U]) factor: how, for the table and the page. */
  readonly unverifiedConversion?: string;
  /** Set when the assessment did not judge the result (its reference ranges disagree or cannot be read): why. */
  readonly notJudged?: string;
  /** Set for a CRP the assessment set aside (inflammation.rejected: drawn after tocilizumab, a unit...): why. */
  readonly notUsed?: string;
}

interface Course {
  readonly ingredient: string;
  readonly start: string;
  /** Absent when the record gives no end or duration (an order with neither supply nor period): a mark at the start. */
  readonly end?: string;
  readonly verdict: string;
}

interface Limit {
  readonly series: string;
  readonly value: number;
  /** Drawn beside the line: what the limit is, with [U] when a value it rests on is unverified. */
  readonly label: string;
}

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

export interface TimelineData {
  readonly crp: readonly Point[];
  readonly labs: readonly Point[];
  readonly courses: readonly Course[];
  readonly limits: readonly Limit[];
  /** The CRP cut-off and acute lines, labelled ([U] when unverified). */
  readonly crpLines: readonly { readonly value: number; readonly line: string }[];
  /** Results not drawn, counted by reason for the caption ("undated", "unit not convertible"...). */
  readonly notPlotted: Readonly<Record<string, number>>;
}

const LAB_LABEL: Readonly<Record<string, string>> = {
  anc: 'ANC (10^9/L)',
  platelets: 'Platelets (10^9/L)',
  alt: 'ALT (U/L)',
  ast: 'AST (U/L)',
};

/** " [U]" after a value whose source is unverified (docs/README.md): shown wherever the value is. */
const flag = (...values: readonly { readonly verified: boolean }[]): string =>
  values.every((v) => v.verified) ? '' : ' [U]';

/** Numbers as a person reads them: 52.5, not 52.500000000000001. */
const num = (x: number): string => String(Number(x.toPrecision(6)));

/**
 * The chart draws the results the assessment reads and nothing else: the pathway's valid statuses (an
 * entered-in-error or preliminary result is left out and counted), dated on or before the as-of date, converted by
 * the pathway's own reading (src/pathway/observations.ts `convert`: UCUM codes, a unit given only as UCUM text, the
 * CRP molar factor for a CRP in a substance unit, by the engine's own test `crpMolarFactor`). A value converted with
 * an unverified factor is flagged [U] (docs/README.md: [U] values are flagged wherever they surface). An ALT or AST result is drawn against the limit the contraindication applies to it: the multiple
 * of the upper limit of normal the engine read for it (assessment.upperLimitsOfNormal: its own reference range for
 * the patient's sex and age, or the default ULN [U] when none applies); one whose ranges give no single upper limit
 * (not judged) gets no line.
 */
export function timelineData(knowledge: Knowledge, record: PatientRecord, assessment: Assessment): TimelineData {
  const definitions = knowledge.pathway.definitions;
  const crp: Point[] = [];
  const labs: Point[] = [];
  const limits: Limit[] = [];
  const notPlotted: Record<string, number> = {};
  const skip = (reason: string): void => {
    notPlotted[reason] = (notPlotted[reason] ?? 0) + 1;
  };
  const usedCrp = assessment.inflammation.crp?.source;
  const rejectedCrp = new Map(assessment.inflammation.rejected.map((r) => [r.source, r.reason]));
  const hepatic = knowledge.pathway.contraindications.find((c) => c.predicate === 'lab-above-uln');
  // The ULN the engine read for each ALT and AST result (src/pathway/labs.ts deriveUpperLimitsOfNormal); a result it
  // could not judge (its ranges give no single upper limit) gets no line.
  const ulnBySource = new Map(assessment.upperLimitsOfNormal.map((u) => [u.source, u]));
  const place = (
    obs: PatientRecord['observations'][number],
    validStatuses: readonly string[],
    unit: string,
    factorOf: (q: Quantity) => CitedValue | undefined = () => undefined,
  ): Omit<Point, 'series' | 'unit' | 'used' | 'source'> | undefined => {
    if (!validStatuses.includes(obs.status)) return void skip(`status ${obs.status}`);
    if (obs.effective === undefined) return void skip('undated');
    const date = obs.effective.slice(0, 10);
    if (date > assessment.asOf) return undefined;
    if (obs.value?.kind !== 'quantity') return void skip('no numeric value');
    const q = obs.value.quantity;
    const factor = factorOf(q);
    const v = convertObservationQuantity(q, unit, factor?.value);
    // A unit as laboratories write it ("K/uL", "cells/uL") is read by the pathway's unit labels, as the engine reads
    // it (convertNoting): flagged [U] while that list is unverified.
    const byLabel = v.ok ? undefined : readByLabel(definitions.unitLabels, q, unit, factor?.value);
    if (!v.ok && byLabel === undefined) return void skip('unit not convertible');
    const value = v.ok ? v.value : (byLabel as { value: number }).value;
    const conversions = [
      factor === undefined || factor.verified ? undefined : `with the ${CRP_MOLAR_FACTOR_ITEM} = ${num(factor.value)}`,
      byLabel === undefined || definitions.unitLabels.verified
        ? undefined
        : `reading '${byLabel.sent}' as ${byLabel.ucum} by the pathway's unit labels`,
    ].filter((c) => c !== undefined);
    const unverified =
      conversions.length === 0
        ? undefined
        : `converted from ${describeQuantity(q)} ${conversions.join(' and ')}, unverified`;
    return {
      date,
      value,
      shown: `${q.comparator ?? ''}${num(value)}${unverified === undefined ? '' : ' [U]'}`,
      censored: q.comparator !== undefined,
      ...(unverified === undefined ? {} : { unverifiedConversion: unverified }),
    };
  };
  for (const obs of record.observations) {
    if (matchConceptInSets(knowledge, definitions.inflammation.crpCodeSets, obs.code) !== undefined) {
      const p = place(obs, definitions.inflammation.validStatuses, 'mg/L', (q) => crpMolarFactor(knowledge.pathway, q));
      const notUsed = rejectedCrp.get(obs.ref);
      if (p !== undefined)
        crp.push({
          series: 'CRP (mg/L)',
          source: obs.ref,
          unit: 'mg/L',
          used: obs.ref === usedCrp,
          ...p,
          ...(notUsed === undefined ? {} : { notUsed }),
        });
      continue;
    }
    for (const [analyte, def] of Object.entries(definitions.labs.analytes)) {
      if (matchConceptInSets(knowledge, def.codeSets, obs.code) === undefined) continue;
      const p = place(obs, definitions.labs.validStatuses, def.unit);
      if (p === undefined) continue;
      const series = LAB_LABEL[analyte] ?? analyte;
      const read = ulnBySource.get(obs.ref);
      const notJudged =
        read?.basis === 'not-judged'
          ? 'not judged: its reference ranges give no single upper limit of normal; counted as not measured'
          : undefined;
      labs.push({ series, source: obs.ref, unit: def.unit, used: false, ...p, ...(notJudged ? { notJudged } : {}) });
      // The line is the multiple of the ULN the engine read for this result (assessment.upperLimitsOfNormal: the
      // patient's own range by sex and age, else the default ULN), never a second reading of its ranges here.
      const uln = read?.upperLimitOfNormalUPerL;
      if (hepatic?.predicate !== 'lab-above-uln' || notJudged !== undefined || read === undefined || uln === undefined)
        continue;
      const m = hepatic.multipleOfUln;
      const label =
        read.basis === 'default'
          ? `${num(m.value)} x default ULN ${num(uln)} = ${num(m.value * uln)}${flag(m, read)}`
          : `${num(m.value)} x the result's ULN ${num(uln)} = ${num(m.value * uln)}${flag(m)}`;
      if (!limits.some((l) => l.series === series && l.label === label))
        limits.push({ series, value: m.value * uln, label });
    }
  }
  const courses: Course[] = assessment.treatmentResistance.exposures
    .filter((e) => e.start !== undefined)
    .map((e) => ({
      ingredient: e.ingredient,
      start: e.start as string,
      ...(e.end === undefined ? {} : { end: e.end }),
      verdict:
        e.adequacy === 'adequate'
          ? 'adequate'
          : e.adequacy === 'unverified'
            ? 'unverified'
            : e.dailyDoseMg !== undefined && e.minimumDailyDoseMg !== undefined && e.dailyDoseMg < e.minimumDailyDoseMg
              ? 'under-dosed'
              : 'short',
    }));
  // A limit is a line in its test's panel, which is drawn only when it has a result: the limits of a test with none
  // are not listed either (the table under the chart lists the lines the chart draws).
  const drawn = new Set(labs.map((p) => p.series));
  for (const rule of knowledge.pathway.contraindications) {
    if (rule.predicate === 'lab-below' && drawn.has(LAB_LABEL[rule.analyte] ?? rule.analyte)) {
      limits.push({
        series: LAB_LABEL[rule.analyte] ?? rule.analyte,
        value: rule.threshold.value,
        label: `${rule.title}${flag(rule.threshold)}`,
      });
    }
  }
  const { cutOff, acuteAbove } = definitions.inflammation;
  const crpLines = [
    {
      value: assessment.inflammation.cutOffMgPerL,
      line: `cut-off ${num(assessment.inflammation.cutOffMgPerL)} mg/L${flag(cutOff)}`,
    },
    {
      value: assessment.inflammation.acuteAboveMgPerL,
      line: `acute above ${num(assessment.inflammation.acuteAboveMgPerL)} mg/L${flag(acuteAbove)}`,
    },
  ];
  return { crp, labs, courses, limits, crpLines, notPlotted };
}

/** A course's row in the chart: its medicine and its verdict, in words (the axis writes them on two lines). */
function courseRow(course: Course): string {
  return `${course.ingredient}: ${course.verdict}`;
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

const LINE_COLOUR = '#0b5394';
const LIMIT_COLOUR = '#8a1020';
const RESULT_MARKS = ['value', 'at most (censored)', 'at least (censored)'];

/**
 * One panel's marks: the measured values joined by a line; every result as a point, a censored one ("<3.5", a bound
 * and not a value) as a hollow triangle pointing the way the value may lie, with its text beside it, as is a value
 * converted with an unverified factor ("7 [U]"); the panel's
 * limits as dashed lines, each labelled at the left edge.
 */
function seriesLayers(
  points: readonly Point[],
  limits: readonly { readonly value: number; readonly line: string }[],
  x: object,
  yTitle: string | null,
  fromZero: boolean,
): object[] {
  const y = { field: 'value', type: 'quantitative', title: yTitle, scale: { zero: fromZero } } as const;
  const values = points.map((p) => ({
    ...p,
    mark: !p.censored ? 'value' : p.shown.startsWith('<') ? 'at most (censored)' : 'at least (censored)',
  }));
  return [
    {
      data: { values: values.filter((p) => !p.censored) },
      mark: { type: 'line', color: LINE_COLOUR },
      encoding: { x, y },
    },
    {
      data: { values },
      mark: { type: 'point', size: 60, color: LINE_COLOUR },
      encoding: {
        x,
        y,
        shape: {
          field: 'mark',
          type: 'nominal',
          title: 'Result',
          scale: {
            domain: ['value', 'at most (censored)', 'at least (censored)'],
            range: ['circle', 'triangle-down', 'triangle-up'],
          },
        },
        // The same field and title as the shape: the legend merges the two and shows a value filled, a bound hollow.
        fill: {
          field: 'mark',
          type: 'nominal',
          title: 'Result',
          scale: { domain: RESULT_MARKS, range: [LINE_COLOUR, 'white', 'white'] },
        },
      },
    },
    {
      // A bound, or a value converted with an unverified factor ("7 [U]"), is written beside its point.
      data: { values: values.filter((p) => p.censored || p.unverifiedConversion !== undefined) },
      mark: { type: 'text', align: 'left', dx: 7, color: LINE_COLOUR },
      encoding: { x, y, text: { field: 'shown' } },
    },
    {
      data: { values: limits.map((l) => ({ ...l })) },
      layer: [
        {
          mark: { type: 'rule', strokeDash: [6, 4], color: LIMIT_COLOUR },
          encoding: { y: { field: 'value', type: 'quantitative' } },
        },
        {
          mark: { type: 'text', align: 'left', dx: 4, dy: -6, color: LIMIT_COLOUR },
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
  ];
}

export function timelineSpec(data: TimelineData, assessment: Assessment): TopLevelSpec {
  const dates = [...data.crp, ...data.labs]
    .map((p) => p.date)
    .concat(data.courses.flatMap((c) => [c.start, c.end ?? c.start]));
  const first = dates.length === 0 ? assessment.asOf : dates.reduce((a, b) => (a < b ? a : b));
  const x = {
    field: 'date',
    type: 'temporal',
    title: null,
    scale: { domainMin: dayExpr(first), domainMax: dayExpr(assessment.asOf) },
    // Month and year: a timeline spans years, and "June" alone does not say which.
    axis: { format: '%b %Y', labelOverlap: true },
  } as const;
  const width = 560;
  const crpPanel = {
    title: 'CRP (mg/L)',
    width,
    height: 140,
    layer: seriesLayers(data.crp, data.crpLines, x, 'mg/L', true),
  };
  // Each row is labelled with its medicine and, below it, its verdict: colour is not the only thing that tells the
  // verdicts apart (WCAG 1.4.1; short and under-dosed are two near browns), and the label sits at the chart's left,
  // where a 360 px screen shows it before any scrolling to the legend. A medicine with courses of two verdicts has a
  // row for each; the colour and its legend repeat the verdict.
  const y = {
    field: 'row',
    type: 'nominal',
    title: null,
    axis: { labelExpr: "split(datum.label, ': ')", labelLimit: 0, labelLineHeight: 12, labelOffset: -6 },
  } as const;
  const rows = (courses: readonly Course[]) => courses.map((c) => ({ ...c, row: courseRow(c) }));
  const color = { field: 'verdict', type: 'nominal', scale: VERDICT_COLOURS, title: 'Course' } as const;
  // A course is a bar from its start to its end; one whose end the record does not give (a Synthea or Epic order
  // with neither supply nor period), or that starts and ends on one day, would be a bar of no width, drawn as nothing:
  // it is a mark at its start instead.
  const spans = (c: Course): boolean => c.end !== undefined && c.end > c.start;
  const coursePanel = {
    title: 'Antidepressant courses',
    width,
    height: Math.max(40, 30 * new Set(data.courses.map(courseRow)).size),
    layer: [
      {
        data: { values: rows(data.courses.filter(spans)) },
        mark: { type: 'bar', height: 14 },
        encoding: { x: { ...x, field: 'start' }, x2: { field: 'end' }, y, color },
      },
      {
        data: { values: rows(data.courses.filter((c) => !spans(c))) },
        mark: { type: 'point', shape: 'triangle-right', size: 120, filled: true, opacity: 1 },
        encoding: { x: { ...x, field: 'start' }, y, color },
      },
    ],
  };
  const labSeries = [...new Set(data.labs.map((p) => p.series))];
  const labPanels = labSeries.map((series) => ({
    title: series,
    width,
    height: 80,
    layer: seriesLayers(
      data.labs.filter((p) => p.series === series),
      data.limits.filter((l) => l.series === series).map((l) => ({ value: l.value, line: l.label })),
      x,
      null,
      false,
    ),
  }));
  return {
    $schema: SCHEMA,
    vconcat: [crpPanel, ...(data.courses.length > 0 ? [coursePanel] : []), ...labPanels],
    // No ARIA description per point: the figure around the SVG carries the description (timelineSvg).
    config: { font: 'system-ui, sans-serif', axis: { labelFontSize: 11, titleFontSize: 11 }, aria: false },
  } as TopLevelSpec;
}

export async function timelineSvg(
  knowledge: Knowledge,
  record: PatientRecord,
  assessment: Assessment,
): Promise<{ svg: string; data: TimelineData }> {
  const data = timelineData(knowledge, record, assessment);
  const svg = await renderSvg(timelineSpec(data, assessment));
  // The figure around the SVG is the image for assistive technology (role img, its description in aria-label); the
  // group roles vega still writes on mark containers would be unnamed images inside it (axe-core svg-img-alt).
  return { svg: svg.replace(/^<svg /, '<svg aria-hidden="true" focusable="false" '), data };
}
