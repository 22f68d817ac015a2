/**
 * The per-system code index built at load (build-index.ts buildCodeIndex) against the plain reading of the code-set
 * files: for any coding, the entry a set matches is its exact entry (after the system's normalisation) or else its
 * longest prefix entry. Checked over every code of every set, with and without the trial code sets, plus sub-codes,
 * case and punctuation variants, system aliases and codes in no set (fast-check, fixed seed).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { loadTrials } from '../trials/load.ts';
import type { Coding } from '../record/index.ts';
import type { CodeEntry, Knowledge } from './index.ts';
import { codeMembership, matchCoding, normalizeCode, resolveAntidepressant } from './index.ts';
import { loadKnowledge } from './load.ts';

const pathwayKnowledge = loadKnowledge();
const trialKnowledge = loadTrials(pathwayKnowledge).knowledge;

/** The reference reading: scan the set's entries. */
function scan(k: Knowledge, setId: string, coding: Coding): CodeEntry | undefined {
  if (coding.system === undefined || coding.code === undefined) return undefined;
  const rule = k.index.systems.get(coding.system.trim());
  if (rule === undefined) return undefined;
  const code = normalizeCode(coding.code, rule.normalize);
  if (code === '') return undefined;
  let best: { entry: CodeEntry; length: number } | undefined;
  for (const entry of k.codeSets.get(setId)?.codes ?? []) {
    if (entry.system !== rule.uri) continue;
    const own = normalizeCode(entry.code, rule.normalize);
    if (entry.match !== 'prefix' && own === code) return entry;
    if (entry.match === 'prefix' && rule.prefixMatching && code.startsWith(own)) {
      if (best === undefined || own.length > best.length) best = { entry, length: own.length };
    }
  }
  return best?.entry;
}

function variants(k: Knowledge): fc.Arbitrary<Coding> {
  const entries = [...k.codeSets.values()].flatMap((s) => s.codes);
  const aliases = [...k.index.systems.keys()];
  const entry = fc.constantFrom(...entries);
  return fc.oneof(
    entry.map((e) => ({ system: e.system, code: e.code })),
    fc.tuple(entry, fc.constantFrom('0', '1', '9', '.1', '.00', 'A', 'x')).map(([e, tail]) => ({
      system: e.system,
      code: `${e.code}${tail}`,
    })),
    entry.map((e) => ({ system: e.system, code: ` ${e.code.toLowerCase().replace('.', '')} ` })),
    entry.map((e) => ({ system: e.system, code: e.code.slice(0, Math.max(1, e.code.length - 1)) })),
    fc.tuple(entry, fc.constantFrom(...aliases)).map(([e, system]) => ({ system, code: e.code })),
    fc.record({ system: fc.constantFrom(...aliases, 'urn:unknown'), code: fc.string({ maxLength: 8 }) }),
  );
}

for (const [name, k] of [
  ['pathway knowledge', pathwayKnowledge],
  ['with the trial code sets', trialKnowledge],
] as const) {
  test(`every set answers as a scan of its file would (${name})`, () => {
    const setIds = [...k.codeSets.keys()];
    fc.assert(
      fc.property(variants(k), (coding) => {
        for (const setId of setIds) {
          assert.equal(
            matchCoding(k, setId, coding)?.entry,
            scan(k, setId, coding),
            `${setId} ${JSON.stringify(coding)}`,
          );
        }
      }),
      { seed: 20261129, numRuns: 3000 },
    );
  });
}

test('the antidepressant a coding names is on its exact membership, whatever the sets', () => {
  const rx = 'http://www.nlm.nih.gov/research/umls/rxnorm';
  assert.equal(
    codeMembership(pathwayKnowledge, { system: rx, code: '36437' })?.antidepressant?.ingredient,
    'sertraline',
  );
  assert.equal(
    resolveAntidepressant(trialKnowledge, { codings: [{ system: rx, code: '36437' }] })?.ingredient,
    'sertraline',
  );
  assert.equal(codeMembership(pathwayKnowledge, { system: rx, code: '364370' }), undefined);
});

test('an unknown set id is a programmer error, even for a coding in no set', () => {
  assert.throws(() => matchCoding(pathwayKnowledge, 'no-such-set', { system: 'urn:x', code: '1' }), /unknown code set/);
});

test('normalisation: codes already in normal form are returned as they are; others as before', () => {
  const cases: [string, 'icd10' | 'upper' | 'cvx' | 'exact', string][] = [
    ['F32.1', 'icd10', 'F321'],
    ['f32 1', 'icd10', 'F321'],
    ['F321', 'icd10', 'F321'],
    ['F32\u20031', 'icd10', 'F321'],
    ['n06ab06', 'upper', 'N06AB06'],
    ['N06AB06', 'upper', 'N06AB06'],
    ['03', 'cvx', '3'],
    ['0', 'cvx', '0'],
    ['140', 'cvx', '140'],
    [' 30522-7 ', 'exact', '30522-7'],
    ['\u200330522-7', 'exact', '30522-7'],
  ];
  for (const [code, rule, expected] of cases) assert.equal(normalizeCode(code, rule), expected, `${code} ${rule}`);
});
