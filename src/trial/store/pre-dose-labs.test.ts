/**
 * A safety lab before the infusion is checked against the label's do-not-initiate thresholds as well as its hold and
 * stop rules: an ANC of 1.5 x10^9/L at the baseline visit says "hold" (do not give) with an alert, where the same ANC
 * after the infusion keeps the dose. SQLite store (the rule is the same SQL on every dialect).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { loadInstruments } from '../../instruments/load.ts';
import { sdtmDomains } from '../exports/index.ts';
import { generateKits } from '../kits.ts';
import type { WriteContext } from '../model.ts';
import type { Db } from './db.ts';
import type { TrialStore } from './port.ts';
import { planArms } from '../strata.ts';
import {
  as,
  blocksPlan,
  enrolOne,
  initTrial,
  insightProtocol,
  randomizeAndInfuse,
  randomizeOn,
  sqliteFactory,
} from './stores.test-support.ts';

/**
 * A baseline-visit result dated after the infusion, as stored before the store refused it (assertBeforeDosing): the
 * result is entered at a follow-up visit, then moved to the baseline visit underneath the store.
 */
async function storedBeforeTheRule<T extends { lab: { id: string } }>(db: Db, enter: () => Promise<T>): Promise<T> {
  const entered = await enter();
  await db.transaction('write', (tx) => tx.run("UPDATE labs SET visit = 'baseline' WHERE id = ?", [entered.lab.id]));
  return entered;
}

/** Entering a participant's ALT (U/L, ULN 40) at a visit on a day: `alt(visit, value, collectedOn)`. */
function altEntry(store: TrialStore, ctx: WriteContext, participantId: string) {
  return (visit: string, value: number, collectedOn: string) =>
    store.addLab(ctx, {
      participantId,
      visit,
      analyte: 'alt',
      value,
      unit: 'U/L',
      upperLimitOfNormal: 40,
      lowerLimitOfNormal: null,
      collectedOn,
    });
}

test('an ANC of 1.5 before the infusion is a hold with an alert; after it, the dose is kept', async () => {
  const opened = await sqliteFactory.open(() => new Date(Date.UTC(2026, 10, 20, 9)));
  try {
    const { store } = opened;
    const protocol = await initTrial(store);
    const id = await enrolOne(store, protocol, 'PRE-1', 'A');
    const ctx = as('coordinator', 'A', 'lab entry');
    const anc = (visit: string, collectedOn: string) =>
      store.addLab(ctx, {
        participantId: id,
        visit,
        analyte: 'anc',
        value: 1.5,
        unit: '10*9/L',
        upperLimitOfNormal: null,
        lowerLimitOfNormal: 2,
        collectedOn,
      });
    const before = await anc('baseline', '2026-11-04');
    assert.equal(before.lab.assessment.action, 'hold');
    assert.deepEqual(before.lab.assessment.rules, ['anc-do-not-initiate']);
    assert.equal(before.alerts.length, 1);
    assert.equal(before.alerts[0]?.kind, 'hold-rule');
    assert.match(before.alerts[0]?.message ?? '', /not recommended to initiate/);
    await randomizeAndInfuse(store, ctx, id, '2026-11-05');
    const afterInfusion = await anc('day-7', '2026-11-12');
    assert.equal(afterInfusion.lab.assessment.action, 'continue');
    assert.equal(afterInfusion.alerts.length, 0);
  } finally {
    await opened.cleanup();
  }
});

test('a baseline-visit result dated after the infusion is refused; a later ALT is graded on the ULN', async () => {
  const opened = await sqliteFactory.open(() => new Date(Date.UTC(2026, 10, 20, 9)));
  try {
    const { store } = opened;
    const protocol = await initTrial(store);
    const id = await enrolOne(store, protocol, 'PRE-2', 'A');
    const ctx = as('coordinator', 'A', 'lab entry');
    await randomizeAndInfuse(store, ctx, id, '2026-11-05');
    const alt = altEntry(store, ctx, id);
    // Entered at the baseline visit but drawn two days after the infusion: already raised by the drug, no baseline.
    await assert.rejects(alt('baseline', 120, '2026-11-07'), (e: Error & { code?: string; field?: string }) => {
      assert.equal(e.code, 'trial.invalid');
      assert.equal(e.field, 'collectedOn');
      assert.match(
        e.message,
        /^lab result: collectedOn \(2026-11-07\) is after the participant's infusion \(2026-11-05\); the baseline visit is before the dose$/,
      );
      return true;
    });
    assert.equal((await store.snapshot()).labs.length, 0);
    // 6 x ULN at day 7: CTCAE grade 3 (> 5-20 x ULN), with no baseline above the ULN to grade it against.
    const day7 = await alt('day-7', 240, '2026-11-12');
    assert.equal(day7.lab.assessment.grade, 3);
    assert.equal(day7.lab.assessment.action, 'discontinue');
  } finally {
    await opened.cleanup();
  }
});

test('an infusion recorded with a pre-dose lab missing, undecided or at a hold raises dose-not-cleared; a cleared one none', async () => {
  const opened = await sqliteFactory.open(() => new Date(Date.UTC(2026, 10, 20, 9)));
  try {
    const { store } = opened;
    const protocol = await initTrial(store);
    const ctx = as('coordinator', 'A', 'lab entry');
    const lab = (participantId: string, analyte: string, value: number, unit: string, collectedOn = '2026-11-04') =>
      store.addLab(ctx, {
        participantId,
        visit: 'baseline',
        analyte,
        value,
        unit,
        upperLimitOfNormal: analyte === 'alt' || analyte === 'ast' ? 40 : null,
        lowerLimitOfNormal: analyte === 'anc' ? 2 : analyte === 'platelets' ? 150 : null,
        collectedOn,
      });
    const notCleared = async () => (await store.listAlerts()).filter((a) => a.kind === 'dose-not-cleared');
    // Every pre-dose lab in range: no alert.
    const clear = await enrolOne(store, protocol, 'CLR-1', 'A');
    for (const [analyte, value, unit] of [
      ['anc', 3.1, '10*9/L'],
      ['platelets', 240, '10*9/L'],
      ['alt', 25, 'U/L'],
      ['ast', 22, 'U/L'],
    ] as const)
      await lab(clear, analyte, value, unit);
    await randomizeAndInfuse(store, ctx, clear, '2026-11-05');
    assert.deepEqual(await notCleared(), []);
    // No AST, an ALT without its ULN, and an ANC of 2.4 repeated the same day as 1.8 (do not initiate).
    const id = await enrolOne(store, protocol, 'CLR-2', 'A');
    await lab(id, 'anc', 2.4, '10*9/L');
    await lab(id, 'anc', 1.8, '10*9/L');
    await lab(id, 'platelets', 240, '10*9/L');
    await store.addLab(ctx, {
      participantId: id,
      visit: 'baseline',
      analyte: 'alt',
      value: 25,
      unit: 'U/L',
      upperLimitOfNormal: null,
      lowerLimitOfNormal: null,
      collectedOn: '2026-11-04',
    });
    const { dose } = await randomizeAndInfuse(store, ctx, id, '2026-11-05');
    const [alert, ...more] = await notCleared();
    assert.equal(more.length, 0);
    assert.equal(alert?.sourceId, dose.id);
    const message = alert?.message ?? '';
    assert.match(message, /anc 1\.8 10\*9\/L on 2026-11-04: hold \(ANC < 2000\/mm3/);
    assert.match(message, /alt 25 U\/L on 2026-11-04: rules could not be checked \(alt: the upper limit of normal/);
    assert.match(message, /ast: no result before the infusion/);
    assert.doesNotMatch(message, /platelets/);
    assert.doesNotMatch(message, /tocilizumab|placebo/i);
  } finally {
    await opened.cleanup();
  }
});

test('a hold or stop alert from a rule not verified against its source is flagged [U]', async () => {
  const opened = await sqliteFactory.open(() => new Date(Date.UTC(2026, 10, 20, 9)));
  try {
    const { store } = opened;
    const insight = insightProtocol();
    const safety = insight.safety as NonNullable<typeof insight.safety>;
    // A protocol whose ANC hold threshold was set locally and not checked against the label.
    const protocol = {
      ...insight,
      safety: {
        ...safety,
        rules: safety.rules.map((r) => (r.id === 'anc-hold' ? { ...r, verified: false } : r)),
      },
    };
    await store.init(as('administrator'), { protocol, plan: blocksPlan(protocol) });
    await store.addKits(as('unblinded-pharmacist'), generateKits(planArms(protocol), 10, 7));
    const id = await enrolOne(store, protocol, 'UNV-1', 'A');
    const ctx = as('coordinator', 'A', 'lab entry');
    await randomizeAndInfuse(store, ctx, id, '2026-11-05');
    const anc = (value: number) =>
      store.addLab(ctx, {
        participantId: id,
        visit: 'day-7',
        analyte: 'anc',
        value,
        unit: '10*9/L',
        upperLimitOfNormal: null,
        lowerLimitOfNormal: 2,
        collectedOn: '2026-11-12',
      });
    const hold = await anc(0.8);
    assert.equal(hold.lab.assessment.verified, false);
    assert.match(hold.alerts[0]?.message ?? '', /: hold; when ANC > 1000\/mm3 resume IV at 4 mg\/kg \[U\]$/);
    const stop = await anc(0.4);
    assert.doesNotMatch(stop.alerts[0]?.message ?? '', /\[U\]/, 'the verified stop rule is not flagged');
    // Before the infusion, the same unverified hold leaves the dose not cleared, and says so.
    const other = await enrolOne(store, protocol, 'UNV-2', 'A');
    await store.addLab(ctx, {
      participantId: other,
      visit: 'baseline',
      analyte: 'anc',
      value: 0.8,
      unit: '10*9/L',
      upperLimitOfNormal: null,
      lowerLimitOfNormal: 2,
      collectedOn: '2026-11-04',
    });
    await randomizeAndInfuse(store, ctx, other, '2026-11-05');
    const notCleared = (await store.listAlerts()).find(
      (a) => a.kind === 'dose-not-cleared' && a.participantId === other,
    );
    assert.match(
      notCleared?.message ?? '',
      /anc 0\.8 10\*9\/L on 2026-11-04: hold \(.*: not recommended to initiate\) \[U\]; platelets/,
    );
  } finally {
    await opened.cleanup();
  }
});

test('an infusion date corrected to before its pre-dose labs is refused, naming them; one within them raises no dose-not-cleared', async () => {
  const opened = await sqliteFactory.open(() => new Date(Date.UTC(2026, 10, 20, 9)));
  try {
    const { store } = opened;
    const protocol = await initTrial(store);
    const ctx = as('coordinator', 'A', 'lab entry');
    const id = await enrolOne(store, protocol, 'CLR-3', 'A');
    for (const [analyte, value, uln, lln] of [
      ['anc', 3.1, null, 2],
      ['platelets', 240, null, 150],
      ['alt', 25, 40, null],
      ['ast', 22, 40, null],
    ] as const) {
      await store.addLab(ctx, {
        participantId: id,
        visit: 'baseline',
        analyte,
        value,
        unit: analyte === 'alt' || analyte === 'ast' ? 'U/L' : '10*9/L',
        upperLimitOfNormal: uln,
        lowerLimitOfNormal: lln,
        collectedOn: '2026-11-04',
      });
    }
    // Randomized on the enrolment day, so that the infusion date can be corrected back to it.
    const { dose } = await randomizeAndInfuse(store, ctx, id, '2026-11-06', '2026-11-03');
    const notCleared = async () => (await store.listAlerts()).filter((a) => a.kind === 'dose-not-cleared');
    assert.deepEqual(await notCleared(), []);
    const fix = as('coordinator', 'A', 'infusion date typed wrong');
    await store.correctDose(fix, dose.id, { administeredOn: '2026-11-05' });
    assert.deepEqual(await notCleared(), [], 'still after the labs');
    // Before the labs, which were drawn before the drug by their visit: refused, naming them (a date typed wrong).
    await assert.rejects(
      store.correctDose(fix, dose.id, { administeredOn: '2026-11-03' }),
      /dose correction: 4 pre-treatment records are dated after the corrected infusion date \(2026-11-03\): baseline alt result collected 2026-11-04; .*; correct them first$/,
    );
    assert.deepEqual(await notCleared(), []);
  } finally {
    await opened.cleanup();
  }
});

test('an infusion date corrected grades the lab results again: a baseline ANC now before the infusion is a hold, audited, with its alert', async () => {
  const opened = await sqliteFactory.open(() => new Date(Date.UTC(2026, 10, 20, 9)));
  try {
    const { store } = opened;
    const protocol = await initTrial(store);
    const ctx = as('coordinator', 'A', 'lab entry');
    const id = await enrolOne(store, protocol, 'REGRADE-1', 'A');
    // The infusion typed as 2026-11-04 for 2026-11-06: the baseline ANC of 1.5 drawn on 2026-11-05 reads as after
    // the drug, where the label's do-not-initiate threshold (ANC < 2) does not apply. The store now refuses such a
    // result; one stored before that rule is made here.
    const { dose } = await randomizeAndInfuse(store, ctx, id, '2026-11-04', '2026-11-03');
    const { lab } = await storedBeforeTheRule(opened.db, () =>
      store.addLab(ctx, {
        participantId: id,
        visit: 'day-7',
        analyte: 'anc',
        value: 1.5,
        unit: '10*9/L',
        upperLimitOfNormal: null,
        lowerLimitOfNormal: 2,
        collectedOn: '2026-11-05',
      }),
    );
    assert.equal(lab.assessment.action, 'continue');
    const holds = async () => (await store.listAlerts()).filter((a) => a.kind === 'hold-rule');
    assert.deepEqual(await holds(), []);
    const corrected = await store.correctDose(as('coordinator', 'A', 'infusion date typed wrong'), dose.id, {
      administeredOn: '2026-11-06',
    });
    const [regraded] = (await store.snapshot()).labs;
    assert.equal(regraded?.assessment.action, 'hold', 'drawn before the drug: not recommended to initiate');
    // The correction answers with the hold alert it raised, as a lab result's entry does.
    assert.deepEqual(
      corrected.alerts.map((a) => [a.kind, a.sourceId]),
      [['hold-rule', lab.id]],
    );
    assert.deepEqual(regraded?.assessment.rules, ['anc-do-not-initiate']);
    assert.equal(regraded?.version, 2);
    const [alert, ...more] = await holds();
    assert.equal(more.length, 0);
    assert.equal(alert?.sourceId, lab.id);
    const audit = (await store.listAudit()).find((e) => e.action === 'regrade');
    assert.equal(audit?.entityId, lab.id);
    assert.equal(audit?.reason, 'infusion date typed wrong');
    assert.equal((audit?.before as { assessment: { action: string } }).assessment.action, 'continue');
    assert.equal((audit?.after as { assessment: { action: string } }).assessment.action, 'hold');
    // A correction made on the result as it read before the regrade is refused.
    await assert.rejects(
      store.correctLab(as('coordinator', 'A', 'unit'), lab.id, { value: 1.6 }, 1),
      (e: Error & { code?: string }) => e.code === 'trial.conflict',
    );
    // Back to a date before the result, now a pre-treatment result before the drug: refused, naming it.
    await assert.rejects(
      store.correctDose(as('coordinator', 'A', 'first date was right'), dose.id, { administeredOn: '2026-11-04' }),
      /1 pre-treatment record is dated after the corrected infusion date \(2026-11-04\): baseline anc result collected 2026-11-05/,
    );
    assert.equal((await store.snapshot()).labs[0]?.assessment.action, 'hold');
    assert.equal((await holds()).length, 1);
    // A correction of the dose alone grades nothing again.
    const audited = (await store.listAudit()).length;
    await store.correctDose(as('coordinator', 'A', 'weight'), dose.id, { bodyWeightKg: 71 });
    assert.equal((await store.listAudit()).filter((e) => e.action === 'regrade').length, 1);
    assert.equal((await store.listAudit()).length, audited + 1);
  } finally {
    await opened.cleanup();
  }
});

test('an infusion date corrected re-grades an ALT on the baseline it now has', async () => {
  const opened = await sqliteFactory.open(() => new Date(Date.UTC(2026, 10, 20, 9)));
  try {
    const { store } = opened;
    const protocol = await initTrial(store);
    const ctx = as('coordinator', 'A', 'lab entry');
    const id = await enrolOne(store, protocol, 'REGRADE-2', 'A');
    const alt = altEntry(store, ctx, id);
    // Infusion typed 2026-11-04: the baseline ALT of 80 (2 x ULN) drawn on 2026-11-05 is no baseline, so the day-7
    // ALT of 130 is graded on the ULN (3.25 x ULN: grade 2, hold).
    // (A baseline result dated after the infusion is refused now: one stored before that rule is made here.)
    const { dose } = await randomizeAndInfuse(store, ctx, id, '2026-11-04', '2026-11-03');
    await storedBeforeTheRule(opened.db, () => alt('day-7', 80, '2026-11-05'));
    const { lab: day7 } = await alt('day-7', 130, '2026-11-12');
    assert.equal(day7.assessment.grade, 2);
    await store.correctDose(as('coordinator', 'A', 'infusion date typed wrong'), dose.id, {
      administeredOn: '2026-11-06',
    });
    // Given on 2026-11-06, the ALT of 80 is the abnormal baseline: 130 is 1.6 x baseline, grade 1 (CTCAE v5.0).
    const now = (await store.snapshot()).labs.find((l) => l.id === day7.id);
    assert.equal(now?.assessment.grade, 1);
  } finally {
    await opened.cleanup();
  }
});

test('the ALT baseline is the latest pre-treatment result, as SDTM LBBLFL flags it: a normal repeat at baseline grades on the ULN', async () => {
  const opened = await sqliteFactory.open(() => new Date(Date.UTC(2026, 10, 20, 9)));
  try {
    const { store } = opened;
    const protocol = await initTrial(store);
    const ctx = as('coordinator', 'A', 'lab entry');
    const id = await enrolOne(store, protocol, 'BL-LATEST', 'A');
    const alt = altEntry(store, ctx, id);
    // Raised at screening (2 x ULN), normal when repeated at the baseline visit, before the infusion.
    await alt('screening', 80, '2026-10-28');
    await alt('baseline', 30, '2026-11-04');
    await randomizeAndInfuse(store, ctx, id, '2026-11-05');
    // 130 U/L is 3.25 x ULN, CTCAE v5.0 grade 2, on a normal baseline; graded on the screening value it would read
    // 1.6 x an abnormal baseline, grade 1.
    const { lab } = await alt('day-7', 130, '2026-11-12');
    assert.equal(lab.assessment.grade, 2);
    assert.equal(lab.assessment.action, 'hold');
    // The export's baseline flag names the same result.
    const lb = parse(sdtmDomains(await store.snapshot(), protocol, loadInstruments()).LB, { columns: true }) as Record<
      string,
      string
    >[];
    assert.deepEqual(
      lb.filter((r) => r['LBTESTCD'] === 'ALT' && r['LBBLFL'] === 'Y').map((r) => r['LBORRES']),
      ['30'],
    );
  } finally {
    await opened.cleanup();
  }
});

test("the ALT baseline is abnormal against its own laboratory's ULN, not a later result's from another laboratory", async () => {
  const opened = await sqliteFactory.open(() => new Date(Date.UTC(2026, 10, 20, 9)));
  try {
    const { store } = opened;
    const protocol = await initTrial(store);
    const ctx = as('coordinator', 'A', 'lab entry');
    const id = await enrolOne(store, protocol, 'BL-ULN', 'A');
    const alt = (visit: string, value: number, uln: number, collectedOn: string) =>
      store.addLab(ctx, {
        participantId: id,
        visit,
        analyte: 'alt',
        value,
        unit: 'U/L',
        upperLimitOfNormal: uln,
        lowerLimitOfNormal: null,
        collectedOn,
      });
    // 45 U/L where the baseline laboratory's ULN is 50: a normal baseline.
    await alt('baseline', 45, 50, '2026-11-04');
    await randomizeAndInfuse(store, ctx, id, '2026-11-05');
    // Day 7 at a laboratory whose ULN is 40: 130 U/L is 3.25 x ULN, grade 2 (read as 2.9 x an abnormal baseline of
    // 45 it would be grade 1).
    const { lab } = await alt('day-7', 130, 40, '2026-11-12');
    assert.equal(lab.assessment.grade, 2);
  } finally {
    await opened.cleanup();
  }
});

test('an ALT baseline reported in another activity unit is converted, not passed over', async () => {
  const opened = await sqliteFactory.open(() => new Date(Date.UTC(2026, 10, 20, 9)));
  try {
    const { store } = opened;
    const protocol = await initTrial(store);
    const ctx = as('coordinator', 'A', 'lab entry');
    const id = await enrolOne(store, protocol, 'BL-UNIT', 'A');
    // The baseline laboratory reports international units: 80 [IU]/L (2 x its ULN of 40) is an abnormal baseline.
    await store.addLab(ctx, {
      participantId: id,
      visit: 'baseline',
      analyte: 'alt',
      value: 80,
      unit: '[IU]/L',
      upperLimitOfNormal: 40,
      lowerLimitOfNormal: null,
      collectedOn: '2026-11-04',
    });
    await randomizeAndInfuse(store, ctx, id, '2026-11-05');
    // 130 U/L is 1.6 x that baseline, CTCAE v5.0 grade 1; read without it, 3.25 x ULN, grade 2.
    const { lab } = await altEntry(store, ctx, id)('day-7', 130, '2026-11-12');
    assert.equal(lab.assessment.grade, 1);
  } finally {
    await opened.cleanup();
  }
});

test('a corrected baseline ALT grades the later ALT again, on the ULN once the baseline is normal', async () => {
  const opened = await sqliteFactory.open(() => new Date(Date.UTC(2026, 10, 20, 9)));
  try {
    const { store } = opened;
    const protocol = await initTrial(store);
    const ctx = as('coordinator', 'A', 'lab entry');
    const id = await enrolOne(store, protocol, 'REGRADE-4', 'A');
    const alt = altEntry(store, ctx, id);
    // The baseline ALT typed as 80 for 30: the day-7 ALT of 130 is graded on that abnormal baseline (1.6 x baseline,
    // grade 1) instead of on the ULN (3.25 x ULN, grade 2); the label's hold (> 3 x ULN) reads the ULN either way.
    const { lab: baseline } = await alt('baseline', 80, '2026-11-04');
    await randomizeAndInfuse(store, ctx, id, '2026-11-05');
    const { lab: day7 } = await alt('day-7', 130, '2026-11-12');
    assert.equal(day7.assessment.grade, 1);
    const corrected = await store.correctLab(as('coordinator', 'A', '80 typed for 30'), baseline.id, { value: 30 });
    const now = (await store.snapshot()).labs.find((l) => l.id === day7.id);
    assert.equal(now?.assessment.grade, 2, 'graded on the ULN: 3.25 x ULN');
    assert.equal(now?.assessment.action, 'hold');
    assert.equal(now?.version, 2);
    assert.deepEqual(corrected.alerts, [], 'the hold alert was raised at entry');
    const entry = (await store.listAudit()).find((e) => e.action === 'regrade' && e.entityId === day7.id);
    assert.equal(entry?.reason, '80 typed for 30');
  } finally {
    await opened.cleanup();
  }
});

test('a screening ALT entered after the later results becomes their baseline and grades them again', async () => {
  const opened = await sqliteFactory.open(() => new Date(Date.UTC(2026, 10, 20, 9)));
  try {
    const { store } = opened;
    const protocol = await initTrial(store);
    const ctx = as('coordinator', 'A', 'lab entry');
    const id = await enrolOne(store, protocol, 'REGRADE-5', 'A');
    const alt = altEntry(store, ctx, id);
    await randomizeAndInfuse(store, ctx, id, '2026-11-05');
    const { lab: day7 } = await alt('day-7', 130, '2026-11-12');
    assert.equal(day7.assessment.grade, 2, 'no baseline yet: graded on the ULN');
    // The screening result, abnormal (2 x ULN), entered late: the baseline the day-7 result is graded on.
    await alt('screening', 80, '2026-11-01');
    assert.equal((await store.snapshot()).labs.find((l) => l.id === day7.id)?.assessment.grade, 1);
  } finally {
    await opened.cleanup();
  }
});

test('a lab result at a visit that takes no such lab (the infusion visit) is refused, naming the visits that do', async () => {
  const opened = await sqliteFactory.open(() => new Date(Date.UTC(2026, 10, 20, 9)));
  try {
    const { store } = opened;
    const protocol = await initTrial(store);
    const ctx = as('coordinator', 'A', 'lab entry');
    const id = await enrolOne(store, protocol, 'VISIT-1', 'A');
    await randomizeOn(store, ctx, id, '2026-11-05');
    // The pre-dose ANC drawn on the infusion morning, entered at the infusion visit: neither before the dosing visit
    // (no do-not-initiate threshold: ANC 1.5 would read "continue") nor counted in the pre-dose clearance.
    const anc = {
      participantId: id,
      visit: 'infusion',
      analyte: 'anc',
      value: 1.5,
      unit: '10*9/L',
      upperLimitOfNormal: null,
      lowerLimitOfNormal: 2,
      collectedOn: '2026-11-05',
    };
    const refused = (e: Error & { code?: string }) => {
      assert.equal(e.code, 'trial.invalid');
      assert.match(
        e.message,
        /the infusion visit takes no anc result \(the protocol takes it at screening, baseline, day-7, day-14, day-28\)/,
      );
      return true;
    };
    await assert.rejects(store.addLab(ctx, anc), refused);
    assert.equal((await store.snapshot()).labs.length, 0);
    const { lab } = await store.addLab(ctx, { ...anc, visit: 'baseline' });
    assert.equal(lab.assessment.action, 'hold');
    await assert.rejects(store.correctLab(as('coordinator', 'A', 'visit'), lab.id, { visit: 'infusion' }), refused);
  } finally {
    await opened.cleanup();
  }
});
