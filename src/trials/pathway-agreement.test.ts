/**
 * `trd match` reads the care pathway's own findings (docs/trial-criteria.md, "Readings shared with the care
 * pathway"): each case is one where the review found match and assess disagreeing, and the criterion now follows the
 * pathway's reading, or stays unknown where the record cannot settle it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { code, ucum } from '../../test/support/bundle-builder.ts';
import { fromDayNumber, toDayNumber } from '../record/index.ts';
import { AS_OF, criterion, depressedPatient, matchOne } from './fixtures.test-support.ts';

const daysBefore = (n: number): string => fromDayNumber((toDayNumber(AS_OF) ?? 0) - n);
const hsCrp = (id: string, mgPerL: number, date = daysBefore(21)) => ({
  id,
  code: code('loinc', '30522-7', 'hs-CRP'),
  date,
  quantity: ucum(mgPerL, 'mg/L'),
});

describe('same-day CRPs that times cannot order (definition 5)', () => {
  it('2 and 7 mg/L on one day leave ">= 3 mg/L" unknown, whatever the entry order', () => {
    for (const order of [
      [2, 7],
      [7, 2],
    ] as const) {
      const b = depressedPatient().observation(hsCrp('crp-a', order[0])).observation(hsCrp('crp-b', order[1]));
      for (const [trial, id] of [
        ['insight', 'insight-in-hscrp'],
        ['nct07052058', 'nct07052058-in-hscrp'],
      ] as const) {
        const c = criterion(matchOne(b, trial), id);
        assert.equal(c.status, 'unknown', c.reason);
        assert.deepEqual([...c.evidence].sort(), ['Observation/crp-a', 'Observation/crp-b']);
      }
    }
  });
  it('7 and 22 mg/L settle ">= 3" (both above) but leave "< 20" unknown', () => {
    const b = depressedPatient().observation(hsCrp('crp-a', 7)).observation(hsCrp('crp-b', 22));
    const brazil = matchOne(b, 'nct07052058');
    assert.equal(criterion(brazil, 'nct07052058-in-hscrp').status, 'met');
    assert.equal(criterion(brazil, 'nct07052058-ex-crp-20').status, 'unknown');
    assert.ok(!brazil.failed.includes('nct07052058-ex-crp-20'));
  });
});

describe('"an antidepressant for >= 4 weeks" counts days on the drug as the exposure does (definition 2)', () => {
  const SERTRALINE = code('rxnorm', '36437', 'sertraline');
  const criteria = [
    ['insight', 'insight-in-antidepressant'],
    ['nct07493317', 'nct07493317-in-antidepressant'],
  ] as const;
  it('6 days, a 15-day gap, then 18 days ongoing is 24 days on the drug: not 4 weeks', () => {
    const b = depressedPatient()
      .medicationStatement({
        id: 'first',
        code: SERTRALINE,
        start: daysBefore(38),
        end: daysBefore(33),
        dose: { value: 50, unit: 'mg' },
      })
      .medicationStatement({
        id: 'now',
        code: SERTRALINE,
        status: 'active',
        start: daysBefore(17),
        dose: { value: 50, unit: 'mg' },
      });
    for (const [trial, id] of criteria) {
      const c = criterion(matchOne(b, trial), id);
      assert.equal(c.status, 'not-met', c.reason);
      assert.match(c.reason, /24 days on the drug/);
    }
  });
  it('an active order with a 7-day supply authored 39 days ago is one supply: 7 days, not 39', () => {
    const b = depressedPatient().medicationRequest({
      id: 'order',
      code: SERTRALINE,
      status: 'active',
      authoredOn: daysBefore(38),
      supplyDays: 7,
      dose: { value: 50, unit: 'mg' },
    });
    for (const [trial, id] of criteria) {
      const c = criterion(matchOne(b, trial), id);
      assert.equal(c.status, 'not-met', c.reason);
      assert.match(c.reason, /7 days on the drug/);
    }
  });
});
