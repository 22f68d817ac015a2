/**
 * `trd analyze` (the whole command line, in-process), on the DIA antidepressant CSV (reference/stats-reference/data/antidepressant_hamd17.csv)
 * and our simulated MADRS/CRP trial (reference/r/trd_madrs_crp.csv). Goldens:
 * - antidepressant_hamd17_reference.json blocks ancova_week6, responders, hedges_g_week6_change,
 *   mmrm_pkg["Kenward-Roger|Kenward-Roger-Linear"].primary_contrast, mmrm_pkg["Satterthwaite|Asymptotic"].primary_contrast
 *   and sas_proc_mixed_kr_published.diffs_drug_minus_placebo (SAS printed values);
 * - reference/r/interaction.json (interaction_logcrp_week8, ancova_stratified_week8);
 * - reference/r/insight_counts.json (--counts); reference/r/antidepressant_remission_observed.json.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import {
  assertGolden,
  MADRS_ANALYZE_OPTIONS,
  MADRS_CSV,
  readReference,
  referencePath,
} from '../../stats/golden.test-support.ts';
import { trd as run, type CliRun as Run } from '../run.test-support.ts';

const trd = (args: string[]): Promise<Run> => run(args);

/* eslint-disable @typescript-eslint/no-explicit-any -- the CLI's JSON is checked field by field against goldens */
type Json = any;
const AD = 'stats-reference/outputs/antidepressant_hamd17_reference.json';
const adRef: Json = readReference(AD);
const tmp = mkdtempSync(join(tmpdir(), 'trd-analyze-'));
const reportFile = join(tmp, 'report.html');

const adArgs = [
  'analyze',
  referencePath('stats-reference/data/antidepressant_hamd17.csv'),
  '--subject',
  'PATIENT',
  '--arm',
  'THERAPY',
  '--treatment',
  'DRUG',
  '--control',
  'PLACEBO',
  '--visit',
  'VISIT',
  '--outcome',
  'HAMDTL17',
  '--baseline',
  'BASVAL',
  '--primary-visit',
  '7',
  '--remission-max',
  '7',
  '--json',
  '--report',
  reportFile,
];
const madrsArgs = [
  'analyze',
  MADRS_CSV,
  ...MADRS_ANALYZE_OPTIONS,
  '--biomarker',
  'crp',
  '--biomarker-cut',
  '3',
  '--json',
];

const countsArgs = [
  'analyze',
  '--counts',
  '--treatment-events',
  '7',
  '--treatment-n',
  '13',
  '--control-events',
  '5',
  '--control-n',
  '16',
];
const runs = {
  ad: adArgs,
  madrs: madrsArgs,
  countsJson: [...countsArgs, '--label', 'remission', '--json'],
  countsText: [
    'analyze',
    '--counts',
    '--treatment-events',
    '6',
    '--treatment-n',
    '13',
    '--control-events',
    '3',
    '--control-n',
    '16',
    '--label',
    'response',
  ],
  countsBad: [
    'analyze',
    '--counts',
    '--treatment-events',
    '14',
    '--treatment-n',
    '13',
    '--control-events',
    '5',
    '--control-n',
    '16',
  ],
  unknownColumn: [
    ...adArgs.slice(0, 2),
    '--subject',
    'PATIENT',
    '--arm',
    'THERAPY',
    '--treatment',
    'DRUG',
    '--control',
    'PLACEBO',
    '--visit',
    'VISIT',
    '--outcome',
    'HAMD',
    '--baseline',
    'BASVAL',
    '--primary-visit',
    '7',
  ],
  missingOptions: ['analyze', MADRS_CSV, '--subject', 'subject'],
};
const out = {} as Record<keyof typeof runs, Run>;
let ad: Run;
let madrs: Run;
before(async () => {
  const keys = Object.keys(runs) as (keyof typeof runs)[];
  const results = await Promise.all(keys.map((k) => trd(runs[k])));
  keys.forEach((k, i) => (out[k] = results[i]!));
  ad = out.ad;
  madrs = out.madrs;
});

describe(`trd analyze on the antidepressant trial (${AD})`, () => {
  it('exits 0 with the analysis schema and input summary', () => {
    assert.equal(ad.code, 0, ad.stderr);
    const j: Json = JSON.parse(ad.stdout);
    assert.equal(j.schema, 'precision-trd/analysis@1');
    assert.deepEqual(j.input.subjects, { treatment: 84, control: 88 });
    assert.deepEqual(j.input.visits, ['4', '5', '6', '7']);
    assert.ok(j.conventions.length > 0);
  });
  it('ancova matches block ancova_week6 (difference[0])', () => {
    const j: Json = JSON.parse(ad.stdout);
    const d = adRef.ancova_week6.difference[0];
    assertGolden(j.ancova.estimate, d.estimate, 'closedForm', 'ancova estimate');
    assertGolden(j.ancova.se, d.se, 'closedForm', 'ancova se');
    assert.equal(j.ancova.df, d.df);
    assertGolden(j.ancova.t, d.statistic, 'closedForm', 'ancova t');
    assertGolden(j.ancova.p, d.p_value, 'closedForm', 'ancova p');
    assertGolden(j.ancova.ci[0], d.ci_lower, 'closedForm', 'ancova ci lower');
    assertGolden(j.ancova.ci[1], d.ci_upper, 'closedForm', 'ancova ci upper');
  });
  it('response (NRI and observed) and remission (NRI) match block responders', () => {
    const j: Json = JSON.parse(ad.stdout);
    const pairs: [Json, Json][] = [
      [j.response, adRef.responders.response_nri],
      [j.response.observed, adRef.responders.response_observed],
      [j.remission, adRef.responders.remission_nri],
    ];
    for (const [mine, ref] of pairs) {
      const drug = ref.per_arm.find((a: Json) => a.arm === 'DRUG');
      assert.equal(mine.treatment.events, drug.x);
      assert.equal(mine.treatment.n, drug.n);
      assertGolden(mine.treatment.ci[0], drug.wilson_lower, 'closedForm', `${ref.label} wilson`);
      assertGolden(mine.difference.estimate, ref.risk_difference.estimate, 'closedForm', `${ref.label} rd`);
      assertGolden(
        mine.difference.ci[0],
        ref.risk_difference.newcombe_hybrid_score_ci[0],
        'closedForm',
        `${ref.label} newcombe lower`,
      );
      assertGolden(
        mine.difference.ci[1],
        ref.risk_difference.newcombe_hybrid_score_ci[1],
        'closedForm',
        `${ref.label} newcombe upper`,
      );
      assertGolden(mine.nnt.estimate, Math.abs(ref.nnt.estimate), 'closedForm', `${ref.label} nnt`);
      assert.equal(mine.nnt.ci.crossesZero, true);
      assertGolden(mine.fisherP, ref.fisher_exact.p_value, 'closedForm', `${ref.label} fisher`);
    }
  });
  it('remission observed cases matches our own R fixture reference/r/antidepressant_remission_observed.json', () => {
    const j: Json = JSON.parse(ad.stdout);
    const ref: Json = readReference('r/antidepressant_remission_observed.json');
    const b = ref.remission_observed;
    const mine = j.remission.observed;
    assert.equal(mine.treatment.events, b.treatment.x);
    assert.equal(mine.control.n, b.control.n);
    assertGolden(mine.treatment.ci[1], b.treatment.wilson[1], 'closedForm', 'wilson upper');
    assertGolden(mine.difference.ci[0], b.newcombe[0], 'closedForm', 'newcombe lower');
    assertGolden(mine.difference.ci[1], b.newcombe[1], 'closedForm', 'newcombe upper');
    assertGolden(mine.nnt.estimate, b.nnt, 'closedForm', 'nnt');
    assertGolden(mine.fisherP, b.fisher_p, 'closedForm', 'fisher');
  });
  it('hedgesG matches block hedges_g_week6_change', () => {
    const j: Json = JSON.parse(ad.stdout);
    assertGolden(j.hedgesG.estimate, adRef.hedges_g_week6_change.hedges_g, 'closedForm', 'hedges g');
    assertGolden(j.hedgesG.ciNormal[0], adRef.hedges_g_week6_change.ci_normal[0], 'closedForm', 'hedges ci');
  });
  it('mmrm Kenward-Roger matches SAS PROC MIXED DDFM=KR (-2.8018, SE 1.1163) and mmrm KR-Linear', () => {
    const j: Json = JSON.parse(ad.stdout);
    assert.equal(j.mmrm.available, true);
    assert.equal(j.mmrm.converged, true);
    assert.equal(j.mmrm.visits.length, 4);
    const sas = adRef.sas_proc_mixed_kr_published.diffs_drug_minus_placebo.find((d: Json) => d.visit === 7);
    assertGolden(j.mmrm.kenwardRoger.estimate, sas.estimate, 'sasPrinted', 'SAS estimate');
    assertGolden(j.mmrm.kenwardRoger.se, sas.se, 'sasPrinted', 'SAS se');
    const kr = adRef.mmrm_pkg['Kenward-Roger|Kenward-Roger-Linear'].primary_contrast;
    assertGolden(j.mmrm.kenwardRoger.estimate, kr.estimate, 'mmrm', 'KR estimate');
    assertGolden(j.mmrm.kenwardRoger.se, kr.se, 'mmrm', 'KR se');
    assertGolden(j.mmrm.kenwardRoger.df, kr.df, 'mmrmDf', 'KR df');
    const sw = adRef.mmrm_pkg['Satterthwaite|Asymptotic'].primary_contrast;
    assertGolden(j.mmrm.satterthwaite.se, sw.se, 'mmrm', 'Satterthwaite se');
    assertGolden(j.mmrm.satterthwaite.df, sw.df, 'mmrmDf', 'Satterthwaite df');
  });
  it('without a biomarker the interaction is reported as not analysed', () => {
    const j: Json = JSON.parse(ad.stdout);
    assert.equal(j.interaction.available, false);
  });
  it('--report writes one self-contained HTML page with inline SVG plots', () => {
    const html = readFileSync(reportFile, 'utf8');
    assert.match(html, /^<!doctype html>/);
    assert.equal((html.match(/<svg /g) ?? []).length, 2); // mean change by visit, forest plot
    assert.doesNotMatch(html, /<script|<link /);
    assert.match(html, /-2\.802/); // the MMRM difference in the table
  });
});

describe('trd analyze with a biomarker (reference/r/interaction.json)', () => {
  const ref: Json = readReference('r/interaction.json');
  it('interaction estimate, F test p and effects at CRP 1, 3, 10', () => {
    assert.equal(madrs.code, 0, madrs.stderr);
    const j: Json = JSON.parse(madrs.stdout);
    const b = ref.interaction_logcrp_week8;
    const c = b.coefficients.find((x: Json) => x.term === 'armTOCILIZUMAB:log_crp_c');
    assertGolden(j.interaction.estimate, c.estimate, 'closedForm', 'interaction');
    assertGolden(j.interaction.se, c.se, 'closedForm', 'interaction se');
    assertGolden(j.interaction.p, b.f_test.p, 'closedForm', 'interaction F p');
    assert.deepEqual(
      j.interaction.effects.map((e: Json) => e.biomarker),
      [1, 3, 10],
    );
    b.effects_at_crp.forEach((e: Json, k: number) => {
      assertGolden(j.interaction.effects[k].estimate, e.estimate, 'closedForm', `effect at ${e.crp}`);
      assertGolden(j.interaction.effects[k].ci[0], e['lower.CL'], 'closedForm', `effect ci at ${e.crp}`);
    });
  });
  it('stratified ANCOVA (ancova_stratified_week8)', () => {
    const j: Json = JSON.parse(madrs.stdout);
    const d = ref.ancova_stratified_week8.difference[0];
    assertGolden(j.ancova.estimate, d.estimate, 'closedForm', 'stratified ancova');
    assertGolden(j.ancova.se, d.SE, 'closedForm', 'stratified ancova se');
    assert.equal(j.remission.available, false);
  });
});

describe('trd analyze --counts (reference/r/insight_counts.json)', () => {
  it('INSIGHT day-28 remission 7/13 vs 5/16: 53.8% vs 31.3%, Newcombe CI, NNT 5 (raw 4.43)', () => {
    const ref: Json = readReference('r/insight_counts.json');
    const run = out.countsJson;
    assert.equal(run.code, 0, run.stderr);
    const j: Json = JSON.parse(run.stdout);
    assert.equal(j.schema, 'precision-trd/analysis-counts@1');
    assert.equal(j.treatment.rate.toFixed(3), '0.538');
    assert.equal(j.control.rate.toFixed(3), '0.313');
    assertGolden(j.difference.ci[0], ref.remission_day28.newcombe[0], 'closedForm', 'newcombe lower');
    assertGolden(j.difference.ci[1], ref.remission_day28.newcombe[1], 'closedForm', 'newcombe upper');
    assert.equal(j.nnt.rounded, 5);
    assertGolden(j.nnt.estimate, ref.remission_day28.nnt, 'closedForm', 'nnt');
    assertGolden(j.nnt.ci.nntbFrom, ref.remission_day28.nntb_from, 'closedForm', 'nntb from');
    assertGolden(j.fisherP, ref.remission_day28.fisher_p, 'closedForm', 'fisher');
  });
  it('text output spells out the NNTB-to-NNTH interval', () => {
    const run = out.countsText;
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /6\/13 = 46\.2%/);
    assert.match(run.stdout, /NNTB 4 \(raw 3\.65; 95% CI NNTB 1\.82 to infinity to NNTH 16\.70\)/);
  });
  it('impossible counts are a one-line error with exit code 2', () => {
    const run = out.countsBad;
    assert.equal(run.code, 2);
    assert.equal(
      run.stderr.trim(),
      'trd: analyze: --treatment-events must be a whole number from 0 to --treatment-n (got 14)',
    );
  });
});

describe('trd analyze input errors', () => {
  it('an unknown column exits 2 with one clear line', () => {
    const run = out.unknownColumn;
    assert.equal(run.code, 2);
    assert.match(run.stderr, /^trd: analyze: --outcome: unknown column "HAMD" \(the header has \d+ columns\)\n$/);
    assert.equal(run.stdout, '');
  });
  it('a bad cell is named by its line in the file, empty lines and a quoted line break counted (CRLF too)', async () => {
    const lines = readFileSync(MADRS_CSV, 'utf8').trimEnd().split('\n');
    // Line 1 the header, 2-3 empty, 4 a record whose quoted outcome spans lines 4-5, then the data from line 6 on;
    // the first data record's outcome (file line 6) is made non-numeric.
    const [first, ...rest] = lines.slice(1);
    const bad = first!.replace(/^([^,]*,[^,]*,[^,]*,)[^,]*/, '$1n/a');
    const text = [lines[0], '', '', 'S999,PLACEBO,1,"1\n0",30,2', bad, ...rest].join('\n');
    for (const [name, content] of [
      ['lf.csv', text],
      ['crlf.csv', text.replace(/\n/g, '\r\n')],
    ] as const) {
      const file = join(tmp, name);
      writeFileSync(file, content);
      const run = await trd([...madrsArgs.filter((a) => a !== MADRS_CSV && a !== '--json'), file]);
      assert.equal(run.code, 2, name);
      assert.match(run.stderr, /outcome column madrs is not a number .*: 2 rows \(lines 4, 6\)\n$/, name);
    }
  });
  it('a row the CSV reader cannot read is named by its line and what is wrong with it, not only by a code', async () => {
    const lines = readFileSync(MADRS_CSV, 'utf8').trimEnd().split('\n').slice(0, 6);
    const file = join(tmp, 'extra-field.csv');
    writeFileSync(file, [...lines.slice(0, 4), `${lines[4]},extra`, lines[5]].join('\n'));
    const run = await trd([...madrsArgs.filter((a) => a !== MADRS_CSV && a !== '--json'), file]);
    assert.equal(run.code, 2);
    assert.match(
      run.stderr,
      /not a readable CSV: a row has another number of fields than the header \(CSV_RECORD_INCONSISTENT_FIELDS_LENGTH at line 5\)\n$/,
    );
  });
  it('a UTF-16 file is refused for its encoding, not for a row it cannot read', async () => {
    const file = join(tmp, 'utf16.csv');
    const text = readFileSync(MADRS_CSV, 'utf8').trimEnd().split('\n').slice(0, 6).join('\r\n');
    const args = [...madrsArgs.filter((a) => a !== MADRS_CSV && a !== '--json'), file];
    // With its byte order mark, the file is not UTF-8 at all: refused as every input file is (docs/cli.md).
    writeFileSync(file, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    const marked = await trd(args);
    assert.equal(marked.code, 2);
    assert.match(marked.stderr, /utf16\.csv is not UTF-8 text \(save it as UTF-8\)/);
    // Without it, ASCII in UTF-16 is valid UTF-8 with a NUL after each character: refused for that.
    writeFileSync(file, Buffer.from(text, 'utf16le'));
    const run = await trd(args);
    assert.equal(run.code, 2);
    assert.match(
      run.stderr,
      /not a readable CSV: the file holds NUL characters \(UTF-16 encoded\?\); save it as CSV in UTF-8/,
    );
  });
  it('spaces around quoted fields (", "DRUG" ,") are read as the quoted field, as spaces around any field are', async () => {
    const lines = readFileSync(MADRS_CSV, 'utf8').trimEnd().split('\n');
    const spaced = lines.map((line) =>
      line
        .split(',')
        .map((cell, c) => (c % 2 ? ` "${cell}" ` : ` ${cell}`))
        .join(','),
    );
    const file = join(tmp, 'spaced.csv');
    writeFileSync(file, spaced.join('\n'));
    const run = await trd([...madrsArgs.filter((a) => a !== MADRS_CSV), file]);
    assert.equal(run.code, 0, run.stderr);
    const spacedJson: Json = JSON.parse(run.stdout);
    const plain: Json = JSON.parse(madrs.stdout);
    assert.deepEqual(spacedJson.ancova, plain.ancova);
    assert.deepEqual(spacedJson.response, plain.response);
    assert.deepEqual(spacedJson.input.subjects, plain.input.subjects);
  });
  it('a semicolon- or tab-separated file with decimal commas is refused for its separator, not as unreadable', async () => {
    // What a spreadsheet in a decimal-comma locale saves: "6,88" splits a row into more fields than the one-field header.
    const lines = readFileSync(MADRS_CSV, 'utf8').trimEnd().split('\n').slice(0, 6);
    for (const [name, separator, word] of [
      ['semicolon.csv', ';', 'semicolons'],
      ['tab.csv', '\t', 'tabs'],
    ] as const) {
      const text = lines
        .map((line, k) =>
          line
            .split(',')
            .map((cell, c) => (k > 0 && c === 3 && cell !== '' ? `${cell},5` : cell))
            .join(separator),
        )
        .join('\r\n');
      const file = join(tmp, name);
      writeFileSync(file, `\uFEFF${text}`);
      const run = await trd([...madrsArgs.filter((a) => a !== MADRS_CSV && a !== '--json'), file]);
      assert.equal(run.code, 2, name);
      assert.match(
        run.stderr,
        new RegExp(`the header is one column holding ${word}: the file is not comma-separated`),
        name,
      );
      assert.doesNotMatch(run.stderr, /not a readable CSV/, name);
    }
  });
  it('missing required options are named', () => {
    const run = out.missingOptions;
    assert.equal(run.code, 2);
    assert.match(
      run.stderr,
      /missing required option\(s\): --arm, --treatment, --control, --visit, --outcome, --baseline, --primary-visit/,
    );
  });
});

describe('trd analyze reads the trial export crp_conversion column beside --biomarker', () => {
  it('names the subjects whose CRP was converted with the unverified [U] factor; without the column the JSON has no such block', async () => {
    const lines = readFileSync(MADRS_CSV, 'utf8').trim().split(/\r?\n/);
    const text = [
      `${lines[0]},crp_conversion`,
      ...lines
        .slice(1)
        .map((l) => `${l},${/^S00[1-5],/.test(l) ? 'CRP molar factor (nmol/L per mg/L) 9.524 [U]' : ''}`),
    ].join('\n');
    const file = join(tmp, 'converted.csv');
    writeFileSync(file, text);
    const args = ['analyze', ...MADRS_ANALYZE_OPTIONS, '--biomarker', 'crp', '--biomarker-cut', '3', '--json'];
    const withColumn = await trd([...args, file]);
    assert.equal(withColumn.code, 0, withColumn.stderr);
    const j: Json = JSON.parse(withColumn.stdout);
    assert.equal(j.input.columns.biomarkerConversion, 'crp_conversion');
    assert.equal(j.biomarkerConversion.unverified, 5);
    assert.equal(j.biomarkerConversion.sensitivity.excluded, 5);
    const plain = await trd([...args, MADRS_CSV]);
    assert.equal(plain.code, 0, plain.stderr);
    const p: Json = JSON.parse(plain.stdout);
    assert.equal(p.biomarkerConversion, undefined);
    assert.equal(p.input.columns.biomarkerConversion, undefined);
  });
});

describe('trd analyze: an infinite or undefined CI limit in the JSON', () => {
  it('a zero cell: the ratios are "Infinity" with the undefined limit "NaN" and estimable false, never null', async () => {
    const run = await trd([
      'analyze',
      '--counts',
      '--treatment-events',
      '5',
      '--treatment-n',
      '10',
      '--control-events',
      '0',
      '--control-n',
      '10',
      '--json',
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.doesNotMatch(run.stdout, /null/);
    const j: Json = JSON.parse(run.stdout);
    for (const ratio of [j.oddsRatio, j.riskRatio]) {
      assert.deepEqual(ratio, { estimate: 'Infinity', ci: ['NaN', 'Infinity'], estimable: false });
    }
    const text = await trd([
      'analyze',
      '--counts',
      '--treatment-events',
      '5',
      '--treatment-n',
      '10',
      '--control-events',
      '0',
      '--control-n',
      '10',
    ]);
    assert.match(text.stdout, /risk ratio not estimable \(a zero cell\); odds ratio not estimable \(a zero cell\)/);
  });
});
