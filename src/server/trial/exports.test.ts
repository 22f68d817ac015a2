import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SDTM_DOMAINS } from '../../trial/exports/index.ts';
import { loadInstruments } from '../../instruments/load.ts';
import { loadKnowledge } from '../../knowledge/load.ts';
import { populateTrial, sqliteFactory } from '../../trial/store/stores.test-support.ts';
import { exportFile, exportNames } from './exports.ts';

const pathway = loadKnowledge().pathway;

test('every SDTM dataset the export writes (IE included) is a download, as the define names it', () => {
  for (const d of SDTM_DOMAINS) assert.ok(exportNames.includes(`sdtm-${d.toLowerCase()}.csv` as never), d);
  assert.ok(exportNames.includes('sdtm-ie.csv' as never));
});

test('an SDTM dataset with spreadsheetSafe is the escaped copy (a term "-2" written as text), under its own name', async () => {
  const opened = await sqliteFactory.open();
  try {
    const protocol = await populateTrial(opened.store, 4);
    const s = await opened.store.snapshot();
    const snapshot = { ...s, adverseEvents: s.adverseEvents.map((e, i) => (i === 0 ? { ...e, term: '-2' } : e)) };
    assert.ok(snapshot.adverseEvents.length > 0, 'the fixture has an adverse event');
    const exact = exportFile('sdtm-ae.csv', snapshot, protocol, loadInstruments(), pathway);
    const copy = exportFile('sdtm-ae.csv', snapshot, protocol, loadInstruments(), pathway, { spreadsheetSafe: true });
    assert.equal(exact.fileName, 'sdtm-ae.csv');
    assert.equal(copy.fileName, 'sdtm-ae-spreadsheet.csv');
    assert.match(exact.content, /,-2,/);
    assert.match(copy.content, /,'-2,/);
    assert.throws(
      () => exportFile('sdtm-define.xml', snapshot, protocol, loadInstruments(), pathway, { spreadsheetSafe: true }),
      /only for the SDTM datasets/,
    );
  } finally {
    await opened.cleanup();
  }
});

test("an SDTM dataset's download carries its domain's notes (DM demographics, LB units), the define all of them", async () => {
  const opened = await sqliteFactory.open();
  try {
    const protocol = await populateTrial(opened.store, 4);
    const s = await opened.store.snapshot();
    assert.ok(s.labs.length > 0, 'the fixture has a lab result');
    const snapshot = {
      ...s,
      participants: s.participants.map((p) => ({ ...p, sex: null })),
      labs: s.labs.map((l, i) => (i === 0 ? { ...l, unit: '10*6/L' } : l)),
    };
    const notes = (name: Parameters<typeof exportFile>[0]) =>
      exportFile(name, snapshot, protocol, loadInstruments(), pathway).notes;
    assert.match(notes('sdtm-dm.csv').join('\n'), /^SDTM DM: .*have no sex recorded: SEX \(Required\) is empty/);
    assert.ok(notes('sdtm-dm.csv').every((n) => n.startsWith('SDTM DM:')));
    assert.deepEqual(
      notes('sdtm-lb.csv').map((n) => n.slice(0, 26)),
      ['SDTM LB: unit(s) 10*6/L ha'],
    );
    assert.deepEqual(notes('sdtm-ae.csv'), []);
    assert.deepEqual(notes('analysis.csv'), []);
    assert.equal(notes('sdtm-define.xml').length, notes('sdtm-dm.csv').length + 1);
  } finally {
    await opened.cleanup();
  }
});
