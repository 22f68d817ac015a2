import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Concept } from '../record/index.ts';
import {
  antidepressantIngredient,
  conceptInCodeSet,
  inCodeSet,
  matchCoding,
  matchConceptInSets,
  resolveAntidepressant,
  systemRule,
  unverifiedEntries,
  unverifiedMinimumDose,
  usesCoding,
} from './index.ts';
import { loadKnowledge } from './load.ts';

const k = loadKnowledge();
const ICD = 'http://hl7.org/fhir/sid/icd-10';
const CM = 'http://hl7.org/fhir/sid/icd-10-cm';
const SCT = 'http://snomed.info/sct';
const RX = 'http://www.nlm.nih.gov/research/umls/rxnorm';
const concept = (...codings: { system: string; code: string }[]): Concept => ({ codings });

test('ICD-10 codes match with or without the dot and in any case', () => {
  for (const code of ['F32.1', 'F321', 'f32.1', ' F32.1 ']) {
    assert.equal(inCodeSet(k, 'depression', { system: ICD, code }), true, code);
  }
  assert.equal(inCodeSet(k, 'depression', { system: CM, code: 'f32a' }), true);
});

test('prefix entries cover sub-codes; exact entries do not', () => {
  // WHO F32.0 is a prefix entry: F32.00 / F32.01 (somatic syndrome) match.
  assert.equal(matchCoding(k, 'depression', { system: ICD, code: 'F32.01' })?.entry.code, 'F32.0');
  // ICD-10-CM F32.0 is exact: a made-up F32.09 does not match it.
  assert.equal(inCodeSet(k, 'depression', { system: CM, code: 'F32.09' }), false);
  // Infection: J18 prefix covers J18.9, but not the shorter J1 or a category outside J00-J22 (J30).
  assert.equal(matchCoding(k, 'infection-active', { system: CM, code: 'J18.9' })?.entry.code, 'J18');
  assert.equal(inCodeSet(k, 'infection-active', { system: CM, code: 'J1' }), false);
  assert.equal(inCodeSet(k, 'infection-active', { system: CM, code: 'J30' }), false);
  // ATC group prefix: any M01A NSAID matches; SNOMED never matches by prefix.
  assert.equal(inCodeSet(k, 'nsaids', { system: 'http://www.whocc.no/atc', code: 'm01ae01' }), true);
  assert.equal(inCodeSet(k, 'depression', { system: SCT, code: '3701430001' }), false);
});

test('remission codes are not depression but are found in the remission set', () => {
  for (const coding of [
    { system: ICD, code: 'F33.4' },
    { system: CM, code: 'F33.41' },
    { system: CM, code: 'F32.5' },
    { system: SCT, code: '46244001' },
  ]) {
    assert.equal(inCodeSet(k, 'depression', coding), false, `${coding.code} must not count as depression`);
    assert.equal(inCodeSet(k, 'depression-remission', coding), true, `${coding.code} is a remission code`);
  }
  const m = matchConceptInSets(k, ['depression', 'depression-remission'], concept({ system: CM, code: 'F33.42' }));
  assert.equal(m?.setId, 'depression-remission');
});

test('systems: OID aliases resolve, unknown systems and missing codes never match', () => {
  assert.equal(inCodeSet(k, 'depression', { system: 'urn:oid:2.16.840.1.113883.6.96', code: '370143000' }), true);
  assert.equal(inCodeSet(k, 'depression', { system: 'http://example.org/other', code: '370143000' }), false);
  // A trailing slash on a known URI is the same system, for every reader of the index.
  assert.equal(inCodeSet(k, 'depression', { system: 'http://snomed.info/sct/', code: '370143000' }), true);
  assert.equal(usesCoding(k, 'http://snomed.info/sct//', '370143000'), true);
  assert.equal(systemRule(k, ' http://loinc.org/ ')?.uri, 'http://loinc.org');
  assert.equal(inCodeSet(k, 'depression', { system: 'http://snomed.info/sct/x', code: '370143000' }), false);
  assert.equal(inCodeSet(k, 'depression', { code: 'F32.1' }), false);
  assert.equal(inCodeSet(k, 'depression', { system: ICD }), false);
  assert.equal(conceptInCodeSet(k, 'depression', { codings: [], text: 'major depression' }), false);
  assert.throws(() => inCodeSet(k, 'no-such-set', { system: ICD, code: 'F32.1' }), /unknown code set "no-such-set"/);
});

test('CVX codes compare without leading zeros', () => {
  assert.equal(inCodeSet(k, 'live-vaccines', { system: 'http://hl7.org/fhir/sid/cvx', code: '3' }), true);
  assert.equal(inCodeSet(k, 'live-vaccines', { system: 'http://hl7.org/fhir/sid/cvx', code: '03' }), true);
  assert.equal(inCodeSet(k, 'live-vaccines', { system: 'http://hl7.org/fhir/sid/cvx', code: '141' }), false);
});

test('lab codes carry assay and dimension; scale items carry their item number', () => {
  assert.equal(matchCoding(k, 'crp', { system: 'http://loinc.org', code: '30522-7' })?.entry.assay, 'high-sensitivity');
  assert.equal(matchCoding(k, 'crp', { system: 'http://loinc.org', code: '1988-5' })?.entry.assay, 'standard');
  assert.equal(matchCoding(k, 'crp', { system: 'http://loinc.org', code: '76486-0' })?.entry.dimension, 'molar');
  // PHQ-9 items 1-9 in the LOINC order of reference section 6.1, docs/README.md.
  const order = ['44250-9', '44255-8', '44259-0', '44254-1', '44251-7', '44258-2', '44252-5', '44253-3', '44260-8'];
  order.forEach((code, i) => {
    assert.equal(matchCoding(k, 'phq9-items', { system: 'http://loinc.org', code })?.entry.item, i + 1, code);
  });
});

test('RxNorm clinical drug resolves to ingredient and strength; ingredient code to ingredient only', () => {
  assert.deepEqual(pick(resolveAntidepressant(k, concept({ system: RX, code: '312938' }))), {
    ingredient: 'sertraline',
    strengthMg: 100,
  });
  assert.deepEqual(pick(resolveAntidepressant(k, concept({ system: RX, code: '312941' }))), {
    ingredient: 'sertraline',
    strengthMg: 50,
  });
  assert.deepEqual(pick(resolveAntidepressant(k, concept({ system: RX, code: '313585' }))), {
    ingredient: 'venlafaxine',
    strengthMg: 75,
  });
  assert.deepEqual(pick(resolveAntidepressant(k, concept({ system: RX, code: '36437' }))), {
    ingredient: 'sertraline',
  });
  assert.deepEqual(pick(resolveAntidepressant(k, concept({ system: 'http://www.whocc.no/atc', code: 'n06ab10' }))), {
    ingredient: 'escitalopram',
  });
  // Ingredient + product codings of the same drug: the product (with strength) wins.
  assert.deepEqual(
    pick(resolveAntidepressant(k, concept({ system: RX, code: '36437' }, { system: RX, code: '312938' }))),
    { ingredient: 'sertraline', strengthMg: 100 },
  );
  // Codings naming two different antidepressants: ambiguous, no answer.
  assert.equal(
    resolveAntidepressant(k, concept({ system: RX, code: '36437' }, { system: RX, code: '4493' })),
    undefined,
  );
  // Not an antidepressant.
  assert.equal(resolveAntidepressant(k, concept({ system: RX, code: '5640' })), undefined);
});

test('ingredients without a minimum dose are recognised but carry no minDailyDoseMg', () => {
  assert.equal(resolveAntidepressant(k, concept({ system: RX, code: '856377' }))?.ingredient, 'trazodone');
  const trazodone = antidepressantIngredient(k, 'trazodone');
  assert.ok(trazodone !== undefined && !('minDailyDoseMg' in trazodone));
  const sertraline = antidepressantIngredient(k, 'sertraline');
  assert.ok(sertraline !== undefined && 'minDailyDoseMg' in sertraline && sertraline.minDailyDoseMg === 50);
});

test('unverified entries used by lookups are listed once each, verified ones not at all', () => {
  const matches = [
    matchCoding(k, 'depression', { system: CM, code: 'F32.A' }),
    matchCoding(k, 'depression', { system: CM, code: 'F32.A' }),
    matchCoding(k, 'depression', { system: ICD, code: 'F32.1' }),
    matchCoding(k, 'infection-active', { system: CM, code: 'J18.9' }),
    resolveAntidepressant(k, concept({ system: RX, code: '10737' })),
    resolveAntidepressant(k, concept({ system: RX, code: '312938' })),
    undefined,
  ];
  const items = unverifiedEntries(k, matches);
  assert.deepEqual(
    items.map((i) => i.item),
    [
      'code set depression: ICD-10-CM F32.A "Depression, unspecified"',
      'code set infection-active: ICD-10-CM J18 "Pneumonia, organism unspecified"',
      'antidepressants: RxNorm 10737 "trazodone" = trazodone',
    ],
  );
  assert.ok(items.every((i) => k.citations.get(i.citation)?.tag === 'U'));
  assert.equal(unverifiedMinimumDose(k, 'sertraline'), undefined);
  assert.equal(unverifiedMinimumDose(k, 'moclobemide')?.citation, 'antidepressant-adequacy-unverified');
});

function pick(
  m: { ingredient: string; strengthMg?: number } | undefined,
): { ingredient: string; strengthMg?: number } | undefined {
  if (m === undefined) return undefined;
  return m.strengthMg === undefined
    ? { ingredient: m.ingredient }
    : { ingredient: m.ingredient, strengthMg: m.strengthMg };
}
