import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError, readJsonFile, resolveAsOf } from './input.ts';

describe('input reading shared by every command', () => {
  it('--as-of must be a real calendar date; absent means today (UTC)', () => {
    const later = new Date('2030-01-01T00:00:00Z');
    assert.equal(resolveAsOf('2024-02-29', later), '2024-02-29');
    assert.throws(() => resolveAsOf('2026-02-29', later), InputError);
    assert.throws(() => resolveAsOf('27/11/2026', later), /YYYY-MM-DD/);
    assert.throws(() => resolveAsOf('2030-01-02', later), /after today \(2030-01-01\).*--allow-future-as-of/);
    assert.equal(resolveAsOf('2030-01-02', later, true), '2030-01-02');
    assert.equal(resolveAsOf(undefined, new Date('2026-11-27T23:30:00Z')), '2026-11-27');
  });
  it('reads the seed vignette; a missing file is an InputError naming it', () => {
    const root = join(import.meta.dirname, '..', '..');
    assert.equal(
      (readJsonFile(join(root, 'examples', 'seed-vignette.json')) as { resourceType: string }).resourceType,
      'Bundle',
    );
    assert.throws(
      () => readJsonFile(join(root, 'no-such-file.json')),
      (e: unknown) => {
        return e instanceof InputError && /^cannot read .*no-such-file\.json/.test(e.message);
      },
    );
  });
});

describe('JSON syntax errors never echo the file text (it may be patient data)', () => {
  it('short and long (V8 "...") excerpts are both dropped', () => {
    const dir = mkdtempSync(join(tmpdir(), 'trd-read-'));
    try {
      for (const [name, text] of [
        ['short.json', '{"name": Jane Doe}'],
        ['long.json', `{"padding": "${'x'.repeat(200)}", "name": Jane Doe}`],
      ] as const) {
        const file = join(dir, name);
        writeFileSync(file, text);
        assert.throws(
          () => readJsonFile(file),
          (e: unknown) => e instanceof InputError && /is not valid JSON/.test(e.message) && !/Doe/.test(e.message),
        );
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
