/**
 * Units given only as text reach the converter as candidate UCUM expressions (docs/care-pathway.md, definition 5):
 * one that is not UCUM is refused before the UCUM library, which prints the unit string of an expression it cannot
 * parse to stdout (that would corrupt `trd assess --json` and echo input).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { convertQuantity, isUcum } from './index.ts';

test('a unit with spaces is refused before the UCUM library, and nothing is printed', () => {
  const printed: unknown[] = [];
  const log = console.log;
  console.log = (...args: unknown[]) => printed.push(args);
  try {
    const r = convertQuantity({ value: 7, ucum: 'milligrams per litre' }, 'mg/L');
    assert.equal(r.ok, false);
    assert.equal(isUcum('mg per L'), false);
    const valid = convertQuantity({ value: 0.7, ucum: 'mg/dL' }, 'mg/L');
    assert.deepEqual(valid, { ok: true, value: 7 });
  } finally {
    console.log = log;
  }
  assert.deepEqual(printed, []);
});
