import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assess, deriveFacts } from './index.ts';
import type { TreatmentResistanceFacts } from './index.ts';
import {
  AS_OF,
  candidate,
  concept,
  daysBefore,
  depression,
  exposure,
  knowledge,
  medication,
  record,
  RXNORM,
  SYSTEM,
} from './builders.test-support.ts';
import type { MedicationFact } from '../record/index.ts';

const tr = (medications: MedicationFact[]): TreatmentResistanceFacts =>
  deriveFacts(record({ conditions: [depression()], medications }), knowledge, AS_OF).treatmentResistance;

describe('adequate trial (definitions 3-4): boundaries', () => {
  test('41 days is not adequate, 42 days is (inclusive day count)', () => {
    const short = tr([exposure(RXNORM.sertraline, 100, 41)]);
    assert.equal(short.count, 0);
    assert.equal(short.exposures[0]?.adequacy, 'inadequate');
    assert.equal(short.exposures[0]?.days, 41);
    assert.match(short.exposures[0]?.reason ?? '', /fewer than 42 days/);
    const enough = tr([exposure(RXNORM.sertraline, 100, 42)]);
    assert.equal(enough.count, 1);
    assert.equal(enough.adequateTrials[0]?.days, 42);
  });

  test('Jan 1 to Feb 11 is 42 days', () => {
    const t = tr([medication(RXNORM.sertraline, { dailyMg: 50, start: '2026-01-01', end: '2026-02-11' })]);
    assert.equal(t.adequateTrials[0]?.days, 42);
  });

  test('dose at the minimum is adequate; just under is not', () => {
    assert.equal(tr([exposure(RXNORM.sertraline, 50, 60)]).count, 1);
    const under = tr([exposure(RXNORM.sertraline, 49.9, 60)]);
    assert.equal(under.count, 0);
    assert.match(under.exposures[0]?.reason ?? '', /below the minimum adequate dose of 50 mg\/day/);
  });

  test('lookback: ending exactly 730 days before the as-of date counts, 731 does not', () => {
    assert.equal(tr([exposure(RXNORM.sertraline, 100, 60, 730)]).count, 1);
    const old = tr([exposure(RXNORM.sertraline, 100, 60, 731)]);
    assert.equal(old.count, 0);
    assert.match(old.exposures[0]?.reason ?? '', /before the lookback window/);
  });

  test('a gap of 30 days joins two 21-day exposures into one adequate run; 31 days does not', () => {
    const joined = [
      medication(RXNORM.sertraline, { dailyMg: 100, start: '2026-01-01', end: '2026-01-21' }),
      medication(RXNORM.sertraline, { dailyMg: 100, start: '2026-02-21', end: '2026-03-13' }),
    ];
    const j = tr(joined);
    assert.equal(j.exposures.length, 1);
    assert.equal(j.count, 1);
    // Care pathway 1.1 def 2: the 30 gap days join the course but are not days on the drug (1.0 counted 72).
    assert.equal(j.adequateTrials[0]?.days, 42);
    assert.equal(j.adequateTrials[0]?.sources.length, 2);
    const split = tr([
      medication(RXNORM.sertraline, { dailyMg: 100, start: '2026-01-01', end: '2026-01-21' }),
      medication(RXNORM.sertraline, { dailyMg: 100, start: '2026-02-22', end: '2026-03-14' }),
    ]);
    assert.equal(split.exposures.length, 2);
    assert.equal(split.count, 0);
  });

  test('a run counts only the stretch at an adequate dose', () => {
    const t = tr([
      medication(RXNORM.sertraline, { dailyMg: 25, start: '2026-01-01', end: '2026-01-31' }),
      medication(RXNORM.sertraline, { dailyMg: 100, start: '2026-02-01', end: '2026-03-01' }),
    ]);
    assert.equal(t.exposures.length, 1);
    assert.equal(t.count, 0, '29 days at 100 mg is too short even though the run is 60 days');
    assert.match(t.exposures[0]?.reason ?? '', /fewer than 42 days at or above 50 mg\/day/);
  });

  test('each ingredient counts once', () => {
    const t = tr([exposure(RXNORM.sertraline, 100, 60, 600), exposure(RXNORM.sertraline, 150, 60, 100)]);
    assert.equal(t.exposures.length, 2);
    assert.equal(t.count, 1);
    assert.equal(t.adequateTrials[0]?.dailyDoseMg, 150, 'the most recent adequate exposure is reported');
    assert.equal(t.met, false);
  });

  test('an active exposure with no end runs to the as-of date', () => {
    const t = tr([medication(RXNORM.sertraline, { dailyMg: 100, start: daysBefore(41), status: 'active' })]);
    assert.equal(t.adequateTrials[0]?.end, AS_OF);
    assert.equal(t.adequateTrials[0]?.days, 42);
  });

  test('a completed exposure without an end is unverified (duration)', () => {
    const t = tr([medication(RXNORM.sertraline, { dailyMg: 100, start: daysBefore(100), status: 'completed' })]);
    assert.equal(t.count, 0);
    assert.equal(t.unverifiedTrials.length, 1);
    assert.deepEqual(t.unverifiedTrials[0]?.missing, ['duration']);
  });

  test('an exposure without a dose is unverified (daily dose), never adequate', () => {
    const t = tr([exposure(RXNORM.sertraline, undefined, 90)]);
    assert.equal(t.count, 0);
    assert.deepEqual(t.unverifiedTrials[0]?.missing, ['daily dose']);
    assert.match(t.unverifiedTrials[0]?.reason ?? '', /no structured dose/);
  });

  test('an unknown dose on a too-short exposure is inadequate, not unverified', () => {
    const t = tr([exposure(RXNORM.sertraline, undefined, 30)]);
    assert.equal(t.unverifiedTrials.length, 0);
    assert.equal(t.exposures[0]?.adequacy, 'inadequate');
  });

  test('two adequate ingredients meet treatment resistance', () => {
    const t = tr([exposure(RXNORM.sertraline, 100, 60, 300), exposure(RXNORM.venlafaxine, 150, 60, 100)]);
    assert.equal(t.count, 2);
    assert.equal(t.met, true);
    assert.deepEqual(t.adequateTrials.map((x) => x.ingredient).sort(), ['sertraline', 'venlafaxine']);
  });
});

describe('exposures (definition 2): dose and status', () => {
  test('strength x tablets per day from an RxNorm clinical drug (sertraline 50 mg tablet x 2)', () => {
    const m = medication('312941', {
      start: daysBefore(100),
      end: daysBefore(30),
      extra: {
        dosePerAdministration: { value: 2, ucum: '{tbl}' },
        administrationsPerDay: 1,
        dailyDose: { value: 2, ucum: '{tbl}' },
      },
    });
    const t = tr([m]);
    assert.equal(t.segments[0]?.dailyDoseMg, 100);
    assert.equal(t.segments[0]?.doseBasis, 'strength-x-count');
    assert.equal(t.count, 1);
  });

  test('strength from the record ingredient (25 mg per tablet x 1) is below the sertraline minimum', () => {
    const m = medication(RXNORM.sertraline, {
      start: daysBefore(100),
      end: daysBefore(30),
      extra: {
        dosePerAdministration: { value: 1, unitText: 'tablet' },
        administrationsPerDay: 1,
        ingredients: [
          {
            code: concept(SYSTEM.rxnorm, RXNORM.sertraline),
            strength: { numerator: { value: 25, ucum: 'mg' }, denominator: { value: 1, ucum: '{tbl}' } },
          },
        ],
      },
    });
    const t = tr([m]);
    assert.equal(t.segments[0]?.dailyDoseMg, 25);
    assert.equal(t.exposures[0]?.adequacy, 'inadequate');
  });

  test('a daily dose in g converts to mg', () => {
    const m = medication(RXNORM.sertraline, {
      start: daysBefore(100),
      end: daysBefore(30),
      extra: { dailyDose: { value: 0.1, ucum: 'g' } },
    });
    assert.equal(tr([m]).segments[0]?.dailyDoseMg, 100);
  });

  test('a dose in mL cannot be converted: unverified with the reason', () => {
    const m = medication(RXNORM.sertraline, {
      start: daysBefore(100),
      end: daysBefore(30),
      extra: { dailyDose: { value: 5, ucum: 'mL' } },
    });
    const t = tr([m]);
    assert.equal(t.segments[0]?.dailyDoseMg, undefined);
    assert.match(t.segments[0]?.doseProblem ?? '', /mL/);
    assert.equal(t.unverifiedTrials.length, 1);
  });

  test('entered-in-error and not-taken statements and cancelled requests are ignored with the reason', () => {
    const t = tr([
      exposure(RXNORM.sertraline, 100, 60, 100, { status: 'entered-in-error' }),
      exposure(RXNORM.escitalopram, 20, 60, 100, { status: 'not-taken' }),
      exposure(RXNORM.venlafaxine, 150, 60, 100, { kind: 'request', status: 'cancelled' }),
      exposure(RXNORM.fluoxetine, 20, 60, 100, { kind: 'request', status: 'completed' }),
    ]);
    assert.equal(t.count, 1);
    assert.equal(t.adequateTrials[0]?.ingredient, 'fluoxetine');
    assert.equal(t.ignored.length, 3);
    const reasons = t.ignored.map((i) => i.reason).join(' | ');
    for (const status of ['entered-in-error', 'not-taken', 'cancelled']) assert.match(reasons, new RegExp(status));
  });

  test('non-antidepressants are not exposures', () => {
    const t = tr([exposure(RXNORM.ibuprofen, 400, 90)]);
    assert.equal(t.exposures.length, 0);
    assert.equal(t.ignored.length, 0);
  });

  test('an ingredient without a minimum dose (milnacipran, ATC) is unverified: minimum adequate dose', () => {
    const t = tr([exposure('N06AX17', 100, 90, 100, { system: SYSTEM.atc })]);
    assert.equal(t.count, 0);
    assert.deepEqual(t.unverifiedTrials[0]?.missing, ['minimum adequate dose']);
  });

  test('an exposure ending after the as-of date is cut at the as-of date', () => {
    const t = tr([medication(RXNORM.sertraline, { dailyMg: 100, start: daysBefore(50), end: daysBefore(-30) })]);
    assert.equal(t.adequateTrials[0]?.end, AS_OF);
    assert.equal(t.adequateTrials[0]?.days, 51);
  });

  test('an unverified minimum dose (moclobemide, [U]) is reported in unverified', () => {
    const f = deriveFacts(
      record({ conditions: [depression()], medications: [exposure('N06AG02', 300, 60, 100, { system: SYSTEM.atc })] }),
      knowledge,
      AS_OF,
    );
    assert.equal(f.treatmentResistance.count, 1);
    assert.ok(f.unverified.some((u) => /moclobemide/.test(u.item)));
  });
});

test('a dose reduced after an adequate stretch stays visible as an exposure of its own, in start order', () => {
  const t = tr([
    medication(RXNORM.sertraline, { dailyMg: 100, start: daysBefore(200), end: daysBefore(17) }),
    medication(RXNORM.sertraline, { dailyMg: 25, start: daysBefore(16), end: AS_OF }),
  ]);
  assert.equal(t.count, 1);
  assert.deepEqual(
    t.exposures.map((e) => [e.dailyDoseMg, e.adequacy, e.days]),
    [
      [100, 'adequate', 184],
      [25, 'inadequate', 17],
    ],
  );
  // One record at one dose is still one exposure.
  assert.equal(tr([exposure(RXNORM.sertraline, 100, 60)]).exposures.length, 1);
});

describe('dates given only as a month or a year (definitions 2-3)', () => {
  test('a course from "2025-01" to "2025-03" may be 30 or 90 days: unverified, never inadequate', () => {
    const t = tr([medication(RXNORM.sertraline, { dailyMg: 100, start: '2025-01', end: '2025-03' })]);
    assert.equal(t.count, 0);
    const e = t.exposures[0];
    assert.equal(e?.adequacy, 'unverified');
    // The firm reading is still the one shown: imprecision never lengthens an exposure.
    assert.deepEqual([e?.start, e?.end, e?.days], ['2025-01-31', '2025-03-01', 30]);
    assert.match(e?.reason ?? '', /month or a year/);
    assert.deepEqual(e?.missing, ['exact dates']);
    assert.equal(t.unverifiedTrials[0]?.ingredient, 'sertraline');
  });

  test('a year-only course ("2024" to "2025") and an end year reaching into the lookback are unverified', () => {
    assert.equal(
      tr([medication(RXNORM.sertraline, { dailyMg: 100, start: '2024', end: '2025' })]).exposures[0]?.adequacy,
      'unverified',
    );
    // Ended "2024": 1 January 2024 is before the lookback (from 2024-11-28), 31 December 2024 inside it.
    const late = tr([medication(RXNORM.sertraline, { dailyMg: 100, start: '2023-06-01', end: '2024' })]);
    assert.equal(late.exposures[0]?.adequacy, 'unverified');
  });

  test('imprecise dates that cannot reach 42 days, or a dose below the minimum, stay inadequate', () => {
    // From some day of January to 5 February: 36 days at most.
    const short = tr([medication(RXNORM.sertraline, { dailyMg: 100, start: '2025-01', end: '2025-02-05' })]);
    assert.equal(short.exposures[0]?.adequacy, 'inadequate');
    const low = tr([medication(RXNORM.sertraline, { dailyMg: 25, start: '2025-01', end: '2025-03' })]);
    assert.equal(low.exposures[0]?.adequacy, 'inadequate');
    // Months that are long enough even at their narrowest reading are adequate, with the narrow dates.
    const firm = tr([medication(RXNORM.sertraline, { dailyMg: 100, start: '2025-01', end: '2025-06' })]);
    assert.deepEqual([firm.count, firm.adequateTrials[0]?.start, firm.adequateTrials[0]?.days], [1, '2025-01-31', 122]);
  });
});

describe('antidepressants taken together (definitions 3-4)', () => {
  const MIRTAZAPINE = '15996';
  const sertraline = (start: number, end: number): MedicationFact =>
    medication(RXNORM.sertraline, { dailyMg: 100, start: daysBefore(start), end: daysBefore(end) });
  const mirtazapine = (start: number, end: number): MedicationFact =>
    medication(MIRTAZAPINE, { dailyMg: 30, start: daysBefore(start), end: daysBefore(end) });

  test('mirtazapine added to a running sertraline course is one trial, the addition to confirm', () => {
    const t = tr([sertraline(400, 200), mirtazapine(330, 240)]);
    assert.equal(t.count, 1);
    assert.equal(t.met, false);
    assert.deepEqual(
      t.adequateTrials.map((a) => a.ingredient),
      ['sertraline'],
    );
    const added = t.unverifiedTrials.find((u) => u.ingredient === 'mirtazapine');
    assert.match(added?.reason ?? '', /taken together with sertraline/);
    assert.deepEqual(added?.missing, ['a separate trial']);
    assert.equal(t.exposures.find((e) => e.ingredient === 'mirtazapine')?.adequacy, 'unverified');
  });

  test('the confirm-history summary asks for what is missing (a separate trial), not for a dose and duration', () => {
    const a = assess(candidate({ medications: [sertraline(400, 200), mirtazapine(330, 240)] }), knowledge, {
      asOf: AS_OF,
    });
    assert.equal(a.recommendation.code, 'confirm-history');
    assert.match(a.recommendation.clinicianSummary, /mirtazapine \(confirm a separate trial/);
    assert.doesNotMatch(a.recommendation.clinicianSummary, /dose and duration/);
    assert.match(a.recommendation.patientSummary, /at the same time/);
    // The Maudsley staging does not say "no augmentation" of a combination to confirm: that dimension is not scored.
    const augmentation = a.maudsleyStaging.dimensions.find((d) => d.dimension === 'augmentation');
    assert.equal(augmentation?.scored, false);
    assert.deepEqual([augmentation?.minPoints, augmentation?.maxPoints], [0, 1]);
    assert.match(augmentation?.basis ?? '', /mirtazapine taken with another antidepressant \(combination: confirm\)/);
    assert.ok(a.maudsleyStaging.unscored.includes('augmentation'));
  });

  test('two antidepressants started together are one trial; a switch with a two-week cross-taper is two', () => {
    const together = tr([sertraline(300, 200), mirtazapine(300, 200)]);
    assert.deepEqual([together.count, together.unverifiedTrials.length], [1, 1]);
    const crossTaper = tr([sertraline(400, 300), mirtazapine(314, 200)]);
    assert.deepEqual([crossTaper.count, crossTaper.met], [2, true]);
  });

  test('42 days on the second drug alone make it a trial of its own; 41 do not', () => {
    // Mirtazapine runs to 200 days before the as-of date; sertraline stops 242 days before it (42 days of mirtazapine
    // alone: 241 to 200) or 241 days before it (41 days alone).
    assert.equal(tr([sertraline(400, 242), mirtazapine(330, 200)]).count, 2);
    assert.equal(tr([sertraline(400, 241), mirtazapine(330, 200)]).count, 1);
  });
});
