/**
 * The store checks each write against the permission matrix the server checks (src/trial/roles.ts), not only that
 * the role may write something: the unblinded pharmacist, who sees every arm, may not enter or correct a blinded
 * outcome form, a lab result or an adverse event, and the administrator may not enter clinical data, whatever calls
 * the store. SQLite store.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InputError } from '../../record/index.ts';
import { as, bdiAnswers, enrolOne, initTrial, sqliteFactory } from './stores.test-support.ts';

const forbidden = (e: unknown) => e instanceof InputError && e.code === 'trial.forbidden';

test('an unblinded pharmacist or an administrator cannot enter outcome forms, labs or adverse events in the store', async () => {
  const opened = await sqliteFactory.open(() => new Date(Date.UTC(2026, 10, 20, 9)));
  try {
    const { store } = opened;
    const protocol = await initTrial(store);
    const id = await enrolOne(store, protocol, 'ROLE-1', 'A');
    const form = {
      participantId: id,
      visit: 'baseline',
      instrument: 'bdi-ii',
      answers: bdiAnswers(8, 10),
      completedOn: '2026-11-04',
    };
    const lab = {
      participantId: id,
      visit: 'baseline',
      analyte: 'anc',
      value: 3,
      unit: '10*9/L',
      upperLimitOfNormal: null,
      lowerLimitOfNormal: 2,
      collectedOn: '2026-11-04',
    };
    const event = {
      participantId: id,
      term: 'Headache',
      onsetOn: '2026-11-04',
      grade: 1,
      seriousCriteria: [],
      relatedness: 'unlikely',
      expectedness: 'expected',
      outcome: 'recovered',
    };
    for (const role of ['unblinded-pharmacist', 'administrator'] as const) {
      const ctx = as(role, null, 'entry');
      await assert.rejects(store.saveForm(ctx, form), forbidden, `${role}: outcome form`);
      await assert.rejects(store.addLab(ctx, lab), forbidden, `${role}: lab`);
      await assert.rejects(store.addAdverseEvent(ctx, event), forbidden, `${role}: adverse event`);
      await assert.rejects(store.randomize(ctx, id), forbidden, `${role}: randomize`);
    }
    // The site's coordinator may; the pharmacist may not correct what the coordinator entered.
    const saved = await store.saveForm(as('coordinator', 'A', 'visit'), form);
    await assert.rejects(store.correctForm(as('unblinded-pharmacist', null, 'fix'), saved.id, { 4: 0 }), forbidden);
    assert.equal((await store.listForms({ participantId: id })).length, 1);
  } finally {
    await opened.cleanup();
  }
});
