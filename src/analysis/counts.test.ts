/** `--counts` validation and output (numbers are checked against reference/r/insight_counts.json in binary.test.ts). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeCounts, type CountsInput } from './counts.ts';
import { countsSummary } from './text-summary.ts';

const insight: CountsInput = {
  label: 'remission',
  treatmentEvents: 7,
  treatmentN: 13,
  controlEvents: 5,
  controlN: 16,
  eventIsBeneficial: true,
  level: 0.95,
};

describe('analyzeCounts', () => {
  it('INSIGHT day-28 remission: 53.8% vs 31.3%, NNT 5', () => {
    const r = analyzeCounts(insight);
    assert.ok(r.ok);
    assert.equal(r.value.schema, 'precision-trd/analysis-counts@1');
    assert.equal(r.value.nnt.rounded, 5);
    assert.match(countsSummary(r.value), /treatment: 7\/13 = 53\.8%.*\n.*control: 5\/16 = 31\.3%/);
  });
  it('an adverse event orients the NNT as harm', () => {
    const r = analyzeCounts({ ...insight, eventIsBeneficial: false });
    assert.ok(r.ok);
    assert.equal(r.value.nnt.kind, 'harm');
  });
  it('rejects n = 0, n beyond 10 million (2^53), fractional counts and events above n, naming the option', () => {
    for (const [bad, pattern] of [
      [{ treatmentN: 0 }, /--treatment-n must be a whole number from 1 to 10000000/],
      [{ treatmentN: 2 ** 53, treatmentEvents: 1 }, /--treatment-n must be a whole number from 1 to 10000000/],
      [{ controlEvents: 2.5 }, /--control-events must be a whole number from 0 to --control-n/],
      [{ controlEvents: 17 }, /--control-events must be a whole number from 0 to --control-n \(got 17\)/],
    ] as const) {
      const r = analyzeCounts({ ...insight, ...bad });
      assert.equal(r.ok, false);
      assert.match(r.issues[0]!.message, pattern);
    }
  });
});
