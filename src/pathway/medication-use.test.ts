/**
 * Care pathway 1.1 definitions 2 and 3a as medication-use.ts implements them: what is current, what is stale, how long
 * one supply lasts, washouts, and the window's own `inclusive`.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Knowledge } from '../knowledge/index.ts';
import type { MedicationFact } from '../record/index.ts';
import {
  AS_OF,
  candidate,
  daysBefore,
  hsCrp,
  knowledge,
  medication,
  RXNORM,
  screen,
  SYSTEM,
  workup,
} from './builders.test-support.ts';
import { deriveFacts } from './index.ts';

const NAPROXEN = '7258';
const ADALIMUMAB = '327361';

function facts(meds: MedicationFact[], k: Knowledge = knowledge) {
  return deriveFacts(candidate({ extraMedications: meds }), k, AS_OF);
}
const isCurrent = (m: MedicationFact, k?: Knowledge): boolean => facts([m], k).medications.current.includes(m.ref);
const isStale = (m: MedicationFact): boolean => facts([m]).medications.stale.includes(m.ref);
const withRef = (m: MedicationFact, ref: string): MedicationFact => ({ ...m, ref });

describe('definition 3a: current medication', () => {
  test('an open-ended record is current up to 180 days after its start (inclusive), stale after', () => {
    for (const [days, current] of [
      [179, true],
      [180, true],
      [181, false],
    ] as const) {
      const m = medication(NAPROXEN, { start: daysBefore(days) });
      assert.equal(isCurrent(m), current, `${days} days`);
      assert.equal(isStale(m), !current, `${days} days`);
    }
  });

  test('the window honours its own `inclusive`: false makes day 180 stale', () => {
    const p = knowledge.pathway;
    const window = { ...p.definitions.currentMedication.openEndedWindowDays, inclusive: false };
    const strict: Knowledge = {
      ...knowledge,
      pathway: {
        ...p,
        definitions: {
          ...p.definitions,
          currentMedication: { ...p.definitions.currentMedication, openEndedWindowDays: window },
        },
      },
    };
    assert.equal(isCurrent(medication(NAPROXEN, { start: daysBefore(180) }), strict), false);
    assert.equal(isCurrent(medication(NAPROXEN, { start: daysBefore(179) }), strict), true);
  });

  test('on-hold counts like active; completed and stopped only while their period contains the as-of date', () => {
    assert.equal(isCurrent(medication(NAPROXEN, { status: 'on-hold', start: daysBefore(30) })), true);
    assert.equal(
      isCurrent(medication(NAPROXEN, { status: 'completed', start: daysBefore(30), end: daysBefore(1) })),
      false,
    );
    assert.equal(isCurrent(medication(NAPROXEN, { status: 'completed', start: daysBefore(30), end: AS_OF })), true);
    assert.equal(isCurrent(medication(NAPROXEN, { status: 'not-taken', start: daysBefore(3) })), false);
    assert.equal(isCurrent(medication(NAPROXEN, { start: daysBefore(-2) })), false, 'starts after the as-of date');
  });

  test('a start given as the month (or year) of the as-of date may be before it: the record exists and is current', () => {
    // As of 2026-11-27, "2026-11" may be 1-27 November; read at its latest day not after the as-of date.
    const thisMonth = medication(ADALIMUMAB, { start: AS_OF.slice(0, 7) });
    assert.equal(isCurrent(thisMonth), true);
    const sertraline = medication(RXNORM.sertraline, { dailyMg: 100, start: AS_OF.slice(0, 7) });
    const f = facts([sertraline]);
    assert.ok(
      !f.treatmentResistance.ignored.some((i) => i.source === sertraline.ref),
      'not "starts after the as-of date"',
    );
    assert.ok(f.medications.current.includes(sertraline.ref));
    assert.equal(isCurrent(medication(NAPROXEN, { start: AS_OF.slice(0, 4) })), true);
    // A month wholly after the as-of date has not started yet.
    assert.equal(isCurrent(medication(NAPROXEN, { start: '2026-12' })), false);
  });

  test('a use now over is listed with its last known day (medications.ended); current, stale, unknown ends are not', () => {
    const over = medication(NAPROXEN, { status: 'completed', start: daysBefore(10), end: daysBefore(3) });
    const stopped = medication(NAPROXEN, { status: 'stopped', start: daysBefore(9), end: daysBefore(2) });
    const current = medication(NAPROXEN, { start: daysBefore(5) });
    const stale = medication(NAPROXEN, { start: daysBefore(400) });
    const noEnd = medication(NAPROXEN, { status: 'completed', start: daysBefore(5) });
    const notTaken = medication(NAPROXEN, { status: 'not-taken', start: daysBefore(9), end: daysBefore(2) });
    const washout = medication(ADALIMUMAB, { status: 'completed', start: daysBefore(100), end: daysBefore(30) });
    const f = facts([over, stopped, current, stale, noEnd, notTaken, washout]);
    const ended = f.medications.ended;
    for (const [m, end] of [
      [over, daysBefore(3)],
      [stopped, daysBefore(2)],
    ] as const) {
      assert.deepEqual(
        ended.find((e) => e.source === m.ref),
        { source: m.ref, end },
      );
    }
    for (const m of [current, stale, noEnd, notTaken, washout]) {
      assert.ok(!ended.some((e) => e.source === m.ref), m.ref);
    }
  });

  test('an undated open-ended record is stale (never current)', () => {
    const m = medication(NAPROXEN, {});
    assert.equal(isCurrent(m), false);
    assert.equal(isStale(m), true);
  });

  test('a biologic is current for its washout after the last known day: adalimumab 90 days (default)', () => {
    const ended = (days: number) =>
      medication(ADALIMUMAB, { status: 'completed', start: daysBefore(days + 100), end: daysBefore(days) });
    assert.equal(isCurrent(ended(90)), true);
    assert.equal(isCurrent(ended(91)), false);
    const f = facts([ended(90)]);
    assert.deepEqual(
      f.contraindications.map((c) => c.code),
      ['immunosuppressant'],
    );
    assert.ok(f.unverified.some((u) => u.item === 'biologic washout (days)'));
  });

  test('a stale open-ended biologic is not current and is not washed out from its start', () => {
    const m = medication(ADALIMUMAB, { start: daysBefore(200) });
    const f = facts([m]);
    assert.deepEqual(f.contraindications, []);
    assert.deepEqual(
      f.missingWorkup.map((w) => w.code),
      ['confirm-immunosuppressant'],
    );
  });
});

describe("which records document an exposure is the pathway's (currentMedication.records)", () => {
  /** The bundled knowledge with the currentMedication.records of `change`. */
  function withRecords(
    change: (r: Knowledge['pathway']['definitions']['currentMedication']['records']) => void,
  ): Knowledge {
    const pathway = structuredClone(knowledge.pathway);
    change(pathway.definitions.currentMedication.records);
    return { ...knowledge, pathway };
  }
  const onHoldRequest = medication(NAPROXEN, { kind: 'request', status: 'on-hold', start: daysBefore(30) });

  test('an on-hold request counts with the bundled file; without on-hold it is ignored, naming what counts', () => {
    assert.equal(isCurrent(onHoldRequest), true);
    const strict = withRecords((r) => {
      r.request.statuses = ['active', 'completed', 'stopped'];
    });
    assert.equal(isCurrent(onHoldRequest, strict), false);
    const sertraline = medication(RXNORM.sertraline, { kind: 'request', status: 'on-hold', start: daysBefore(30) });
    const ignored = facts([sertraline], strict).treatmentResistance.ignored;
    assert.deepEqual(
      ignored.map((i) => i.reason),
      ['MedicationRequest status is on-hold (only active, completed or stopped count)'],
    );
  });

  test('open-ended statuses and order intents come from the file too', () => {
    const active = medication(NAPROXEN, { start: daysBefore(30) });
    assert.equal(isCurrent(active), true);
    const closed = withRecords((r) => {
      r.openEndedStatuses = ['on-hold', 'in-progress'];
    });
    assert.equal(isCurrent(active, closed), false, 'an active statement without an end is no longer open-ended');
    const plan = medication(NAPROXEN, { kind: 'request', start: daysBefore(30), extra: { intent: 'plan' } });
    assert.equal(isCurrent(plan), false);
    const plansCount = withRecords((r) => {
      r.request.orderIntents = [...r.request.orderIntents, 'plan'];
    });
    assert.equal(isCurrent(plan, plansCount), true);
  });
});

describe('definition 2: one supply per request, dispenses, administrations', () => {
  const sertralineRequest = (extra: Partial<MedicationFact>): MedicationFact =>
    medication(RXNORM.sertraline, {
      kind: 'request',
      status: 'completed',
      dailyMg: 100,
      start: daysBefore(300),
      extra,
    });

  const alone = (meds: MedicationFact[]) => deriveFacts(candidate({ medications: meds }), knowledge, AS_OF);
  const exposureDays = (meds: MedicationFact[]): (number | undefined)[] =>
    alone(meds)
      .treatmentResistance.exposures.filter((e) => e.ingredient === 'sertraline')
      .map((e) => e.days);

  test('quantity / daily dose when no expected supply: 120 tablets at 2 a day is 60 days', () => {
    const m = sertralineRequest({
      dosePerAdministration: { value: 1, ucum: '{tbl}' },
      administrationsPerDay: 2,
      dailyDose: { value: 2, ucum: '{tbl}' },
      ingredients: [
        {
          code: { codings: [{ system: SYSTEM.rxnorm, code: RXNORM.sertraline }] },
          strength: { numerator: { value: 50, ucum: 'mg' }, denominator: { value: 1, ucum: '{tbl}' } },
        },
      ],
      dispense: { quantity: { value: 120, ucum: '{tbl}' } },
    });
    assert.deepEqual(exposureDays([m]), [60]);
  });

  test('refills allowed are not taken: 30 days plus 2 refills is 30 days', () => {
    const m = sertralineRequest({ dispense: { expectedSupplyDays: 30, numberOfRepeatsAllowed: 2 } });
    assert.deepEqual(exposureDays([m]), [30]);
  });

  test('a stopped request counts to its known end, never past one supply', () => {
    const start = daysBefore(300);
    const stopped = (end?: string): MedicationFact =>
      medication(RXNORM.sertraline, {
        kind: 'request',
        status: 'stopped',
        dailyMg: 100,
        start,
        ...(end === undefined ? {} : { end }),
        extra: { dispense: { expectedSupplyDays: 70 } },
      });
    assert.deepEqual(exposureDays([stopped(daysBefore(251))]), [50]);
    assert.deepEqual(exposureDays([stopped(daysBefore(100))]), [70]);
    const unknown = alone([stopped()]).treatmentResistance.exposures.find((e) => e.ingredient === 'sertraline');
    assert.equal(unknown?.adequacy, 'unverified');
    assert.match(unknown?.reason ?? '', /stopped, with no known end/);
  });

  test('dispenses: daysSupply, else quantity / daily dose; an in-progress administration runs to the as-of date', () => {
    const dispense = (ref: string, start: string, extra: Partial<MedicationFact>): MedicationFact =>
      withRef(
        medication(RXNORM.sertraline, {
          status: 'completed',
          dailyMg: 100,
          start,
          extra: { kind: 'dispense', ...extra },
        }),
        ref,
      );
    const d1 = dispense('MedicationDispense/d1', daysBefore(300), { supply: { days: 30 } });
    const d2 = dispense('MedicationDispense/d2', daysBefore(270), {
      supply: { quantity: { value: 1500, ucum: 'mg' } },
      dailyDose: { value: 100, ucum: 'mg' },
    });
    assert.deepEqual(exposureDays([d1, d2]), [45]);
    const running = withRef(
      medication(RXNORM.sertraline, {
        status: 'in-progress',
        dailyMg: 100,
        start: daysBefore(49),
        extra: { kind: 'administration' },
      }),
      'MedicationAdministration/a1',
    );
    assert.deepEqual(exposureDays([running]), [50]);
    assert.equal(isCurrent(running), true);
  });
});

describe('definition 6: latent-TB treatment is a course that counts as an exposure', () => {
  const positive = [
    hsCrp(7),
    ...workup().filter((o) => o.code.codings[0]?.code !== '71773-6'),
    screen('71773-6', true, daysBefore(120)),
  ];
  const tb = (meds: MedicationFact[]): string[] =>
    deriveFacts(candidate({ observations: positive, extraMedications: meds }), knowledge, AS_OF)
      .contraindications.map((c) => c.code)
      .filter((c) => c === 'tuberculosis');
  const isoniazid = (ref: string, o: Parameters<typeof medication>[1]): MedicationFact =>
    withRef(medication(RXNORM.isoniazid, o), ref);

  test('monthly dispenses joined into a current course of 60 days document treatment', () => {
    const d = (ref: string, start: string): MedicationFact =>
      isoniazid(ref, { status: 'completed', start, extra: { kind: 'dispense', supply: { days: 30 } } });
    assert.deepEqual(tb([d('MedicationDispense/d1', daysBefore(59)), d('MedicationDispense/d2', daysBefore(29))]), []);
  });

  test('one completed dispense long ago is a supply handed over, not a completed treatment', () => {
    const d = isoniazid('MedicationDispense/d1', {
      status: 'completed',
      start: daysBefore(100),
      extra: { kind: 'dispense', supply: { days: 30 } },
    });
    assert.deepEqual(tb([d]), ['tuberculosis']);
  });

  test('an open isoniazid order without a supply, 40 days old, is current and has run long enough', () => {
    const r = isoniazid('MedicationRequest/r1', { kind: 'request', status: 'active', start: daysBefore(39) });
    assert.deepEqual(tb([r]), []);
  });
});
