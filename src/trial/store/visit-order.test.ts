/**
 * The protocol's visit schedule orders the dates: a visit before the dosing visit (screening, baseline) is before the
 * dose by definition, so its form may not be dated after the recorded infusion, on entry or on correction, nor an
 * infusion recorded (or corrected) to a date before such a form; a visit after the dosing visit follows the
 * randomization, so its form or lab may not be dated before it, even while no infusion is recorded. SQLite store.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  as,
  bdiAnswers,
  enrolOne,
  initTrial,
  randomizeAndInfuse,
  randomizeOn,
  sqliteFactory,
} from './stores.test-support.ts';

test('a baseline form dated after the infusion is refused, naming both dates, on entry and on correction', async () => {
  const opened = await sqliteFactory.open(() => new Date(Date.UTC(2026, 10, 20, 9)));
  try {
    const { store } = opened;
    const protocol = await initTrial(store);
    const ctx = as('coordinator', 'A', 'visit form');
    const id = await enrolOne(store, protocol, 'BASE-1', 'A');
    await randomizeAndInfuse(store, ctx, id, '2026-11-05');
    const form = { participantId: id, visit: 'baseline', instrument: 'bdi-ii', answers: bdiAnswers(1, 10) };
    const afterInfusion = (e: Error & { code?: string }) => {
      assert.equal(e.code, 'trial.invalid');
      assert.match(
        e.message,
        /completedOn \(2026-11-0[67]\) is after the participant's infusion \(2026-11-05\); the baseline visit is before the dose/,
      );
      return true;
    };
    await assert.rejects(store.saveForm(ctx, { ...form, completedOn: '2026-11-07' }), afterInfusion);
    assert.equal((await store.snapshot()).forms.length, 0);
    // The infusion's own day is accepted (a baseline taken that morning), and a correction to the day after refused.
    const saved = await store.saveForm(ctx, { ...form, completedOn: '2026-11-05' });
    await assert.rejects(
      store.correctForm(as('coordinator', 'A', 'date typed wrong'), saved.id, {}, '2026-11-06'),
      afterInfusion,
    );
    assert.equal((await store.snapshot()).forms[0]?.completedOn, '2026-11-05');
  } finally {
    await opened.cleanup();
  }
});

test('an infusion dated before a baseline form entered earlier is refused, naming the form, on entry and on correction', async () => {
  const opened = await sqliteFactory.open(() => new Date(Date.UTC(2026, 10, 20, 9)));
  try {
    const { store } = opened;
    const protocol = await initTrial(store);
    const ctx = as('coordinator', 'A', 'visit form');
    const id = await enrolOne(store, protocol, 'BASE-2', 'A');
    await store.saveForm(ctx, {
      participantId: id,
      visit: 'baseline',
      instrument: 'bdi-ii',
      answers: bdiAnswers(1, 10),
      completedOn: '2026-11-06',
    });
    await assert.rejects(
      randomizeAndInfuse(store, ctx, id, '2026-11-05', '2026-11-04'),
      (e: Error & { code?: string }) => {
        assert.equal(e.code, 'trial.conflict');
        assert.match(
          e.message,
          /^dose: 1 pre-treatment record is dated after the infusion date \(2026-11-05\): baseline bdi-ii form completed 2026-11-06; correct it first$/,
        );
        return true;
      },
    );
    assert.equal((await store.snapshot()).doses.length, 0);
    const { dose } = await store.recordDose(ctx, {
      participantId: id,
      visit: 'infusion',
      kitCode: (await store.getParticipant(id))?.kitCode ?? '',
      administeredOn: '2026-11-07',
      doseMg: 560,
      bodyWeightKg: 70,
    });
    await assert.rejects(
      store.correctDose(as('coordinator', 'A', 'date typed wrong'), dose.id, { administeredOn: '2026-11-05' }),
      /dose correction: 1 pre-treatment record is dated after the corrected infusion date \(2026-11-05\)/,
    );
    assert.equal((await store.snapshot()).doses[0]?.administeredOn, '2026-11-07');
  } finally {
    await opened.cleanup();
  }
});

test('a baseline lab dated after the infusion is refused, naming both dates, on entry and correction; an infusion before one too', async () => {
  const opened = await sqliteFactory.open(() => new Date(Date.UTC(2026, 10, 20, 9)));
  try {
    const { store } = opened;
    const protocol = await initTrial(store);
    const ctx = as('coordinator', 'A', 'lab entry');
    const lab = (participantId: string, collectedOn: string) => ({
      participantId,
      visit: 'baseline',
      analyte: 'anc' as const,
      value: 3.1,
      unit: '10*9/L',
      upperLimitOfNormal: null,
      lowerLimitOfNormal: 2,
      collectedOn,
    });
    const id = await enrolOne(store, protocol, 'BASE-3', 'A');
    await randomizeAndInfuse(store, ctx, id, '2026-11-05');
    const afterInfusion = (what: string, date: string) => (e: Error & { code?: string; field?: string }) => {
      assert.equal(e.code, 'trial.invalid');
      assert.equal(e.field, 'collectedOn');
      assert.equal(
        e.message,
        `${what}: collectedOn (${date}) is after the participant's infusion (2026-11-05); the baseline visit is before the dose`,
      );
      return true;
    };
    await assert.rejects(store.addLab(ctx, lab(id, '2026-11-06')), afterInfusion('lab result', '2026-11-06'));
    assert.equal((await store.snapshot()).labs.length, 0);
    // The infusion's own day is a pre-dose result (drawn that morning); a correction to the day after is refused.
    const { lab: entered } = await store.addLab(ctx, lab(id, '2026-11-05'));
    await assert.rejects(
      store.correctLab(as('coordinator', 'A', 'date typed wrong'), entered.id, { collectedOn: '2026-11-08' }),
      afterInfusion('lab correction', '2026-11-08'),
    );
    assert.equal((await store.snapshot()).labs[0]?.collectedOn, '2026-11-05');
    // The other side: an infusion recorded (or corrected) to a date before a baseline lab entered earlier.
    const other = await enrolOne(store, protocol, 'BASE-4', 'A');
    await store.addLab(ctx, lab(other, '2026-11-06'));
    await assert.rejects(
      randomizeAndInfuse(store, ctx, other, '2026-11-05', '2026-11-04'),
      (e: Error & { code?: string }) => {
        assert.equal(e.code, 'trial.conflict');
        assert.equal(
          e.message,
          'dose: 1 pre-treatment record is dated after the infusion date (2026-11-05): baseline anc result collected 2026-11-06; correct it first',
        );
        return true;
      },
    );
    assert.equal((await store.snapshot()).doses.length, 1, "only the first participant's infusion");
  } finally {
    await opened.cleanup();
  }
});

test('a follow-up form or lab dated before the randomization is refused, naming both dates, with no infusion recorded', async () => {
  const opened = await sqliteFactory.open(() => new Date(Date.UTC(2026, 10, 20, 9)));
  try {
    const { store } = opened;
    const protocol = await initTrial(store);
    const ctx = as('coordinator', 'A', 'visit');
    const id = await enrolOne(store, protocol, 'FU-1', 'A');
    await randomizeOn(store, ctx, id, '2026-11-10');
    const beforeRandomization = (field: string, date: string, visit: string) => (e: Error & { code?: string }) => {
      assert.equal(e.code, 'trial.invalid');
      assert.match(
        e.message,
        new RegExp(
          `${field} \\(${date}\\) is before the participant's randomization \\(2026-11-10\\); the ${visit} visit follows the randomization$`,
        ),
      );
      return true;
    };
    const form = { participantId: id, visit: 'day-7', instrument: 'bdi-ii', answers: bdiAnswers(1, 10) };
    await assert.rejects(
      store.saveForm(ctx, { ...form, completedOn: '2026-11-09' }),
      beforeRandomization('completedOn', '2026-11-09', 'day-7'),
    );
    const lab = {
      participantId: id,
      visit: 'day-14',
      analyte: 'anc' as const,
      value: 3.1,
      unit: '10*9/L',
      upperLimitOfNormal: null,
      lowerLimitOfNormal: 2,
    };
    await assert.rejects(
      store.addLab(ctx, { ...lab, collectedOn: '2026-11-08' }),
      beforeRandomization('collectedOn', '2026-11-08', 'day-14'),
    );
    assert.deepEqual([(await store.snapshot()).forms.length, (await store.snapshot()).labs.length], [0, 0]);
    // The randomization's own day is accepted; a correction to a day before it is refused as an entry is.
    const saved = await store.saveForm(ctx, { ...form, completedOn: '2026-11-10' });
    await assert.rejects(
      store.correctForm(as('coordinator', 'A', 'date typed wrong'), saved.id, {}, '2026-11-09'),
      beforeRandomization('completedOn', '2026-11-09', 'day-7'),
    );
    const { lab: entered } = await store.addLab(ctx, { ...lab, collectedOn: '2026-11-12' });
    await assert.rejects(
      store.correctLab(as('coordinator', 'A', 'date typed wrong'), entered.id, { collectedOn: '2026-11-09' }),
      beforeRandomization('collectedOn', '2026-11-09', 'day-14'),
    );
    // A pre-treatment visit is not post-randomization: its lab may precede the randomization.
    await store.addLab(ctx, { ...lab, visit: 'baseline', collectedOn: '2026-11-08' });
  } finally {
    await opened.cleanup();
  }
});
