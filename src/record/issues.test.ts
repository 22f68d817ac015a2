import assert from 'node:assert/strict';
import { describe, it, test } from 'node:test';
import { InputError, jsonErrorOffset, jsonSyntaxReason, MAX_REASON_CHARS, oneLine } from './issues.ts';

const reasonFor = (text: string): string => {
  try {
    JSON.parse(text);
  } catch (error) {
    return jsonSyntaxReason((error as Error).message, text);
  }
  return 'valid';
};

test('a JSON syntax error in a file is placed by position, line and column, even where V8 states no position', () => {
  // A trailing comma and an unquoted word: Node 20 says only "Unexpected token" and quotes the text.
  const trailingComma = '{\n  "codes": [\n    { "code": "1988-5" },\n  ]\n}';
  assert.equal(reasonFor(trailingComma), 'unexpected character at position 43 (line 4, column 3)');
  assert.equal(reasonFor('{\n  "id": crp\n}'), 'unexpected character at position 10 (line 2, column 9)');
  assert.equal(reasonFor('{"id": "crp",'), 'malformed string, number or separator at position 13 (line 1, column 14)');
  assert.doesNotMatch(reasonFor('{\n  "id": crp\n}'), /crp/, 'never a character of the text');
  // Without the text, as before: the kind, and the position only when V8 states it.
  assert.equal(jsonSyntaxReason(`Unexpected token 'c', "{"id": crp}" is not valid JSON`), 'unexpected character');
});

test('jsonErrorOffset agrees with JSON.parse on what is valid', () => {
  for (const valid of ['{}', '[]', ' {"a": [1, -2.5e3, true, false, null, "x\\u00e9\\n"]} ', '"s"', '0']) {
    assert.equal(jsonErrorOffset(valid), undefined, valid);
  }
  for (const [invalid, at] of [
    ['[1, 2,]', 6],
    ['{"a": 1,}', 8],
    ['{"a" 1}', 5],
    ['[01]', 2],
    ['"a\\x"', 2],
    ['{"a": 1} x', 9],
    ['', 0],
    ['[1', 2],
  ] as const) {
    assert.throws(() => JSON.parse(invalid));
    assert.equal(jsonErrorOffset(invalid), at, invalid);
  }
});

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
