/**
 * A safety lab before the infusion is checked against the label's do-not-initiate thresholds as well as its hold and
 * stop rules: an ANC of 1.5 x10^9/L at the baseline visit says "hold" (do not give) with an alert, where the same ANC
 * after the infusion keeps the dose. SQLite store (the rule is the same SQL on every dialect).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { as, enrolOne, initTrial, randomizeAndInfuse, sqliteFactory } from './stores.test-support.ts';

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
