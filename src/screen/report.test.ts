/**
 * The screen's summary and HTML report on hand-made result lines: the funnel's stages are named for what they count,
 * each contraindication is counted where the funnel drops it, the cut-off table names the pathway's own cut-off and
 * flags the others [U], and the charts carry an accessible name and description.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createEngine } from '../engine/index.ts';
import { escape } from '../analysis/report-html.ts';
import { reportContextOf } from './report-file.ts';
import { renderScreenReport } from './report-html.ts';
import { screenLine, type ScreenLine } from './result-line.ts';
import type { ScreenMeta } from './run.ts';
import { codeTitlesOf, SummaryBuilder } from './summary.ts';

const line = (over: Partial<ScreenLine> & { code: string; reason?: string }): ScreenLine => ({
  patient: 'Patient/x',
  recommendation: { code: over.code },
  scope: { inScope: (over.reason ?? 'in-scope') === 'in-scope', reason: over.reason ?? 'in-scope' },
  contraindications: [],
  cautions: [],
  missingWorkup: [],
  safetyAlerts: [],
  inflammation: { status: 'unknown' },
  adequateTrials: 0,
  unconvertibleUnits: 0,
  issues: [],
  ...over,
});

const PATHWAY = createEngine().knowledge.pathway;

/** The report's context of a bundled-pathway run (cut-off 3 mg/L and 2 adequate trials, both verified). */
const CONTEXT = {
  asOf: '2026-11-30',
  pathway: { id: 'p', version: '1.1' },
  source: 'test',
  defaultCutOffMgPerL: 3,
  defaultCutOffVerified: true,
  requiredTrials: { value: 2, verified: true },
  titles: codeTitlesOf(PATHWAY),
};

const LINES: ScreenLine[] = [
  line({ code: 'out-of-scope', reason: 'minor', contraindications: ['neutropenia'] }),
  line({ code: 'out-of-scope', reason: 'no-depression' }),
  line({ code: 'out-of-scope', reason: 'no-depression' }),
  line({ code: 'not-trd', contraindications: ['neutropenia'] }),
  line({ code: 'contraindicated', adequateTrials: 2, contraindications: ['neutropenia', 'hepatic'] }),
  line({
    code: 'refer-to-trial',
    adequateTrials: 2,
    inflammation: { status: 'elevated', crpMgPerL: 4 },
    atCutOff: { '1': 'refer-to-trial', '5': 'not-inflamed' },
    missingWorkup: ['latent-tb-screen'],
  }),
  line({
    code: 'measure-crp',
    adequateTrials: 2,
    missingWorkup: ['anc', 'latent-tb-screen'],
    atCutOff: { '1': 'measure-crp', '5': 'measure-crp' },
  }),
  line({
    code: 'not-inflamed',
    adequateTrials: 2,
    inflammation: { status: 'normal', crpMgPerL: 1.5 },
    atCutOff: { '1': 'refer-to-trial', '5': 'not-inflamed' },
  }),
];

function summary() {
  const b = new SummaryBuilder(3);
  for (const l of LINES) b.add(l);
  return b.build({ malformedLines: 0, malformedAt: [], withoutPatient: 0 }, [1, 5]);
}

test('the funnel: each stage at most the one before, and the stage after population is not called "in scope"', () => {
  const s = summary();
  const counts = s.funnel.map((f) => f.count);
  assert.deepEqual(counts, [8, 7, 5, 4, 3, 2, 1, 1]);
  for (let i = 1; i < counts.length; i++) assert.ok((counts[i] as number) <= (counts[i - 1] as number));
  // Patients with no depression are out of scope (pathway definition 0) yet pass this stage: its label must not say
  // "in scope", or it contradicts the scope table (in-scope 4).
  assert.doesNotMatch(s.funnel[1]?.label ?? '', /in scope/i);
  assert.equal(s.scopeReasons['in-scope'], 5);
});

test('missing work-up is counted among the referable patients and among all on the referral track, each labelled', async () => {
  const s = summary();
  assert.deepEqual(s.missingWorkup, { anc: 1, 'latent-tb-screen': 2 });
  assert.deepEqual(s.missingWorkupAmongReferable, { 'latent-tb-screen': 1 });
  const html = await renderScreenReport(s, CONTEXT);
  assert.match(
    html,
    /<th>Code<\/th><th>Title<\/th><th>Referable patients \(of 1\)<\/th><th>All patients on the referral track \(of 2\)<\/th>/,
  );
  const title = (code: string) => escape(PATHWAY.missingWorkup.find((m) => m.code === code)?.title ?? 'none');
  assert.ok(html.includes(`<tr><td>anc</td><td>${title('anc')}</td><td>0</td><td>1</td></tr>`));
  assert.ok(
    html.includes(`<tr><td>latent-tb-screen</td><td>${title('latent-tb-screen')}</td><td>1</td><td>2</td></tr>`),
  );
  assert.match(html, /referral track\): those referable now \(refer-to-trial\), and those whose CRP is to be measured/);
});

test("each counted code is shown with its pathway title; an earlier output's from another pathway says none is recorded", async () => {
  const html = await renderScreenReport(summary(), CONTEXT);
  const refer = PATHWAY.decision.find((d) => d.code === 'refer-to-trial')?.title ?? 'none';
  assert.ok(html.includes(`<tr><td>refer-to-trial</td><td>${escape(refer)}</td><td>1</td></tr>`));
  const neutropenia = PATHWAY.contraindications.find((d) => d.code === 'neutropenia')?.title ?? 'none';
  assert.ok(html.includes(`<tr><td>neutropenia</td><td>${escape(neutropenia)}</td><td>1</td><td>3</td></tr>`));
  // Scope reasons have no title in the pathway: codes only.
  assert.match(
    html,
    /Scope<\/h2><table><thead><tr><th>Code<\/th><th>Patients<\/th><\/tr><\/thead><tbody>\s*<tr><td>in-scope<\/td><td>5<\/td>/,
  );
  // A code the pathway does not define (an output of another version) is said to be so, not left blank.
  const other = new SummaryBuilder(3);
  other.add(line({ code: 'retired-code' }));
  const built = other.build({ malformedLines: 0, malformedAt: [], withoutPatient: 0 }, []);
  assert.match(
    await renderScreenReport(built, CONTEXT),
    /<td>retired-code<\/td><td>\(not a code of this pathway\)<\/td>/,
  );
  const { titles: _, ...untitled } = CONTEXT;
  assert.match(
    await renderScreenReport(built, untitled),
    /<td>retired-code<\/td><td>\(pathway title not recorded\)<\/td>/,
  );
});

test('contraindications are counted where the funnel drops them (treatment-resistant patients) and in all', async () => {
  const s = summary();
  assert.deepEqual(s.contraindications, { hepatic: 1, neutropenia: 3 });
  assert.deepEqual(s.contraindicationsAmongTrd, { hepatic: 1, neutropenia: 1 });
  // Each count column names the group it counts among, so that "3" is never read as the size of that group.
  assert.match(
    await renderScreenReport(s, CONTEXT),
    /<th>Code<\/th><th>Title<\/th><th>Treatment-resistant patients \(of 4\)<\/th><th>All patients \(of 8\)<\/th>/,
  );
});

test('the report: the pathway cut-off named, the others flagged [U]; charts with a title and description', async () => {
  const html = await renderScreenReport(summary(), CONTEXT);
  assert.match(html, /<tr><td>3<\/td><td>1<\/td><td>the pathway's cut-off \(verified\)<\/td><\/tr>/);
  assert.match(html, /<tr><td>1<\/td><td>2<\/td><td>\[U\] exploratory/);
  assert.match(html, /<tr><td>5<\/td><td>0<\/td><td>\[U\] exploratory/);
  assert.match(html, /<tr><td>hepatic<\/td><td>Liver enzymes [^<]+<\/td><td>1<\/td><td>1<\/td><\/tr>/);
  assert.match(html, /<tr><td>neutropenia<\/td><td>[^<]+<\/td><td>1<\/td><td>3<\/td><\/tr>/);
  // The note says what each column counts, and does not read as a definition of treatment resistance.
  assert.match(
    html,
    /The first column counts the treatment-resistant patients with each contraindication, whom the funnel's "No absolute contraindication" stage drops for it; the second, every patient with it/,
  );
  assert.doesNotMatch(html, /Treatment-resistant patients are those/);
  const svgs = html.match(/<svg[^>]*>/g) ?? [];
  assert.equal(svgs.length, 2);
  for (const [i, svg] of svgs.entries()) {
    assert.match(svg, /role="img"/);
    const ids = /aria-labelledby="([^"]+)"/.exec(svg)?.[1]?.split(' ') ?? [];
    assert.equal(ids.length, 2, `chart ${i}: title and description`);
    for (const id of ids) assert.match(html, new RegExp(`<(title|desc) id="${id}">[^<]+</(title|desc)>`));
  }
  assert.match(html, /<desc id="[^"]+">[^<]*Population: 8[^<]*Referable to a trial of IL-6 blockade: 1/);
  // The CRP stage names the cut-off it counts at, in the table and the chart's description, and the note says why
  // a CRP at or above it may not be referable.
  assert.match(html, /<tr><td>CRP at or above the cut-off \(3 mg\/L\)<\/td><td>1<\/td><\/tr>/);
  assert.match(html, /<desc id="[^"]+">[^<]*CRP at or above the cut-off \(3 mg\/L\): 1;/);
  assert.match(html, /a CRP above the acute threshold is at or above the cut-off but not referable/);
  const unverified = await renderScreenReport(summary(), {
    ...CONTEXT,
    defaultCutOffVerified: false,
    requiredTrials: { value: 3, verified: false },
  });
  assert.match(unverified, /<tr><td>3<\/td><td>1<\/td><td>\[U\] the pathway's cut-off \(unverified\)<\/td><\/tr>/);
  // The treatment-resistance stage names the adequate trials the pathway requires.
  assert.match(html, /<tr><td>Treatment-resistant \(2\+ adequate trials\)<\/td><td>4<\/td><\/tr>/);
  // Numbers the pathway marks unverified are flagged [U] where the funnel names them.
  assert.match(unverified, /<tr><td>Treatment-resistant \(3\+ adequate trials \[U\]\)<\/td><td>4<\/td><\/tr>/);
  assert.match(unverified, /<tr><td>CRP at or above the cut-off \(3 mg\/L \[U\]\)<\/td><td>1<\/td><\/tr>/);
});

test('each located malformed line says why it was skipped, as the summary line does', async () => {
  const b = new SummaryBuilder(3);
  for (const l of LINES) b.add(l);
  const s = b.build(
    {
      malformedLines: 2,
      malformedAt: [
        { file: 'export/Condition.ndjson', line: 5 },
        { file: 'export/MedicationRequest.ndjson', line: 469, reason: 'not UTF-8 text' },
      ],
      withoutPatient: 0,
    },
    [],
  );
  const html = await renderScreenReport(s, CONTEXT);
  assert.match(html, /Malformed lines \(not a JSON object, not UTF-8 text, or too long; skipped\)<\/td><td>2</);
  assert.match(html, /<th>File<\/th><th>Line<\/th><th>Why<\/th>/);
  assert.ok(
    html.includes('<tr><td>export/Condition.ndjson</td><td>5</td><td>not a JSON object with a resourceType</td></tr>'),
  );
  assert.ok(html.includes('<tr><td>export/MedicationRequest.ndjson</td><td>469</td><td>not UTF-8 text</td></tr>'));
});

test("the report's context comes from the run's meta: its pathway's cut-off, never guessed for a --pathway run", () => {
  const meta: ScreenMeta = {
    schema: 'precision-trd/screen-meta@1',
    kind: 'omop-duckdb',
    identity: {
      source: 'cdm.duckdb',
      asOf: '2026-11-27',
      pathway: { id: 'trd-il6-candidacy', version: '1.1.7' },
      engine: 'precision-trd 0.1.0',
      shard: 'merged 3',
      cutOffs: [1],
    },
    pathwayCutOff: { mgPerL: 2, verified: false },
    requiredTrials: { value: 3, verified: true },
    patients: 0,
    quality: { malformedLines: 0, malformedAt: [], recordsRead: 0, recordsKept: 0, withoutPatient: 0 },
    notAssessed: 0,
  };
  const c = reportContextOf(meta);
  assert.deepEqual(
    [c.defaultCutOffMgPerL, c.defaultCutOffVerified, c.requiredTrials],
    [2, false, { value: 3, verified: true }],
  );
  assert.equal(c.source, 'OMOP CDM (DuckDB), 3 shards merged');
  // One shard's report counts only that shard's patients, and says so; an unsharded run's names no shard.
  const second = reportContextOf({ ...meta, identity: { ...meta.identity, shard: '2/3' } });
  assert.equal(second.source, 'OMOP CDM (DuckDB), shard 2 of 3 only (trd screen-merge joins the shards)');
  assert.equal(reportContextOf({ ...meta, identity: { ...meta.identity, shard: '1/1' } }).source, 'OMOP CDM (DuckDB)');
  // An earlier version's meta, without the cut-off: the bundled pathway's when it was screened with that ...
  const { pathwayCutOff: _, requiredTrials: __, ...earlier } = meta;
  assert.equal(
    reportContextOf(earlier).defaultCutOffMgPerL,
    createEngine().knowledge.pathway.definitions.inflammation.cutOff.value,
  );
  // The titles it records are the report's; an earlier meta takes the bundled pathway's only when it is the same
  // pathway and version, and none otherwise.
  assert.deepEqual(reportContextOf({ ...meta, titles: codeTitlesOf(PATHWAY) }).titles, codeTitlesOf(PATHWAY));
  const another = { ...meta, identity: { ...meta.identity, pathway: { id: PATHWAY.id, version: '1.0.0' } } };
  assert.equal(reportContextOf(another).titles, undefined);
  const bundled = { ...meta, identity: { ...meta.identity, pathway: { id: PATHWAY.id, version: PATHWAY.version } } };
  assert.deepEqual(reportContextOf(bundled).titles, codeTitlesOf(PATHWAY));
  // ... and refused when screened with a --pathway file, whose cut-off the meta does not tell.
  const withFile = { ...earlier, identity: { ...earlier.identity, engine: 'precision-trd 0.1.0 pathway sha256:ab12' } };
  assert.throws(() => reportContextOf(withFile), /used a --pathway file .* does not record the CRP cut-off/);
});

test("the funnel chart shows each stage's label in full, as the table beside it does, and fits the page", async () => {
  const html = await renderScreenReport(summary(), {
    ...CONTEXT,
    defaultCutOffVerified: false,
    requiredTrials: { value: 3, verified: false },
  });
  const svg = /<svg[^>]*aria-labelledby="funnel-title[\s\S]*?<\/svg>/.exec(html)?.[0] ?? '';
  const texts = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
  assert.ok(
    texts.every((t) => !t?.endsWith('…')),
    `no label cut: ${texts.filter((t) => t?.endsWith('…')).join(', ')}`,
  );
  const stages = [...html.matchAll(/<tr><td>([^<]+)<\/td><td>\d+<\/td><\/tr>/g)].map((m) => m[1]).slice(0, 8);
  assert.ok(stages.includes('Living adults without bipolar or psychotic disorder'));
  for (const stage of stages) assert.ok(texts.includes(stage), `the chart labels "${stage}" in full`);
  // Wider than the page's column, a chart is scaled down to it rather than cut off.
  assert.match(html, /svg\{max-width:100%;height:auto\}/);
});

test('resources the pathway does not use are information, counted apart from the data issues in line, summary and report', async () => {
  const bundle = {
    resourceType: 'Bundle',
    type: 'collection',
    entry: [
      { resource: { resourceType: 'Patient', id: 'p1', birthDate: '1980-01-01', gender: 'female' } },
      { resource: { resourceType: 'Encounter', id: 'e1', status: 'finished', subject: { reference: 'Patient/p1' } } },
      // A data issue beside it: an Observation with no code.
      { resource: { resourceType: 'Observation', id: 'o1', status: 'final', subject: { reference: 'Patient/p1' } } },
    ],
  };
  const a = createEngine().assess(bundle, { asOf: CONTEXT.asOf });
  assert.ok(a.issues.some((i) => i.code === 'fhir.resource.skipped' && i.severity === 'information'));
  const l = screenLine('Patient/p1', a);
  assert.deepEqual(l.information, ['fhir.resource.skipped']);
  assert.ok(!l.issues.includes('fhir.resource.skipped'));
  assert.ok(l.issues.length > 0, 'the data issue is still one');
  const b = new SummaryBuilder(3);
  b.add(l);
  b.add(line({ code: 'out-of-scope', reason: 'minor' }));
  const s = b.build({ malformedLines: 0, malformedAt: [], withoutPatient: 0 }, []);
  assert.deepEqual(s.information, { 'fhir.resource.skipped': 1 });
  assert.equal(s.dataQuality.issues['fhir.resource.skipped'], undefined);
  const html = await renderScreenReport(s, CONTEXT);
  const dataIssues = /Data issues raised by the engine[\s\S]*?(?=<h2>)/.exec(html)?.[0] ?? '';
  assert.doesNotMatch(dataIssues, /fhir\.resource\.skipped/);
  assert.match(
    html,
    /<h2>Information from reading the records \(patients; not data issues\)<\/h2><table>[\s\S]*<tr><td>fhir\.resource\.skipped<\/td><td>1<\/td><\/tr>/,
  );
});
