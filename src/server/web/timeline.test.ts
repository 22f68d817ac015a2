/**
 * The timeline draws what the assessment reads and nothing else, against the limits the assessment applies: a result
 * of a status the pathway does not use is left out (and counted), a unit the pathway reads is drawn, an ALT/AST
 * result is drawn against the multiple of its own reference range's upper limit (the default ULN, flagged [U], only
 * when it has none), a censored result is drawn as a bound, a CRP converted from nmol/L with the unverified molar
 * factor is flagged [U] as the engine reports it, and the time axis names the year.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readBundleFile, sharedEngine } from '../server.test-support.ts';
import type { FhirResourceJson } from '../server.test-support.ts';
import { renderSvg } from '../../analysis/plots.ts';
import { timelineData, timelineSpec, timelineSvg } from './timeline.ts';

const asOf = '2026-11-27';

/** The refer-to-trial demo patient with `edit` applied to the resource of each id. */
function demo(edits: Record<string, (r: FhirResourceJson) => void>) {
  const bundle = readBundleFile('examples/demo/refer-to-trial.json');
  for (const { resource } of bundle.entry) edits[resource.id]?.(resource);
  const record = sharedEngine.read(bundle);
  return { record, assessment: sharedEngine.assess(bundle, { asOf }) };
}

test('a result the assessment does not read is not drawn; one it reads is', () => {
  const { record, assessment } = demo({
    'demo-refer-hscrp-earlier': (r) => {
      r.status = 'entered-in-error';
      r.valueQuantity = { value: 50, unit: 'mg/L', system: 'http://unitsofmeasure.org', code: 'mg/L' };
    },
    // A unit given only as UCUM text: the pathway reads it (docs/care-pathway.md definition 5).
    'demo-refer-hscrp': (r) => {
      r.valueQuantity = { value: 7, unit: 'mg/L' };
    },
  });
  assert.equal(assessment.inflammation.crp?.mgPerL, 7);
  const data = timelineData(sharedEngine.knowledge, record, assessment);
  assert.deepEqual(
    data.crp.map((p) => [p.date, p.value]),
    [
      ['2026-11-06', 7],
      ['2025-12-02', 5.8],
    ],
  );
  assert.ok(data.crp.find((p) => p.value === 7)?.used, 'the CRP the decision used is drawn and marked');
  assert.deepEqual(data.notPlotted, { 'status entered-in-error': 1 });
});

test("ALT and AST are drawn against 1.5 x the result's own upper limit; the default ULN is flagged [U]", () => {
  const { record, assessment } = demo({
    'demo-refer-alt': (r) => {
      r.valueQuantity = { value: 55, unit: 'U/L', system: 'http://unitsofmeasure.org', code: 'U/L' };
    },
    'demo-refer-ast': (r) => {
      delete r.referenceRange;
    },
  });
  assert.deepEqual(
    assessment.contraindications.map((c) => c.code),
    ['hepatic'],
    'ALT 55 is above 1.5 x the ULN 35 of its reference range',
  );
  const data = timelineData(sharedEngine.knowledge, record, assessment);
  const alt = data.limits.filter((l) => l.series === 'ALT (U/L)');
  assert.deepEqual(
    alt.map((l) => [l.value, l.label]),
    [[52.5, "1.5 x the result's ULN 35 = 52.5"]],
  );
  const ast = data.limits.filter((l) => l.series === 'AST (U/L)');
  assert.deepEqual(
    ast.map((l) => [l.value, l.label]),
    [[60, '1.5 x default ULN 40 = 60 [U]']],
  );
});

test('a censored result is drawn as a bound with its comparator; the axis names the year', async () => {
  const { record, assessment } = demo({
    'demo-refer-hscrp': (r) => {
      r.valueQuantity = {
        value: 3.5,
        comparator: '<',
        unit: 'mg/L',
        system: 'http://unitsofmeasure.org',
        code: 'mg/L',
      };
    },
  });
  assert.equal(assessment.inflammation.status, 'indeterminate');
  const { svg, data } = await timelineSvg(sharedEngine.knowledge, record, assessment);
  const censored = data.crp.find((p) => p.date === '2026-11-06');
  assert.equal(censored?.censored, true);
  assert.equal(censored?.shown, '<3.5');
  assert.ok(svg.includes('&lt;3.5'), 'the bound is written beside its point');
  assert.ok(svg.includes('at most (censored)'), 'the legend names the censored mark');
  assert.match(svg, /opacity="1">Oct 2026</, 'tick labels give month and year');
  assert.match(svg, /^<svg aria-hidden="true"/, 'the figure, not the marks inside it, is the image');
});

test('a CRP converted from nmol/L with the unverified molar factor is flagged [U] on the chart; one in mg/L is not', async () => {
  const bundle = readBundleFile('test/fixtures/vignettes/crp-unit-nmol-per-l.json');
  const record = sharedEngine.read(bundle);
  const assessment = sharedEngine.assess(bundle, { asOf });
  const factor = sharedEngine.knowledge.pathway.definitions.inflammation.molarFactor;
  assert.equal(factor.verified, false, 'the knowledge tags the molar factor [U]');
  assert.ok(
    assessment.unverified.some((u) => u.citation === factor.citation),
    'the engine reports that the decision relied on it',
  );
  const { svg, data } = await timelineSvg(sharedEngine.knowledge, record, assessment);
  assert.deepEqual(
    data.crp.map((p) => [p.value, p.shown, p.unverifiedConversion]),
    [[7, '7 [U]', 'converted from 66.668 nmol/L with the CRP molar factor (nmol/L per mg/L) = 9.524, unverified']],
  );
  assert.ok(svg.includes('>7 [U]<'), 'the flag is written beside the point on the chart');

  // The same patient with the CRP in mg/L: nothing converted, nothing flagged.
  const { record: inMass, assessment: massAssessment } = demo({});
  const mass = timelineData(sharedEngine.knowledge, inMass, massAssessment);
  assert.ok(mass.crp.length > 0);
  assert.ok(mass.crp.every((p) => p.unverifiedConversion === undefined && !p.shown.includes('[U]')));
});

test('an ALT whose reference ranges disagree or cannot be read is drawn with no limit line: the assessment did not judge it', () => {
  const u = { unit: 'U/L', system: 'http://unitsofmeasure.org', code: 'U/L' };
  const { record, assessment } = demo({
    'demo-refer-alt': (r) => {
      r.valueQuantity = { value: 55, ...u };
      r.referenceRange = [{ high: { value: 35, ...u } }, { high: { value: 45, ...u } }];
    },
    'demo-refer-ast': (r) => {
      r.referenceRange = [{ high: { value: 33, unit: 'IU per litre' } }];
    },
  });
  const notJudged = assessment.issues.filter((i) => i.code === 'pathway.lab.reference-range').map((i) => i.path);
  assert.deepEqual(notJudged.sort(), ['Observation/demo-refer-alt', 'Observation/demo-refer-ast']);
  const data = timelineData(sharedEngine.knowledge, record, assessment);
  assert.deepEqual(
    data.limits.filter((l) => l.series === 'ALT (U/L)' || l.series === 'AST (U/L)'),
    [],
    'no default ULN line the decision did not apply',
  );
  const alt = data.labs.find((p) => p.source === 'Observation/demo-refer-alt');
  assert.match(alt?.notJudged ?? '', /not judged/);
});

test("an ALT with ranges for men and for women is drawn against the woman's range, the ULN the assessment read", () => {
  const u = { unit: 'U/L', system: 'http://unitsofmeasure.org', code: 'U/L' };
  const forSex = (code: string, display: string) => [{ coding: [{ system: 'http://snomed.info/sct', code, display }] }];
  const { record, assessment } = demo({
    // The demo patient is a woman: 50 U/L is above 1.5 x her ULN 33 (49.5), not above 1.5 x the men's 45.
    'demo-refer-alt': (r) => {
      r.valueQuantity = { value: 50, ...u };
      r.referenceRange = [
        { high: { value: 45, ...u }, appliesTo: forSex('248153007', 'Male') },
        { high: { value: 33, ...u }, appliesTo: forSex('248152002', 'Female') },
      ];
    },
  });
  assert.deepEqual(
    assessment.contraindications.map((c) => c.code),
    ['hepatic'],
  );
  assert.deepEqual(
    assessment.upperLimitsOfNormal.find((l) => l.source === 'Observation/demo-refer-alt'),
    {
      analyte: 'alt',
      source: 'Observation/demo-refer-alt',
      date: '2026-11-06',
      basis: 'reference-range',
      upperLimitOfNormalUPerL: 33,
      verified: true,
    },
  );
  const data = timelineData(sharedEngine.knowledge, record, assessment);
  assert.deepEqual(
    data.limits.filter((l) => l.series === 'ALT (U/L)').map((l) => [l.value, l.label]),
    [[49.5, "1.5 x the result's ULN 33 = 49.5"]],
  );
});

test("a test with no result has no panel, and its limit is not listed among the chart's lines", async () => {
  const bundle = readBundleFile('examples/demo/refer-to-trial.json');
  const ancs = new Set(['demo-refer-anc', 'demo-refer-anc-earlier']);
  assert.equal(bundle.entry.filter((e) => ancs.has(e.resource.id)).length, 2, 'the demo has two ANC results');
  bundle.entry = bundle.entry.filter((e) => !ancs.has(e.resource.id));
  const record = sharedEngine.read(bundle);
  const { data, svg } = await timelineSvg(sharedEngine.knowledge, record, sharedEngine.assess(bundle, { asOf }));
  assert.ok(!data.labs.some((p) => p.series === 'ANC (10^9/L)'));
  assert.deepEqual(
    data.limits.map((l) => l.series),
    ['ALT (U/L)', 'AST (U/L)', 'Platelets (10^9/L)'],
    'the lines drawn: no ANC line, since no ANC panel',
  );
  assert.ok(!svg.includes('Neutropenia'), 'the chart draws no neutropenia line');
});

test('a course whose end the record does not give is drawn as a mark at its start, not a bar of no width', async () => {
  // An order with neither supply nor period (as Synthea and Epic write many): the engine knows only its start.
  const bundle = readBundleFile('test/fixtures/vignettes/med-request-no-supply.json');
  const assessment = sharedEngine.assess(bundle, { asOf });
  const open = assessment.treatmentResistance.exposures.find((e) => e.ingredient === 'escitalopram');
  assert.equal(open?.end, undefined, 'the engine gives no end');
  const { data, svg } = await timelineSvg(sharedEngine.knowledge, sharedEngine.read(bundle), assessment);
  assert.deepEqual(
    data.courses.map((c) => [c.ingredient, c.start, c.end]),
    [
      ['escitalopram', '2025-05-05', undefined],
      ['sertraline', '2025-01-06', '2025-03-30'],
    ],
  );
  // The course panel: one bar (sertraline), one triangle (escitalopram), each filled with its verdict's colour.
  const bars = [...svg.matchAll(/<path[^>]*fill="#1b7837"[^>]*>/g)].length;
  const marks = [...svg.matchAll(/<path[^>]*fill="#5e5e5e"[^>]*>/g)];
  assert.ok(bars >= 1, 'the adequate sertraline bar');
  assert.doesNotMatch(svg, /d="M[\d.-]+,[\d.-]+h0v14h0Z" fill=/, 'no course bar (14 px high) of no width');
  assert.ok(
    marks.some((m) => /d="M[\d.-]+,[\d.-]+L/.test(m[0])),
    'the unverified escitalopram course is a triangle at its start',
  );
});

test('a count in a laboratory unit label (K/uL, cells/uL) is drawn as the assessment read it, flagged [U]', () => {
  const { record, assessment } = demo({
    'demo-refer-platelets': (r) => {
      r.valueQuantity = { value: 90, unit: 'K/uL' };
    },
    'demo-refer-anc': (r) => {
      r.valueQuantity = { value: 1500, unit: 'cells/uL' };
    },
  });
  assert.deepEqual(
    assessment.contraindications.map((c) => c.code).sort(),
    ['neutropenia', 'thrombocytopenia'],
    'the assessment read both, by the unit labels',
  );
  const data = timelineData(sharedEngine.knowledge, record, assessment);
  assert.deepEqual(data.notPlotted, {}, 'not counted as unreadable: the assessment read them');
  const shown = (series: string) =>
    data.labs.filter((p) => p.series === series && p.date === '2026-11-06').map((p) => [p.value, p.shown]);
  assert.deepEqual(shown('Platelets (10^9/L)'), [[90, '90 [U]']]);
  assert.deepEqual(shown('ANC (10^9/L)'), [[1.5, '1.5 [U]']]);
  const anc = data.labs.find((p) => p.source === 'Observation/demo-refer-anc');
  assert.equal(
    anc?.unverifiedConversion,
    "converted from 1500 cells/uL reading 'cells/uL' as /uL by the pathway's unit labels, unverified",
  );
});

test('each course verdict is written beside its course, not told by colour alone (WCAG 1.4.1)', async () => {
  // Short and under-dosed are two near browns (#b35806, #8c2d04): each row's label names its medicine and, on a
  // second line (the chart stays narrow enough for a 360 px screen to show the labels), its verdict.
  const { record, assessment } = demo({});
  const data = timelineData(sharedEngine.knowledge, record, assessment);
  const courses = [
    { ingredient: 'sertraline', start: '2025-01-06', end: '2025-02-10', verdict: 'short' },
    { ingredient: 'sertraline', start: '2025-03-01', end: '2025-06-30', verdict: 'under-dosed' },
    { ingredient: 'desvenlafaxine', start: '2025-08-01', end: '2025-12-01', verdict: 'adequate' },
    { ingredient: 'venlafaxine', start: '2026-02-01', verdict: 'unverified' },
  ];
  const svg = await renderSvg(timelineSpec({ ...data, courses }, assessment));
  const labels = [...svg.matchAll(/<text[^>]*><tspan>([^<]*)<\/tspan><tspan[^>]*>([^<]*)<\/tspan><\/text>/g)].map(
    (m) => `${m[1]}: ${m[2]}`,
  );
  assert.deepEqual(labels, [
    'desvenlafaxine: adequate',
    'sertraline: short',
    'sertraline: under-dosed',
    'venlafaxine: unverified',
  ]);
  assert.doesNotMatch(svg, /…/, 'no label cut short');
});
