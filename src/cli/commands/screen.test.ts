/**
 * `trd synth`, `trd screen`, `trd screen-merge` and `trd screen-sql` as a user runs them: the real CLI in
 * this process (runTrd), on a small synthetic population (OMOP in DuckDB, and NDJSON in two shards), and bad input (exit 2,
 * one `trd: ` line, no output file).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { createEngine } from '../../engine/index.ts';
import { OMOP_TABLE_NAMES } from '../../screen/sources/omop-schema.ts';
import { trd as runTrd } from '../run.test-support.ts';
import { runIdentity } from './screen.ts';

const dir = mkdtempSync(join(tmpdir(), 'trd-screen-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The real CLI, in-process (runTrd with captured streams): the same parsing, boundary and exit codes. */
const trd = (...args: string[]) => runTrd(args);

const lines = (
  file: string,
): { patient: string; recommendation: { code: string }; atCutOff?: Record<string, string> }[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as never);

test('synth OMOP in DuckDB, then screen it with a report and extra cut-offs', async () => {
  const synth = await trd(
    'synth',
    '--patients',
    '400',
    '--seed',
    '5',
    '--format',
    'omop-duckdb',
    '--as-of',
    '2026-11-27',
    '--out',
    join(dir, 'omop'),
  );
  assert.equal(synth.code, 0, synth.stderr);
  const out = join(dir, 'omop-screen.ndjson');
  const report = join(dir, 'omop-screen.html');
  const r = await trd(
    'screen',
    join(dir, 'omop', 'omop.duckdb'),
    '--as-of',
    '2026-11-27',
    '--out',
    out,
    '--report',
    report,
    '--cut-offs',
    '1,5',
  );
  assert.equal(r.code, 0, r.stderr);
  const got = lines(out);
  assert.equal(got.length, 400);
  const truth = new Map(
    lines(join(dir, 'omop', 'ground-truth.ndjson')).map((t) => [t.patient, (t as unknown as { code: string }).code]),
  );
  assert.equal(truth.size, 400);
  assert.ok(got.every((l) => l.atCutOff?.['1'] !== undefined && l.atCutOff['5'] !== undefined));
  const html = readFileSync(report, 'utf8');
  assert.match(html, /<svg/);
  assert.match(html, /Screening funnel/);
  assert.equal(existsSync(`${out}.partial`), false);
});

test('synth NDJSON, screen it in two shards and merge them into the unsharded output', async () => {
  assert.equal(
    (await trd('synth', '--patients', '300', '--seed', '6', '--as-of', '2026-11-27', '--out', join(dir, 'fhir'))).code,
    0,
  );
  const src = join(dir, 'fhir');
  const whole = join(dir, 'whole.ndjson');
  assert.equal((await trd('screen', src, '--as-of', '2026-11-27', '--out', whole, '--quiet')).code, 0);
  for (const i of [1, 2]) {
    const r = await trd(
      'screen',
      src,
      '--as-of',
      '2026-11-27',
      '--out',
      join(dir, `s${i}.ndjson`),
      '--shard',
      `${i}/2`,
      // Either worker setting gives the same bytes: `auto` (no thread below 10,000 patients) and one thread.
      '--workers',
      i === 1 ? 'auto' : '1',
      '--quiet',
    );
    assert.equal(r.code, 0, r.stderr);
  }
  const merged = join(dir, 'merged.ndjson');
  const m = await trd('screen-merge', join(dir, 's1.ndjson'), join(dir, 's2.ndjson'), '--out', merged);
  assert.equal(m.code, 0, m.stderr);
  // One line says what was written, as trd screen's does.
  assert.equal(
    m.stderr,
    `trd screen-merge: ${readFileSync(whole, 'utf8').split('\n').length - 1} patients from 2 shards; 0 malformed lines, 0 not assessed -> ${merged}\n`,
  );
  assert.ok(readFileSync(merged).equals(readFileSync(whole)));
});

test('a memory limit the projection cannot work within: exit 2 with one line naming it, no output; more memory resumes', async () => {
  const out = join(dir, 'small-memory.ndjson');
  const args = ['screen', join(dir, 'fhir'), '--as-of', '2026-11-27', '--out', out, '--quiet'];
  const r = await trd(...args, '--memory-limit', '2MB');
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /^trd: the database ran out of memory within --memory-limit 2MB; [^\n]+\n$/);
  assert.equal(existsSync(out), false);
  const again = await trd(...args);
  assert.equal(again.code, 0, again.stderr);
  assert.ok(readFileSync(out).equals(readFileSync(join(dir, 'whole.ndjson'))));
});

test('screen-sql prints the projection for a warehouse dialect', async () => {
  const r = await trd('screen-sql', '--dialect', 'bigquery', '--schema', 'cdm');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /`cdm\.concept_relationship`/);
  assert.match(r.stdout, /'Maps to'/);
  // The extract to screen in DuckDB: one query per table, drug_exposure's cut with the drug_ingredient it reads.
  const extract = await trd('screen-sql', '--dialect', 'snowflake', '--schema', 'cdm', '--extract');
  assert.equal(extract.code, 0, extract.stderr);
  assert.equal(
    extract.stdout.match(/^-- \w+: export to Parquet as \w+\/\*\.parquet$/gm)?.length,
    OMOP_TABLE_NAMES.length,
  );
  assert.match(extract.stdout, /drug_ingredient AS \([^;]+FROM cdm\.drug_exposure\b/);
  const sharded = await trd('screen-sql', '--dialect', 'snowflake', '--extract', '--shard', '1/2');
  assert.equal(sharded.code, 2);
  assert.match(sharded.stderr, /^trd: --extract takes every person [^\n]+\n$/);
});

test('screen-sql for BigQuery takes a dataset of another project, whose id holds hyphens as most do', async () => {
  const r = await trd('screen-sql', '--dialect', 'bigquery', '--schema', 'my-project-123456.cdm');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /FROM `my-project-123456\.cdm\.concept_relationship` cr/);
  // A hyphen is BigQuery's only: unquoted in the other warehouses it is a minus, and a dataset never has one.
  for (const [dialect, schema] of [
    ['snowflake', 'my-project.cdm'],
    ['bigquery', 'my-project.my-cdm'],
    ['bigquery', 'My-Project.cdm'],
  ] as const) {
    const refused = await trd('screen-sql', '--dialect', dialect, '--schema', schema);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /^trd: --schema must be a [^\n]+\n$/);
  }
});

test('bad input: exit 2 with one trd: line and no output', async () => {
  for (const args of [
    ['screen', join(dir, 'no-such-folder'), '--as-of', '2026-11-27', '--out', join(dir, 'bad.ndjson')],
    ['screen', join(dir, 'fhir'), '--as-of', '2026-11-27', '--out', join(dir, 'bad.ndjson'), '--shard', '0/2'],
    ['screen', join(dir, 'fhir'), '--as-of', '2026-11-27', '--out', join(dir, 'bad.ndjson'), '--cut-offs', '2,40'],
    ['screen', join(dir, 'fhir'), '--as-of', '2026-11-27', '--out', join(dir, 'bad.ndjson'), '--memory-limit', 'lots'],
    ['screen', join(dir, 'fhir'), '--as-of', '2026-11-27', '--out', join(dir, 'bad.ndjson'), '--workers', '1.5'],
    ['screen', join(dir, 'fhir'), '--as-of', '2026-11-27', '--out', join(dir, 'bad.ndjson'), '--workers', '65'],
    ['screen', 'postgres://u:hunter2@127.0.0.1:1/omop', '--as-of', '2026-11-27', '--out', join(dir, 'bad.ndjson')],
    [
      'screen',
      join(dir, 'omop', 'omop.duckdb'),
      '--as-of',
      '2026-11-27',
      '--out',
      join(dir, 'bad.ndjson'),
      '--schema',
      'nosuch',
    ],
    ['screen', join(dir, 'fhir'), '--as-of', '2999-01-01', '--out', join(dir, 'bad.ndjson')],
    [
      'screen',
      join(dir, 'fhir'),
      '--as-of',
      '2026-11-27',
      '--out',
      join(dir, 'bad.ndjson'),
      '--report',
      join(dir, 'no-such', 'r.html'),
    ],
    ['screen-sql', '--dialect', 'oracle'],
    ['synth', '--patients', 'many', '--out', join(dir, 'bad')],
  ]) {
    const r = await trd(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /^trd: [^\n]+\n$/, r.stderr);
    assert.doesNotMatch(r.stderr, /hunter2/);
    assert.equal(existsSync(join(dir, 'bad.ndjson')), false);
  }
});

test('the run identity holds everything that decides the output: the schema, the pathway file, the shard', async () => {
  const engine = createEngine();
  const base = { asOf: '2026-11-27', engine, cutOffs: [] };
  const pgUrl = 'postgres://someone:hunter2@db.example:5432/omop';
  const pgA = runIdentity(pgUrl, { ...base, schema: 'cdm_a' });
  const pgB = runIdentity(pgUrl, { ...base, schema: 'cdm_b' });
  assert.notEqual(pgA.source, pgB.source);
  assert.notEqual(pgA.source, runIdentity(pgUrl, base).source);
  assert.doesNotMatch(JSON.stringify(pgA), /hunter2/);
  // Servers reached through a Unix socket, the folder and user given as pg reads them from the URL's query.
  const socket = (folder: string, user = 'reader'): string =>
    runIdentity(`postgres:///omop?host=${folder}&user=${user}`, base).source;
  assert.notEqual(socket('/run/pg-a'), socket('/run/pg-b'));
  assert.notEqual(socket('/run/pg-a'), socket('/run/pg-a', 'other'), 'the user heads the search path');
  const duck = join(dir, 'identity.duckdb');
  writeFileSync(duck, '');
  assert.notEqual(
    runIdentity(duck, { ...base, schema: 'a' }).source,
    runIdentity(duck, { ...base, schema: 'b' }).source,
  );
  assert.notEqual(runIdentity(pgUrl, base).shard, runIdentity(pgUrl, { ...base, shard: { index: 0, count: 2 } }).shard);
  // A pathway file edited without a new version number is another run.
  const pathway = join(dir, 'pathway-copy.json');
  writeFileSync(pathway, '{"a":1}');
  const first = runIdentity(pgUrl, { ...base, pathwayFile: pathway }).engine;
  writeFileSync(pathway, '{"a":2}');
  assert.notEqual(runIdentity(pgUrl, { ...base, pathwayFile: pathway }).engine, first);
  assert.match(runIdentity(pgUrl, base).engine, /^precision-trd \d/);
});

test('clear reasons: missing CDM tables named with the schema, a --report folder checked first, a future --as-of accepted on request', async () => {
  const noTables = await trd(
    'screen',
    join(dir, 'omop', 'omop.duckdb'),
    '--as-of',
    '2026-11-27',
    '--out',
    join(dir, 'x.ndjson'),
    '--schema',
    'nosuch',
  );
  assert.match(
    noTables.stderr,
    /^trd: the OMOP CDM tables person, .*concept.* are not in schema nosuch \(give the CDM schema with --schema\)\n$/,
  );
  const started = performance.now();
  const report = join(dir, 'no-such', 'r.html');
  const noFolder = await trd(
    'screen',
    join(dir, 'fhir'),
    '--as-of',
    '2026-11-27',
    '--out',
    join(dir, 'x.ndjson'),
    '--report',
    report,
  );
  assert.equal(noFolder.stderr, `trd: --report ${report}: no such folder ${join(dir, 'no-such')}\n`);
  assert.ok(performance.now() - started < 5000 && !existsSync(join(dir, 'x.ndjson')), 'refused before the screen');
  const future = await trd('screen', join(dir, 'fhir'), '--as-of', '2999-01-01', '--out', join(dir, 'x.ndjson'));
  assert.match(future.stderr, /give --allow-future-as-of/);
  assert.equal(
    (
      await trd(
        'screen',
        join(dir, 'fhir'),
        '--as-of',
        '2999-01-01',
        '--allow-future-as-of',
        '--out',
        join(dir, 'x.ndjson'),
        '--quiet',
      )
    ).code,
    0,
  );
  assert.equal(
    (
      await trd(
        'synth',
        '--patients',
        '3',
        '--as-of',
        '2999-01-01',
        '--allow-future-as-of',
        '--out',
        join(dir, 'future'),
      )
    ).code,
    0,
  );
});

test('screen and screen-merge never write over an input or each other, and check that --out can be written', async () => {
  const source = join(dir, 'own-inputs');
  assert.equal((await trd('synth', '--patients', '5', '--as-of', '2026-11-27', '--out', source)).code, 0);
  const patients = join(source, 'Patient.ndjson');
  const before = readFileSync(patients, 'utf8');
  const screen = (...extra: string[]) => trd('screen', source, '--as-of', '2026-11-27', '--quiet', ...extra);
  const overInput = await screen('--out', patients);
  assert.equal(overInput.code, 2);
  assert.equal(
    overInput.stderr,
    `trd: --out ${patients}: ${patients} is an input of this command; choose another file\n`,
  );
  assert.equal(readFileSync(patients, 'utf8'), before, 'the source file is unchanged');
  const out = join(dir, 'own.ndjson');
  const reportOverOut = await screen('--out', out, '--report', out);
  assert.equal(reportOverOut.code, 2);
  assert.match(reportOverOut.stderr, /^trd: --report .* is the --out file or one beside it; choose another file\n$/);
  const proc = await screen('--out', '/proc/trd-screen-out.ndjson');
  assert.deepEqual(
    [proc.code, proc.stderr],
    [2, 'trd: --out: cannot write /proc/trd-screen-out.ndjson: no such file or folder\n'],
  );
  assert.equal((await screen('--out', out)).code, 0);
  const finished = readFileSync(out, 'utf8');
  const mergeOverShard = await trd('screen-merge', out, '--out', out);
  assert.equal(mergeOverShard.code, 2);
  assert.match(mergeOverShard.stderr, /is an input of this command; choose another file\n$/);
  assert.equal(readFileSync(out, 'utf8'), finished, 'the shard is unchanged');
});

test("the merged report counts at the cut-off of the shards' --pathway file, as the unsharded run's report does", async () => {
  // The pathway file lowers the cut-off to 2 mg/L, unverified: the report must count the recommendation's referable
  // patients at 2 (flagged [U]) and re-run 3 as an exploratory cut-off, not take the bundled pathway's 3 as the
  // recommendation's.
  const pathway = JSON.parse(readFileSync('knowledge/pathway/care-pathway.json', 'utf8')) as {
    definitions: { inflammation: { cutOff: { value: number; verified: boolean } } };
  };
  pathway.definitions.inflammation.cutOff = { ...pathway.definitions.inflammation.cutOff, value: 2, verified: false };
  const pathwayFile = join(dir, 'cut-off-2.json');
  writeFileSync(pathwayFile, JSON.stringify(pathway));
  const src = join(dir, 'fhir-cut-off');
  assert.equal((await trd('synth', '--patients', '300', '--seed', '6', '--as-of', '2026-11-27', '--out', src)).code, 0);
  const screen = (out: string, ...extra: string[]) =>
    trd(
      'screen',
      src,
      '--as-of',
      '2026-11-27',
      '--pathway',
      pathwayFile,
      '--cut-offs',
      '1,3',
      '--quiet',
      '--out',
      out,
      ...extra,
    );
  const wholeReport = join(dir, 'cut-off-2-whole.html');
  assert.equal((await screen(join(dir, 'cut-off-2-whole.ndjson'), '--report', wholeReport)).code, 0);
  for (const i of [1, 2])
    assert.equal((await screen(join(dir, `cut-off-2-s${i}.ndjson`), '--shard', `${i}/2`)).code, 0);
  const mergedReport = join(dir, 'cut-off-2-merged.html');
  const m = await trd(
    'screen-merge',
    join(dir, 'cut-off-2-s1.ndjson'),
    join(dir, 'cut-off-2-s2.ndjson'),
    '--out',
    join(dir, 'cut-off-2-merged.ndjson'),
    '--report',
    mergedReport,
  );
  assert.equal(m.code, 0, m.stderr);
  const whole = readFileSync(wholeReport, 'utf8');
  const merged = readFileSync(mergedReport, 'utf8');
  assert.match(whole, /default 2 mg\/L/);
  assert.match(merged, /source: FHIR Bulk Data NDJSON, 2 shards merged\./);
  // The same page but for the source it names.
  assert.equal(merged.replace(', 2 shards merged', ''), whole);
});

test('a folder trd synth wrote in an OMOP format, screened as a folder: the error says how to screen it', async () => {
  for (const format of ['omop-duckdb', 'omop-csv']) {
    const folder = join(dir, `as-folder-${format}`);
    const synth = await trd('synth', '--patients', '5', '--format', format, '--as-of', '2026-11-27', '--out', folder);
    assert.equal(synth.code, 0, synth.stderr);
    const out = join(dir, `as-folder-${format}.ndjson`);
    const r = await trd('screen', folder, '--as-of', '2026-11-27', '--out', out);
    assert.equal(r.code, 2);
    const hint =
      format === 'omop-duckdb'
        ? `an OMOP CDM DuckDB file is screened by its own path (${join(folder, 'omop.duckdb')})`
        : 'OMOP CDM tables as CSV are not read: load them into a DuckDB file or a PostgreSQL database and screen that (docs/screening.md)';
    assert.equal(r.stderr, `trd: ${folder}: no FHIR NDJSON files (<ResourceType>.ndjson or .ndjson.gz); ${hint}\n`);
    assert.equal(existsSync(out), false);
  }
});

test('an OMOP CDM whose number or date columns are text (CSV tables loaded with guessed types) is one clear error', async () => {
  const csv = join(dir, 'guessed-types');
  assert.equal(
    (await trd('synth', '--patients', '20', '--format', 'omop-csv', '--as-of', '2026-11-27', '--out', csv)).code,
    0,
  );
  // DuckDB's read_csv guesses each column's type from its values: a column with none (condition_end_date, the
  // condition's visit_occurrence_id) is read as text.
  const file = join(dir, 'guessed-types.duckdb');
  const instance = await DuckDBInstance.create(file);
  const connection = await instance.connect();
  for (const table of OMOP_TABLE_NAMES) {
    await connection.run(`CREATE TABLE ${table} AS SELECT * FROM read_csv('${join(csv, `${table}.csv`)}')`);
  }
  connection.closeSync();
  instance.closeSync();
  const out = join(dir, 'guessed-types.ndjson');
  const r = await trd('screen', file, '--as-of', '2026-11-27', '--out', out);
  assert.equal(r.code, 2, r.stderr);
  assert.match(
    r.stderr,
    /^trd: the OMOP CDM tables in the default schema hold numbers or dates as text: create them with the CDM's column types \(src\/screen\/sources\/omop-schema\.ts\) and load the data into them \(text in [a-z_.]+(, [a-z_.]+){4} and \d+ more\)\n$/,
  );
  assert.match(r.stderr, /condition_occurrence\.condition_end_date/);
  assert.equal(existsSync(out), false);
});
