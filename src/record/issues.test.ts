import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InputError, MAX_REASON_CHARS, oneLine } from './issues.ts';

describe('oneLine: the one printable line of a reason', () => {
  it('a line too long loses its middle, so the reason after a long value stays', () => {
    const path = `/data/${'a'.repeat(5000)}.json`;
    const line = oneLine(`cannot read ${path}: name too long`);
    assert.equal(line.length, MAX_REASON_CHARS);
    assert.match(line, /^cannot read \/data\/a+\.\.\.a+\.json: name too long$/);
    assert.match(
      new InputError(`--as-of ${'9'.repeat(1000)} (see trd assess --help)`).message,
      /\(see trd assess --help\)$/,
    );
  });
  it('a short line is kept whole; line breaks and control characters are made printable', () => {
    assert.equal(oneLine('x'.repeat(MAX_REASON_CHARS)), 'x'.repeat(MAX_REASON_CHARS));
    assert.equal(oneLine('a\n  b\u001b[2Jc'), 'a b?[2Jc');
  });
});
