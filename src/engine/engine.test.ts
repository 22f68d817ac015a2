import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { createEngine, InputError } from './index.ts';

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
});
