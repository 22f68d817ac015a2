/**
 * A follow-up of a serious adverse event that adds death or life-threatening alerts again: the sponsor must hear of
 * a death at once, and for a SUSAR it shortens the expedited-reporting clock. A follow-up that adds nothing grave
 * raises nothing. SQLite store.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { as, enrolOne, initTrial, randomizeAndInfuse, sqliteFactory } from './stores.test-support.ts';

test('a serious adverse event followed up as fatal or life-threatening raises its alert again', async () => {
  const opened = await sqliteFactory.open(() => new Date(Date.UTC(2026, 10, 20, 9)));
  try {
    const { store } = opened;
    const protocol = await initTrial(store);
    const id = await enrolOne(store, protocol, 'SAE-1', 'A');
    const ctx = as('coordinator', 'A', 'adverse event follow-up');
    const { event, alerts } = await store.addAdverseEvent(ctx, {
      participantId: id,
      term: 'Pneumonia',
      onsetOn: '2026-11-10',
      grade: 3,
      seriousCriteria: ['hospitalisation'],
      relatedness: 'possible',
      expectedness: 'unexpected',
      outcome: 'not-recovered',
    });
    assert.deepEqual(
      alerts.map((a) => a.kind),
      ['susar'],
    );
    const worse = await store.updateAdverseEvent(ctx, event.id, {
      grade: 4,
      seriousCriteria: ['hospitalisation', 'life-threatening'],
    });
    assert.deepEqual(
      worse.alerts.map((a) => a.kind),
      ['susar'],
    );
    assert.match(worse.alerts[0]?.message ?? '', /; follow-up adds life-threatening$/);
    const died = await store.updateAdverseEvent(ctx, event.id, {
      grade: 5,
      outcome: 'fatal',
      seriousCriteria: ['hospitalisation', 'life-threatening', 'death'],
    });
    assert.deepEqual(
      died.alerts.map((a) => a.kind),
      ['susar'],
    );
    assert.match(
      died.alerts[0]?.message ?? '',
      /\(hospitalisation, life-threatening, death\), grade 5.*follow-up adds death$/,
    );
    // A follow-up that adds nothing grave raises nothing.
    const renamed = await store.updateAdverseEvent(ctx, event.id, { term: 'Pneumonia, right lower lobe' });
    assert.equal(renamed.alerts.length, 0);
  } finally {
    await opened.cleanup();
  }
});

test('a related unexpected serious event with onset before the infusion is no SUSAR: no study drug was given yet', async () => {
  const opened = await sqliteFactory.open(() => new Date(Date.UTC(2026, 10, 20, 9)));
  try {
    const { store } = opened;
    const protocol = await initTrial(store);
    const id = await enrolOne(store, protocol, 'SAE-2', 'A');
    const ctx = as('coordinator', 'A', 'adverse event');
    await randomizeAndInfuse(store, ctx, id, '2026-11-08');
    const serious = {
      participantId: id,
      term: 'Pneumonia',
      grade: 3,
      seriousCriteria: ['hospitalisation'],
      relatedness: 'possible',
      expectedness: 'unexpected',
      outcome: 'not-recovered',
    };
    // Onset on 2026-11-06, before the infusion of 2026-11-08: recorded, relatedness kept, alerted as serious only.
    const early = await store.addAdverseEvent(ctx, { ...serious, onsetOn: '2026-11-06' });
    assert.equal(early.event.relatedness, 'possible');
    assert.deepEqual(
      early.alerts.map((a) => a.kind),
      ['serious-adverse-event'],
    );
    assert.match(
      early.alerts[0]?.message ?? '',
      /possible, unexpected; onset 2026-11-06 precedes the first infusion \(2026-11-08\): no study drug given, not a SUSAR \(ICH E2A\)$/,
    );
    // Its onset corrected to the infusion's day: a SUSAR, alerted as one.
    const corrected = await store.updateAdverseEvent(ctx, early.event.id, { onsetOn: '2026-11-08' });
    assert.deepEqual(
      corrected.alerts.map((a) => a.kind),
      ['susar'],
    );
    // On the infusion's day or after, a SUSAR.
    const after = await store.addAdverseEvent(ctx, { ...serious, term: 'Sepsis', onsetOn: '2026-11-09' });
    assert.deepEqual(
      after.alerts.map((a) => a.kind),
      ['susar'],
    );
    assert.doesNotMatch(after.alerts[0]?.message ?? '', /precedes/);
  } finally {
    await opened.cleanup();
  }
});

test('an infusion recorded after a serious event revisits its SUSAR alert, keeping the acknowledgement made', async () => {
  const opened = await sqliteFactory.open(() => new Date(Date.UTC(2026, 10, 20, 9)));
  try {
    const { store } = opened;
    const protocol = await initTrial(store);
    const id = await enrolOne(store, protocol, 'SAE-3', 'A');
    const ctx = as('coordinator', 'A', 'adverse event before the infusion record');
    // Entered before any infusion is recorded: a SUSAR as entered, alerted and acknowledged.
    const { event, alerts } = await store.addAdverseEvent(ctx, {
      participantId: id,
      term: 'Pneumonia',
      onsetOn: '2026-11-06',
      grade: 3,
      seriousCriteria: ['hospitalisation'],
      relatedness: 'possible',
      expectedness: 'unexpected',
      outcome: 'not-recovered',
    });
    assert.deepEqual(
      alerts.map((a) => a.kind),
      ['susar'],
    );
    const acknowledged = await store.acknowledgeAlert(ctx, alerts[0]!.id, { actionTaken: 'reported to the sponsor' });
    // The infusion, entered late, was given on 2026-11-08, after the onset: no study drug had been given.
    const infused = await randomizeAndInfuse(store, ctx, id, '2026-11-08', '2026-11-05');
    const revisited = infused.alerts.filter((a) => a.sourceId === event.id);
    assert.deepEqual(
      revisited.map((a) => a.kind),
      ['serious-adverse-event'],
    );
    assert.match(
      revisited[0]?.message ?? '',
      /^No longer a SUSAR .*onset 2026-11-06 precedes the first infusion now recorded \(2026-11-08\).*ICH E2A/,
    );
    // The SUSAR alert and its acknowledgement stay.
    const kept = (await store.listAlerts({})).find((a) => a.id === acknowledged.id);
    assert.deepEqual(
      [kept?.kind, kept?.acknowledgedAt, kept?.actionTaken],
      ['susar', acknowledged.acknowledgedAt, 'reported to the sponsor'],
    );
    // The infusion date corrected to the day of the onset: a SUSAR again, alerted again, audited.
    const corrected = await store.correctDose(ctx, infused.dose.id, { administeredOn: '2026-11-06' });
    assert.deepEqual(
      corrected.alerts.filter((a) => a.sourceId === event.id).map((a) => a.kind),
      ['susar'],
    );
    const raised = (await store.listAudit({ limit: 1000 })).filter(
      (e) => e.action === 'raise' && (e.after as { sourceId?: string }).sourceId === event.id,
    );
    assert.equal(raised.length, 3);
  } finally {
    await opened.cleanup();
  }
});

test('an onset corrected to before the infusion takes a SUSAR out of SUSARs in an alert of its own', async () => {
  const opened = await sqliteFactory.open(() => new Date(Date.UTC(2026, 10, 20, 9)));
  try {
    const { store } = opened;
    const protocol = await initTrial(store);
    const id = await enrolOne(store, protocol, 'SAE-4', 'A');
    const ctx = as('coordinator', 'A', 'onset typed wrong');
    await randomizeAndInfuse(store, ctx, id, '2026-11-08', '2026-11-05');
    const { event, alerts } = await store.addAdverseEvent(ctx, {
      participantId: id,
      term: 'Pneumonia',
      onsetOn: '2026-11-09',
      grade: 3,
      seriousCriteria: ['hospitalisation'],
      relatedness: 'possible',
      expectedness: 'unexpected',
      outcome: 'not-recovered',
    });
    assert.deepEqual(
      alerts.map((a) => a.kind),
      ['susar'],
    );
    const moved = await store.updateAdverseEvent(ctx, event.id, { onsetOn: '2026-11-06' });
    assert.deepEqual(
      moved.alerts.map((a) => a.kind),
      ['serious-adverse-event'],
    );
    assert.match(
      moved.alerts[0]?.message ?? '',
      /^No longer a SUSAR .*onset 2026-11-06 precedes the first infusion \(2026-11-08\)/,
    );
    assert.equal((await store.listAlerts({})).find((a) => a.id === alerts[0]!.id)?.kind, 'susar', 'kept');
  } finally {
    await opened.cleanup();
  }
});
