import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ageInYears, fromDayNumber, isIsoDate, toDayNumber } from './dates.ts';

test('years 0000-0099 are read as written, never as 1900-1999', () => {
  assert.equal(fromDayNumber(toDayNumber('0045-06-01')!), '0045-06-01');
  assert.equal(fromDayNumber(toDayNumber('0000-01-01')!), '0000-01-01');
  assert.equal(fromDayNumber(toDayNumber('0099', 'end')!), '0099-12-31');
  assert.equal(fromDayNumber(toDayNumber('0012-02', 'end')!), '0012-02-29');
  assert.ok(toDayNumber('0045-06-01')! < toDayNumber('1945-06-01')!);
  assert.equal(isIsoDate('0001-02-29'), false);
  // Born in year 45: 1981 years old in 2026, an impossible age the pathway's own checks then see.
  assert.equal(ageInYears('0045-06-01', toDayNumber('2026-11-27')!), 1981);
  assert.equal(fromDayNumber(toDayNumber('1981-03-15')!), '1981-03-15');
});
