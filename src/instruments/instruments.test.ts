import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadKnowledge } from '../knowledge/load.ts';
import { loadInstruments } from './load.ts';
import { scoreInstrument, type ItemAnswer } from './index.ts';

const instruments = loadInstruments();
const def = (id: string) => {
  const d = instruments.get(id);
  assert.ok(d, id);
  return d;
};
const all = (n: number, value: ItemAnswer): Record<string, ItemAnswer> =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [String(i + 1), value]));
const codes = (s: ReturnType<typeof scoreInstrument>): string[] => s.issues.map((i) => i.code);

test('every instrument cites a known citation and has the item count of its published form', () => {
  const citations = loadKnowledge().citations;
  const expected: Record<string, number> = {
    madrs: 10,
    'bdi-ii': 21,
    'phq-9': 9,
    'gad-7': 7,
    'chalder-fatigue': 11,
    shaps: 14,
  };
  assert.deepEqual([...instruments.keys()].sort(), Object.keys(expected).sort());
  for (const [id, n] of Object.entries(expected)) {
    const d = def(id);
    assert.equal(d.items.length, n, id);
    const known = (k: string): boolean => citations.has(k) || k in d.citations;
    assert.ok(known(d.citation), `${id}: ${d.citation}`);
    for (const s of d.scorings) assert.ok(known(s.citation), `${id} ${s.id}`);
    for (const s of d.subscales) assert.ok(known(s.citation), `${id} ${s.id}`);
  }
});

test('MADRS: 10 items 0-6, total 0-60 and Snaith bands; out of range, non-integer and missing items', () => {
  const madrs = def('madrs');
  const max = scoreInstrument(madrs, all(10, 6));
  assert.equal(max.total, 60);
  assert.equal(max.band, 'severe');
  assert.equal(scoreInstrument(madrs, all(10, 2)).band, 'moderate');
  const bad = scoreInstrument(madrs, { ...all(10, 1), '3': 7 });
  assert.equal(bad.total, null);
  assert.equal(bad.complete, false);
  assert.deepEqual(codes(bad), ['instrument.item.out-of-range']);
  assert.equal(bad.issues[0]?.message.includes('7'), false, 'the message never echoes the value entered');
  assert.deepEqual(codes(scoreInstrument(madrs, { ...all(10, 1), '4': 2.5 })), ['instrument.item.out-of-range']);
  assert.deepEqual(codes(scoreInstrument(madrs, { ...all(10, 1), '5': -1 })), ['instrument.item.out-of-range']);
  const missing = scoreInstrument(madrs, { ...all(10, 1), '10': null });
  assert.deepEqual(codes(missing), ['instrument.item.missing']);
  assert.equal(missing.total, null, 'never prorated');
  assert.equal(missing.answered, 9);
  assert.deepEqual(codes(scoreInstrument(madrs, { ...all(10, 1), '11': 1 })), ['instrument.item.unknown']);
});

test('BDI-II: items 16 and 18 need their a/b options; somatic subscale = items 4, 15, 16, 18, 19, 20, 21', () => {
  const bdi = def('bdi-ii');
  const answers = { ...all(21, 0), '4': 2, '15': 1, '16': '3a', '18': '1b', '19': 1, '20': 2, '21': 0, '9': 1 };
  const s = scoreInstrument(bdi, answers);
  assert.equal(s.complete, true);
  assert.equal(s.total, 2 + 1 + 3 + 1 + 1 + 2 + 0 + 1);
  assert.equal(s.subscales.somatic, 2 + 1 + 3 + 1 + 1 + 2 + 0);
  for (const bare of [1, '1', 2, '4a', 'c']) {
    const r = scoreInstrument(bdi, { ...answers, '16': bare });
    assert.deepEqual(codes(r), ['instrument.item.option-invalid'], `item 16 answered ${String(bare)}`);
    assert.equal(r.total, null);
    assert.equal(r.subscales.somatic, null);
  }
  assert.deepEqual(codes(scoreInstrument(bdi, { ...answers, '18': '2' })), ['instrument.item.option-invalid']);
  assert.equal(scoreInstrument(bdi, { ...answers, '16': '0', '18': '0' }).complete, true, '0 has no a/b form');
  assert.deepEqual(
    codes(scoreInstrument(bdi, { ...answers, '1': '1a' })),
    ['instrument.item.out-of-range'],
    'a/b only on 16 and 18',
  );
  assert.deepEqual(codes(scoreInstrument(bdi, { ...answers, '2': 4 })), ['instrument.item.out-of-range']);
  assert.equal(scoreInstrument(bdi, all(21, 3)).band, null, 'items 16/18 need options, so all-3 is invalid');
  assert.equal(scoreInstrument(bdi, { ...all(21, 3), '16': '3b', '18': '3a' }).total, 63);
});

test('PHQ-9: total 0-27, bands, item 9 above 0 asks for follow-up', () => {
  const phq = def('phq-9');
  const s = scoreInstrument(phq, { ...all(9, 1), '9': 1 });
  assert.equal(s.total, 9);
  assert.equal(s.band, 'mild');
  assert.equal(s.followUp.length, 1);
  assert.equal(scoreInstrument(phq, { ...all(9, 2), '9': 0 }).followUp.length, 0);
  assert.equal(scoreInstrument(phq, all(9, 3)).band, 'severe');
  assert.deepEqual(codes(scoreInstrument(phq, { ...all(9, 1), '2': 4 })), ['instrument.item.out-of-range']);
});

test('GAD-7: total 0-21 with the 5/10/15 bands; a missing item leaves the total undefined', () => {
  const gad = def('gad-7');
  assert.equal(scoreInstrument(gad, all(7, 2)).total, 14);
  assert.equal(scoreInstrument(gad, all(7, 2)).band, 'moderate');
  assert.equal(scoreInstrument(gad, { ...all(7, 2), '7': null }).total, null);
});

test('Chalder fatigue: bimodal (0,0,1,1) and Likert (0-3) scorings, physical and mental subscales, stored method', () => {
  const cfq = def('chalder-fatigue');
  const answers = { '1': 0, '2': 1, '3': 2, '4': 3, '5': 3, '6': 2, '7': 1, '8': 0, '9': 2, '10': 3, '11': 1 };
  const bimodal = scoreInstrument(cfq, answers, 'bimodal');
  assert.equal(bimodal.scoring, 'bimodal');
  assert.equal(bimodal.total, 6);
  assert.deepEqual(bimodal.subscales, { physical: 4, mental: 2 });
  assert.equal(bimodal.band, 'caseness');
  const likert = scoreInstrument(cfq, answers, 'likert');
  assert.equal(likert.scoring, 'likert');
  assert.equal(likert.total, 18);
  assert.deepEqual(likert.subscales, { physical: 12, mental: 6 });
  assert.equal(scoreInstrument(cfq, answers).scoring, 'bimodal', 'the first scoring is the default');
  assert.deepEqual(codes(scoreInstrument(cfq, answers, 'sum')), ['instrument.scoring.unknown']);
  assert.deepEqual(codes(scoreInstrument(cfq, { ...answers, '4': 4 }, 'likert')), ['instrument.item.out-of-range']);
});

test('SHAPS: original (0-14, >= 3 abnormal) and Franken (14-56) scorings of the same responses', () => {
  const shaps = def('shaps');
  const answers = { ...all(14, 2), '1': 3, '2': 4, '3': 3 };
  const original = scoreInstrument(shaps, answers, 'original');
  assert.equal(original.total, 3);
  assert.equal(original.band, 'abnormal');
  const franken = scoreInstrument(shaps, answers, 'franken');
  assert.equal(franken.total, 11 * 2 + 3 + 4 + 3);
  assert.equal(scoreInstrument(shaps, all(14, 1), 'franken').total, 14);
  assert.deepEqual(codes(scoreInstrument(shaps, { ...answers, '5': 0 }, 'original')), ['instrument.item.out-of-range']);
  assert.deepEqual(codes(scoreInstrument(shaps, { ...answers, '5': 5 }, 'franken')), ['instrument.item.out-of-range']);
});
