/**
 * FHIR Bulk Data exports in the shapes sites really have: references written as `urn:uuid:<id>` (a flattened
 * transaction bundle), files named as the SMART bulk-data-client names them (`1.Patient.ndjson`), and resources that
 * name no patient the screen can read, which must be said (report and summary), never dropped in silence.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { AS_OF, writePopulation, type Population } from './fixtures.test-support.ts';
import { reportContextOf, summarize } from './report-file.ts';
import { renderScreenReport } from './report-html.ts';
import { runScreen, screenPaths } from './run.ts';
import { filesNotRead, openNdjsonSource } from './sources/ndjson.ts';

let pop: Population;
let plain: string;

before(async () => {
  pop = await writePopulation(150, 1919);
  plain = join(pop.dir, 'plain.ndjson');
  await screen(pop.ndjson, plain);
});

after(() => rmSync(pop.dir, { recursive: true, force: true }));

async function screen(dir: string, out: string) {
  const paths = screenPaths(out);
  return runScreen({
    openSource: () => openNdjsonSource({ dir, knowledge: pop.engine.knowledge, workDb: paths.workDb }),
    paths,
    identity: { source: dir, asOf: AS_OF, pathway: pop.engine.pathway, engine: 'test', shard: '1/1', cutOffs: [] },
    engine: pop.engine,
    asOf: AS_OF,
    workers: 0,
  });
}

/** A copy of the export with each line's text changed. */
function copyWith(name: string, change: (line: string) => string): string {
  const dir = join(pop.dir, name);
  mkdirSync(dir);
  for (const f of readdirSync(pop.ndjson).filter((x) => x.endsWith('.ndjson'))) {
    const lines = readFileSync(join(pop.ndjson, f), 'utf8').split('\n');
    writeFileSync(join(dir, f), lines.map((l) => (l === '' ? l : change(l))).join('\n'));
  }
  return dir;
}

test('references written as urn:uuid:<id> name the Patient of that id: the same decisions as Patient/<id>', async () => {
  const dir = copyWith('urn', (l) => l.replaceAll('"reference":"Patient/', '"reference":"urn:uuid:'));
  assert.match(readFileSync(join(dir, 'Condition.ndjson'), 'utf8'), /"reference":"urn:uuid:/);
  const out = join(pop.dir, 'urn.ndjson');
  const outcome = await screen(dir, out);
  assert.equal(outcome.meta?.quality.withoutPatient, 0);
  assert.ok(readFileSync(out).equals(readFileSync(plain)), 'the same decisions');
});

test('a medicationReference written as urn:uuid:<id> names the Medication of that id in the export', async () => {
  const dir = join(pop.dir, 'urn-medication');
  cpSync(pop.ndjson, dir, { recursive: true });
  const medications: string[] = [];
  const requests = readFileSync(join(dir, 'MedicationRequest.ndjson'), 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const r = JSON.parse(l) as Record<string, unknown>;
      const id = `0d6f3a4e-0000-4000-8000-${String(medications.length).padStart(12, '0')}`;
      medications.push(JSON.stringify({ resourceType: 'Medication', id, code: r['medicationCodeableConcept'] }));
      delete r['medicationCodeableConcept'];
      r['medicationReference'] = { reference: `urn:uuid:${id}` };
      return JSON.stringify(r);
    });
  assert.ok(medications.length > 0);
  writeFileSync(join(dir, 'MedicationRequest.ndjson'), `${requests.join('\n')}\n`);
  writeFileSync(join(dir, 'Medication.ndjson'), `${medications.join('\n')}\n`);
  const out = join(pop.dir, 'urn-medication.ndjson');
  const outcome = await screen(dir, out);
  assert.equal(outcome.meta?.quality.withoutPatient, 0);
  assert.ok(readFileSync(out).equals(readFileSync(plain)), 'the same decisions as with the medication coded inline');
});

test('medication references to no Medication of the export are counted and reported (Medication left out of _type)', async () => {
  const dir = join(pop.dir, 'no-medication-file');
  cpSync(pop.ndjson, dir, { recursive: true });
  let requests = 0;
  const lines = readFileSync(join(dir, 'MedicationRequest.ndjson'), 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l, i) => {
      const r = JSON.parse(l) as Record<string, unknown>;
      delete r['medicationCodeableConcept'];
      // As an Epic export writes it; the Medication file was not requested.
      r['medicationReference'] = { reference: `Medication/e${i}`, display: 'see Medication' };
      requests++;
      return JSON.stringify(r);
    });
  writeFileSync(join(dir, 'MedicationRequest.ndjson'), `${lines.join('\n')}\n`);
  const out = join(pop.dir, 'no-medication-file.ndjson');
  const outcome = await screen(dir, out);
  const meta = outcome.meta;
  assert.ok(meta !== undefined);
  assert.equal(meta.quality.medicationsNotInExport, requests);
  const summary = await summarize(out, meta, 3);
  const html = await renderScreenReport(summary, reportContextOf(meta));
  assert.match(
    html,
    new RegExp(`Medication references that name no Medication of the export[^<]*</td><td>${requests}<`),
  );
  // The export with its medicines: none missing.
  assert.equal(
    (await screen(pop.ndjson, join(pop.dir, 'with-medication.ndjson'))).meta?.quality.medicationsNotInExport,
    0,
  );
});

test('a urn:uuid reference to no Patient of the export names no patient, and makes no line of its own', async () => {
  const dir = join(pop.dir, 'urn-unknown');
  cpSync(pop.ndjson, dir, { recursive: true });
  const orphan = {
    resourceType: 'Condition',
    id: 'orphan',
    subject: { reference: 'urn:uuid:2b1f5a0e-0000-4000-8000-000000000000' },
    code: { coding: [{ system: 'http://snomed.info/sct', code: '35489007' }] },
  };
  writeFileSync(
    join(dir, 'Condition.ndjson'),
    `${readFileSync(join(dir, 'Condition.ndjson'), 'utf8')}${JSON.stringify(orphan)}\n`,
  );
  const out = join(pop.dir, 'urn-unknown.ndjson');
  const outcome = await screen(dir, out);
  assert.equal(outcome.meta?.quality.withoutPatient, 1);
  assert.ok(readFileSync(out).equals(readFileSync(plain)), 'no line for the unknown reference');
});

test('resources that name no patient the screen can read are counted in the report, not only in the .meta.json', async () => {
  const dir = copyWith('unreadable-refs', (l) =>
    l.replaceAll('"reference":"Patient/', '"reference":"Patient?identifier=http://example.org/fhir/mrn|'),
  );
  const out = join(pop.dir, 'unreadable-refs.ndjson');
  const outcome = await screen(dir, out);
  const meta = outcome.meta;
  assert.ok(meta !== undefined && meta.quality.withoutPatient > 0);
  const summary = await summarize(out, meta, 3);
  assert.equal(summary.dataQuality.withoutPatient, meta.quality.withoutPatient);
  const html = await renderScreenReport(summary, reportContextOf(meta));
  assert.match(html, new RegExp(`Resources that name no patient[^<]*</td><td>${meta.quality.withoutPatient}<`));
});

test('files named as the SMART bulk-data-client names them (1.Patient.ndjson) are read as Patient.ndjson', async () => {
  const dir = join(pop.dir, 'numbered');
  cpSync(pop.ndjson, dir, { recursive: true });
  rmSync(join(dir, 'ground-truth.ndjson'), { force: true });
  const files = readdirSync(dir).filter((x) => x.endsWith('.ndjson'));
  files.forEach((f, i) => renameSync(join(dir, f), join(dir, `${i + 1}.${f}`)));
  const out = join(pop.dir, 'numbered.ndjson');
  await screen(dir, out);
  assert.ok(readFileSync(out).equals(readFileSync(plain)), 'the same decisions');
});

test('an NDJSON file whose name gives no resource type is named as not read, never skipped in silence', () => {
  const dir = join(pop.dir, 'unnamed');
  mkdirSync(dir);
  for (const f of [
    'Patient.ndjson',
    '2.Condition.ndjson.gz',
    '4711.ndjson',
    'log.ndjson',
    'ground-truth.ndjson',
    'notes.txt',
  ]) {
    writeFileSync(join(dir, f), '');
  }
  assert.deepEqual(filesNotRead(dir), [join(dir, '4711.ndjson'), join(dir, 'log.ndjson')]);
});
