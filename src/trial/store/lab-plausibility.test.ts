/**
 * A safety lab value no patient has in the unit entered (ANC 1800 or platelets 150000 typed in 10*9/L: counts per
 * microlitre) is refused at entry and in a correction, against the pathway's plausible ranges
 * (definitions.plausibility.safetyLabs) converted to the unit entered, instead of being graded "continue".
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { as, enrolOne, initTrial, sqliteFactory } from './stores.test-support.ts';

test('an ANC or platelet count impossible in its unit is refused, naming the range and the likely unit', async () => {
  const opened = await sqliteFactory.open(() => new Date(Date.UTC(2026, 10, 20, 9)));
  try {
    const { store } = opened;
    const protocol = await initTrial(store);
    const id = await enrolOne(store, protocol, 'PLAUS-1', 'A');
    const ctx = as('coordinator', 'A', 'lab entry');
    const lab = (analyte: string, value: number, unit: string, lowerLimitOfNormal: number) =>
      store.addLab(ctx, {
        participantId: id,
        visit: 'baseline',
        analyte,
        value,
        unit,
        upperLimitOfNormal: null,
        lowerLimitOfNormal,
        collectedOn: '2026-11-04',
      });
    await assert.rejects(lab('anc', 1800, '10*9/L', 2), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'trial.invalid');
      assert.match(e.message, /anc 1800 10\*9\/L is outside the plausible range 0 to 200 10\*9\/L \[U\]/);
      assert.match(e.message, /is it in \/uL\?/);
      return true;
    });
    await assert.rejects(
      lab('platelets', 150000, '10*9/L', 150),
      /platelets 150000 10\*9\/L .*0 to 5000 10\*9\/L \[U\].*\/uL/,
    );
    // The range follows the unit entered: 1800 /uL is 1.8 x10^9/L, below the do-not-initiate threshold.
    const { lab: stored } = await lab('anc', 1800, '/uL', 2000);
    assert.equal(stored.assessment.action, 'hold');
    await assert.rejects(
      store.correctLab(as('coordinator', 'A', 'unit typed wrong'), stored.id, { unit: '10*9/L' }),
      /lab correction: anc 1800 10\*9\/L is outside the plausible range/,
    );
    await assert.rejects(
      lab('alt', 60000, 'U/L', 1),
      /alt 60000 U\/L is outside the plausible range 0 to 50000 U\/L \[U\]: check/,
    );
    assert.equal((await store.listLabs({ participantId: id })).length, 1, 'nothing refused was stored');
  } finally {
    await opened.cleanup();
  }
});

test('reference limits the wrong way round are refused at entry and in a correction', async () => {
  const opened = await sqliteFactory.open(() => new Date(Date.UTC(2026, 10, 20, 9)));
  try {
    const { store } = opened;
    const protocol = await initTrial(store);
    const id = await enrolOne(store, protocol, 'PLAUS-LIM', 'A');
    const ctx = as('coordinator', 'A', 'lab entry');
    const entry = {
      participantId: id,
      visit: 'baseline',
      analyte: 'alt',
      value: 30,
      unit: 'U/L',
      upperLimitOfNormal: 40,
      lowerLimitOfNormal: 50,
      collectedOn: '2026-11-04',
    };
    await assert.rejects(store.addLab(ctx, entry), (e: Error & { code?: string; field?: string }) => {
      assert.equal(e.code, 'trial.invalid');
      assert.equal(e.field, 'lowerLimitOfNormal');
      assert.match(e.message, /^lab result: the lower limit of normal \(50\) is not below the upper limit \(40\)/);
      return true;
    });
    const { lab } = await store.addLab(ctx, { ...entry, lowerLimitOfNormal: 7 });
    await assert.rejects(
      store.correctLab(ctx, lab.id, { upperLimitOfNormal: 5 }),
      /lab correction: the lower limit of normal \(7\) is not below the upper limit \(5\)/,
    );
  } finally {
    await opened.cleanup();
  }
});

test('a reference limit outside the plausible range of the analyte is refused, naming the limit', async () => {
  const opened = await sqliteFactory.open(() => new Date(Date.UTC(2026, 10, 20, 9)));
  try {
    const { store } = opened;
    const protocol = await initTrial(store);
    const id = await enrolOne(store, protocol, 'PLAUS-ULN', 'A');
    const ctx = as('coordinator', 'A', 'lab entry');
    // A ULN of 1,000,000 U/L would grade an ALT of 3000 as 0 and clear it.
    const entry = {
      participantId: id,
      visit: 'baseline',
      analyte: 'alt',
      value: 3000,
      unit: 'U/L',
      upperLimitOfNormal: 1_000_000,
      lowerLimitOfNormal: null,
      collectedOn: '2026-11-04',
    };
    await assert.rejects(store.addLab(ctx, entry), (e: Error & { code?: string; field?: string }) => {
      assert.equal(e.code, 'trial.invalid');
      assert.equal(e.field, 'upperLimitOfNormal');
      assert.match(e.message, /^lab result: alt ULN 1000000 U\/L is outside the plausible range 0 to 50000 U\/L \[U\]/);
      return true;
    });
    await assert.rejects(
      store.addLab(ctx, {
        ...entry,
        analyte: 'anc',
        value: 3,
        unit: '10*9/L',
        upperLimitOfNormal: null,
        lowerLimitOfNormal: 2000,
      }),
      /anc LLN 2000 10\*9\/L is outside the plausible range 0 to 200 10\*9\/L \[U\]: is it in \/uL\?/,
    );
  } finally {
    await opened.cleanup();
  }
});
