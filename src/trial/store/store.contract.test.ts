/**
 * One contract suite for every trial store: SQLite (temporary file), PostgreSQL in PGlite, and a real PostgreSQL
 * server when TRD_PG_URL is set (.ci/run sets it; without it the server run is skipped and says so).
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { InputError } from '../../record/index.ts';
import { minimise, type MinimisationPlan, type PermutedBlocksPlan } from '../../randomization/index.ts';
import { generateKits } from '../kits.ts';
import { planArms, planFactors } from '../strata.ts';
import { migrationsFor } from './migrations.ts';
import {
  allFactories,
  as,
  closeSharedPglite,
  blocksPlan,
  eligibleCriteria,
  enrolOne,
  initTrial,
  randomizeAndInfuse,
  randomizeOn,
  insightProtocol,
  SITES,
  type StoreFactory,
} from './stores.test-support.ts';

const rejectsWith = async (p: Promise<unknown>, code: string): Promise<void> => {
  await assert.rejects(p, (e: unknown) => e instanceof InputError && e.code === code);
};

const bdiAnswers = (value: number) =>
  Object.fromEntries(
    Array.from({ length: 21 }, (_, i) => [String(i + 1), i === 15 ? `${value}a` : i === 17 ? `${value}b` : value]),
  );

after(closeSharedPglite);

if (process.env.TRD_PG_URL === undefined) {
  test('PostgreSQL server run of the contract suite', { skip: 'TRD_PG_URL is not set (.ci/run sets it)' }, () => {});
}

for (const factory of allFactories()) {
  describe(`trial store contract: ${factory.name}`, () => {
    const withStore = async (
      fn: (opened: Awaited<ReturnType<StoreFactory['open']>>) => Promise<void>,
    ): Promise<void> => {
      const opened = await factory.open();
      try {
        await fn(opened);
      } finally {
        await opened.cleanup();
      }
    };

    test('migrations are versioned and recorded; the schema is the same file for both dialects', async () => {
      await withStore(async ({ db }) => {
        const rows = await db.transaction('read', (tx) =>
          tx.all<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version'),
        );
        assert.deepEqual(
          rows.map((r) => Number(r.version)),
          migrationsFor(db.dialect).map((m) => m.version),
        );
        assert.deepEqual(
          migrationsFor('sqlite').map((m) => m.version),
          migrationsFor('postgres').map((m) => m.version),
        );
      });
    });

    test('demographics: sex and birth date or age at consent kept, corrected and audited; site countries set at init or later', async () => {
      await withStore(async ({ store }) => {
        const protocol = insightProtocol();
        await rejectsWith(
          store.init(as('administrator'), {
            protocol,
            plan: blocksPlan(protocol),
            siteCountries: { A: 'UK' },
          }),
          'trial.invalid',
        );
        await rejectsWith(
          store.init(as('administrator'), { protocol, plan: blocksPlan(protocol), siteCountries: { a: 'GBR' } }),
          'trial.invalid',
        );
        await store.init(as('administrator'), { protocol, plan: blocksPlan(protocol), siteCountries: { A: 'GBR' } });
        assert.deepEqual((await store.trial())?.siteCountries, { A: 'GBR' });
        await rejectsWith(store.setSiteCountries(as('coordinator', 'A'), { B: 'AUS' }), 'trial.forbidden');
        const info = await store.setSiteCountries(as('administrator', null, 'site B opened'), { B: 'AUS' });
        assert.deepEqual(info.siteCountries, { A: 'GBR', B: 'AUS' });
        assert.deepEqual((await store.snapshot()).trial.siteCountries, { A: 'GBR', B: 'AUS' });

        const ctx = as('coordinator', 'A');
        const entry = async (code: string) => {
          const s = await store.addScreening(ctx, {
            site: 'A',
            screeningCode: code,
            screenedOn: '2026-11-01',
            criteria: eligibleCriteria(protocol),
          });
          await store.recordConsent(ctx, { screeningId: s.id, consentedOn: '2026-11-02', formVersion: 'v1.0' });
          return s.id;
        };
        const base = { strata: { crp: 'high', site: 'A' }, baselineCrpMgPerL: 5.2, enrolledOn: '2026-11-03' };
        const first = await entry('D-1');
        // A birth date after the consent, or one giving an age no participant has, is a slip: refused.
        for (const birthDate of ['2026-11-03', '1862-05-01']) {
          await rejectsWith(
            store.enrol(ctx, { ...base, screeningId: first, participantCode: 'D1', birthDate }),
            'trial.invalid',
          );
        }
        await assert.rejects(
          store.enrol(ctx, {
            ...base,
            screeningId: first,
            participantCode: 'D1',
            birthDate: '1980-01-01',
            ageAtConsent: 46,
          }),
          /ageAtConsent/,
        );
        await assert.rejects(
          store.enrol(ctx, { ...base, screeningId: first, participantCode: 'D1', sex: 'MALE' }),
          (e: unknown) => e instanceof InputError,
        );
        const p = await store.enrol(ctx, {
          ...base,
          screeningId: first,
          participantCode: 'D1',
          sex: 'F',
          birthDate: '1980-11-03',
        });
        assert.deepEqual([p.sex, p.birthDate, p.ageAtConsent], ['F', '1980-11-03', null]);
        const read = await store.getParticipant(p.id);
        assert.deepEqual([read?.sex, read?.birthDate, read?.ageAtConsent], ['F', '1980-11-03', null]);
        // Without demographics (the field is optional): null, never a default.
        const q = await store.enrol(ctx, { ...base, screeningId: await entry('D-2'), participantCode: 'D2' });
        assert.deepEqual([q.sex, q.birthDate, q.ageAtConsent], [null, null, null]);
        // A correction: the age at consent where the birth date is not collected replaces the birth date held.
        const fixed = await store.correctEnrolment(as('coordinator', 'A', 'birth date not to be kept'), p.id, {
          ageAtConsent: 45,
          sex: 'UNDIFFERENTIATED',
        });
        assert.deepEqual([fixed.sex, fixed.birthDate, fixed.ageAtConsent], ['UNDIFFERENTIATED', null, 45]);
        const again = await store.getParticipant(p.id);
        assert.deepEqual([again?.sex, again?.birthDate, again?.ageAtConsent], ['UNDIFFERENTIATED', null, 45]);
        await rejectsWith(
          store.correctEnrolment(as('coordinator', 'A', 'typo'), p.id, { birthDate: '2027-01-01' }),
          'trial.invalid',
        );
        const audit = await store.listAudit({ limit: 1000 });
        const created = audit.find((e) => e.action === 'create' && e.entity === 'participant' && e.entityId === p.id);
        assert.equal((created?.after as { birthDate?: string }).birthDate, '1980-11-03');
        const corrected = audit.find((e) => e.action === 'correct' && e.entity === 'participant');
        assert.deepEqual(
          [(corrected?.before as { sex?: string }).sex, (corrected?.after as { ageAtConsent?: number }).ageAtConsent],
          ['F', 45],
        );
        const countries = audit.find((e) => e.action === 'correct' && e.entity === 'trial');
        assert.deepEqual(countries?.after, { siteCountries: { A: 'GBR', B: 'AUS' } });
      });
    });

    test('a consent date corrected under an enrolment re-checks its birth date: not after the consent, age at most 120', async () => {
      await withStore(async ({ store }) => {
        const protocol = await initTrial(store);
        const ctx = as('coordinator', 'A', 'consent date typed wrong');
        const enrolled = async (code: string, consentedOn: string, birthDate: string) => {
          const s = await store.addScreening(ctx, {
            site: 'A',
            screeningCode: `S-${code}`,
            screenedOn: '2026-10-01',
            criteria: eligibleCriteria(protocol),
          });
          const consent = await store.recordConsent(ctx, { screeningId: s.id, consentedOn, formVersion: 'v1.0' });
          await store.enrol(ctx, {
            screeningId: s.id,
            participantCode: code,
            strata: { crp: 'high', site: 'A' },
            baselineCrpMgPerL: 5,
            enrolledOn: '2026-11-20',
            birthDate,
          });
          return consent.id;
        };
        const refusal = async (consentId: string, consentedOn: string): Promise<InputError> => {
          const e = await store.correctConsent(ctx, consentId, { consentedOn }).catch((x: unknown) => x);
          assert.ok(e instanceof InputError && e.code === 'trial.invalid', String(e));
          return e;
        };
        // A birth year typed as the current one (2026 for 1966): age 0 at the consent as entered, taken then; the
        // consent date corrected to the year before puts the birth after the consent.
        const young = await enrolled('Y1', '2026-11-02', '2026-01-15');
        const below = await refusal(young, '2025-11-02');
        assert.equal(below.field, 'consentedOn');
        assert.match(below.message, /birthDate 2026-01-15 gives an age at consent \(2025-11-02\) below 0/);
        // Aged 120 at the consent as entered; 121 at the corrected one.
        const old = await enrolled('O1', '2026-11-02', '1905-11-10');
        const above = await refusal(old, '2026-11-12');
        assert.match(above.message, /of 121, above 120/);
        // Nothing was changed; a correction the birth date fits is taken.
        const consents = (await store.snapshot()).consents;
        assert.deepEqual(
          [young, old].map((id) => consents.find((c) => c.id === id)?.consentedOn),
          ['2026-11-02', '2026-11-02'],
        );
        assert.equal((await store.correctConsent(ctx, old, { consentedOn: '2026-11-09' })).consentedOn, '2026-11-09');
        assert.equal((await store.correctConsent(ctx, young, { formVersion: 'v1.1' })).formVersion, 'v1.1');
      });
    });

    test('a consent date corrected under an enrolment re-checks its age at consent: the age entered must still be the age on it', async () => {
      await withStore(async ({ store }) => {
        const protocol = await initTrial(store);
        const ctx = as('coordinator', 'A', 'consent year typed wrong');
        const s = await store.addScreening(ctx, {
          site: 'A',
          screeningCode: 'S-AGE1',
          screenedOn: '2024-10-01',
          criteria: eligibleCriteria(protocol),
        });
        const consent = await store.recordConsent(ctx, {
          screeningId: s.id,
          consentedOn: '2026-11-02',
          formVersion: 'v1.0',
        });
        const p = await store.enrol(ctx, {
          screeningId: s.id,
          participantCode: 'AGE1',
          strata: { crp: 'high', site: 'A' },
          baselineCrpMgPerL: 5,
          enrolledOn: '2026-11-20',
          ageAtConsent: 45,
        });
        // 45 on 2026-11-02 is 43 or 44 on 2024-11-02: the age entered cannot be the age at the corrected consent.
        const e = await store.correctConsent(ctx, consent.id, { consentedOn: '2024-11-02' }).catch((x: unknown) => x);
        assert.ok(e instanceof InputError && e.code === 'trial.invalid', String(e));
        assert.equal(e.field, 'consentedOn');
        assert.match(
          e.message,
          /ageAtConsent 45 was entered for the consent on 2026-11-02 and cannot be the age on 2024-11-02/,
        );
        assert.equal((await store.snapshot()).consents.find((c) => c.id === consent.id)?.consentedOn, '2026-11-02');
        // A correction of days keeps a possible age; so does the way the refusal names: the age cleared, the date
        // corrected, the age entered for it.
        assert.equal(
          (await store.correctConsent(ctx, consent.id, { consentedOn: '2026-10-30' })).consentedOn,
          '2026-10-30',
        );
        const read = await store.getParticipant(p.id);
        await store.correctEnrolment(ctx, p.id, { ageAtConsent: null }, read?.version);
        assert.equal(
          (await store.correctConsent(ctx, consent.id, { consentedOn: '2024-11-02' })).consentedOn,
          '2024-11-02',
        );
      });
    });

    test('enrolment: screening log with the verdict, consent before enrolment, only eligible entries enrol', async () => {
      await withStore(async ({ store }) => {
        const protocol = await initTrial(store);
        const ctx = as('coordinator', 'A');
        const criteria = eligibleCriteria(protocol);
        const ineligible = await store.addScreening(ctx, {
          site: 'A',
          screeningCode: 'S-1',
          screenedOn: '2026-11-01',
          criteria: criteria.map((c) => (c.id === 'insight-in-age' ? { ...c, status: 'not-met' as const } : c)),
        });
        assert.equal(ineligible.verdict, 'ineligible');
        assert.deepEqual(ineligible.failed, ['insight-in-age']);
        const undecided = await store.addScreening(ctx, {
          site: 'A',
          screeningCode: 'S-2',
          screenedOn: '2026-11-01',
          criteria: criteria.map((c, i) => (i === 0 ? { ...c, status: 'unknown' as const } : c)),
        });
        assert.equal(undecided.verdict, 'needs-data');
        await rejectsWith(
          store.addScreening(ctx, {
            site: 'A',
            screeningCode: 'S-3',
            screenedOn: '2026-11-01',
            criteria: criteria.slice(1),
          }),
          'trial.invalid',
        );
        await rejectsWith(
          store.addScreening(ctx, { site: 'A', screeningCode: 'S-1', screenedOn: '2026-11-01', criteria }),
          'trial.conflict',
        );
        const eligible = await store.addScreening(ctx, {
          site: 'A',
          screeningCode: 'S-4',
          screenedOn: '2026-11-01',
          criteria,
        });
        const enrolInput = {
          screeningId: eligible.id,
          participantCode: 'P-4',
          strata: { crp: 'high', site: 'A' },
          baselineCrpMgPerL: 6.1,
          enrolledOn: '2026-11-03',
        };
        await rejectsWith(store.enrol(ctx, enrolInput), 'trial.conflict');
        await store.recordConsent(ctx, { screeningId: eligible.id, consentedOn: '2026-11-02', formVersion: 'v1.0' });
        await rejectsWith(store.enrol(ctx, { ...enrolInput, strata: { crp: 'medium', site: 'A' } }), 'trial.invalid');
        await rejectsWith(store.enrol(ctx, { ...enrolInput, strata: { crp: 'high', site: 'B' } }), 'trial.invalid');
        // The hs-CRP level is the protocol's band of the measured baseline, not the caller's word.
        await rejectsWith(store.enrol(ctx, { ...enrolInput, baselineCrpMgPerL: 1.2 }), 'trial.invalid');
        await rejectsWith(store.enrol(ctx, { ...enrolInput, baselineCrpMgPerL: null }), 'trial.invalid');
        // Outside the pathway's plausible range (0.01-1000 mg/L): a slip such as 3000 for 3.000, or 0.001.
        await assert.rejects(
          store.enrol(ctx, { ...enrolInput, baselineCrpMgPerL: 3000 }),
          (e: unknown) =>
            e instanceof InputError &&
            e.code === 'trial.invalid' &&
            /baseline hs-CRP 3000 mg\/L is outside the plausible range 0\.01 to 1000 mg\/L/.test(e.message),
        );
        // A value read off a report in mg/dL is entered with its unit: 0.5 mg/dL is 5 mg/L, the high band, where the
        // same number taken as mg/L would have randomized the participant from the low band's list.
        await rejectsWith(
          store.enrol(ctx, {
            ...enrolInput,
            baselineCrpMgPerL: undefined,
            baselineCrp: { value: 0.5, unit: 'mg/dL' },
            strata: { crp: 'low', site: 'A' },
          }),
          'trial.invalid',
        );
        // A unit that is not a mass concentration is refused, never guessed; so are both fields at once.
        await assert.rejects(
          store.enrol(ctx, { ...enrolInput, baselineCrpMgPerL: undefined, baselineCrp: { value: 6, unit: '10*9/L' } }),
          (e: unknown) => e instanceof InputError && /baseline hs-CRP unit 10\*9\/L: cannot convert/.test(e.message),
        );
        await rejectsWith(
          store.enrol(ctx, { ...enrolInput, baselineCrp: { value: 6.1, unit: 'mg/L' } }),
          'trial.invalid',
        );
        // 0.0005 mg/dL is implausible; the refusal names the unit the number would be plausible in.
        await assert.rejects(
          store.enrol(ctx, { ...enrolInput, baselineCrpMgPerL: undefined, baselineCrp: { value: 5, unit: 'g/L' } }),
          (e: unknown) =>
            e instanceof InputError && /5 g\/L is outside the plausible range .*: is it in mg\/L\?/.test(e.message),
        );
        await rejectsWith(store.enrol(ctx, { ...enrolInput, baselineCrpMgPerL: 0.001 }), 'trial.invalid');
        await rejectsWith(
          store.enrol(ctx, { ...enrolInput, strata: { crp: 'low', site: 'A' }, baselineCrpMgPerL: 3 }),
          'trial.invalid',
        );
        const p = await store.enrol(ctx, {
          ...enrolInput,
          baselineCrpMgPerL: undefined,
          baselineCrp: { value: 0.61, unit: 'mg/dL' },
        });
        assert.equal(p.status, 'enrolled');
        assert.deepEqual([p.baselineCrp, p.baselineCrpMgPerL], [{ value: 0.61, unit: 'mg/dL', comparator: null }, 6.1]);
        const stored = await store.getParticipant(p.id);
        assert.deepEqual(
          [stored?.baselineCrp, stored?.baselineCrpMgPerL],
          [{ value: 0.61, unit: 'mg/dL', comparator: null }, 6.1],
        );
        await rejectsWith(
          store.correctEnrolment(as('coordinator', 'A', 'unit'), p.id, { baselineCrpMgPerL: 1500 }),
          'trial.invalid',
        );
        await store.recordConsent(ctx, { screeningId: ineligible.id, consentedOn: '2026-11-02', formVersion: 'v1.0' });
        await rejectsWith(
          store.enrol(ctx, { ...enrolInput, screeningId: ineligible.id, participantCode: 'P-1' }),
          'trial.conflict',
        );
        assert.equal((await store.listScreening({ site: 'A' })).length, 3);
        assert.equal((await store.listScreening({ site: 'B' })).length, 0);
      });
    });

    test('randomization: concealed arm, kit code for everyone, one allocation per participant, consecutive numbers', async () => {
      await withStore(async ({ store }) => {
        const protocol = await initTrial(store);
        const ids = [
          await enrolOne(store, protocol, 'P1', 'A'),
          await enrolOne(store, protocol, 'P2', 'B'),
          await enrolOne(store, protocol, 'P3', 'A', 1.2),
        ];
        const allocations = [];
        for (const id of ids)
          allocations.push(await store.randomize(as('coordinator', (await store.getParticipant(id))!.site), id));
        assert.deepEqual(
          allocations.map((a) => a.randomizationNumber),
          [1, 2, 3],
        );
        assert.deepEqual(
          allocations.map((a) => a.stratum),
          ['crp=high|site=A', 'crp=high|site=B', 'crp=low|site=A'],
        );
        assert.deepEqual(
          allocations.map((a) => a.stratumSequence),
          [1, 1, 1],
        );
        await rejectsWith(store.randomize(as('coordinator', 'A'), ids[0]!), 'trial.conflict');
        const p = await store.getParticipant(ids[0]!);
        assert.equal(p?.kitCode, allocations[0]?.kitCode);
        assert.equal(
          JSON.stringify(await store.listParticipants()).includes('"arm"'),
          false,
          'participant reads carry no arm',
        );
        assert.ok(!JSON.stringify(await store.listParticipants()).includes('tocilizumab'));
        const stock = await store.kitStock();
        assert.equal(stock.total, 120 - 3);
        // The allocated arm is the first slot of the stratum's concealed list.
        const { allocationTable } = await import('../../randomization/index.ts');
        const table = allocationTable(blocksPlan(protocol) as never);
        for (const a of allocations) {
          assert.equal(a.arm, table.find((r) => r.stratum === a.stratum && r.sequence === a.stratumSequence)?.arm);
        }
      });
    });

    test('an exhausted stratum list is extended from the seed by the administrator; randomization goes on', async () => {
      await withStore(async ({ store }) => {
        const protocol = insightProtocol();
        const plan = blocksPlan(protocol, 20261129, 4) as PermutedBlocksPlan;
        await initTrial(store, plan, 30);
        const { allocationTable } = await import('../../randomization/index.ts');
        const stratum = 'crp=high|site=A';
        const slots = allocationTable(plan).filter((r) => r.stratum === stratum).length;
        for (let i = 0; i < slots; i++) {
          await store.randomize(as('coordinator', 'A'), await enrolOne(store, protocol, `X${i}`, 'A'));
        }
        const next = await enrolOne(store, protocol, 'X-next', 'A');
        await assert.rejects(
          store.randomize(as('coordinator', 'A'), next),
          (e: unknown) => e instanceof InputError && e.code === 'trial.conflict' && /exhausted/.test(e.message),
        );
        assert.deepEqual(
          (await store.allocationCapacity()).find((c) => c.stratum === stratum),
          { stratum, slots, used: slots },
        );
        // Only the administrator; only longer; a reason is the audit's.
        const reason = { reason: 'recruitment above plan in the high-CRP stratum' };
        await rejectsWith(store.extendAllocationList({ ...as('coordinator', 'A'), ...reason }, 12), 'trial.forbidden');
        await rejectsWith(store.extendAllocationList({ ...as('administrator'), ...reason }, 4), 'trial.conflict');
        const capacity = await store.extendAllocationList({ ...as('administrator'), ...reason }, 12);
        // The extended lists are the seed's lists for 12 slots: the slots already drawn are their prefixes.
        const longer = allocationTable({ ...plan, perStratum: 12 });
        for (const c of capacity) {
          assert.equal(c.slots, longer.filter((r) => r.stratum === c.stratum).length, c.stratum);
          assert.ok(c.slots >= 12);
        }
        const { arm, stratumSequence } = await store.randomize(as('coordinator', 'A'), next);
        assert.equal(stratumSequence, slots + 1);
        assert.equal(arm, longer.find((r) => r.stratum === stratum && r.sequence === slots + 1)?.arm);
        const entry = (await store.listAudit({ limit: 10_000 })).find((e) => e.action === 'extend');
        assert.equal(entry?.entity, 'allocation-list');
        assert.equal(entry?.reason, reason.reason);
        assert.deepEqual((entry?.before as { perStratum: number }).perStratum, 4);
        assert.deepEqual((entry?.after as { perStratum: number }).perStratum, 12);
        // The plan now says 12, so `trd trial allocation-table` with the seed rebuilds the same lists.
        assert.equal(
          (await store.allocationCapacity()).reduce((n, c) => n + c.slots, 0),
          longer.length,
        );
      });
    });

    test('a minimisation trial has no list to extend', async () => {
      await withStore(async ({ store }) => {
        const protocol = insightProtocol();
        const plan: MinimisationPlan = {
          method: 'minimisation',
          arms: planArms(protocol),
          factors: planFactors(protocol, SITES),
          seed: 77,
          pBest: 0.8,
        };
        await initTrial(store, plan, 10);
        await rejectsWith(store.extendAllocationList({ ...as('administrator'), reason: 'more' }, 50), 'trial.conflict');
        assert.deepEqual(await store.allocationCapacity(), []);
      });
    });

    test('kits: any free kit of the arm is given, not its lowest code; the stock stays right', async () => {
      await withStore(async ({ store }) => {
        const protocol = insightProtocol();
        const perArm = 30;
        await initTrial(store, blocksPlan(protocol, 20261129, 60), perArm);
        const armOf = new Map(generateKits(planArms(protocol), perArm, 7).map((k) => [k.kitCode, k.arm]));
        const free = new Set(armOf.keys());
        let skipped = 0;
        for (let i = 0; i < 40; i++) {
          const id = await enrolOne(store, protocol, `K${i}`, 'A');
          const { arm, kitCode } = await store.randomize(as('coordinator', 'A'), id);
          assert.equal(armOf.get(kitCode), arm, 'the kit holds the allocated arm');
          assert.ok(free.delete(kitCode), 'the kit was free');
          if ([...free].some((k) => armOf.get(k) === arm && k < kitCode)) skipped += 1;
        }
        // Lowest-first would never skip; a uniform draw takes the lowest of its arm's 11 or more free kits with
        // probability at most 1/11 each time, so 40 lowest in a row has probability below 1e-41.
        assert.ok(skipped > 0, 'some assignment passed over a lower free kit of its arm');
        const stock = await store.kitStock();
        assert.equal(stock.total, free.size);
        for (const arm of new Set(armOf.values())) {
          assert.equal(stock.byArm[arm], [...free].filter((k) => armOf.get(k) === arm).length);
        }
      });
    });

    test('kits: a kit code naming an arm (any case) or repeated in the list is refused; the list is added whole or not at all', async () => {
      await withStore(async ({ store }) => {
        const protocol = insightProtocol();
        await store.init(as('administrator'), { protocol, plan: blocksPlan(protocol) });
        for (const kitCode of ['PLACEBO-017', 'toci-1-Tocilizumab']) {
          await rejectsWith(
            store.addKits(as('unblinded-pharmacist'), [
              { kitCode: 'K9001', arm: 'placebo' },
              { kitCode, arm: 'tocilizumab' },
            ]),
            'trial.invalid',
          );
        }
        assert.deepEqual(await store.kitStock(), { total: 0, byArm: {} });
        // A code twice in one list is named as such, not as one already in the kit list.
        await assert.rejects(
          store.addKits(as('unblinded-pharmacist'), [
            { kitCode: 'K9001', arm: 'placebo' },
            { kitCode: 'K9002', arm: 'tocilizumab' },
            { kitCode: 'K9001', arm: 'tocilizumab' },
          ]),
          (e: unknown) =>
            e instanceof InputError &&
            e.code === 'trial.invalid' &&
            /kits\[2\]: the kit code repeats an earlier entry of this list/.test(e.message),
        );
        assert.equal(await store.addKits(as('unblinded-pharmacist'), [{ kitCode: 'K9001', arm: 'placebo' }]), 1);
        await rejectsWith(
          store.addKits(as('unblinded-pharmacist'), [{ kitCode: 'K9001', arm: 'placebo' }]),
          'trial.conflict',
        );
      });
    });

    test('kits: while any arm is out, every randomization is refused alike, whatever the next slot holds', async () => {
      await withStore(async ({ store }) => {
        const protocol = insightProtocol();
        await initTrial(store, blocksPlan(protocol, 20261129, 20), 2);
        const taken = [];
        // Two kits per arm: randomize until one arm is out (at most 3 participants can leave both arms stocked).
        // (kitStock lists only arms with a free kit.)
        while (Object.keys((await store.kitStock()).byArm).length === 2 && taken.length < 4) {
          const id = await enrolOne(store, protocol, `E${taken.length}`, 'A');
          taken.push(await store.randomize(as('coordinator', 'A'), id));
        }
        const stock = await store.kitStock();
        assert.ok(stock.total > 0 && Object.keys(stock.byArm).length < 2, 'one arm is out, the other is not');
        // Participants in both strata, so next slots of either arm: each refusal is the same.
        for (const [code, site] of [
          ['EA', 'A'],
          ['EB', 'B'],
          ['EC', 'A'],
        ] as const) {
          const id = await enrolOne(store, protocol, code, site, site === 'A' ? 5.2 : 1.2);
          await assert.rejects(
            store.randomize(as('coordinator', site), id),
            (e: unknown) =>
              e instanceof InputError && e.code === 'trial.conflict' && /an arm has no kit left/.test(e.message),
          );
        }
        assert.equal((await store.listAllocations()).length, taken.length);
      });
    });

    test('concurrency: 200 parallel randomizations give 200 distinct consecutive numbers and slots, chain verifies', async () => {
      await withStore(async ({ store }) => {
        const protocol = insightProtocol();
        await initTrial(store, blocksPlan(protocol, 31, 220), 220);
        const ids: string[] = [];
        for (let i = 0; i < 200; i++) ids.push(await enrolOne(store, protocol, `C${i}`, 'A'));
        const results = await Promise.all(ids.map((id) => store.randomize(as('coordinator', 'A'), id)));
        assert.deepEqual(
          results.map((r) => r.randomizationNumber).sort((a, b) => a - b),
          Array.from({ length: 200 }, (_, i) => i + 1),
        );
        assert.deepEqual(
          results.map((r) => r.stratumSequence).sort((a, b) => a - b),
          Array.from({ length: 200 }, (_, i) => i + 1),
        );
        assert.equal(new Set(results.map((r) => r.kitCode)).size, 200);
        assert.equal(new Set(results.map((r) => r.participantId)).size, 200);
        const v = await store.verifyAudit();
        assert.equal(v.ok, true, JSON.stringify(v.problems.slice(0, 3)));
      });
    });

    test("init: the plan's stratification factors must be the protocol's (site codes free)", async () => {
      await withStore(async ({ store }) => {
        const protocol = insightProtocol();
        const plan = blocksPlan(protocol);
        const refused = async (factors: typeof plan.factors) => {
          await assert.rejects(
            store.init(as('administrator'), { protocol, plan: { ...plan, factors } }),
            (e: unknown) =>
              e instanceof InputError &&
              e.code === 'trial.invalid' &&
              /stratification factors must be the protocol's: crp \(low, high\), site \(site codes\)/.test(e.message),
          );
        };
        const [crp, site] = plan.factors as [(typeof plan.factors)[number], (typeof plan.factors)[number]];
        await refused([site]); // no hs-CRP factor: the protocol stratifies by it
        await refused([crp, site, { id: 'sex', levels: ['f', 'm'], weight: 1 }]); // a level taken on the caller's word
        await refused([{ ...crp, levels: ['lo', 'hi'] }, site]); // levels no band derives
        // The site levels are the trial's own codes, and the hs-CRP levels may be listed in another order.
        await store.init(as('administrator'), {
          protocol,
          plan: {
            ...plan,
            factors: [
              { ...crp, levels: ['high', 'low'] },
              { ...site, levels: ['X', 'Y', 'Z'] },
            ],
          },
        });
        assert.deepEqual((await store.trial())?.factors, [
          { id: 'crp', levels: ['high', 'low'] },
          { id: 'site', levels: ['X', 'Y', 'Z'] },
        ]);
      });
    });

    test('minimisation in the store follows the pure algorithm from the persisted generator state', async () => {
      await withStore(async ({ store }) => {
        const protocol = insightProtocol();
        const plan: MinimisationPlan = {
          method: 'minimisation',
          arms: planArms(protocol),
          factors: planFactors(protocol, SITES),
          seed: 77,
          pBest: 0.8,
        };
        await initTrial(store, plan, 30);
        const enrolled: { id: string; levels: Record<string, string> }[] = [];
        for (let i = 0; i < 20; i++) {
          const site = i % 3 === 0 ? 'B' : 'A';
          const crp = i % 4 === 0 ? 2 : 5;
          enrolled.push({
            id: await enrolOne(store, protocol, `M${i}`, site, crp),
            levels: { crp: crp >= 3 ? 'high' : 'low', site },
          });
        }
        const arms: string[] = [];
        for (const e of enrolled) arms.push((await store.randomize(as('coordinator', e.levels.site!), e.id)).arm);
        // Replaying the same enrolments through the pure functions gives the same arms.
        const { emptyCounts, countAllocation, streamFor } = await import('../../randomization/index.ts');
        const counts = emptyCounts(plan);
        const rng = streamFor(77, 0);
        const expected = enrolled.map((e) => {
          const arm = minimise(plan, counts, e.levels, rng);
          countAllocation(counts, e.levels, arm);
          return arm;
        });
        assert.deepEqual(arms, expected);
      });
    });

    test('roles and sites: read-only and other-site writes are refused; kits by the pharmacist only', async () => {
      await withStore(async ({ store }) => {
        const protocol = await initTrial(store);
        const id = await enrolOne(store, protocol, 'R1', 'A');
        await rejectsWith(store.randomize(as('monitor'), id), 'trial.forbidden');
        await rejectsWith(store.randomize(as('statistician'), id), 'trial.forbidden');
        // Another site's participant is, to a site-bound role, as one that does not exist.
        await rejectsWith(store.randomize(as('coordinator', 'B'), id), 'trial.not-found');
        await rejectsWith(
          store.addKits(as('coordinator', 'A'), [{ kitCode: 'X1', arm: 'placebo' }]),
          'trial.forbidden',
        );
        await rejectsWith(
          store.randomize({ actor: { userId: 'c', role: 'coordinator', site: 'A' }, reason: ' ' }, id),
          'trial.reason.missing',
        );
        await store.randomize(as('coordinator', 'A'), id);
        await rejectsWith(store.emergencyUnblind(as('coordinator', 'A'), id), 'trial.forbidden');
        await rejectsWith(store.emergencyUnblind(as('investigator', 'B'), id), 'trial.not-found');
        const unblinded = await store.emergencyUnblind(as('investigator', 'A', 'suspected anaphylaxis'), id);
        assert.ok(['tocilizumab', 'placebo'].includes(unblinded.arm));
        assert.equal((await store.getParticipant(id))?.emergencyUnblinded, true);
        // The unblinding's own entry, then the alert it raises (the arm in neither).
        const [last, alert] = (await store.listAudit()).slice(-2);
        assert.equal(last?.action, 'emergency-unblind');
        assert.equal(last?.reason, 'suspected anaphylaxis');
        assert.equal(last?.userId, 'investigator-1');
        assert.equal(alert?.action, 'raise');
        assert.equal((alert?.after as { kind: string }).kind, 'emergency-unblinding');
        assert.equal(JSON.stringify(alert?.after).includes(unblinded.arm), false);
      });
    });

    test('eCRF: totals computed; corrections keep the old value with who, when and why; signing and re-signing', async () => {
      let tick = 0;
      const opened = await factory.open(() => new Date(Date.UTC(2026, 10, 20, 9, 0, tick++)));
      try {
        const { store } = opened;
        const protocol = await initTrial(store);
        const id = await enrolOne(store, protocol, 'F1', 'A');
        await store.randomize(as('coordinator', 'A'), id);
        const ctx = as('coordinator', 'A', 'day-14 visit');
        await rejectsWith(
          store.saveForm(ctx, {
            participantId: id,
            visit: 'day-14',
            instrument: 'phq-9',
            answers: {},
            completedOn: '2026-11-20',
          }),
          'trial.invalid',
        );
        const form = await store.saveForm(ctx, {
          participantId: id,
          visit: 'day-14',
          instrument: 'bdi-ii',
          answers: { ...bdiAnswers(1), '7': 5 },
          completedOn: '2026-11-20',
        });
        assert.equal(form.status, 'incomplete');
        assert.equal(form.score.total, null);
        await rejectsWith(
          store.signForm(as('investigator', 'A'), form.id, 'I confirm', form.version),
          'trial.conflict',
        );
        await rejectsWith(
          store.saveForm(ctx, {
            participantId: id,
            visit: 'day-14',
            instrument: 'bdi-ii',
            answers: bdiAnswers(1),
            completedOn: '2026-11-20',
          }),
          'trial.conflict',
        );
        const corrected = await store.correctForm(
          as('coordinator', 'A', 'transcription error: item 7 read from the wrong line'),
          form.id,
          { '7': 2 },
        );
        assert.equal(corrected.status, 'complete');
        assert.equal(corrected.score.total, 22);
        assert.equal(corrected.score.subscales.somatic, 7);
        assert.equal(corrected.version, 2);
        const corrections = await store.listCorrections(form.id);
        assert.equal(corrections.length, 1);
        assert.deepEqual(
          { ...corrections[0], at: undefined },
          {
            formId: form.id,
            item: '7',
            oldValue: 5,
            newValue: 2,
            userId: 'coordinator-1',
            at: undefined,
            reason: 'transcription error: item 7 read from the wrong line',
          },
        );
        assert.match(corrections[0]!.at, /^2026-11-20T09:00:/);
        const reviewed = (await store.getForm(form.id))?.version ?? 0;
        await rejectsWith(store.signForm(as('coordinator', 'A'), form.id, 'I confirm', reviewed), 'trial.forbidden');
        // A signature names the version reviewed: an earlier one (the form corrected since) is a conflict.
        await rejectsWith(
          store.signForm(as('investigator', 'A', 'review'), form.id, 'I confirm', reviewed - 1),
          'trial.conflict',
        );
        const signed = await store.signForm(
          as('investigator', 'A', 'review'),
          form.id,
          'I confirm the entries are accurate',
          reviewed,
        );
        assert.equal(signed.status, 'signed');
        assert.equal(signed.signature?.userId, 'investigator-1');
        const again = await store.correctForm(as('coordinator', 'A', 'participant changed answer 3'), form.id, {
          '3': 0,
        });
        assert.equal(again.status, 'complete', 'a correction voids the signature');
        // A correction made on an earlier version (someone corrected it since) is refused, not applied over theirs.
        await rejectsWith(
          store.correctForm(as('coordinator', 'A', 'stale'), form.id, { '3': 1 }, undefined, again.version - 1),
          'trial.conflict',
        );
        assert.equal(again.signature, null);
        assert.equal((await store.listCorrections(form.id)).length, 2);
        const audit = await store.listAudit();
        const correction = audit.filter((e) => e.entity === 'form' && e.action === 'correct');
        assert.equal(correction.length, 2);
        assert.equal((correction[0]?.before as { answers: Record<string, number> }).answers['7'], 5);
        assert.equal((correction[0]?.after as { answers: Record<string, number> }).answers['7'], 2);
      } finally {
        await opened.cleanup();
      }
    });

    test('dates: none after today; one infusion per dosing visit; follow-up visits not before randomization or the infusion', async () => {
      // The store's clock says 2026-11-20 (UTC); a site ahead of UTC may enter 2026-11-21 as its today.
      const opened = await factory.open(() => new Date(Date.UTC(2026, 10, 20, 9)));
      try {
        const { store } = opened;
        const protocol = await initTrial(store);
        const id = await enrolOne(store, protocol, 'D1', 'A');
        const ctx = as('coordinator', 'A', 'visit entry');
        const bdi = (visit: string, completedOn: string) =>
          store.saveForm(ctx, { participantId: id, visit, instrument: 'bdi-ii', answers: bdiAnswers(1), completedOn });
        const anc = (visit: string, collectedOn: string) =>
          store.addLab(ctx, {
            participantId: id,
            visit,
            analyte: 'anc',
            value: 3,
            unit: '10*9/L',
            upperLimitOfNormal: null,
            lowerLimitOfNormal: 2,
            collectedOn,
          });
        await rejectsWith(bdi('day-14', '2026-11-19'), 'trial.conflict');
        await rejectsWith(anc('day-7', '2026-11-12'), 'trial.conflict');
        await bdi('baseline', '2026-11-04');
        const allocation = await randomizeOn(store, ctx, id, '2026-11-05');
        const dose = {
          participantId: id,
          visit: 'infusion',
          kitCode: allocation.kitCode,
          administeredOn: '2026-11-05',
          doseMg: 560,
          bodyWeightKg: 70,
        };
        await rejectsWith(store.recordDose(ctx, { ...dose, administeredOn: '2099-11-05' }), 'trial.invalid');
        await rejectsWith(store.recordDose(ctx, { ...dose, administeredOn: '2026-10-01' }), 'trial.invalid');
        await store.recordDose(ctx, dose);
        await rejectsWith(store.recordDose(ctx, { ...dose, administeredOn: '2026-11-06' }), 'trial.conflict');
        await rejectsWith(bdi('day-7', '2026-11-04'), 'trial.invalid');
        await rejectsWith(anc('day-7', '2026-11-04'), 'trial.invalid');
        await rejectsWith(bdi('day-14', '2099-01-01'), 'trial.invalid');
        await rejectsWith(anc('day-14', '2026-11-22'), 'trial.invalid');
        await bdi('day-14', '2026-11-21');
        await anc('day-14', '2026-11-19');
        await rejectsWith(
          store.addAdverseEvent(ctx, {
            participantId: id,
            term: 'Headache',
            onsetOn: '2027-11-19',
            grade: 1,
            seriousCriteria: [],
            relatedness: 'unlikely',
            expectedness: 'expected',
            outcome: 'recovered',
          }),
          'trial.invalid',
        );
        await rejectsWith(
          store.recordDisposition(ctx, { participantId: id, event: 'withdrew-consent', on: '2026-12-24' }),
          'trial.invalid',
        );
        const snapshot = await store.snapshot();
        assert.equal(snapshot.doses.length, 1);
        assert.equal(snapshot.forms.length, 2);
        assert.equal(snapshot.labs.length, 1);
        assert.equal(snapshot.adverseEvents.length + snapshot.dispositions.length, 0);
      } finally {
        await opened.cleanup();
      }
    });

    test('dates in order: enrolment not before consent, disposition not before enrolment, no data after withdrawal of consent', async () => {
      await withStore(async ({ store }) => {
        const protocol = await initTrial(store);
        const ctx = as('coordinator', 'A', 'visit entry');
        const s = await store.addScreening(ctx, {
          site: 'A',
          screeningCode: 'S-W1',
          screenedOn: '2026-11-01',
          criteria: eligibleCriteria(protocol),
        });
        await store.recordConsent(ctx, { screeningId: s.id, consentedOn: '2026-11-03', formVersion: 'v1.0' });
        const enrol = {
          screeningId: s.id,
          participantCode: 'W1',
          strata: { crp: 'high', site: 'A' },
          baselineCrpMgPerL: 5,
        };
        await rejectsWith(store.enrol(ctx, { ...enrol, enrolledOn: '2026-11-02' }), 'trial.invalid');
        const { id } = await store.enrol(ctx, { ...enrol, enrolledOn: '2026-11-03' });
        await randomizeAndInfuse(store, ctx, id);
        const withdrawal = { participantId: id, event: 'withdrew-consent' as const, on: '2026-11-02' };
        await rejectsWith(store.recordDisposition(ctx, withdrawal), 'trial.invalid');
        await store.recordDisposition(ctx, { ...withdrawal, on: '2026-11-15' });
        const bdi = (visit: string, completedOn: string) =>
          store.saveForm(ctx, { participantId: id, visit, instrument: 'bdi-ii', answers: bdiAnswers(1), completedOn });
        // The day-14 visit happened the day before the withdrawal and is entered late: kept.
        await bdi('day-14', '2026-11-14');
        await rejectsWith(bdi('day-28', '2026-11-16'), 'trial.conflict');
        await rejectsWith(
          store.addLab(ctx, {
            participantId: id,
            visit: 'day-28',
            analyte: 'anc',
            value: 3,
            unit: '10*9/L',
            upperLimitOfNormal: null,
            lowerLimitOfNormal: 2,
            collectedOn: '2026-11-20',
          }),
          'trial.conflict',
        );
        assert.deepEqual(
          (await store.listForms({ participantId: id })).map((f) => f.visit),
          ['day-14'],
        );
      });
    });

    test('safety: the abnormal-baseline ALT/AST grading takes its baseline before the infusion, never after', async () => {
      await withStore(async ({ store }) => {
        const protocol = await initTrial(store);
        const alt = (id: string, visit: string, value: number, collectedOn: string, unit = 'U/L') =>
          store.addLab(as('coordinator', 'A', 'bloods'), {
            participantId: id,
            visit,
            analyte: 'alt',
            value,
            unit,
            upperLimitOfNormal: 40,
            lowerLimitOfNormal: null,
            collectedOn,
          });
        // No pre-infusion ALT: a raised day-7 ALT is no baseline; 300 U/L at day 14 is 7.5 x ULN, grade 3.
        const first = await enrolOne(store, protocol, 'B1', 'A');
        await randomizeOn(store, as('coordinator', 'A'), first, '2026-11-05');
        assert.equal((await alt(first, 'day-7', 110, '2026-11-12')).lab.assessment.grade, 1);
        const later = await alt(first, 'day-14', 300, '2026-11-19');
        assert.equal(later.lab.assessment.grade, 3);
        assert.equal(later.lab.assessment.action, 'discontinue');
        // An ALT typed in a count unit is refused, not graded as 5 x ULN; the activity units are taken.
        await rejectsWith(alt(first, 'day-14', 200, '2026-11-19', '10*9/L'), 'trial.invalid');
        await rejectsWith(alt(first, 'day-14', 200, '2026-11-19', 'mg/dL'), 'trial.invalid');
        assert.equal((await alt(first, 'day-14', 200, '2026-11-19', '[IU]/L')).lab.assessment.action, 'hold');
        assert.equal((await alt(first, 'day-14', 100, '2026-11-19', 'ukat/L')).lab.assessment.grade, 1);
        // A raised pre-infusion ALT is the baseline: 300 U/L is 5 x a baseline of 60, grade 2 (CTCAE v5.0).
        const second = await enrolOne(store, protocol, 'B2', 'A');
        await alt(second, 'baseline', 60, '2026-11-02');
        await randomizeOn(store, as('coordinator', 'A'), second, '2026-11-05');
        assert.equal((await alt(second, 'day-14', 300, '2026-11-19')).lab.assessment.grade, 2);
      });
    });

    test('safety: CTCAE grade and hold/stop rules on labs, alerts for stop rules and serious adverse events', async () => {
      await withStore(async ({ store }) => {
        const protocol = await initTrial(store);
        const id = await enrolOne(store, protocol, 'S1', 'A');
        const ctx = as('coordinator', 'A', 'day-14 bloods');
        await randomizeOn(store, ctx, id, '2026-11-05');
        const lab = (analyte: 'anc' | 'platelets' | 'alt', value: number, unit: string) =>
          store.addLab(ctx, {
            participantId: id,
            visit: 'day-14',
            analyte,
            value,
            unit,
            upperLimitOfNormal: analyte === 'alt' ? 40 : null,
            lowerLimitOfNormal: analyte === 'anc' ? 2 : analyte === 'platelets' ? 150 : null,
            collectedOn: '2026-11-20',
          });
        const normal = await lab('anc', 3.1, '10*9/L');
        assert.equal(normal.lab.assessment.grade, 0);
        assert.equal(normal.alerts.length, 0);
        const hold = await lab('anc', 0.8, '10*9/L');
        assert.equal(hold.lab.assessment.grade, 3);
        assert.equal(hold.lab.assessment.action, 'hold');
        assert.deepEqual(
          hold.alerts.map((a) => a.kind),
          ['hold-rule'],
        );
        const stop = await lab('platelets', 40, '10*3/uL');
        assert.deepEqual(
          stop.alerts.map((a) => a.kind),
          ['stop-rule'],
        );
        const liver = await lab('alt', 250, 'U/L');
        assert.equal(liver.lab.assessment.action, 'discontinue');
        const sae = await store.addAdverseEvent(ctx, {
          participantId: id,
          term: 'Pneumonia',
          onsetOn: '2026-11-18',
          grade: 3,
          seriousCriteria: ['hospitalisation'],
          relatedness: 'possible',
          expectedness: 'expected',
          outcome: 'recovering',
        });
        assert.equal(sae.event.serious, true);
        assert.deepEqual(
          sae.alerts.map((a) => a.kind),
          ['serious-adverse-event'],
        );
        const susar = await store.addAdverseEvent(ctx, {
          participantId: id,
          term: 'Acute liver failure',
          onsetOn: '2026-11-19',
          grade: 4,
          seriousCriteria: ['life-threatening'],
          relatedness: 'probable',
          expectedness: 'unexpected',
          outcome: 'not-recovered',
        });
        assert.deepEqual(
          susar.alerts.map((a) => a.kind),
          ['susar'],
        );
        // A death told only partly (grade 5 without the criterion, outcome fatal at grade 3) is refused: it would be
        // stored as not serious, without an alert.
        const fatal = {
          participantId: id,
          term: 'Sepsis',
          onsetOn: '2026-11-19',
          grade: 5,
          seriousCriteria: ['death' as const],
          relatedness: 'possible' as const,
          expectedness: 'expected' as const,
          outcome: 'fatal' as const,
        };
        await rejectsWith(store.addAdverseEvent(ctx, { ...fatal, seriousCriteria: [] }), 'trial.invalid');
        await rejectsWith(store.addAdverseEvent(ctx, { ...fatal, grade: 3 }), 'trial.invalid');
        await rejectsWith(store.addAdverseEvent(ctx, { ...fatal, outcome: 'recovering' }), 'trial.invalid');
        assert.equal((await store.listAdverseEvents({ participantId: id })).length, 2);
        const mild = await store.addAdverseEvent(ctx, {
          participantId: id,
          term: 'Headache',
          onsetOn: '2026-11-19',
          grade: 1,
          seriousCriteria: [],
          relatedness: 'unlikely',
          expectedness: 'expected',
          outcome: 'recovered',
        });
        assert.equal(mild.alerts.length, 0);
        const open = await store.listAlerts({ openOnly: true });
        assert.equal(open.length, 5);
        const done = { actionTaken: 'infusion withheld; ANC repeated in 48 h' };
        await rejectsWith(store.acknowledgeAlert(as('coordinator', 'B'), open[0]!.id, done), 'trial.not-found');
        // An acknowledgement says what was done: without it (or blank) it is refused and the alert stays open.
        for (const nothing of [{}, { actionTaken: '  ' }, { actionTaken: 'x'.repeat(501) }]) {
          await rejectsWith(store.acknowledgeAlert(as('investigator', 'A'), open[0]!.id, nothing), 'trial.invalid');
        }
        assert.equal((await store.listAlerts({ openOnly: true })).length, 5);
        const acknowledged = await store.acknowledgeAlert(as('investigator', 'A', 'reviewed'), open[0]!.id, done);
        assert.equal(acknowledged.actionTaken, 'infusion withheld; ANC repeated in 48 h');
        assert.equal((await store.listAlerts()).find((a) => a.id === open[0]!.id)?.actionTaken, done.actionTaken);
        const entry = (await store.listAudit()).find((e) => e.action === 'acknowledge');
        assert.equal((entry?.before as { actionTaken: string | null }).actionTaken, null);
        assert.equal((entry?.after as { actionTaken: string }).actionTaken, done.actionTaken);
        await rejectsWith(store.acknowledgeAlert(as('investigator', 'A'), open[0]!.id, done), 'trial.conflict');
        assert.equal((await store.listAlerts({ openOnly: true })).length, 4);
        assert.equal((await store.listAlerts({ site: 'B' })).length, 0);
        assert.ok(!JSON.stringify(open).includes('S1'), 'alert messages carry no participant code');
      });
    });

    test('adverse events are collected from consent: an onset before it (medical history) is refused, by entry, follow-up or consent correction', async () => {
      await withStore(async ({ store }) => {
        const protocol = await initTrial(store);
        const id = await enrolOne(store, protocol, 'AE0', 'A'); // consented 2026-11-02, enrolled 2026-11-03
        const ctx = as('coordinator', 'A', 'adverse event dates');
        const event = {
          participantId: id,
          term: 'Migraine',
          onsetOn: '2026-11-01',
          grade: 2,
          seriousCriteria: [],
          relatedness: 'not-related' as const,
          expectedness: 'expected' as const,
          outcome: 'recovering' as const,
        };
        const refused = await store.addAdverseEvent(ctx, event).then(
          () => assert.fail('an onset before consent was stored'),
          (error: Error) => error,
        );
        assert.match(refused.message, /before the participant's consent \(2026-11-02\).*medical history/);
        assert.equal((await store.listAdverseEvents({ participantId: id })).length, 0);
        // On the day of consent it is an adverse event; moving its onset back before consent is refused.
        const { event: stored } = await store.addAdverseEvent(ctx, { ...event, onsetOn: '2026-11-02' });
        await rejectsWith(store.updateAdverseEvent(ctx, stored.id, { onsetOn: '2026-10-30' }), 'trial.invalid');
        const kept = await store.updateAdverseEvent(ctx, stored.id, { outcome: 'recovered' });
        assert.equal(kept.event.onsetOn, '2026-11-02');
        // A consent corrected to a date after the event's onset (still before enrolment) would make it history.
        const consent = (await store.snapshot()).consents[0];
        assert.ok(consent !== undefined);
        await rejectsWith(store.correctConsent(ctx, consent.id, { consentedOn: '2026-11-03' }), 'trial.invalid');
        assert.equal((await store.snapshot()).consents[0]?.consentedOn, '2026-11-02');
      });
    });

    test('adverse event follow-up: changes stored, the prior event kept in the audit, alerts when it becomes serious or a SUSAR', async () => {
      await withStore(async ({ store }) => {
        const protocol = await initTrial(store);
        const id = await enrolOne(store, protocol, 'AE1', 'A');
        const ctx = as('coordinator', 'A', 'adverse event follow-up');
        const { event } = await store.addAdverseEvent(ctx, {
          participantId: id,
          term: 'Fever',
          onsetOn: '2026-11-10',
          grade: 2,
          seriousCriteria: [],
          relatedness: 'unlikely',
          expectedness: 'expected',
          outcome: 'recovering',
        });
        const serious = await store.updateAdverseEvent(ctx, event.id, {
          grade: 3,
          seriousCriteria: ['hospitalisation'],
        });
        assert.equal(serious.event.serious, true);
        assert.equal(serious.event.term, 'Fever');
        assert.deepEqual(
          serious.alerts.map((a) => a.kind),
          ['serious-adverse-event'],
        );
        const susar = await store.updateAdverseEvent(ctx, event.id, {
          relatedness: 'probable',
          expectedness: 'unexpected',
        });
        assert.deepEqual(
          susar.alerts.map((a) => a.kind),
          ['susar'],
        );
        const resolved = await store.updateAdverseEvent(ctx, event.id, { outcome: 'recovered' });
        assert.equal(resolved.alerts.length, 0);
        assert.equal((await store.listAdverseEvents({ participantId: id }))[0]?.outcome, 'recovered');
        const updates = (await store.listAudit({ limit: 1000 })).filter(
          (e) => e.entity === 'adverse-event' && e.action === 'update',
        );
        assert.deepEqual(
          updates.map((e) => [(e.before as { outcome: string }).outcome, (e.after as { outcome: string }).outcome]),
          [
            ['recovering', 'recovering'],
            ['recovering', 'recovering'],
            ['recovering', 'recovered'],
          ],
        );
        assert.ok(updates.every((e) => e.reason === 'adverse event follow-up' && e.role === 'coordinator'));
        await rejectsWith(store.updateAdverseEvent(ctx, event.id, { outcome: 'recovered' }), 'trial.invalid');
        await rejectsWith(store.updateAdverseEvent(ctx, event.id, { outcome: 'fatal' }), 'trial.invalid');
        await rejectsWith(store.updateAdverseEvent(ctx, event.id, {}), 'trial.invalid');
        await rejectsWith(store.updateAdverseEvent(as('coordinator', 'B'), event.id, { grade: 4 }), 'trial.not-found');
        await rejectsWith(store.updateAdverseEvent(as('monitor'), event.id, { grade: 4 }), 'trial.forbidden');
        await rejectsWith(store.updateAdverseEvent(ctx, 'no-such-event', { grade: 4 }), 'trial.not-found');
      });
    });

    test('dose correction: the date and dose corrected under the dosing rules, the first entry kept in the audit', async () => {
      const opened = await factory.open(() => new Date(Date.UTC(2026, 10, 20, 9)));
      try {
        const { store } = opened;
        const protocol = await initTrial(store);
        const id = await enrolOne(store, protocol, 'C1', 'A');
        const ctx = as('coordinator', 'A', 'infusion date typed wrong');
        const { allocation, dose } = await randomizeAndInfuse(store, ctx, id);
        await store.saveForm(ctx, {
          participantId: id,
          visit: 'day-7',
          instrument: 'bdi-ii',
          answers: bdiAnswers(1),
          completedOn: '2026-11-12',
        });
        const { dose: fixed } = await store.correctDose(ctx, dose.id, { administeredOn: '2026-11-06', doseMg: 540 });
        assert.deepEqual([fixed.administeredOn, fixed.doseMg, fixed.kitCode], ['2026-11-06', 540, allocation.kitCode]);
        assert.equal((await store.snapshot()).doses[0]?.administeredOn, '2026-11-06');
        // A date after the day-7 form would put the form before the infusion; before enrolment or after today: refused.
        await rejectsWith(store.correctDose(ctx, dose.id, { administeredOn: '2026-11-13' }), 'trial.conflict');
        await rejectsWith(store.correctDose(ctx, dose.id, { administeredOn: '2026-10-01' }), 'trial.invalid');
        await rejectsWith(store.correctDose(ctx, dose.id, { administeredOn: '2099-01-01' }), 'trial.invalid');
        await rejectsWith(store.correctDose(ctx, dose.id, { doseMg: 540 }), 'trial.invalid');
        await rejectsWith(store.correctDose(ctx, 'no-such-dose', { doseMg: 500 }), 'trial.not-found');
        await rejectsWith(store.correctDose(as('coordinator', 'B', 'x'), dose.id, { doseMg: 500 }), 'trial.not-found');
        const audit = (await store.listAudit({ limit: 1000 })).filter((e) => e.entity === 'dose');
        assert.deepEqual(
          audit.map((e) => [e.action, (e.after as { administeredOn: string }).administeredOn]),
          [
            ['create', '2026-11-05'],
            ['correct', '2026-11-06'],
          ],
        );
        assert.equal(audit[1]?.reason, 'infusion date typed wrong');
      } finally {
        await opened.cleanup();
      }
    });

    test('participant codes are unique within a site: a code another site uses enrols and is corrected to, as if it did not exist; the same site refuses it', async () => {
      await withStore(async ({ store }) => {
        const protocol = await initTrial(store);
        const atA = await enrolOne(store, protocol, 'P-001', 'A');
        // Site B numbers its own participants: P-001 there is a new participant, and no answer tells B that A has one.
        const atB = await enrolOne(store, protocol, 'P-001', 'B');
        assert.notEqual(atA, atB);
        assert.deepEqual((await store.listParticipants()).map((p) => [p.site, p.participantCode]).sort(), [
          ['A', 'P-001'],
          ['B', 'P-001'],
        ]);
        // The same code twice at one site is still refused.
        const ctxA = as('coordinator', 'A', 'typed wrong');
        const s = await store.addScreening(ctxA, {
          site: 'A',
          screeningCode: 'S-again',
          screenedOn: '2026-11-01',
          criteria: eligibleCriteria(protocol),
        });
        await store.recordConsent(ctxA, { screeningId: s.id, consentedOn: '2026-11-02', formVersion: 'v1.0' });
        const again = {
          screeningId: s.id,
          participantCode: 'P-001',
          strata: { crp: 'high', site: 'A' },
          baselineCrpMgPerL: 5.2,
          enrolledOn: '2026-11-03',
        };
        await rejectsWith(store.enrol(ctxA, again), 'trial.conflict');
        // A correction to another site's code is accepted; to a code of its own site, refused.
        const second = await store.enrol(ctxA, { ...again, participantCode: 'P-002' });
        const ctxB = as('coordinator', 'B', 'typed wrong');
        const b2 = await enrolOne(store, protocol, 'P-009', 'B');
        assert.equal((await store.correctEnrolment(ctxB, b2, { participantCode: 'P-002' })).participantCode, 'P-002');
        await rejectsWith(store.correctEnrolment(ctxA, second.id, { participantCode: 'P-001' }), 'trial.conflict');
        await rejectsWith(store.correctEnrolment(ctxB, b2, { participantCode: 'P-001' }), 'trial.conflict');
      });
    });

    test('enrolment correction: the code, date or baseline hs-CRP corrected with a reason; the stratum follows until randomization, then stays the one randomized in', async () => {
      const opened = await factory.open(() => new Date(Date.UTC(2026, 10, 20, 9)));
      try {
        const { store } = opened;
        const protocol = await initTrial(store);
        const id = await enrolOne(store, protocol, 'E1', 'A', 1.2);
        const ctx = as('coordinator', 'A', 'baseline hs-CRP typed 1.2 for 12');
        const fixed = await store.correctEnrolment(ctx, id, { baselineCrpMgPerL: 12 });
        assert.equal(fixed.baselineCrpMgPerL, 12);
        assert.equal(fixed.strata.crp, 'high', 'before randomization the stratum follows the corrected baseline');
        assert.equal((await store.getParticipant(id))?.strata.crp, 'high');
        // The rules of a first entry: not before the consent (2026-11-02), not after today; something must change.
        await rejectsWith(store.correctEnrolment(ctx, id, { enrolledOn: '2026-11-01' }), 'trial.invalid');
        await rejectsWith(store.correctEnrolment(ctx, id, { enrolledOn: '2099-01-01' }), 'trial.invalid');
        await rejectsWith(store.correctEnrolment(ctx, id, { baselineCrpMgPerL: 12 }), 'trial.invalid');
        await rejectsWith(store.correctEnrolment(ctx, id, {}), 'trial.invalid');
        await rejectsWith(
          store.correctEnrolment(as('coordinator', 'B', 'x'), id, { enrolledOn: '2026-11-04' }),
          'trial.not-found',
        );
        await rejectsWith(
          store.correctEnrolment(as('monitor', null, 'x'), id, { enrolledOn: '2026-11-04' }),
          'trial.forbidden',
        );
        const other = await enrolOne(store, protocol, 'E2', 'A');
        await rejectsWith(store.correctEnrolment(ctx, other, { participantCode: 'E1' }), 'trial.conflict');
        assert.equal((await store.correctEnrolment(ctx, other, { participantCode: 'E2-A' })).participantCode, 'E2-A');
        const { allocation } = await randomizeAndInfuse(store, ctx, id);
        // Not after the infusion (2026-11-05): it happened after enrolment.
        await rejectsWith(store.correctEnrolment(ctx, id, { enrolledOn: '2026-11-06' }), 'trial.invalid');
        const moved = await store.correctEnrolment(ctx, id, { enrolledOn: '2026-11-04' });
        assert.equal(moved.enrolledOn, '2026-11-04');
        const back = await store.correctEnrolment(as('coordinator', 'A', 'the lab report says 1.2'), id, {
          baselineCrpMgPerL: 1.2,
        });
        assert.equal(back.baselineCrpMgPerL, 1.2);
        assert.equal(back.strata.crp, 'high', 'randomized: the stratum stays the one the allocation came from');
        assert.equal((await store.getAllocation(id))?.stratum, allocation.stratum);
        const audit = (await store.listAudit({ limit: 1000 })).filter(
          (e) => e.entity === 'participant' && e.entityId === id && e.action === 'correct',
        );
        assert.deepEqual(
          audit.map((e) => [
            (e.before as { baselineCrpMgPerL: number }).baselineCrpMgPerL,
            (e.after as { baselineCrpMgPerL: number }).baselineCrpMgPerL,
            e.reason,
          ]),
          [
            [1.2, 12, 'baseline hs-CRP typed 1.2 for 12'],
            [12, 12, 'baseline hs-CRP typed 1.2 for 12'],
            [12, 1.2, 'the lab report says 1.2'],
          ],
        );
      } finally {
        await opened.cleanup();
      }
    });

    test('screening correction: a criterion, code or date entered wrong corrected with a reason and the verdict derived again; never unmaking an enrolled entry', async () => {
      const opened = await factory.open(() => new Date(Date.UTC(2026, 10, 20, 9)));
      try {
        const { store } = opened;
        const protocol = await initTrial(store);
        const ctx = as('coordinator', 'A', 'inclusion answer clicked wrong');
        const right = eligibleCriteria(protocol);
        const first = right[0];
        assert.ok(first !== undefined && first.kind === 'inclusion');
        const wrong = [{ ...first, status: 'not-met' as const }, ...right.slice(1)];
        const entry = await store.addScreening(ctx, {
          site: 'A',
          screeningCode: 'S-R1',
          screenedOn: '2026-11-01',
          criteria: wrong,
        });
        assert.equal(entry.verdict, 'ineligible');
        // Screening again under the same code is refused: the entry itself must be corrected.
        await rejectsWith(
          store.addScreening(ctx, { site: 'A', screeningCode: 'S-R1', screenedOn: '2026-11-01', criteria: right }),
          'trial.conflict',
        );
        const fixed = await store.correctScreening(ctx, entry.id, { criteria: right });
        assert.deepEqual([fixed.verdict, fixed.failed], ['eligible', []]);
        await rejectsWith(store.correctScreening(ctx, entry.id, { criteria: right }), 'trial.invalid');
        await rejectsWith(store.correctScreening(ctx, entry.id, { criteria: right.slice(1) }), 'trial.invalid');
        await rejectsWith(store.correctScreening(ctx, entry.id, { screenedOn: '2099-01-01' }), 'trial.invalid');
        await rejectsWith(
          store.correctScreening(as('coordinator', 'B', 'x'), entry.id, { screenedOn: '2026-11-02' }),
          'trial.not-found',
        );
        await rejectsWith(
          store.correctScreening(ctx, 'no-such-entry', { screenedOn: '2026-11-02' }),
          'trial.not-found',
        );
        await store.addScreening(ctx, { site: 'A', screeningCode: 'S-R2', screenedOn: '2026-11-01', criteria: right });
        await rejectsWith(store.correctScreening(ctx, entry.id, { screeningCode: 'S-R2' }), 'trial.conflict');
        assert.equal((await store.correctScreening(ctx, entry.id, { screeningCode: 'S-R1b' })).screeningCode, 'S-R1b');
        // Once someone is enrolled on it, a correction that would make the entry not eligible is refused: enrolling an
        // ineligible participant is a protocol deviation to report, and the enrolment stands (intention to treat).
        await store.recordConsent(ctx, { screeningId: entry.id, consentedOn: '2026-11-02', formVersion: 'v1.0' });
        await store.enrol(ctx, {
          screeningId: entry.id,
          participantCode: 'R1',
          strata: { crp: 'high', site: 'A' },
          baselineCrpMgPerL: 5,
          enrolledOn: '2026-11-03',
        });
        await rejectsWith(store.correctScreening(ctx, entry.id, { criteria: wrong }), 'trial.conflict');
        assert.equal(
          (await store.correctScreening(ctx, entry.id, { screenedOn: '2026-11-02' })).screenedOn,
          '2026-11-02',
        );
        const audit = (await store.listAudit({ limit: 1000 })).filter(
          (e) => e.entity === 'screening' && e.entityId === entry.id,
        );
        assert.deepEqual(
          audit.map((e) => [e.action, (e.after as { verdict: string }).verdict]),
          [
            ['create', 'ineligible'],
            ['correct', 'eligible'],
            ['correct', 'eligible'],
            ['correct', 'eligible'],
          ],
        );
      } finally {
        await opened.cleanup();
      }
    });

    test('consent correction: a mistyped date or form version corrected, a consent on the wrong entry voided, each with a reason', async () => {
      const opened = await factory.open(() => new Date(Date.UTC(2026, 10, 20, 9)));
      try {
        const { store } = opened;
        const protocol = await initTrial(store);
        const ctx = as('coordinator', 'A', 'consent date typed 2026-11-13 for 2026-11-03');
        const screen = (code: string) =>
          store.addScreening(ctx, {
            site: 'A',
            screeningCode: code,
            screenedOn: '2026-11-01',
            criteria: eligibleCriteria(protocol),
          });
        const s = await screen('S-K1');
        const consent = await store.recordConsent(ctx, {
          screeningId: s.id,
          consentedOn: '2026-11-13',
          formVersion: 'v1.0',
        });
        const enrol = {
          screeningId: s.id,
          participantCode: 'K1',
          strata: { crp: 'high', site: 'A' },
          baselineCrpMgPerL: 5,
          enrolledOn: '2026-11-04',
        };
        // The typo blocks the enrolment (before the consent) until the consent is corrected.
        await rejectsWith(store.enrol(ctx, enrol), 'trial.invalid');
        const fixed = await store.correctConsent(ctx, consent.id, { consentedOn: '2026-11-03' });
        assert.deepEqual([fixed.consentedOn, fixed.formVersion, fixed.screeningId], ['2026-11-03', 'v1.0', s.id]);
        const { id } = await store.enrol(ctx, enrol);
        assert.ok(id.length > 0);
        // The rules of a first entry, and not after the enrolment that rests on it.
        await rejectsWith(store.correctConsent(ctx, consent.id, { consentedOn: '2099-01-01' }), 'trial.invalid');
        await rejectsWith(store.correctConsent(ctx, consent.id, { consentedOn: '2026-11-05' }), 'trial.invalid');
        await rejectsWith(store.correctConsent(ctx, consent.id, { consentedOn: '2026-11-03' }), 'trial.invalid');
        await rejectsWith(store.correctConsent(ctx, 'no-such-consent', { formVersion: 'v2' }), 'trial.not-found');
        await rejectsWith(
          store.correctConsent(as('coordinator', 'B', 'x'), consent.id, { formVersion: 'v2' }),
          'trial.not-found',
        );
        assert.equal((await store.correctConsent(ctx, consent.id, { formVersion: 'v1.1' })).formVersion, 'v1.1');
        // A consent recorded against the wrong screening entry is voided (never once its participant is enrolled).
        await rejectsWith(store.voidConsent(ctx, consent.id), 'trial.conflict');
        const wrong = await screen('S-K2');
        const mistaken = await store.recordConsent(ctx, {
          screeningId: wrong.id,
          consentedOn: '2026-11-03',
          formVersion: 'v1.0',
        });
        await store.voidConsent(as('coordinator', 'A', 'recorded against the wrong screening entry'), mistaken.id);
        await rejectsWith(
          store.enrol(ctx, { ...enrol, screeningId: wrong.id, participantCode: 'K2' }),
          'trial.conflict',
        );
        assert.deepEqual(
          (await store.snapshot()).consents.map((c) => c.id),
          [consent.id],
        );
        const audit = (await store.listAudit({ limit: 1000 })).filter((e) => e.entity === 'consent');
        assert.deepEqual(
          audit.map((e) => [e.action, e.reason]),
          [
            ['create', 'consent date typed 2026-11-13 for 2026-11-03'],
            ['correct', 'consent date typed 2026-11-13 for 2026-11-03'],
            ['correct', 'consent date typed 2026-11-13 for 2026-11-03'],
            ['create', 'consent date typed 2026-11-13 for 2026-11-03'],
            ['void', 'recorded against the wrong screening entry'],
          ],
        );
        assert.equal((audit[1]?.before as { consentedOn: string }).consentedOn, '2026-11-13');
      } finally {
        await opened.cleanup();
      }
    });

    test('form date correction: under the date rules of a first entry, the old date kept in the audit', async () => {
      const opened = await factory.open(() => new Date(Date.UTC(2026, 10, 20, 9)));
      try {
        const { store } = opened;
        const protocol = await initTrial(store);
        const id = await enrolOne(store, protocol, 'F1', 'A');
        const ctx = as('coordinator', 'A', 'date typed wrong');
        await randomizeAndInfuse(store, ctx, id);
        const form = await store.saveForm(ctx, {
          participantId: id,
          visit: 'day-7',
          instrument: 'bdi-ii',
          answers: bdiAnswers(1),
          completedOn: '2026-11-13',
        });
        const fixed = await store.correctForm(ctx, form.id, {}, '2026-11-12');
        assert.equal(fixed.completedOn, '2026-11-12');
        assert.deepEqual(fixed.answers, form.answers);
        assert.equal((await store.getForm(form.id))?.completedOn, '2026-11-12');
        await rejectsWith(store.correctForm(ctx, form.id, {}, '2026-11-04'), 'trial.invalid'); // before the infusion
        await rejectsWith(store.correctForm(ctx, form.id, {}, '2099-01-01'), 'trial.invalid');
        await rejectsWith(store.correctForm(ctx, form.id, {}, '2026-11-12'), 'trial.invalid'); // nothing changes
        await rejectsWith(store.correctForm(ctx, form.id, {}, '12/11/2026'), 'trial.invalid');
        const audit = (await store.listAudit({ limit: 1000 })).filter(
          (e) => e.entity === 'form' && e.action === 'correct',
        );
        assert.deepEqual(
          audit.map((e) => [
            (e.before as { completedOn: string }).completedOn,
            (e.after as { completedOn: string }).completedOn,
          ]),
          [['2026-11-13', '2026-11-12']],
        );
      } finally {
        await opened.cleanup();
      }
    });

    test('disposition correction: event, date or participant corrected under the rules of a first entry; a mistaken exit voided; the audit keeps each', async () => {
      const opened = await factory.open(() => new Date(Date.UTC(2026, 10, 20, 9)));
      try {
        const { store } = opened;
        const protocol = await initTrial(store);
        const id = await enrolOne(store, protocol, 'D1', 'A');
        const other = await enrolOne(store, protocol, 'D2', 'A');
        const ctx = as('coordinator', 'A', 'exit entered wrong');
        await randomizeAndInfuse(store, ctx, id);
        await store.saveForm(ctx, {
          participantId: id,
          visit: 'day-7',
          instrument: 'bdi-ii',
          answers: bdiAnswers(1),
          completedOn: '2026-11-12',
        });
        const exit = await store.recordDisposition(ctx, {
          participantId: id,
          event: 'lost-to-follow-up',
          on: '2026-11-10',
        });
        // The reason: lost to follow-up was in fact a withdrawal of consent; dated before the day-7 form it is refused
        // (no data after a withdrawal), dated after it, stored.
        await rejectsWith(store.correctDisposition(ctx, exit.id, { event: 'withdrew-consent' }), 'trial.conflict');
        const fixed = await store.correctDisposition(ctx, exit.id, { event: 'withdrew-consent', on: '2026-11-13' });
        assert.deepEqual([fixed.id, fixed.event, fixed.on], [exit.id, 'withdrew-consent', '2026-11-13']);
        assert.equal((await store.getParticipant(id))?.status, 'discontinued');
        // The rules of a first entry: not before enrolment, not after today; a reason; a change; the actor's site.
        await rejectsWith(store.correctDisposition(ctx, exit.id, { on: '2026-11-01' }), 'trial.invalid');
        await rejectsWith(store.correctDisposition(ctx, exit.id, { on: '2099-01-01' }), 'trial.invalid');
        await rejectsWith(store.correctDisposition(ctx, exit.id, { on: '2026-11-13' }), 'trial.invalid');
        await rejectsWith(store.correctDisposition(ctx, exit.id, {}), 'trial.invalid');
        await rejectsWith(
          store.correctDisposition({ ...ctx, reason: ' ' }, exit.id, { event: 'completed' }),
          'trial.reason.missing',
        );
        await rejectsWith(
          store.correctDisposition(as('coordinator', 'B', 'x'), exit.id, { event: 'completed' }),
          'trial.not-found',
        );
        await rejectsWith(
          store.correctDisposition(as('monitor', null, 'x'), exit.id, { event: 'completed' }),
          'trial.forbidden',
        );
        await rejectsWith(store.correctDisposition(ctx, 'no-such-exit', { event: 'completed' }), 'trial.not-found');
        // Completed instead: the status follows.
        await store.correctDisposition(ctx, exit.id, { event: 'completed' });
        assert.equal((await store.getParticipant(id))?.status, 'completed');
        // The wrong participant: the exit moves to D2 (enrolled, not randomized), and D1 is randomized again.
        const movedExit = await store.correctDisposition(ctx, exit.id, { participantId: other });
        assert.equal(movedExit.participantId, other);
        assert.deepEqual(
          [(await store.getParticipant(id))?.status, (await store.getParticipant(other))?.status],
          ['randomized', 'completed'],
        );
        assert.deepEqual(
          (await store.snapshot()).dispositions.map((d) => [d.participantId, d.event, d.on]),
          [[other, 'completed', '2026-11-13']],
        );
        // A new exit of the first participant (D1) cannot be moved to D2, which has one already.
        const second = await store.recordDisposition(ctx, { participantId: id, event: 'death', on: '2026-11-14' });
        await rejectsWith(store.correctDisposition(ctx, second.id, { participantId: other }), 'trial.conflict');
        // The exit did not happen: voided, the participant back to randomized, data entry open again.
        await rejectsWith(store.voidDisposition({ ...ctx, reason: '' }, second.id), 'trial.reason.missing');
        await rejectsWith(store.voidDisposition(as('coordinator', 'B', 'x'), second.id), 'trial.not-found');
        const back = await store.voidDisposition(as('coordinator', 'A', 'the participant did not die'), second.id);
        assert.equal(back.status, 'randomized');
        assert.deepEqual(await store.listDispositions({ participantId: id }), []);
        await rejectsWith(store.voidDisposition(ctx, second.id), 'trial.not-found');
        await store.saveForm(ctx, {
          participantId: id,
          visit: 'day-14',
          instrument: 'bdi-ii',
          answers: bdiAnswers(1),
          completedOn: '2026-11-19',
        });
        // A first entry follows the same rule: no withdrawal dated before recorded data.
        await rejectsWith(
          store.recordDisposition(ctx, { participantId: id, event: 'withdrew-consent', on: '2026-11-15' }),
          'trial.conflict',
        );
        // The audit keeps each disposition as it was, and the chain verifies.
        const audit = (await store.listAudit({ limit: 1000 })).filter((e) => e.entity === 'disposition');
        assert.deepEqual(
          audit.map((e) => [e.action, (e.before as { event?: string } | null)?.event ?? null, e.reason]),
          [
            ['create', null, 'exit entered wrong'],
            ['correct', 'lost-to-follow-up', 'exit entered wrong'],
            ['correct', 'withdrew-consent', 'exit entered wrong'],
            ['correct', 'completed', 'exit entered wrong'],
            ['create', null, 'exit entered wrong'],
            ['void', 'death', 'the participant did not die'],
          ],
        );
        assert.deepEqual(audit[1]?.before, exit);
        assert.equal(audit[5]?.after, null);
        assert.equal((await store.verifyAudit()).ok, true);
      } finally {
        await opened.cleanup();
      }
    });

    test('lab correction: graded again, the first entry kept in the audit, an alert when the correction calls for one', async () => {
      await withStore(async ({ store }) => {
        const protocol = await initTrial(store);
        const id = await enrolOne(store, protocol, 'L1', 'A');
        const ctx = as('coordinator', 'A', 'value typed wrong');
        const { lab, alerts } = await store.addLab(ctx, {
          participantId: id,
          visit: 'baseline',
          analyte: 'anc',
          value: 0.3,
          unit: '10*9/L',
          upperLimitOfNormal: null,
          lowerLimitOfNormal: 2,
          collectedOn: '2026-11-04',
        });
        assert.deepEqual(
          alerts.map((a) => a.kind),
          ['stop-rule'],
        );
        const fixed = await store.correctLab(ctx, lab.id, { value: 3 });
        assert.equal(fixed.lab.assessment.grade, 0);
        assert.equal(fixed.lab.assessment.action, 'continue');
        assert.equal(fixed.alerts.length, 0);
        assert.equal((await store.listLabs({ participantId: id }))[0]?.value, 3);
        const worse = await store.correctLab(ctx, lab.id, { value: 0.8 });
        assert.deepEqual(
          worse.alerts.map((a) => a.kind),
          ['hold-rule'],
        );
        const corrections = (await store.listAudit({ limit: 1000 })).filter(
          (e) => e.entity === 'lab' && e.action === 'correct',
        );
        assert.deepEqual(
          corrections.map((e) => [(e.before as { value: number }).value, (e.after as { value: number }).value]),
          [
            [0.3, 3],
            [3, 0.8],
          ],
        );
        assert.ok(corrections.every((e) => e.reason === 'value typed wrong'));
        await rejectsWith(store.correctLab(ctx, lab.id, { value: 0.8 }), 'trial.invalid');
        await rejectsWith(store.correctLab(ctx, lab.id, {}), 'trial.invalid');
        await rejectsWith(store.correctLab(ctx, lab.id, { collectedOn: '2099-01-01' }), 'trial.invalid');
        await rejectsWith(store.correctLab(as('coordinator', 'B'), lab.id, { value: 2 }), 'trial.not-found');
        await rejectsWith(store.correctLab(as('statistician'), lab.id, { value: 2 }), 'trial.forbidden');
        await rejectsWith(store.correctLab(ctx, 'no-such-lab', { value: 2 }), 'trial.not-found');
      });
    });

    test('audit: every write is chained with user, time, reason and before/after; tampering is detected', async () => {
      await withStore(async ({ store, db }) => {
        const protocol = await initTrial(store);
        await enrolOne(store, protocol, 'A1', 'A');
        const entries = await store.listAudit();
        assert.ok(entries.length >= 5);
        assert.ok(entries.every((e) => e.userId !== '' && e.reason !== '' && /^\d{4}-\d\d-\d\dT/.test(e.at)));
        assert.equal((await store.verifyAudit()).ok, true);
        // The database refuses updates and deletes of the trail.
        await assert.rejects(db.transaction('write', (tx) => tx.run("UPDATE audit SET reason = 'x' WHERE seq = 2")));
        await assert.rejects(db.transaction('write', (tx) => tx.run('DELETE FROM audit WHERE seq = 2')));
        // Someone with direct database access removes the guard and edits a row.
        const drop =
          db.dialect === 'sqlite'
            ? 'DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;'
            : 'DROP TRIGGER audit_no_update ON audit;';
        await db.exec(drop);
        await db.transaction('write', (tx) => tx.run("UPDATE audit SET reason = 'edited' WHERE seq = 3"));
        const edited = await store.verifyAudit();
        assert.equal(edited.ok, false);
        assert.deepEqual(
          edited.problems.map((p) => `${p.kind}@${p.seq}`),
          ['hash-mismatch@3'],
        );
      });
    });

    test('audit: a deleted row and a truncated tail are detected', async () => {
      await withStore(async ({ store, db }) => {
        const protocol = await initTrial(store);
        await enrolOne(store, protocol, 'A1', 'A');
        const drop =
          db.dialect === 'sqlite'
            ? 'DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;'
            : 'DROP TRIGGER audit_no_update ON audit;';
        await db.exec(drop);
        const n = (await store.listAudit()).length;
        await db.transaction('write', (tx) => tx.run('DELETE FROM audit WHERE seq = ?', [n]));
        const truncated = await store.verifyAudit();
        assert.deepEqual(
          truncated.problems.map((p) => p.kind),
          ['head-mismatch'],
        );
        await db.transaction('write', (tx) => tx.run('DELETE FROM audit WHERE seq = 2'));
        const gap = await store.verifyAudit();
        assert.ok(gap.problems.some((p) => p.kind === 'sequence-gap' && p.seq === 3));
      });
    });

    test('users and sessions for the server; the first user is an administrator; password hashes stay out of the trail', async () => {
      await withStore(async ({ store }) => {
        assert.equal(await store.countUsers(), 0);
        await rejectsWith(
          store.createUser(as('coordinator', 'A'), {
            username: 'c1',
            displayName: 'C One',
            role: 'coordinator',
            site: 'A',
            passwordHash: 'scrypt$x',
          }),
          'trial.invalid',
        );
        const admin = await store.createUser(as('administrator'), {
          username: 'admin',
          displayName: 'Admin',
          role: 'administrator',
          site: null,
          passwordHash: 'scrypt$secret-hash',
        });
        await rejectsWith(
          store.createUser(as('coordinator', 'A'), {
            username: 'c1',
            displayName: 'C One',
            role: 'coordinator',
            site: 'A',
            passwordHash: 'scrypt$x',
          }),
          'trial.forbidden',
        );
        const c1 = await store.createUser(as('administrator'), {
          username: 'c1',
          displayName: 'C One',
          role: 'coordinator',
          site: 'A',
          passwordHash: 'scrypt$x',
        });
        await rejectsWith(
          store.createUser(as('administrator'), {
            username: 'c1',
            displayName: 'Again',
            role: 'monitor',
            site: null,
            passwordHash: 'h',
          }),
          'trial.conflict',
        );
        assert.equal((await store.getUserByUsername('c1'))?.site, 'A');
        assert.equal((await store.getUser(admin.id))?.role, 'administrator');
        assert.ok(!JSON.stringify(await store.listAudit()).includes('secret-hash'));
        await store.createSession({
          id: 'h1',
          userId: c1.id,
          csrfSecret: 's',
          createdAt: '2026-11-29T10:00:00.000Z',
          expiresAt: '2026-11-29T11:00:00.000Z',
          lastSeenAt: '2026-11-29T10:00:00.000Z',
        });
        await store.createSession({
          id: 'h2',
          userId: c1.id,
          csrfSecret: 's',
          createdAt: '2026-11-29T10:00:00.000Z',
          expiresAt: '2026-11-29T10:30:00.000Z',
          lastSeenAt: '2026-11-29T10:00:00.000Z',
        });
        await store.touchSession('h1', '2026-11-29T12:00:00.000Z', '2026-11-29T10:50:00.000Z');
        assert.equal((await store.getSession('h1'))?.expiresAt, '2026-11-29T12:00:00.000Z');
        assert.equal(await store.deleteExpiredSessions('2026-11-29T10:45:00.000Z'), 1);
        assert.equal(await store.getSession('h2'), null);
        await store.setUserActive(as('administrator'), c1.id, false);
        assert.equal(await store.getSession('h1'), null, 'deactivating a user ends their sessions');
        assert.equal((await store.getUser(c1.id))?.active, false);
      });
    });

    test('sign-in attempts: counted per client in a window from its first attempt, concurrent attempts each once, ended windows dropped, forgotten or taken back on request', async () => {
      let now = Date.parse('2026-11-30T10:00:00.000Z');
      const opened = await factory.open(() => new Date(now));
      try {
        const { store, db } = opened;
        const count = (client: string) => store.countSignInAttempt(client, 60_000);
        assert.deepEqual(await count('192.0.2.1'), { attempts: 1, msLeft: 60_000 });
        now += 20_000;
        assert.deepEqual(await count('192.0.2.1'), { attempts: 2, msLeft: 40_000 });
        assert.deepEqual(await count('192.0.2.2'), { attempts: 1, msLeft: 60_000 });
        const concurrent = await Promise.all(Array.from({ length: 40 }, () => count('192.0.2.3')));
        assert.deepEqual(
          concurrent.map((c) => c.attempts).sort((a, b) => a - b),
          Array.from({ length: 40 }, (_, i) => i + 1),
        );
        now += 40_000; // the first client's window has ended: it starts again
        assert.deepEqual(await count('192.0.2.1'), { attempts: 1, msLeft: 60_000 });
        now += 60_000; // every window has ended: the next attempt deletes them
        await count('192.0.2.4');
        const rows = await db.transaction('read', (tx) =>
          tx.all<{ client_key: string }>('SELECT client_key FROM sign_in_attempts ORDER BY client_key'),
        );
        assert.deepEqual(
          rows.map((r) => r.client_key),
          ['192.0.2.4'],
        );
        await rejectsWith(store.countSignInAttempt('192.0.2.5', 0), 'trial.invalid');
        // Forgetting a client's attempts (a matching e-signature password) starts its count again.
        await count('e-signature:u1');
        await count('e-signature:u1');
        await store.forgetSignInAttempts('e-signature:u1');
        assert.equal((await count('e-signature:u1')).attempts, 1);
        // Taking back one attempt (a sign-in that succeeded) leaves the others counted, never below zero.
        await count('192.0.2.9');
        await count('192.0.2.9');
        await store.uncountSignInAttempt('192.0.2.9');
        assert.equal((await count('192.0.2.9')).attempts, 2);
        for (let i = 0; i < 4; i++) await store.uncountSignInAttempt('192.0.2.9');
        assert.equal((await count('192.0.2.9')).attempts, 1);
      } finally {
        await opened.cleanup();
      }
    });

    test('database lock: no more data entry; snapshot filtered by site', async () => {
      await withStore(async ({ store }) => {
        const protocol = await initTrial(store);
        const a = await enrolOne(store, protocol, 'L1', 'A');
        await enrolOne(store, protocol, 'L2', 'B');
        await store.randomize(as('coordinator', 'A'), a);
        assert.equal((await store.snapshot({ site: 'A' })).participants.length, 1);
        assert.equal((await store.snapshot({ site: 'A' })).allocations.length, 1);
        assert.equal((await store.snapshot({ site: 'B' })).allocations.length, 0);
        await rejectsWith(store.lock(as('coordinator', 'A')), 'trial.forbidden');
        const info = await store.lock(as('administrator', null, 'database lock for the final analysis'));
        assert.ok(info.lockedAt !== null);
        await rejectsWith(
          store.saveForm(as('coordinator', 'A'), {
            participantId: a,
            visit: 'day-7',
            instrument: 'gad-7',
            answers: {},
            completedOn: '2026-11-10',
          }),
          'trial.conflict',
        );
        assert.equal((await store.verifyAudit()).ok, true);
      });
    });
  });
}

test('SQLite: two connections to one file (a server and the command line) randomize concurrently without sharing a slot', async () => {
  const { sqliteFactory } = await import('./stores.test-support.ts');
  const { openTrialStore } = await import('./open.ts');
  const first = await sqliteFactory.open();
  try {
    const protocol = insightProtocol();
    await initTrial(first.store, blocksPlan(protocol, 13, 80), 80);
    const ids: string[] = [];
    for (let i = 0; i < 60; i++) ids.push(await enrolOne(first.store, protocol, `T${i}`, 'A'));
    const second = await openTrialStore(first.location);
    try {
      const results = await Promise.all(
        ids.map((id, i) => (i % 2 === 0 ? first.store : second).randomize(as('coordinator', 'A'), id)),
      );
      assert.deepEqual(
        results.map((r) => r.randomizationNumber).sort((a, b) => a - b),
        Array.from({ length: 60 }, (_, i) => i + 1),
      );
      assert.equal(new Set(results.map((r) => `${r.stratum}#${r.stratumSequence}`)).size, 60);
      assert.equal((await second.verifyAudit()).ok, true);
    } finally {
      await second.close();
    }
  } finally {
    await first.cleanup();
  }
});

test('SQLite: two processes randomize concurrently without sharing or skipping a slot', async () => {
  const { spawn } = await import('node:child_process');
  const { sqliteFactory } = await import('./stores.test-support.ts');
  const opened = await sqliteFactory.open();
  try {
    const protocol = insightProtocol();
    await initTrial(opened.store, blocksPlan(protocol, 17, 100), 100);
    const ids: string[] = [];
    for (let i = 0; i < 80; i++) ids.push(await enrolOne(opened.store, protocol, `X${i}`, 'A'));
    const theirs = ids.filter((_, i) => i % 2 === 1);
    const child = spawn(process.execPath, [
      '--import',
      'tsx',
      new URL('./randomize-worker.test-support.ts', import.meta.url).pathname,
      opened.location,
      theirs.join(','),
    ]);
    let out = '';
    const ready = new Promise<void>((resolve) =>
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.startsWith('ready\n')) resolve();
      }),
    );
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    await ready;
    // Both processes start together: the child process on this line, this process right after.
    child.stdin.write('go\n');
    const mine = [];
    for (const id of ids.filter((_, i) => i % 2 === 0)) {
      mine.push(await opened.store.randomize(as('coordinator', 'A'), id));
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    assert.equal(await exited, 0);
    const other = JSON.parse(out.slice('ready\n'.length)) as { randomizationNumber: number; stratumSequence: number }[];
    const all = [...mine, ...other];
    assert.equal(other.length, 40);
    assert.deepEqual(
      all.map((r) => r.randomizationNumber).sort((a, b) => a - b),
      Array.from({ length: 80 }, (_, i) => i + 1),
    );
    assert.deepEqual(
      all.map((r) => r.stratumSequence).sort((a, b) => a - b),
      Array.from({ length: 80 }, (_, i) => i + 1),
    );
    // Interleaved, not one process after the other: each process got numbers below the other's highest.
    const maxMine = Math.max(...mine.map((r) => r.randomizationNumber));
    const maxOther = Math.max(...other.map((r) => r.randomizationNumber));
    const interleaved =
      mine.some((r) => r.randomizationNumber < maxOther) && other.some((r) => r.randomizationNumber < maxMine);
    assert.equal((await opened.store.verifyAudit()).ok, true);
    if (!interleaved) process.stderr.write('note: the two processes did not overlap in this run\n');
  } finally {
    await opened.cleanup();
  }
});

test('SQLite: processes opening a new database at the same moment apply each migration once', async () => {
  const { spawn } = await import('node:child_process');
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'trd-migrate-'));
  try {
    const location = join(dir, 'new.db');
    const worker = new URL('./randomize-worker.test-support.ts', import.meta.url).pathname;
    const runs = Array.from({ length: 3 }, () => {
      const child = spawn(process.execPath, ['--import', 'tsx', worker, location, '']);
      child.stdout.once('data', () => child.stdin.write('go\n'));
      return new Promise<number | null>((resolve) => child.on('close', resolve));
    });
    assert.deepEqual(await Promise.all(runs), [0, 0, 0]);
    const { openTrialStore } = await import('./open.ts');
    const store = await openTrialStore(location);
    await store.close();
    const Database = (await import('better-sqlite3')).default;
    const raw = new Database(location, { readonly: true });
    const versions = (
      raw.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[]
    ).map((r) => r.version);
    raw.close();
    assert.deepEqual(
      versions,
      migrationsFor('sqlite').map((m) => m.version),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
