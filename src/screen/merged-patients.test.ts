/**
 * Merged patient records in a FHIR Bulk export: an EHR that merged two charts exports both Patient resources, the
 * replaced one with `link` replaced-by the surviving one (and the survivor with `replaces`), and resources still
 * naming either. The screen reads them as one person: one line, all their data, counted once in the funnel.
 */
import assert from 'node:assert/strict';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { AS_OF, writePopulation, type Population } from './fixtures.test-support.ts';
import { mergedPatients } from './patient-links.ts';
import { reportContextOf, summarize } from './report-file.ts';
import { renderScreenReport } from './report-html.ts';
import type { ScreenLine } from './result-line.ts';
import { runScreen, screenPaths } from './run.ts';
import { openNdjsonSource } from './sources/ndjson.ts';

let pop: Population;
let plain: string;

before(async () => {
  pop = await writePopulation(120, 2718);
  plain = join(pop.dir, 'plain.ndjson');
  await screen(pop.ndjson, plain);
});

after(() => rmSync(pop.dir, { recursive: true, force: true }));

async function screen(dir: string, out: string, shard?: { index: number; count: number }) {
  const paths = screenPaths(out);
  return runScreen({
    openSource: () => openNdjsonSource({ dir, knowledge: pop.engine.knowledge, workDb: paths.workDb, shard }),
    paths,
    identity: {
      source: dir,
      asOf: AS_OF,
      pathway: pop.engine.pathway,
      engine: 'test',
      shard: shard === undefined ? '1/1' : `${shard.index + 1}/${shard.count}`,
      cutOffs: [],
    },
    engine: pop.engine,
    asOf: AS_OF,
    workers: 0,
  });
}

const linesOf = (file: string): string[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '');
const results = (file: string): ScreenLine[] => linesOf(file).map((l) => JSON.parse(l) as ScreenLine);

/**
 * A copy of the export in which each chosen patient's chart was split in two by a merge: a second Patient resource
 * (`<id>-old`, replaced-by the first, written as `link` says) holds the person's Conditions and MedicationRequests.
 */
function splitCharts(name: string, chosen: readonly string[], link: 'replaced-by' | 'replaces' | 'seealso'): string {
  const dir = join(pop.dir, name);
  cpSync(pop.ndjson, dir, { recursive: true });
  const patients = linesOf(join(dir, 'Patient.ndjson')).map((l) => JSON.parse(l) as Record<string, unknown>);
  const added: Record<string, unknown>[] = [];
  for (const p of patients) {
    if (!chosen.includes(String(p['id']))) continue;
    const old: Record<string, unknown> = { ...p, id: `${String(p['id'])}-old` };
    if (link === 'replaces') {
      p['link'] = [{ other: { reference: `Patient/${String(old.id)}` }, type: 'replaces' }];
    } else {
      // As Epic and HAPI write the replaced record's link: absolute or urn:uuid forms are read alike.
      old['link'] = [{ other: { reference: `urn:uuid:${String(p['id'])}` }, type: link }];
    }
    added.push(old);
  }
  writeFileSync(join(dir, 'Patient.ndjson'), `${[...patients, ...added].map((p) => JSON.stringify(p)).join('\n')}\n`);
  for (const file of ['Condition.ndjson', 'MedicationRequest.ndjson']) {
    const moved = linesOf(join(dir, file)).map((l) => {
      const r = JSON.parse(l) as { subject: { reference: string } };
      const id = r.subject.reference.replace('Patient/', '');
      if (chosen.includes(id)) r.subject.reference = `Patient/${id}-old`;
      return JSON.stringify(r);
    });
    writeFileSync(join(dir, file), `${moved.join('\n')}\n`);
  }
  return dir;
}

/** Patients with a depression episode the ground truth calls treatment-resistant or referable (data to lose). */
function chosenPatients(): string[] {
  const lines = results(plain);
  const rich = lines.filter((l) => l.adequateTrials >= 2).map((l) => l.patient.replace('Patient/', ''));
  assert.ok(rich.length >= 2, 'the population has treatment-resistant patients');
  return rich.slice(0, 2);
}

for (const link of ['replaced-by', 'replaces', 'seealso'] as const) {
  test(`a chart merged by Patient.link (${link}) is one person: one line, decided on all their data`, async () => {
    const chosen = chosenPatients();
    const dir = splitCharts(`split-${link}`, chosen, link);
    const out = join(pop.dir, `split-${link}.ndjson`);
    const outcome = await screen(dir, out);
    const got = results(out);
    const expected = results(plain).map((l) =>
      chosen.includes(l.patient.replace('Patient/', '')) ? { ...l, mergedRecords: [`${l.patient}-old`] } : l,
    );
    assert.deepEqual(got, expected, 'the same decisions, the merged record named on its person line');
    assert.equal(outcome.meta?.patients, expected.length, 'each person counted once');
    assert.equal(outcome.meta?.quality.mergedRecords, 2);
    assert.equal(outcome.meta?.quality.withoutPatient, 0);
    const meta = outcome.meta;
    assert.ok(meta !== undefined);
    const summary = await summarize(out, meta, 3);
    assert.equal(summary.population, expected.length);
    const html = await renderScreenReport(summary, reportContextOf(meta));
    assert.match(html, /Patient records merged into another record of the same person[^<]*<\/td><td>2</);
  });
}

test('merged records are counted once over shards, and every shard keeps a person whole', async () => {
  const chosen = chosenPatients();
  const dir = splitCharts('split-shards', chosen, 'replaced-by');
  const whole = results(join(pop.dir, 'split-replaced-by.ndjson'));
  let merged = 0;
  const lines: ScreenLine[] = [];
  for (const index of [0, 1, 2]) {
    const out = join(pop.dir, `split-shard-${index}.ndjson`);
    const outcome = await screen(dir, out, { index, count: 3 });
    merged += outcome.meta?.quality.mergedRecords ?? 0;
    lines.push(...results(out));
  }
  assert.equal(merged, 2);
  const key = (l: ScreenLine): string => l.patient;
  assert.deepEqual(
    lines.sort((a, b) => (key(a) < key(b) ? -1 : 1)),
    whole,
  );
});

test('a link to a Patient the export does not hold merges nothing: that record stays a person of its own', () => {
  const merged = mergedPatients(
    [{ patient: 'Patient/a', links: [{ other: 'Patient/elsewhere', type: 'replaced-by' }] }],
    new Set(['Patient/a']),
  );
  assert.equal(merged.size, 0);
});

test('the record that stands for a person: not replaced, not referring; chains and contradictions settle', () => {
  const inExport = new Set(['Patient/a', 'Patient/b', 'Patient/c', 'Patient/d', 'Patient/e']);
  // a replaced-by b, b replaced-by c (a chain): c stands for all three.
  const chain = mergedPatients(
    [
      { patient: 'Patient/a', links: [{ other: 'Patient/b', type: 'replaced-by' }] },
      {
        patient: 'Patient/b',
        links: [{ other: 'https://ehr.example/fhir/Patient/c/_history/2', type: 'replaced-by' }],
      },
    ],
    inExport,
  );
  assert.deepEqual([...chain].sort(), [
    ['Patient/a', 'Patient/c'],
    ['Patient/b', 'Patient/c'],
  ]);
  // d refers to e (the main record): e stands for both, though d sorts first.
  const refer = mergedPatients([{ patient: 'Patient/d', links: [{ other: 'Patient/e', type: 'refer' }] }], inExport);
  assert.deepEqual([...refer], [['Patient/d', 'Patient/e']]);
  // Each says it replaces the other: the first by id stands for both, and neither is dropped.
  const both = mergedPatients(
    [
      { patient: 'Patient/a', links: [{ other: 'Patient/b', type: 'replaces' }] },
      { patient: 'Patient/b', links: [{ other: 'Patient/a', type: 'replaces' }] },
    ],
    inExport,
  );
  assert.deepEqual([...both], [['Patient/b', 'Patient/a']]);
});
