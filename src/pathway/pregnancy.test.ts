import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assess, deriveFacts } from './index.ts';
import type { ClinicalFacts } from './index.ts';
import {
  AS_OF,
  candidate,
  concept,
  daysBefore,
  knowledge,
  quantityObservation,
  screen,
  SYSTEM,
} from './builders.test-support.ts';
import type { ObservationFact } from '../record/index.ts';

const HL7_INTERPRETATION = 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation';

const facts = (tests: ObservationFact[]): ClinicalFacts =>
  deriveFacts(candidate({ extraObservations: tests }), knowledge, AS_OF);
const pregnancy = (f: ClinicalFacts) => f.contraindications.find((c) => c.code === 'pregnancy');
const issueCodes = (f: ClinicalFacts): string[] => f.issues.map((i) => i.code);

/** A qualitative urine hCG (LOINC 2106-3) with the given value. */
function hcg(
  value: ObservationFact['value'],
  date = daysBefore(10),
  extra: Partial<ObservationFact> = {},
): ObservationFact {
  return { ...screen('2106-3', true, date), value, ...extra };
}

describe('pregnancy contraindication from a pregnancy test (definition 6)', () => {
  test('a positive hCG (coded SNOMED Positive) in the window yields `pregnancy` with the Observation as evidence', () => {
    const t = screen('2106-3', true, daysBefore(10));
    const f = facts([t]);
    const c = pregnancy(f);
    assert.ok(c !== undefined);
    assert.deepEqual(c.evidence, [t.ref]);
    assert.equal(c.detail, `positive pregnancy test on ${daysBefore(10)}`);
    assert.equal(c.citation, 'actemra-pregnancy');
    assert.equal(
      assess(candidate({ extraObservations: [t] }), knowledge, { asOf: AS_OF }).recommendation.code,
      'contraindicated',
    );
  });

  test('LOINC answer codes: Positive (LA6576-8) and Detected (LA11882-0) are positive, Negative (LA6577-6) negative', () => {
    const answer = (code: string) => hcg({ kind: 'concept', concept: concept(SYSTEM.loinc, code) });
    for (const code of ['LA6576-8', 'LA11882-0']) {
      const f = facts([answer(code)]);
      assert.ok(pregnancy(f) !== undefined, code);
      assert.ok(!issueCodes(f).includes('pathway.pregnancy-test.undecided'), code);
    }
    // A later negative answer undoes an older positive one.
    const f = facts([
      answer('LA6576-8'),
      { ...answer('LA6577-6'), ref: 'Observation/later', effective: daysBefore(2) },
    ]);
    assert.equal(pregnancy(f), undefined);
  });

  test('positive by interpretation POS, by valueString "POSITIVE", and a pregnancy status of "pregnant" (82810-3)', () => {
    const byInterpretation = hcg(undefined, daysBefore(5), { interpretation: [concept(HL7_INTERPRETATION, 'POS')] });
    assert.ok(pregnancy(facts([byInterpretation])) !== undefined);
    assert.ok(pregnancy(facts([hcg({ kind: 'string', text: 'POSITIVE' })])) !== undefined);
    const status = {
      ...screen('82810-3', true),
      value: { kind: 'concept', concept: concept(SYSTEM.snomed, '77386006') },
    } as const;
    const f = facts([status]);
    assert.deepEqual(pregnancy(f)?.evidence, [status.ref]);
    assert.ok(
      f.unverified.some((u) => u.item.includes('82810-3')),
      'LOINC 82810-3 is flagged unverified in the code set',
    );
  });

  test('a negative hCG (coded, NEG interpretation or "negative" text) does not', () => {
    assert.equal(pregnancy(facts([screen('2106-3', false)])), undefined);
    assert.equal(
      pregnancy(facts([hcg(undefined, daysBefore(5), { interpretation: [concept(HL7_INTERPRETATION, 'NEG')] })])),
      undefined,
    );
    assert.equal(pregnancy(facts([hcg({ kind: 'string', text: 'negative' })])), undefined);
  });

  test('a later negative test overrides an earlier positive one in the window', () => {
    const f = facts([screen('2106-3', true, daysBefore(60)), screen('2106-3', false, daysBefore(5))]);
    assert.equal(pregnancy(f), undefined);
  });

  test('a positive test older than the 280-day window does not count, and an issue says why (pathway 1.1)', () => {
    const old = screen('2106-3', true, daysBefore(281));
    const f = facts([old]);
    assert.equal(pregnancy(f), undefined);
    const why = f.issues.find((i) => i.code === 'pathway.pregnancy-test.stale');
    assert.ok(why !== undefined);
    assert.equal(why.path, old.ref);
    assert.match(why.message, /older than the 280-day window/);
    // On the window's first day it still counts (the window is inclusive).
    assert.ok(pregnancy(facts([screen('2106-3', true, daysBefore(280))])) !== undefined);
  });

  test('a quantitative hCG without an interpretation is not decided: no contraindication, an issue instead', () => {
    const quantitative = quantityObservation('2106-3', 250, 'm[IU]/mL', daysBefore(3));
    const f = facts([quantitative]);
    assert.equal(pregnancy(f), undefined);
    assert.ok(issueCodes(f).includes('pathway.pregnancy-test.undecided'));
    // With an interpretation it is decided.
    const interpreted = quantityObservation('2106-3', 250, 'm[IU]/mL', daysBefore(3), {
      extra: { interpretation: [concept(HL7_INTERPRETATION, 'POS')] },
    });
    assert.deepEqual(pregnancy(facts([interpreted]))?.evidence, [interpreted.ref]);
  });

  test('a referral over a quantitative hCG without an interpretation asks for its result (work-up pregnancy-test)', () => {
    const quantitative = quantityObservation('2106-3', 5000, 'm[IU]/mL', daysBefore(3));
    const a = assess(candidate({ extraObservations: [quantitative] }), knowledge, { asOf: AS_OF });
    assert.equal(a.recommendation.code, 'refer-to-trial');
    const item = a.missingWorkup.find((w) => w.code === 'pregnancy-test');
    assert.ok(item, 'the referral lists the unread pregnancy test as work-up to do');
    assert.match(item.action, /positive or negative/);
    assert.match(a.recommendation.clinicianSummary, /Missing work-up: .*pregnancy test result/);
    // A decided test on the same day or later settles it; so does an interpretation on the same result.
    const negativeLater = { ...screen('2106-3', false, daysBefore(1)), ref: 'Observation/negative-later' };
    const settled = deriveFacts(candidate({ extraObservations: [quantitative, negativeLater] }), knowledge, AS_OF);
    assert.ok(!settled.missingWorkup.some((w) => w.code === 'pregnancy-test'));
    // Settled, it is no data issue either: the issue and the work-up item follow one rule.
    assert.ok(!issueCodes(settled).includes('pathway.pregnancy-test.undecided'));
    const sameDay = { ...screen('2106-3', false, daysBefore(3)), ref: 'Observation/negative-same-day' };
    assert.ok(!issueCodes(facts([quantitative, sameDay])).includes('pathway.pregnancy-test.undecided'));
    const earlier = { ...screen('2106-3', false, daysBefore(10)), ref: 'Observation/negative-earlier' };
    assert.ok(issueCodes(facts([quantitative, earlier])).includes('pathway.pregnancy-test.undecided'));
    const interpreted = quantityObservation('2106-3', 1, 'm[IU]/mL', daysBefore(3), {
      extra: { interpretation: [concept(HL7_INTERPRETATION, 'NEG')] },
    });
    assert.ok(!facts([interpreted]).missingWorkup.some((w) => w.code === 'pregnancy-test'));
    // No pregnancy test at all: nothing is asked for here (a trial's pregnancy criterion asks on its own).
    assert.ok(!facts([]).missingWorkup.some((w) => w.code === 'pregnancy-test'));
  });

  test('a serum quantitative hCG (LOINC 19080-1, 21198-7) is read as a pregnancy test, never skipped', () => {
    for (const loinc of ['19080-1', '21198-7']) {
      // Without an interpretation: not decided, and said so (before: skipped as coded outside every set).
      const f = facts([quantityObservation(loinc, 25_000, 'm[IU]/mL', daysBefore(3))]);
      assert.equal(pregnancy(f), undefined);
      assert.ok(issueCodes(f).includes('pathway.pregnancy-test.undecided'), loinc);
      const positive = quantityObservation(loinc, 25_000, 'm[IU]/mL', daysBefore(3), {
        extra: { interpretation: [concept(HL7_INTERPRETATION, 'POS')] },
      });
      assert.deepEqual(pregnancy(facts([positive]))?.evidence, [positive.ref], loinc);
    }
  });

  test('the newest decided test in the window, when negative, is in the facts (negativePregnancyTest)', () => {
    const negative = screen('2106-3', false, daysBefore(5));
    assert.deepEqual(facts([screen('2106-3', true, daysBefore(60)), negative]).negativePregnancyTest, {
      date: daysBefore(5),
      source: negative.ref,
    });
    // A quantitative hCG without an interpretation decides nothing: the older negative stays the newest decided one.
    const unread = quantityObservation('2106-3', 250, 'm[IU]/mL', daysBefore(2));
    assert.equal(facts([negative, unread]).negativePregnancyTest?.source, negative.ref);
    // Not when a positive is found, nor when a same-day positive that times cannot order goes with it, nor out of the
    // window.
    assert.equal(
      facts([screen('2106-3', false, daysBefore(60)), screen('2106-3', true, daysBefore(5))]).negativePregnancyTest,
      undefined,
    );
    assert.equal(facts([negative, screen('2106-3', true, daysBefore(5))]).negativePregnancyTest, undefined);
    assert.equal(facts([screen('2106-3', false, daysBefore(281))]).negativePregnancyTest, undefined);
    assert.equal(facts([]).negativePregnancyTest, undefined);
  });

  test('the newest breastfeeding answer in the window, when "no", is in the facts (notBreastfeeding)', () => {
    const answer = (yes: boolean, date: string): ObservationFact => ({
      ...screen('63895-7', yes, date),
      value: { kind: 'concept', concept: concept(SYSTEM.snomed, yes ? '373066001' : '373067005') },
    });
    const no = answer(false, daysBefore(7));
    assert.deepEqual(facts([answer(true, daysBefore(60)), no]).notBreastfeeding, {
      date: daysBefore(7),
      source: no.ref,
    });
    // A later or same-day "yes" is the contraindication; an answer older than 90 days is not read.
    assert.equal(facts([no, answer(true, daysBefore(3))]).notBreastfeeding, undefined);
    assert.equal(facts([no, answer(true, daysBefore(7))]).notBreastfeeding, undefined);
    assert.equal(facts([answer(false, daysBefore(91))]).notBreastfeeding, undefined);
  });

  test('no pregnancy test: no contraindication and no pregnancy-test issue', () => {
    const f = facts([]);
    assert.equal(pregnancy(f), undefined);
    assert.ok(!issueCodes(f).some((c) => c.startsWith('pathway.pregnancy-test')));
  });
});
