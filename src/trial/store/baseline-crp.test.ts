/**
 * A baseline hs-CRP entered in nmol/L (a molar CRP, LOINC 76486-0) is converted to mg/L with the care pathway's molar
 * factor (definitions.inflammation.molarFactor, 9.524 nmol/L per mg/L [U]), as the pathway converts a CRP, and the
 * participant's text names the factor flagged [U]. SQLite store.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadKnowledge } from '../../knowledge/load.ts';
import { baselineCrpText } from '../strata.ts';
import { openTrialStore, storeKnowledgeFor } from './open.ts';
import { as, eligibleCriteria, enrolOne, initTrial, sqliteFactory } from './stores.test-support.ts';

test('a baseline hs-CRP in nmol/L is converted with the pathway molar factor, stratified and flagged [U]', async () => {
  const opened = await sqliteFactory.open(() => new Date(Date.UTC(2026, 10, 20, 9)));
  try {
    const { store } = opened;
    const protocol = await initTrial(store);
    const ctx = as('coordinator', 'A', 'enrolment');
    const screened = async (code: string) => {
      const s = await store.addScreening(ctx, {
        site: 'A',
        screeningCode: `S-${code}`,
        screenedOn: '2026-11-01',
        criteria: eligibleCriteria(protocol),
      });
      await store.recordConsent(ctx, { screeningId: s.id, consentedOn: '2026-11-02', formVersion: 'v1.0' });
      return s.id;
    };
    const enrol = async (code: string, value: number, crp: 'high' | 'low') =>
      store.enrol(ctx, {
        screeningId: await screened(code),
        participantCode: code,
        strata: { crp, site: 'A' },
        baselineCrp: { value, unit: 'nmol/L' },
        enrolledOn: '2026-11-03',
      });
    // 47.62 nmol/L / 9.524 = 5 mg/L: the high band (a cut of 3 mg/L); read as mg/L it would be implausible as nothing.
    const high = await enrol('MOL-1', 47.62, 'high');
    assert.deepEqual(high.baselineCrp, { value: 47.62, unit: 'nmol/L', comparator: null });
    assert.ok(Math.abs((high.baselineCrpMgPerL ?? 0) - 5) < 1e-9, String(high.baselineCrpMgPerL));
    assert.match(
      baselineCrpText(high, loadKnowledge().pathway) ?? '',
      /^47\.62 nmol\/L \(5 mg\/L, CRP molar factor \(nmol\/L per mg\/L\) 9\.524 \[U\]\)$/,
    );
    // Converted at enrolment under another pathway (a server given --pathway, another factor): the page does not name
    // this pathway's factor as the one used, as the analysis file's crp_conversion does not.
    assert.equal(
      baselineCrpText({ ...high, baselineCrpMgPerL: 5.01 }, loadKnowledge().pathway),
      "47.62 nmol/L (5.01 mg/L, CRP molar factor (nmol/L per mg/L) not this pathway's 9.524: converted at enrolment with another [U])",
    );
    // 9.524 nmol/L is 1 mg/L: the low band, and the strata given must agree.
    await assert.rejects(enrol('MOL-2', 9.524, 'high'), (e: Error & { code?: string }) => e.code === 'trial.invalid');
    assert.equal((await enrol('MOL-3', 9.524, 'low')).baselineCrpMgPerL, 1);
  } finally {
    await opened.cleanup();
  }
});

test('an implausible baseline in mg/L is not suggested to be nmol/L: a slip is no molar result', async () => {
  const opened = await sqliteFactory.open(() => new Date(Date.UTC(2026, 10, 20, 9)));
  try {
    const { store } = opened;
    const protocol = await initTrial(store);
    const ctx = as('coordinator', 'A', 'enrolment');
    const s = await store.addScreening(ctx, {
      site: 'A',
      screeningCode: 'S-SLIP',
      screenedOn: '2026-11-01',
      criteria: eligibleCriteria(protocol),
    });
    await store.recordConsent(ctx, { screeningId: s.id, consentedOn: '2026-11-02', formVersion: 'v1.0' });
    // 3000 typed for 3.000 mg/L: 315 mg/L if it were nmol/L, but nothing says it is a molar result.
    await assert.rejects(
      store.enrol(ctx, {
        screeningId: s.id,
        participantCode: 'SLIP',
        strata: { crp: 'high', site: 'A' },
        baselineCrp: { value: 3000, unit: 'mg/L' },
        enrolledOn: '2026-11-03',
      }),
      (e: Error) => {
        assert.match(
          e.message,
          /baseline hs-CRP 3000 mg\/L is outside the plausible range .*: check the value and its unit$/,
        );
        return true;
      },
    );
  } finally {
    await opened.cleanup();
  }
});

test("a store opened with a site's pathway judges entries by its ranges, not the bundled ones (trd serve --pathway)", async () => {
  const bundled = loadKnowledge().pathway;
  const { plausibility } = bundled.definitions;
  // A site that takes no baseline above 50 mg/L (the bundled range reaches 1,000).
  const site = {
    ...bundled,
    definitions: {
      ...bundled.definitions,
      plausibility: { ...plausibility, crpMgPerL: { ...plausibility.crpMgPerL, max: 50 } },
    },
  };
  for (const [knowledge, accepted] of [
    [storeKnowledgeFor(site), false],
    [undefined, true],
  ] as const) {
    const store = await openTrialStore(':memory:', knowledge === undefined ? {} : { knowledge });
    try {
      const protocol = await initTrial(store);
      const enrolled = enrolOne(store, protocol, 'P-80', 'A', 80);
      if (accepted) await enrolled;
      else await assert.rejects(enrolled, /outside the plausible range 0\.01 to 50 mg\/L/);
    } finally {
      await store.close();
    }
  }
});
