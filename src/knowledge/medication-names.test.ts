/**
 * The word-by-word reading of medication names (medication-names.ts namesInText, used while every name is one word)
 * against the whole-word pattern it stands in for: the same names, in the same order, for any text. Texts are built
 * from the knowledge's own names (any case, in runs of word characters or not) and of words and separators around
 * them (fast-check, fixed seed), with the trial lists' names read too.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { loadTrials } from '../trials/load.ts';
import type { Knowledge, MedicationName } from './index.ts';
import { loadKnowledge } from './load.ts';
import { namesInText } from './medication-names.ts';

const knowledge = loadTrials(loadKnowledge()).knowledge;
const names = [...knowledge.index.medicationNames.byName.values()].map((n) => n.name);
/** The same knowledge read through the pattern alone. */
const byPattern: Knowledge = {
  ...knowledge,
  index: { ...knowledge.index, medicationNames: { ...knowledge.index.medicationNames, singleWordNames: false } },
};

const read = (k: Knowledge, text: string): string[] => {
  const out: MedicationName[] = [];
  namesInText(k, text, out);
  return out.map((n) => n.name);
};

test('every name is one word, so texts are read word by word', () => {
  assert.ok(names.length > 50);
  assert.equal(knowledge.index.medicationNames.singleWordNames, true);
});

test('word by word and the pattern read the same names in the same order from any text', () => {
  const piece = fc.oneof(
    fc.constantFrom(...names).chain((n) => fc.constantFrom(n, n.toUpperCase(), n[0]!.toUpperCase() + n.slice(1))),
    fc.constantFrom(' ', '-', '/', ', ', '(', ')', '1', '_', 'é', '400', 'mg', 'tablet', 'x', '\u212a', 'İ'),
    fc.string({ maxLength: 6 }),
  );
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
      const text = pieces.join('');
      assert.deepEqual(read(knowledge, text), read(byPattern, text), JSON.stringify(text));
    }),
    { seed: 20261130, numRuns: 3000 },
  );
});

test('a name inside a longer word is not read; one between separators is, once', () => {
  assert.deepEqual(read(knowledge, 'Ibuprofen400 mg'), []);
  assert.deepEqual(read(knowledge, 'IBUPROFEN 400 mg, ibuprofen again; prednisolone-eye'), [
    'ibuprofen',
    'prednisolone',
  ]);
  assert.deepEqual(read(knowledge, 'ACTEMRA 162 mg'), ['Actemra']);
});
