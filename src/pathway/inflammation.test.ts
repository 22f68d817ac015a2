import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { classifyCrp, deriveFacts } from './index.ts';
import { crpText } from './inflammation.ts';
import type { InflammationFacts } from './index.ts';
import {
  AS_OF,
  candidate,
  daysBefore,
  hsCrp,
  knowledge,
  medication,
  quantityObservation,
  RXNORM,
  standardCrp,
} from './builders.test-support.ts';
import type { MedicationFact, ObservationFact } from '../record/index.ts';

const facts = (crp: ObservationFact[], extraMedications: MedicationFact[] = []) =>
  deriveFacts(candidate({ crp, extraMedications }), knowledge, AS_OF);
const infl = (crp: ObservationFact[], extraMedications: MedicationFact[] = []): InflammationFacts =>
  facts(crp, extraMedications).inflammation;

const CUT = { value: 3, inclusive: true };
const ACUTE = { value: 10, inclusive: false };

describe('classifyCrp: uncensored and censored values against the cut-off', () => {
  const cases: [number, '<' | '<=' | '>' | '>=' | undefined, string][] = [
    [2.99, undefined, 'normal'],
    [3, undefined, 'elevated'],
    [10, undefined, 'elevated'],
    [10.01, undefined, 'acute'],
    [0.3, '<', 'normal'],
    [3, '<', 'normal'],
    [3, '<=', 'indeterminate'],
    [5, '<', 'indeterminate'],
    [3, '>', 'indeterminate'],
    [10, '>', 'acute'],
    [10, '>=', 'indeterminate'],
    [12, '>=', 'acute'],
  ];
  for (const [v, cmp, want] of cases) {
    test(`${cmp ?? ''}${v} mg/L is ${want}`, () => assert.equal(classifyCrp(v, cmp, CUT, ACUTE), want));
  }
});

describe('inflammation (definition 5)', () => {
  test('each status from the bundled pathway', () => {
    assert.equal(infl([]).status, 'unknown');
    assert.equal(infl([hsCrp(1)]).status, 'normal');
    assert.equal(infl([hsCrp(3)]).status, 'elevated');
    assert.equal(infl([hsCrp(11)]).status, 'acute');
    assert.equal(infl([hsCrp(0.3, daysBefore(5), { comparator: '<' })]).status, 'normal');
    assert.equal(infl([standardCrp(5, daysBefore(5), { comparator: '<' })]).status, 'indeterminate');
    assert.equal(infl([hsCrp(3, daysBefore(5), { comparator: '>' })]).status, 'indeterminate');
  });

  test('the reason of a censored result names the threshold it cannot be placed against', () => {
    // "<5" from a standard assay: below or above the cut-off.
    assert.match(
      infl([standardCrp(5, daysBefore(5), { comparator: '<' })]).reason ?? '',
      /<5 mg\/L .* is censored and cannot be placed against the 3 mg\/L cut-off/,
    );
    // ">5" is above the cut-off for certain; what it cannot show is whether it is above the acute threshold of 10.
    const above = infl([hsCrp(5, daysBefore(5), { comparator: '>' })]);
    assert.equal(above.status, 'indeterminate');
    assert.doesNotMatch(above.reason ?? '', /cannot be placed against the 3 mg\/L cut-off/);
    assert.match(above.reason ?? '', /above the 3 mg\/L cut-off/);
    assert.match(above.reason ?? '', /10 mg\/L/);
    assert.match(above.reason ?? '', /acute/);
    assert.match(infl([hsCrp(10, daysBefore(5), { comparator: '>=' })]).reason ?? '', /above the 3 mg\/L cut-off/);
    // ">1" could be either side of the cut-off.
    assert.match(
      infl([hsCrp(1, daysBefore(5), { comparator: '>' })]).reason ?? '',
      /cannot be placed against the 3 mg\/L cut-off/,
    );
  });

  test('the most recent valid result wins', () => {
    const i = infl([hsCrp(8, daysBefore(60)), hsCrp(1.2, daysBefore(10))]);
    assert.equal(i.status, 'normal');
    assert.equal(i.crp?.mgPerL, 1.2);
    assert.equal(i.crp?.date, daysBefore(10));
  });

  test('window: 90 days before is in, 91 is out; after the as-of date is ignored', () => {
    assert.equal(infl([hsCrp(7, daysBefore(90))]).status, 'elevated');
    assert.equal(infl([hsCrp(7, daysBefore(91))]).status, 'unknown');
    assert.equal(infl([hsCrp(7, daysBefore(-1))]).status, 'unknown');
  });

  test('preliminary and entered-in-error results are not valid; the reason is kept', () => {
    const i = infl([hsCrp(7, daysBefore(5), { status: 'preliminary' }), hsCrp(1, daysBefore(30))]);
    assert.equal(i.status, 'normal');
    assert.deepEqual(
      i.rejected.map((r) => r.reason),
      ['status is preliminary'],
    );
    assert.equal(infl([hsCrp(7, daysBefore(5), { status: 'entered-in-error' })]).status, 'unknown');
  });

  test('unit conversion: mg/dL x 10, ug/mL x 1, nmol/L / 9.524 (unverified factor reported)', () => {
    assert.equal(infl([quantityObservation('30522-7', 0.3, 'mg/dL', daysBefore(5))]).crp?.mgPerL, 3);
    assert.equal(infl([quantityObservation('30522-7', 0.3, 'mg/dL', daysBefore(5))]).status, 'elevated');
    assert.equal(infl([quantityObservation('30522-7', 4, 'ug/mL', daysBefore(5))]).crp?.mgPerL, 4);
    const molar = facts([quantityObservation('76486-0', 47.62, 'nmol/L', daysBefore(5))]);
    assert.ok(Math.abs((molar.inflammation.crp?.mgPerL ?? 0) - 5) < 1e-3);
    assert.ok(molar.unverified.some((u) => /molar factor/.test(u.item)));
    assert.ok(!facts([hsCrp(5)]).unverified.some((u) => /molar factor/.test(u.item)));
  });

  test('a converted CRP is shown rounded, with the value as reported, never rounded across a threshold', () => {
    const molar = infl([quantityObservation('76486-0', 66.7, 'nmol/L', daysBefore(5))]);
    assert.match(
      molar.reason,
      /^hs-CRP 7\.003 mg\/L \(reported as 66\.7 nmol\/L, converted with an unverified factor \[U\]\) on \d{4}-\d{2}-\d{2} is at or above/,
    );
    assert.match(
      infl([quantityObservation('30522-7', 0.5, 'mg/dL', daysBefore(5))]).reason,
      /hs-CRP 5 mg\/L \(reported as 0\.5 mg\/dL\)/,
    );
    assert.match(infl([hsCrp(5)]).reason, /^hs-CRP 5 mg\/L on /);
    const crp = { mgPerL: 2.99996, date: '2026-11-01', assay: 'high-sensitivity', source: 'Observation/x' } as const;
    // 4 digits would show 3, at the cut-off, for a value below it: the full value is shown instead.
    assert.equal(crpText({ ...crp, reported: '28.5716 nmol/L' }, [3, 10]), '2.99996 mg/L (reported as 28.5716 nmol/L)');
    assert.equal(
      crpText({ ...crp, mgPerL: 10.00004, reported: '95.2404 nmol/L' }, [3, 10]),
      '10.00004 mg/L (reported as 95.2404 nmol/L)',
    );
    assert.equal(
      crpText({ ...crp, mgPerL: 4.56789, reported: '43.5 nmol/L' }, [3, 10]),
      '4.568 mg/L (reported as 43.5 nmol/L)',
    );
    assert.equal(
      crpText({ ...crp, mgPerL: 0.2, comparator: '<', reported: '<0.02 mg/dL' }, [3, 10]),
      '<0.2 mg/L (reported as <0.02 mg/dL)',
    );
  });

  test('an unconvertible or non-UCUM unit gives unknown with the reason', () => {
    const bad = infl([quantityObservation('30522-7', 7, 'mmol/s', daysBefore(5))]);
    assert.equal(bad.status, 'unknown');
    assert.match(bad.reason, /cannot be converted to mg\/L/);
    assert.equal(infl([quantityObservation('30522-7', 7, undefined, daysBefore(5))]).status, 'unknown');
  });

  test('hs vs standard assay is reported, and a standard assay is a caution', () => {
    const f = facts([standardCrp(7)]);
    assert.equal(f.inflammation.crp?.assay, 'standard');
    assert.deepEqual(
      f.cautions.map((c) => c.code),
      ['standard-crp-assay'],
    );
    assert.equal(facts([hsCrp(7)]).inflammation.crp?.assay, 'high-sensitivity');
  });

  test('a CRP within 84 days after tocilizumab is not valid and said so; day 85 is valid', () => {
    const dose = medication(RXNORM.tocilizumab, { start: daysBefore(100), end: daysBefore(100) });
    const suppressed = facts([hsCrp(1, daysBefore(16))], [dose]);
    assert.equal(suppressed.inflammation.status, 'unknown');
    assert.match(suppressed.inflammation.rejected[0]?.reason ?? '', /tocilizumab/);
    assert.ok(suppressed.unverified.some((u) => /suppression/.test(u.item)));
    assert.equal(infl([hsCrp(1, daysBefore(15))], [dose]).status, 'normal');
  });

  test('tocilizumab started "this month" (a start given as the month of the as-of date) may precede a CRP of that month', () => {
    // As of 2026-11-27: the first dose may have been on 1 November, so a CRP of 5 November may be suppressed.
    const dose = medication(RXNORM.tocilizumab, { start: AS_OF.slice(0, 7) });
    const f = facts([hsCrp(7, `${AS_OF.slice(0, 7)}-05`)], [dose]);
    assert.equal(f.inflammation.status, 'unknown');
    assert.match(f.inflammation.rejected[0]?.reason ?? '', /tocilizumab/);
  });
});
