/**
 * The QS test codes the SDTM export writes (sdtm-variables.ts): within each instrument a QSTESTCD names one QSTEST and
 * a QSTEST one QSTESTCD, each code at most 8 characters and each name at most 40 (SDTMIG), and totals under different scorings, which are on
 * different scales, never share a code.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InstrumentSchema } from '../../instruments/index.ts';
import { loadInstruments } from '../../instruments/load.ts';
import { qsItemTest, qsSubscaleTest, qsTotalTest } from './sdtm-variables.ts';

const instruments = [...loadInstruments().values()];

test('every instrument: each QS test code names one test and each test one code, at most 8 characters; names at most 40', () => {
  assert.ok(instruments.length >= 6);
  for (const def of instruments) {
    const tests = [
      ...def.items.map((item) => qsItemTest(def, item)),
      ...def.scorings.map((s) => qsTotalTest(def, s.id)),
      ...def.subscales.flatMap((sub) => def.scorings.map((s) => qsSubscaleTest(def, sub, s.id))),
    ];
    const nameOf = new Map<string, string>();
    const codeOf = new Map<string, string>();
    for (const { testcd, test: name } of tests) {
      assert.match(testcd, /^[A-Z][A-Z0-9]{0,7}$/, `${def.id}: ${testcd}`);
      // SDTMIG: QSTEST at most 40 characters, beginning with its code (which keeps a cut name one test's).
      assert.ok(name.length <= 40, `${def.id}: ${name} is over 40 characters`);
      assert.ok(name.startsWith(`${testcd}: `), name);
      assert.equal(nameOf.get(testcd) ?? name, name, `${def.id}: ${testcd} names two tests`);
      assert.equal(codeOf.get(name) ?? testcd, testcd, `${def.id}: ${name} has two codes`);
      nameOf.set(testcd, name);
      codeOf.set(name, testcd);
    }
  }
});

test('SHAPS totals under its two scorings have two codes; the first scoring keeps TOT', () => {
  const shaps = instruments.find((d) => d.code === 'SHAPS');
  assert.ok(shaps);
  assert.deepEqual(
    shaps.scorings.map((s) => qsTotalTest(shaps, s.id).testcd),
    ['SHAPSTOT', 'SHAPSTFR'],
  );
  assert.equal(qsTotalTest(shaps, 'franken').test, 'SHAPSTFR: total (franken)');
});

test('Chalder subscales under its two scorings have two codes (0-7 bimodal, 0-21 Likert); the first keeps its code', () => {
  const cfq = instruments.find((d) => d.code === 'CFQ');
  assert.ok(cfq);
  const physical = cfq.subscales.find((s) => s.id === 'physical');
  assert.ok(physical);
  const [bimodal, likert] = cfq.scorings.map((s) => qsSubscaleTest(cfq, physical, s.id));
  assert.equal(bimodal?.testcd, 'CFQPHY');
  assert.notEqual(likert?.testcd, bimodal?.testcd, 'a Likert subscale is not on the bimodal scale');
  assert.notEqual(likert?.test, bimodal?.test);
  assert.match(likert?.testcd ?? '', /^[A-Z][A-Z0-9]{0,7}$/);
});

test('an instrument file whose export codes could not be told apart or would pass 8 characters is refused', () => {
  const chalder = instruments.find((d) => d.code === 'CFQ');
  assert.ok(chalder);
  assert.ok(InstrumentSchema.safeParse(chalder).success);
  const tooLong = InstrumentSchema.safeParse({ ...chalder, code: 'CHALD' });
  assert.equal(tooLong.success, false);
  assert.match(JSON.stringify(tooLong.error?.issues), /at most 3 characters/);
  const scorings = [...chalder.scorings, { ...chalder.scorings[1]!, id: 'linear' }];
  const alike = InstrumentSchema.safeParse({ ...chalder, scorings });
  assert.equal(alike.success, false);
  assert.match(JSON.stringify(alike.error?.issues), /differ in their first two letters/);
});
