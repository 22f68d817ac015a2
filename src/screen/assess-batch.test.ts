/**
 * One patient whose records meet a defect of the engine is that patient's error line, not the end of the screen
 * (docs/screening.md, "Interruptions, errors and data quality"): the others are assessed, and the line names the kind
 * of error only, never its message (which may quote the record).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { createEngine } from '../engine/index.ts';
import type { Engine } from '../engine/index.ts';
import { assessBatch } from './assess-batch.ts';

const engine = createEngine();
const AS_OF = '2026-11-27';
const seed = JSON.parse(readFileSync(new URL('../../examples/seed-vignette.json', import.meta.url), 'utf8')) as {
  entry: { resource: Record<string, unknown> }[];
};
const resources = seed.entry.map((e) => e.resource);

test('an engine defect on one patient is its error line; the screen goes on with the next', () => {
  // The real engine, with a fault injected for one patient's bundle.
  const faulty: Engine = {
    ...engine,
    assess: (bundle, options) => {
      const entries = (bundle as { entry: { resource: { id?: string } }[] }).entry;
      if (entries.some((e) => e.resource.id === 'broken')) throw new TypeError('secret value 123 in the record');
      return engine.assess(bundle, options);
    },
  };
  const broken = resources.map((r) => (r['resourceType'] === 'Patient' ? { ...r, id: 'broken' } : r));
  const out = assessBatch(faulty, [], AS_OF, [
    { patient: 'Patient/seed-patient', resources },
    { patient: 'Patient/broken', resources: broken },
    { patient: 'Patient/seed-patient', resources },
  ]);
  const lines = out.text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { recommendation: { code: string }; error?: string });
  assert.deepEqual(
    lines.map((l) => l.recommendation.code),
    ['refer-to-trial', 'not-assessed', 'refer-to-trial'],
  );
  assert.equal(out.notAssessed, 1);
  assert.match(lines[1]?.error ?? '', /^internal error \(TypeError\)/);
  assert.doesNotMatch(lines[1]?.error ?? '', /secret|123/);
});
