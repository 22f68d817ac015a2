import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { asOfDate, InputError, jsonSyntaxReason } from './read-bundle.ts';

describe('input reading helpers', () => {
  it('JSON syntax errors keep the position but never the quoted text (it may be patient data)', () => {
    let message = '';
    try {
      JSON.parse('{"name": Jane Doe}');
    } catch (e) {
      message = (e as Error).message;
    }
    const reason = jsonSyntaxReason(message);
    assert.doesNotMatch(reason, /Doe/);
    assert.match(reason, /position \d+|Unexpected token/);
  });
  it('--as-of must be a real calendar date; absent means today (UTC)', () => {
    assert.equal(asOfDate('2024-02-29', new Date(0)), '2024-02-29');
    assert.throws(() => asOfDate('2026-02-29', new Date(0)), InputError);
    assert.throws(() => asOfDate('27/11/2026', new Date(0)), /YYYY-MM-DD/);
    assert.equal(asOfDate(undefined, new Date('2026-11-27T23:30:00Z')), '2026-11-27');
  });
});
