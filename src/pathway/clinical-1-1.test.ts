/**
 * Care pathway 1.1 (non-medication half): the window reading shared by every window (`inclusive`), "most recent" by
 * instant, serology that does not expire, and the pathway file's own `inclusive` flags actually changing results.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Knowledge } from '../knowledge/index.ts';
import { assess } from './assess.ts';
import {
  AS_OF,
  candidate,
  daysBefore,
  hsCrp,
  knowledge,
  quantityObservation,
  screen,
  workup,
} from './builders.test-support.ts';
import { windowStart, withinDaysAfter } from './context.ts';
import { scaleReadings } from '../trials/scale-readings.ts';
import { toDayNumber } from '../record/index.ts';
import { deriveFacts } from './derive.ts';
import { latestTies } from './observations.ts';
import type { DatedObservation } from './observations.ts';

/** The bundled knowledge with one change to its pathway (a deep copy: the bundled object is shared). */
function withPathway(change: (p: Knowledge['pathway']) => void): Knowledge {
  const pathway = structuredClone(knowledge.pathway);
  change(pathway);
  return { ...knowledge, pathway };
}

describe('windows honour `inclusive` (docs/care-pathway.md: windows)', () => {
  test('windowStart: inclusive keeps the boundary day, exclusive drops it', () => {
    assert.equal(windowStart(1000, { value: 90, inclusive: true }), 910);
    assert.equal(windowStart(1000, { value: 90, inclusive: false }), 911);
    assert.equal(withinDaysAfter(1014, 1000, { value: 14, inclusive: true }), true);
    assert.equal(withinDaysAfter(1014, 1000, { value: 14, inclusive: false }), false);
    assert.equal(withinDaysAfter(999, 1000, { value: 14, inclusive: true }), false);
  });

  test('a CRP exactly 90 days old counts with the bundled (inclusive) window, not with an exclusive one', () => {
    const record = candidate({ crp: [hsCrp(7, daysBefore(90))] });
    assert.equal(assess(record, knowledge, { asOf: AS_OF }).inflammation.status, 'elevated');
    const exclusive = withPathway((p) => {
      p.definitions.inflammation.windowDays.inclusive = false;
    });
    assert.equal(assess(record, exclusive, { asOf: AS_OF }).inflammation.status, 'unknown');
  });

  test('self-harm exactly 180 days ago alerts with the inclusive window, not with an exclusive one', () => {
    const harm = {
      ref: 'Condition/harm',
      code: { codings: [{ system: 'http://hl7.org/fhir/sid/icd-10', code: 'X78' }] },
      clinicalStatus: 'resolved',
      onset: daysBefore(180),
      categories: [],
    };
    const record = candidate({ extraConditions: [harm] });
    assert.equal(assess(record, knowledge, { asOf: AS_OF }).safetyAlerts.length, 1);
    const exclusive = withPathway((p) => {
      p.definitions.safety.suicideRisk.selfHarmWindowDays.inclusive = false;
    });
    assert.equal(assess(record, exclusive, { asOf: AS_OF }).safetyAlerts.length, 0);
  });
});

describe("the scales' valid statuses are the pathway's (definitions.symptoms.validStatuses)", () => {
  // PHQ-9 item 9 (suicidal thoughts) = 2, recorded as an amended Observation 10 days ago.
  const item9 = quantityObservation('44260-8', 2, undefined, daysBefore(10), { status: 'amended' });
  const record = candidate({ extraObservations: [item9] });
  const withoutAmended = withPathway((p) => {
    p.definitions.symptoms.validStatuses.observation = ['final', 'corrected'];
  });

  test('the suicide-risk alert reads an amended item with the bundled statuses, not when the file drops amended', () => {
    assert.equal(assess(record, knowledge, { asOf: AS_OF }).safetyAlerts.length, 1);
    assert.equal(assess(record, withoutAmended, { asOf: AS_OF }).safetyAlerts.length, 0);
  });

  test("the trials' scale readings follow the same statuses", () => {
    const source = { itemCodeSet: 'phq9-items', totalCodeSet: 'phq9-total' };
    const asOfDay = toDayNumber(AS_OF) as number;
    assert.equal(scaleReadings(record, knowledge, source, asOfDay - 90, asOfDay).length, 1);
    assert.equal(scaleReadings(record, withoutAmended, source, asOfDay - 90, asOfDay).length, 0);
  });
});

describe('most recent by instant; same-day ties (definition 5)', () => {
  const at = (ref: string, day: number, instant?: number): DatedObservation =>
    ({ obs: { ref }, day, ...(instant === undefined ? {} : { instant }) }) as unknown as DatedObservation;

  test('latestTies: same-day results without ordering times are ties; an earlier time is not', () => {
    assert.deepEqual(
      latestTies([at('a', 5), at('b', 5), at('c', 4)]).map((o) => o.obs.ref),
      ['a', 'b'],
    );
    assert.deepEqual(
      latestTies([at('a', 5, 200), at('b', 5, 100)]).map((o) => o.obs.ref),
      ['a'],
    );
    assert.deepEqual(
      latestTies([at('a', 5, 200), at('b', 5)]).map((o) => o.obs.ref),
      ['a', 'b'],
    );
  });

  test('renaming resource ids never changes which of two same-day CRPs decides', () => {
    const day = daysBefore(20);
    const statuses = ['x', 'z'].map((first) => {
      const early = hsCrp(2, `${day}T08:00:00Z`, { extra: { ref: `Observation/${first}` } });
      const late = hsCrp(7, `${day}T16:00:00Z`, { extra: { ref: `Observation/${first === 'x' ? 'z' : 'x'}` } });
      return assess(candidate({ crp: [early, late] }), knowledge, { asOf: AS_OF }).inflammation.status;
    });
    assert.deepEqual(statuses, ['elevated', 'elevated']);
  });
});

describe('serology does not expire (definition 6)', () => {
  const HBSAG = '5196-1';
  const others = workup().filter((o) => !o.code.codings.some((c) => c.code === HBSAG));

  test('an HBsAg positive 4 years ago still counts; a later negative ends it; a same-day negative does not', () => {
    const old = screen(HBSAG, true, daysBefore(1460));
    const code = (extra: ReturnType<typeof screen>[]): readonly string[] =>
      deriveFacts(
        candidate({ observations: [hsCrp(7), ...others, old, ...extra] }),
        knowledge,
        AS_OF,
      ).contraindications.map((c) => c.code);
    assert.deepEqual(code([]), ['hepatitis']);
    assert.deepEqual(code([screen(HBSAG, false, daysBefore(10))]), []);
    assert.deepEqual(code([screen(HBSAG, false, daysBefore(1460))]), ['hepatitis']);
  });
});

describe('scope: age from a partial birth date (definition 0)', () => {
  test('a year-only birth date is adult only when the latest possible birthday makes the patient 18', () => {
    const scopeOf = (birthDate: string): string =>
      deriveFacts({ ...candidate(), patient: { ref: 'Patient/test', birthDate } }, knowledge, AS_OF).scope.reason;
    // As of 2026-11-27: born in 2008 could be 17 (born in December), so not certainly adult.
    assert.equal(scopeOf('2008'), 'minor');
    assert.equal(scopeOf('2008-10'), 'in-scope');
    assert.equal(scopeOf('2008-11'), 'minor');
    assert.equal(scopeOf('2008-12'), 'minor');
    assert.equal(scopeOf('2007'), 'in-scope');
  });
});

describe('the suicide-risk alert reads an EHR form by its question text (definition 7a)', () => {
  // A PHQ-9 as an EHR's own questionnaire: local linkIds, no LOINC item codes, the printed wording.
  const localPhq9 = (item9: { valueNumber?: number; valueString?: string }, text?: string) =>
    candidate({
      questionnaireResponses: [
        {
          ref: 'QuestionnaireResponse/epic-phq9',
          questionnaire: 'Questionnaire/1234567',
          status: 'completed',
          authored: daysBefore(5),
          answers: [
            { linkId: 'q1', code: [], text: 'Little interest or pleasure in doing things', valueNumber: 1 },
            {
              linkId: 'q9',
              code: [],
              text: text ?? 'Thoughts that you would be better off dead, or of hurting yourself in some way',
              ...item9,
            },
          ],
        },
      ],
    });

  test('item 9 answered 2 raises the alert, and the reading by text is listed as unverified', () => {
    const a = assess(localPhq9({ valueNumber: 2 }), knowledge, { asOf: AS_OF });
    assert.equal(a.safetyAlerts.length, 1);
    assert.match(a.safetyAlerts[0]?.detail ?? '', /PHQ-9 item 9 = 2 on \S+ \(read by its question text \[U\]\)/);
    assert.ok(a.unverified.some((u) => /PHQ-9 item 9 recognised by its question text/.test(u.item)));
  });

  test('0 raises none; an answer it cannot score asks to assess the risk; other wording is not the item', () => {
    assert.equal(assess(localPhq9({ valueNumber: 0 }), knowledge, { asOf: AS_OF }).safetyAlerts.length, 0);
    const unscored = assess(localPhq9({ valueString: 'More than half the days' }), knowledge, { asOf: AS_OF });
    assert.match(unscored.safetyAlerts[0]?.detail ?? '', /cannot score/);
    const other = localPhq9({ valueNumber: 3 }, 'Thoughts about your diet');
    assert.equal(assess(other, knowledge, { asOf: AS_OF }).safetyAlerts.length, 0);
  });

  test("the instrument's own form with local linkIds is read by wording; another instrument's form is not", () => {
    const form = (questionnaire: string) => {
      const r = localPhq9({ valueNumber: 2 });
      const [qr] = r.questionnaireResponses;
      return {
        ...r,
        questionnaireResponses: [{ ...(qr as (typeof r.questionnaireResponses)[number]), questionnaire }],
      };
    };
    const phq9 = assess(form('http://hospital.example/Questionnaire/phq9-v2'), knowledge, { asOf: AS_OF });
    assert.match(phq9.safetyAlerts[0]?.detail ?? '', /PHQ-9 item 9 = 2/);
    // The same wording in a form known to be the BDI-II is not PHQ-9 item 9 (nor BDI-II item 9, whose wording differs).
    const bdi = assess(form('http://hospital.example/Questionnaire/bdi-ii'), knowledge, { asOf: AS_OF });
    assert.equal(bdi.safetyAlerts.length, 0);
  });
});
