/**
 * The randomization date is the site's calendar day: a site in Sydney randomizing at 09:30 on 30 November lives
 * 30 November, while the UTC date is still the 29th. The store keeps the instant (UTC) and the site's date, from the
 * time zone each site was given at init; the SDTM DS date, the provisional visit schedule and the enrolment-date
 * check read the site's date. Runs on SQLite and PGlite (and a PostgreSQL server when TRD_PG_URL is set).
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { InputError } from '../../record/index.ts';
import { loadInstruments } from '../../instruments/load.ts';
import { generateKits } from '../kits.ts';
import { planArms } from '../strata.ts';
import { sdtmDomains } from '../exports/index.ts';
import { allFactories, as, blocksPlan, closeSharedPglite, enrolOne, insightProtocol } from './stores.test-support.ts';

after(closeSharedPglite);

for (const factory of allFactories()) {
  describe(`site time zones: ${factory.name}`, () => {
    test("a randomization is dated on the site's day, not the UTC day", async () => {
      // 22:30 UTC on 29 November: 09:30 on the 30th in Sydney (UTC+11), 14:30 on the 29th in Los Angeles (UTC-8).
      const opened = await factory.open(() => new Date(Date.UTC(2026, 10, 29, 22, 30)));
      try {
        const { store } = opened;
        const protocol = insightProtocol();
        await assert.rejects(
          store.init(as('administrator'), {
            protocol,
            plan: blocksPlan(protocol),
            siteTimeZones: { A: 'Australia/Sydnee' },
          }),
          (e: unknown) => e instanceof InputError && e.code === 'trial.invalid',
        );
        // A zone for a code that is no site of the plan (a lower-case typo) would leave site A dated in UTC.
        await assert.rejects(
          store.init(as('administrator'), {
            protocol,
            plan: blocksPlan(protocol),
            siteTimeZones: { a: 'Australia/Sydney', B: 'America/Los_Angeles' },
          }),
          (e: unknown) =>
            e instanceof InputError &&
            e.code === 'trial.invalid' &&
            /a is not a site of the plan \(A, B\)/.test(e.message),
        );
        await store.init(as('administrator'), {
          protocol,
          plan: blocksPlan(protocol),
          siteTimeZones: { A: 'Australia/Sydney', B: 'America/Los_Angeles' },
        });
        await store.addKits(as('unblinded-pharmacist'), generateKits(planArms(protocol), 10, 7));
        const sydney = await enrolOne(store, protocol, 'SYD-1', 'A');
        const losAngeles = await enrolOne(store, protocol, 'LAX-1', 'B');
        // Los Angeles enrolled "on the 30th" (allowed: a site ahead of UTC lives the 30th already) cannot be
        // randomized on its 29th: the randomization would be dated before the enrolment.
        await store.correctEnrolment(as('coordinator', 'B', 'typed the wrong day'), losAngeles, {
          enrolledOn: '2026-11-30',
        });
        await assert.rejects(
          store.randomize(as('coordinator', 'B'), losAngeles),
          (e: unknown) =>
            e instanceof InputError &&
            e.code === 'trial.invalid' &&
            /enrolled on 2026-11-30, after today at the site \(2026-11-29\)/.test(e.message),
        );
        assert.equal((await store.getParticipant(losAngeles))?.randomizationNumber, null);
        await store.correctEnrolment(as('coordinator', 'B', 'enrolled on the 29th'), losAngeles, {
          enrolledOn: '2026-11-29',
        });
        const a = await store.randomize(as('coordinator', 'A'), sydney);
        const b = await store.randomize(as('coordinator', 'B'), losAngeles);
        assert.equal(a.randomizedAt, '2026-11-29T22:30:00.000Z');
        assert.equal(a.randomizedOn, '2026-11-30');
        assert.equal(b.randomizedOn, '2026-11-29');
        assert.equal((await store.getAllocation(sydney))?.randomizedOn, '2026-11-30');
        // SDTM DS dates RANDOMIZED on the site's day.
        const snapshot = await store.snapshot();
        const ds = parse(sdtmDomains(snapshot, protocol, loadInstruments()).DS, { columns: true }) as Record<
          string,
          string
        >[];
        const randomized = ds.filter((r) => r.DSDECOD === 'RANDOMIZED').map((r) => r.DSSTDTC);
        assert.deepEqual(randomized.sort(), ['2026-11-29', '2026-11-30']);
        // The Sydney enrolment, typed as 3 November, really was on the 30th (the site's today): the correction is
        // not refused as "after the randomization", which happened that same day at the site.
        const corrected = await store.correctEnrolment(
          as('coordinator', 'A', 'enrolled the day of randomization'),
          sydney,
          {
            enrolledOn: '2026-11-30',
          },
        );
        assert.equal(corrected.enrolledOn, '2026-11-30');
      } finally {
        await opened.cleanup();
      }
    });
  });
}
