import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import { toDayNumber } from '../record/index.ts';
import { isFhirDate, readArray } from './read.ts';
import { createEngine } from '../engine/index.ts';

// The adapter's fast date check must accept exactly what the engine's toDayNumber accepts (except surrounding
// whitespace, which the adapter refuses).
const agrees = (s: string): boolean => isFhirDate(s) === (toDayNumber(s) !== undefined);

test('isFhirDate agrees with toDayNumber on boundary dates', () => {
  const cases = ['2024', '2024-02', '2024-13', '2024-00', '2024-02-29', '2023-02-29', '1900-02-29', '2000-02-29'];
  cases.push('2024-04-31', '2024-04-30T10:00:00Z', '2024-04-30X', '20240430', '2024-4-30', '2024-04-3', 'abcd');
  cases.push('2024-04-00', '2024-12-31T23:59:59+14:00', '0000-01-01', '2024-04-301', '2024-04-3X', '');
  for (const c of cases) assert.ok(agrees(c), c);
  assert.equal(isFhirDate('2023-02-29'), false);
  assert.equal(isFhirDate('2024-02-29T08:00:00Z'), true);
});

test('isFhirDate agrees with toDayNumber on generated date-like strings', () => {
  const digit = fc.constantFrom(...'0123456789');
  const part = (n: number) => fc.array(digit, { minLength: n, maxLength: n }).map((d) => d.join(''));
  const dateLike = fc
    .tuple(part(4), fc.option(part(2)), fc.option(part(2)), fc.constantFrom('', 'T10:00:00Z', 'X', '1'))
    .map(([y, m, d, tail]) => `${y}${m === null ? '' : `-${m}`}${m !== null && d !== null ? `-${d}` : ''}${tail}`);
  fc.assert(fc.property(dateLike, agrees), { numRuns: 2000, seed: 7 });
});

test('one value sent where a list is wanted is read as a list of one, with a warning; nothing else is guessed', () => {
  const issues: { code: string; message: string }[] = [];
  const ctx = { ref: 'Condition/c1', issues: issues as never[] };
  const coding = { system: 'http://snomed.info/sct', code: '35489007' };
  assert.deepEqual(readArray(ctx, coding, 'code.coding'), [coding]);
  assert.deepEqual(readArray(ctx, [coding], 'code.coding'), [coding]);
  assert.deepEqual(readArray(ctx, undefined, 'code.coding'), []);
  assert.deepEqual(
    issues.map((i) => i.message),
    ['code.coding should be an array; read as a list of one'],
  );
});

test('a depression diagnosis whose coding is one object, not a list, still puts the patient in scope', () => {
  // The seed vignette with each Condition's coding list replaced by its first coding: before, every diagnosis read
  // as absent and the patient as out of scope (no depression), with only a malformed-element warning.
  const bundle = JSON.parse(readFileSync('examples/seed-vignette.json', 'utf8')) as {
    entry: { resource: { resourceType: string; code?: { coding?: unknown } } }[];
  };
  for (const { resource } of bundle.entry) {
    const coding = resource.code?.coding;
    if (resource.resourceType === 'Condition' && Array.isArray(coding))
      (resource.code as { coding: unknown }).coding = coding[0];
  }
  const assessment = createEngine().assess(bundle, { asOf: '2026-11-27' });
  assert.equal(assessment.recommendation.code, 'refer-to-trial');
  assert.ok(
    assessment.issues.some((i) => i.code === 'fhir.element.malformed' && /read as a list of one/.test(i.message)),
  );
});
