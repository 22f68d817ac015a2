/**
 * The library entry point as an embedding application uses it: `import { createEngine } from 'precision-trd'`, which
 * resolves through package.json `exports` to the build (dist/engine/index.js, types dist/engine/index.d.ts; `npm ci`
 * builds it, or `npm run build`).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createEngine, InputError, type Assessment, type TrialMatchResult } from 'precision-trd';

const ROOT = join(import.meta.dirname, '..');
const seed = JSON.parse(readFileSync(join(ROOT, 'examples', 'seed-vignette.json'), 'utf8')) as unknown;

test('package.json exports "." with types, both present in the build', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    exports: Record<string, { types: string; default: string }>;
    files: string[];
  };
  const main = pkg.exports['.']!;
  assert.equal(main.default, './dist/engine/index.js');
  assert.equal(main.types, './dist/engine/index.d.ts');
  for (const path of [main.default, main.types]) assert.ok(existsSync(join(ROOT, path)), `${path} (npm run build)`);
  assert.ok(pkg.files.includes('dist/') && pkg.files.includes('knowledge/'));
});

test('createEngine() assesses and matches a parsed Bundle, as the README example does', () => {
  const engine = createEngine();
  const assessment: Assessment = engine.assess(seed, { asOf: '2026-11-27' });
  assert.equal(assessment.schema, 'precision-trd/assessment@1');
  assert.equal(assessment.recommendation.code, 'refer-to-trial');
  const results: TrialMatchResult[] = engine.match(seed, { asOf: '2026-11-27' });
  assert.ok(results.length >= 3);
  assert.ok(results.every((r) => r.schema === 'precision-trd/trial-match@1'));
});

test('bad input throws the exported InputError with a one-line reason', () => {
  const engine = createEngine();
  for (const bad of [null, 'text', { resourceType: 'Patient' }, { resourceType: 'Bundle', entry: [] }]) {
    assert.throws(
      () => engine.assess(bad, { asOf: '2026-11-27' }),
      (e: unknown) => e instanceof InputError && !e.message.includes('\n') && e.message.length > 0,
    );
  }
  assert.throws(() => engine.assess(seed, { asOf: '27/11/2026' }), InputError);
  assert.throws(() => createEngine({ pathway: join(ROOT, 'no-such-pathway.json') }), InputError);
});
