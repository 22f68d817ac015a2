/**
 * Calendar arithmetic: integer days_from_civil must agree with the JavaScript Date calendar (proleptic Gregorian, UTC)
 * on every date, partial date and malformed string, and take years 0000-0099 literally.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ageInYears, fromDayNumber, toDayNumber } from './dates.ts';

const MS_PER_DAY = 86_400_000;

/** The Date calendar as the reference (valid for years 100-9999, where Date.UTC reads the year literally). */
function reference(value: string, bound: 'start' | 'end'): number | undefined {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?/.exec(value.trim());
  if (!m) return undefined;
  const year = Number(m[1]);
  if (m[2] === undefined) return (bound === 'start' ? Date.UTC(year, 0, 1) : Date.UTC(year, 11, 31)) / MS_PER_DAY;
  const month = Number(m[2]) - 1;
  if (month < 0 || month > 11) return undefined;
  if (m[3] === undefined) {
    return (bound === 'start' ? Date.UTC(year, month, 1) : Date.UTC(year, month + 1, 0)) / MS_PER_DAY;
  }
  const day = Number(m[3]);
  const ms = Date.UTC(year, month, day);
  return new Date(ms).getUTCDate() === day ? ms / MS_PER_DAY : undefined;
}

const digits = (n: number) => fc.integer({ min: 0, max: 10 ** n - 1 }).map((x) => String(x).padStart(n, '0'));

test('toDayNumber agrees with the Date calendar on dates, partial dates and junk (years 100-9999)', () => {
  const year = fc.integer({ min: 100, max: 9999 }).map((y) => String(y).padStart(4, '0'));
  const text = fc.oneof(
    fc
      .tuple(year, digits(2), digits(2), fc.constantFrom('', 'T10:00:00Z', '+01:00', 'x'))
      .map(([y, m, d, t]) => `${y}-${m}-${d}${t}`),
    fc.tuple(year, digits(2)).map(([y, m]) => `${y}-${m}`),
    year,
    fc
      .tuple(fc.constantFrom(' ', '\t', '\u00a0'), year, digits(2), digits(2))
      .map(([w, y, m, d]) => `${w}${y}-${m}-${d}`),
    fc.string(),
  );
  fc.assert(
    fc.property(text, fc.constantFrom('start' as const, 'end' as const), (value, bound) => {
      assert.equal(toDayNumber(value, bound), reference(value, bound), value);
    }),
    { seed: 20261129, numRuns: 20_000 },
  );
});

test('fromDayNumber inverts toDayNumber; years 0000-0099 are literal', () => {
  fc.assert(
    fc.property(fc.integer({ min: -719_528, max: 2_932_896 }), (day) => {
      assert.equal(toDayNumber(fromDayNumber(day)), day);
    }),
    { seed: 7, numRuns: 20_000 },
  );
  assert.equal(fromDayNumber(0), '1970-01-01');
  assert.equal(fromDayNumber(toDayNumber('0045-03-01') ?? NaN), '0045-03-01');
  assert.ok((toDayNumber('0045-03-01') ?? 0) < (toDayNumber('1945-03-01') ?? 0) - 365 * 1800);
  assert.equal(toDayNumber('2024-02-29'), 19_782);
  assert.equal(toDayNumber('2023-02-29'), undefined);
  assert.equal(toDayNumber('2024-13-01'), undefined);
  assert.equal(toDayNumber('2024-02', 'end'), toDayNumber('2024-02-29'));
});

test('ageInYears counts whole years, the birthday itself included', () => {
  const on = (d: string) => toDayNumber(d) ?? NaN;
  assert.equal(ageInYears('2008-11-27', on('2026-11-27')), 18);
  assert.equal(ageInYears('2008-11-28', on('2026-11-27')), 17);
  assert.equal(ageInYears('2008-02-29', on('2026-02-28')), 17);
  assert.equal(ageInYears('2008-02-29', on('2026-03-01')), 18);
  assert.equal(ageInYears(undefined, 0), undefined);
});
