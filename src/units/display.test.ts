import assert from 'node:assert/strict';
import { test } from 'node:test';
import { unitForReading } from './display.ts';

test('a UCUM power of ten reads as a lab report writes it; other units as they are', () => {
  assert.equal(unitForReading('10*9/L'), 'x10^9/L');
  assert.equal(unitForReading('10*12/L'), 'x10^12/L');
  assert.equal(unitForReading('U/L'), 'U/L');
  assert.equal(unitForReading('mg/L'), 'mg/L');
});
