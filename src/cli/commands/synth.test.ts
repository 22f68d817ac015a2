/**
 * `trd synth --out DIR` on a folder that already holds a population: an earlier synthetic population (its
 * ground-truth.ndjson says trd synth wrote it) is replaced whole, never left beside the new one for a screen of the
 * folder to read with it; a folder holding an export that trd synth did not write is refused, never written over.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { trd } from '../run.test-support.ts';

const dir = mkdtempSync(join(tmpdir(), 'trd-synth-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const synth = (out: string, ...more: string[]) =>
  trd(['synth', '--patients', '12', '--seed', '3', '--as-of', '2026-11-27', '--out', out, ...more]);

test('an earlier synthetic population in the folder is replaced whole, in whatever format it was written', async () => {
  const out = join(dir, 'again');
  assert.equal((await synth(out)).code, 0);
  const plain = readdirSync(out).sort();
  const again = await synth(out, '--gzip');
  assert.equal(again.code, 0, again.stderr);
  const files = readdirSync(out).sort();
  assert.ok(
    files.every((f) => f === 'ground-truth.ndjson' || f.endsWith('.ndjson.gz')),
    `only the new population: ${files.join(', ')}`,
  );
  assert.equal(readFileSync(join(out, 'ground-truth.ndjson'), 'utf8').trim().split('\n').length, 12);
  const omop = await synth(out, '--format', 'omop-csv');
  assert.equal(omop.code, 0, omop.stderr);
  assert.ok(!readdirSync(out).some((f) => /\.ndjson\.gz$/.test(f)), 'no NDJSON left beside the OMOP tables');
  const back = await synth(out);
  assert.equal(back.code, 0, back.stderr);
  assert.deepEqual(readdirSync(out).sort(), plain, 'no OMOP table left beside the NDJSON');
});

test('a folder holding an export trd synth did not write is refused and left as it was', async () => {
  const out = join(dir, 'real-export');
  mkdirSync(out);
  writeFileSync(join(out, 'Patient.ndjson'), '{"resourceType":"Patient","id":"real"}\n');
  const r = await synth(out);
  assert.equal(r.code, 2);
  assert.match(
    r.stderr,
    /^trd: --out .*real-export holds an export that trd synth did not write \(Patient\.ndjson\); give an empty or new folder\n$/,
  );
  assert.deepEqual(readdirSync(out), ['Patient.ndjson']);
  assert.equal(readFileSync(join(out, 'Patient.ndjson'), 'utf8'), '{"resourceType":"Patient","id":"real"}\n');
});

test('a --pathway that cannot be read is refused before the folder is touched: an earlier population stays', async () => {
  const out = join(dir, 'kept');
  assert.equal((await synth(out)).code, 0);
  const before = readdirSync(out).sort();
  const truth = readFileSync(join(out, 'ground-truth.ndjson'), 'utf8');
  const r = await synth(out, '--pathway', join(dir, 'no-such-pathway.json'));
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^trd: invalid pathway: .*no-such-pathway\.json: \(file\): file not found\n$/);
  assert.deepEqual(readdirSync(out).sort(), before, 'the earlier population is whole');
  assert.equal(readFileSync(join(out, 'ground-truth.ndjson'), 'utf8'), truth);
  // And a new folder is not made for a command that does nothing.
  const fresh = join(dir, 'never-made');
  assert.equal((await synth(fresh, '--pathway', join(dir, 'no-such-pathway.json'))).code, 2);
  assert.equal(existsSync(fresh), false);
});
