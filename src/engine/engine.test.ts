import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { createEngine, InputError } from './index.ts';
import { readBundle } from './engine.ts';

const seed = JSON.parse(readFileSync(new URL('../../examples/seed-vignette.json', import.meta.url), 'utf8')) as unknown;

test('createEngine: the seed vignette is referred to a trial, and matched against every bundled trial', () => {
  const engine = createEngine();
  const assessment = engine.assess(seed, { asOf: '2026-11-27' });
  assert.equal(assessment.recommendation.code, 'refer-to-trial');
  const matches = engine.match(seed, { asOf: '2026-11-27' });
  assert.equal(matches.length, engine.protocols.length);
  assert.equal(engine.match(seed, { asOf: '2026-11-27', trials: ['insight'] }).length, 1);
});

test('createEngine: bad input throws InputError with a one-line reason', () => {
  const engine = createEngine();
  assert.throws(() => engine.assess({ resourceType: 'Patient' }, { asOf: '2026-11-27' }), InputError);
  assert.throws(() => engine.assess(seed, { asOf: '27/11/2026' }), /asOf must be a calendar date/);
  assert.throws(() => engine.match(seed, { asOf: '2026-11-27', trials: ['nope'] }), InputError);
  // Which of the ids asked for is unknown: the typo in a list of several.
  assert.throws(
    () => engine.match(seed, { asOf: '2026-11-27', trials: ['insight', 'NCT0705258'] }),
    /^InputError: unknown trial 'NCT0705258' \(known: insight, /,
  );
});

test('assessAndMatchRecord (facts derived once) equals assessRecord and matchRecord for every vignette and demo patient', () => {
  const engine = createEngine();
  const read = (path: string) => JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as unknown;
  const vignettes = read('../../test/fixtures/vignettes/manifest.json') as {
    vignettes: { file: string; asOf: string }[];
  };
  const demo = read('../../examples/demo/index.json') as { asOf: string; patients: { file: string }[] };
  const cases = [
    ...vignettes.vignettes.map((v) => ({ path: `../../test/fixtures/vignettes/${v.file}`, asOf: v.asOf })),
    ...demo.patients.map((p) => ({ path: `../../examples/demo/${p.file}`, asOf: demo.asOf })),
  ];
  assert.ok(cases.length > 20);
  for (const { path, asOf } of cases) {
    const record = readBundle(read(path));
    const both = engine.assessAndMatchRecord(record, { asOf });
    assert.deepEqual(both.assessment, engine.assessRecord(record, { asOf }), path);
    assert.deepEqual(both.matches(), engine.matchRecord(record, { asOf }), path);
    assert.equal(both.matches(), both.matches(), 'matched once');
  }
  assert.throws(() => engine.assessAndMatchRecord(readBundle(seed), { asOf: '2026-11-31' }), InputError);
});
