/**
 * An infusion recorded above the protocol's maximum dose per infusion (INSIGHT: 800 mg, [U]) or above its mg/kg dose
 * for the body weight recorded (8 mg/kg, [U]) raises a `dose-above-maximum` alert and keeps the record as entered (it is what was given, or a typing error to correct);
 * a dose within it raises none. SQLite store.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkDose } from '../dose-check.ts';
import { as, enrolOne, initTrial, randomizeOn, sqliteFactory } from './stores.test-support.ts';

test('a dose above the maximum per infusion raises an alert, on entry or on correction, without naming an arm', async () => {
  const opened = await sqliteFactory.open(() => new Date(Date.UTC(2026, 10, 20, 9)));
  try {
    const { store } = opened;
    const protocol = await initTrial(store);
    const ctx = as('coordinator', 'A', 'infusion');
    const doseAlerts = async () => (await store.listAlerts()).filter((a) => a.kind === 'dose-above-maximum');
    const record = async (code: string, doseMg: number) => {
      const id = await enrolOne(store, protocol, code, 'A');
      const allocation = await randomizeOn(store, ctx, id, '2026-11-05');
      const { dose } = await store.recordDose(ctx, {
        participantId: id,
        visit: 'infusion',
        kitCode: allocation.kitCode,
        administeredOn: '2026-11-05',
        doseMg,
        bodyWeightKg: 70,
      });
      return dose;
    };
    // 560 mg (8 mg/kg x 70 kg): within the maximum.
    const ok = await record('DOSE-1', 560);
    assert.equal((await doseAlerts()).length, 0);
    // 5600 mg typed for 560: kept as entered, and flagged.
    const typo = await record('DOSE-2', 5600);
    assert.equal(typo.doseMg, 5600);
    const [alert] = await doseAlerts();
    assert.equal(alert?.sourceId, typo.id);
    assert.match(alert?.message ?? '', /5600 mg, above the protocol's maximum of 800 mg per infusion \[U\]/);
    assert.doesNotMatch(alert?.message ?? '', /tocilizumab|placebo/i);
    // A correction that takes a dose above the maximum alerts too; one that brings it back raises nothing new.
    await store.correctDose(as('coordinator', 'A', 'dose typed wrong'), ok.id, { doseMg: 8000 });
    assert.equal((await doseAlerts()).length, 2);
    await store.correctDose(as('coordinator', 'A', 'dose typed wrong'), typo.id, { doseMg: 560 });
    assert.equal((await doseAlerts()).length, 2);
  } finally {
    await opened.cleanup();
  }
});

test('a dose above mg/kg x the body weight raises the dose alert; without a weight the check says it is unknown', async () => {
  const opened = await sqliteFactory.open(() => new Date(Date.UTC(2026, 10, 20, 9)));
  try {
    const { store } = opened;
    const protocol = await initTrial(store);
    const ctx = as('coordinator', 'A', 'infusion');
    const doseAlerts = async () => (await store.listAlerts()).filter((a) => a.kind === 'dose-above-maximum');
    const record = async (code: string, doseMg: number, bodyWeightKg: number | null) => {
      const id = await enrolOne(store, protocol, code, 'A');
      const allocation = await randomizeOn(store, ctx, id, '2026-11-05');
      const { dose } = await store.recordDose(ctx, {
        participantId: id,
        visit: 'infusion',
        kitCode: allocation.kitCode,
        administeredOn: '2026-11-05',
        doseMg,
        bodyWeightKg,
      });
      return dose;
    };
    // 800 mg is within the maximum, but 8 mg/kg x 50 kg is 400 mg: twice the weight-based dose.
    const heavy = await record('WT-1', 800, 50);
    const [alert] = await doseAlerts();
    assert.equal(alert?.sourceId, heavy.id);
    assert.match(alert?.message ?? '', /800 mg for 50 kg, above the protocol's 8 mg\/kg \(400 mg\) \[U\]/);
    assert.doesNotMatch(alert?.message ?? '', /tocilizumab|placebo/i);
    // 8 mg/kg x 70.3 kg = 562.4 mg: within; 600 mg for 70 kg (560 mg): above, on correction of the weight too.
    const ok = await record('WT-2', 562.4, 70.3);
    assert.equal((await doseAlerts()).length, 1);
    assert.equal(checkDose(protocol, ok)?.status, 'within');
    await store.correctDose(as('coordinator', 'A', 'weight typed wrong'), ok.id, { bodyWeightKg: 60.3 });
    assert.equal((await doseAlerts()).length, 2);
    // No weight: no alert (nothing shows the dose is above), and never "within".
    const noWeight = await record('WT-3', 560, null);
    assert.equal((await doseAlerts()).length, 2);
    const check = checkDose(protocol, noWeight);
    assert.equal(check?.status, 'unknown');
    assert.match(check?.text ?? '', /body weight not recorded, so the protocol's 8 mg\/kg cannot be checked \[U\]/);
  } finally {
    await opened.cleanup();
  }
});

test('an infusion recorded after a follow-up lab dated before it is refused until the lab is corrected', async () => {
  const opened = await sqliteFactory.open(() => new Date(Date.UTC(2026, 10, 20, 9)));
  try {
    const { store } = opened;
    const protocol = await initTrial(store);
    const ctx = as('coordinator', 'A', 'infusion');
    const id = await enrolOne(store, protocol, 'LATE-1', 'A');
    const allocation = await randomizeOn(store, ctx, id, '2026-11-04');
    // Drawn on 2026-11-05, before the drug, but entered at the day-7 visit: it would be graded as after the
    // infusion (ANC 1.2 keeps the dose) instead of against the do-not-initiate threshold (ANC < 2: hold).
    const { lab } = await store.addLab(ctx, {
      participantId: id,
      visit: 'day-7',
      analyte: 'anc',
      value: 1.2,
      unit: '10*9/L',
      upperLimitOfNormal: null,
      lowerLimitOfNormal: 2,
      collectedOn: '2026-11-05',
    });
    assert.equal(lab.assessment.action, 'continue');
    const dose = {
      participantId: id,
      visit: 'infusion',
      kitCode: allocation.kitCode,
      administeredOn: '2026-11-06',
      doseMg: 560,
      bodyWeightKg: 70,
    };
    await assert.rejects(store.recordDose(ctx, dose), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'trial.conflict');
      // The record is named, so the coordinator knows which one to correct.
      assert.match(
        e.message,
        /dose: 1 follow-up record is dated before the infusion date \(2026-11-06\): day-7 anc result collected 2026-11-05; correct it first/,
      );
      return true;
    });
    const moved = await store.correctLab(as('coordinator', 'A', 'entered at the wrong visit'), lab.id, {
      visit: 'baseline',
    });
    assert.equal(moved.lab.assessment.action, 'hold', 'at its pre-treatment visit: not recommended to initiate');
    const { dose: recorded } = await store.recordDose(ctx, dose);
    assert.equal(recorded.administeredOn, '2026-11-06');
  } finally {
    await opened.cleanup();
  }
});

test('an infusion dated before the randomization is refused, naming both dates, on entry and on correction', async () => {
  const opened = await sqliteFactory.open(() => new Date(Date.UTC(2026, 10, 20, 9)));
  try {
    const { store } = opened;
    const protocol = await initTrial(store);
    const ctx = as('coordinator', 'A', 'infusion');
    const id = await enrolOne(store, protocol, 'EARLY-1', 'A');
    const allocation = await randomizeOn(store, ctx, id, '2026-11-06');
    const dose = {
      participantId: id,
      visit: 'infusion',
      kitCode: allocation.kitCode,
      administeredOn: '2026-11-04',
      doseMg: 560,
      bodyWeightKg: 70,
    };
    const beforeRandomization = (e: Error & { code?: string }) => {
      assert.equal(e.code, 'trial.invalid');
      assert.match(
        e.message,
        /administeredOn \(2026-11-0[45]\) is before the participant's randomization \(2026-11-06\)/,
      );
      return true;
    };
    await assert.rejects(store.recordDose(ctx, dose), beforeRandomization);
    assert.equal((await store.snapshot()).doses.length, 0);
    // The randomization's own day is accepted, and a correction to the day before is refused.
    const { dose: recorded } = await store.recordDose(ctx, { ...dose, administeredOn: '2026-11-06' });
    await assert.rejects(
      store.correctDose(as('coordinator', 'A', 'date typed wrong'), recorded.id, { administeredOn: '2026-11-05' }),
      beforeRandomization,
    );
    assert.equal((await store.snapshot()).doses[0]?.administeredOn, '2026-11-06');
  } finally {
    await opened.cleanup();
  }
});

test('a body weight outside the pathway plausible range is refused, on entry or on correction, naming a likely unit', async () => {
  const opened = await sqliteFactory.open(() => new Date(Date.UTC(2026, 10, 20, 9)));
  try {
    const { store } = opened;
    const protocol = await initTrial(store);
    const ctx = as('coordinator', 'A', 'infusion');
    const id = await enrolOne(store, protocol, 'KG-1', 'A');
    const allocation = await randomizeOn(store, ctx, id, '2026-11-04');
    const dose = (bodyWeightKg: number | null) => ({
      participantId: id,
      visit: 'infusion',
      kitCode: allocation.kitCode,
      administeredOn: '2026-11-05',
      doseMg: 800,
      bodyWeightKg,
    });
    const refused = (pattern: RegExp) => (e: Error & { code?: string }) => {
      assert.equal(e.code, 'trial.invalid');
      assert.match(e.message, pattern);
      return true;
    };
    // 700 typed for 70: 8 mg/kg x 700 kg would let 800 mg pass as within the dose.
    await assert.rejects(
      store.recordDose(ctx, dose(700)),
      refused(
        /^dose: body weight 700 kg is outside the plausible range 20 to 400 kg \[U\]: is it in lb\? Check the value and its unit$/,
      ),
    );
    await assert.rejects(store.recordDose(ctx, dose(7000)), refused(/7000 kg .*: check the value and its unit$/));
    await assert.rejects(store.recordDose(ctx, dose(70000)), refused(/: is it in g\? Check the value and its unit$/));
    await assert.rejects(store.recordDose(ctx, dose(7)), refused(/body weight 7 kg is outside the plausible range/));
    assert.equal((await store.listAlerts()).filter((a) => a.kind === 'dose-above-maximum').length, 0);
    // 800 mg for 70 kg: recorded, and the dose alert tells it is above 8 mg/kg (560 mg).
    const { dose: recorded } = await store.recordDose(ctx, dose(70));
    assert.equal((await store.listAlerts()).filter((a) => a.kind === 'dose-above-maximum').length, 1);
    await assert.rejects(
      store.correctDose(as('coordinator', 'A', 'weight'), recorded.id, { bodyWeightKg: 700 }),
      refused(/^dose correction: body weight 700 kg is outside the plausible range 20 to 400 kg \[U\]: is it in lb\?/),
    );
    assert.equal(
      (await store.correctDose(as('coordinator', 'A', 'weight'), recorded.id, { bodyWeightKg: 100 })).dose.bodyWeightKg,
      100,
    );
  } finally {
    await opened.cleanup();
  }
});
