/**
 * The ground truth is derived from what the generator planted, independently of the engine (issue 8): it calls no
 * engine function but calendar-day arithmetic, so an engine error cannot be copied into the truth it is checked
 * against. And the truth follows the pathway on the cases the generator plants near the rules' edges.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { createEngine } from '../engine/index.ts';
import { generatePopulation } from './population.ts';
import { populationOptions } from '../cli/commands/synth.ts';
import { thresholdsFrom, truthOf } from './truth.ts';

test('truth.ts imports from the engine only calendar-day arithmetic (toDayNumber), types aside', () => {
  const source = readFileSync(new URL('./truth.ts', import.meta.url), 'utf8');
  const imports = [...source.matchAll(/^import (?!type )\{([^}]*)\} from '([^']+)';$/gm)].map(([, names, from]) => ({
    from,
    names: (names ?? '').split(',').map((n) => n.trim()),
  }));
  const engineImports = imports.filter((i) => !(i.from ?? '').startsWith('./'));
  assert.deepEqual(engineImports, [{ from: '../record/index.ts', names: ['toDayNumber'] }]);
});

test('minors are those under 18 at the as-of date, by the calendar (a birthday on the as-of date is a year more)', () => {
  const t = thresholdsFrom(createEngine().knowledge);
  const asOf = '2026-11-30';
  const [p] = [...generatePopulation(populationOptions(3, asOf), 0, 1)];
  assert.ok(p !== undefined);
  const scope = (birthDate: string) => truthOf({ ...p, birthDate, deceasedDate: undefined } as never, asOf, t).scope;
  assert.equal(scope('2008-11-30'), scope('1980-01-01'), '18 on the as-of date');
  assert.equal(scope('2008-12-01'), 'minor');
  assert.equal(scope('2008-02-29'), scope('1980-01-01'));
});
