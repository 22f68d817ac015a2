/**
 * Golden tests of the binary-outcome statistics:
 * - reference/stats-reference/outputs/newcombe_wilson_reference.json (Newcombe 1998 Table II, method 10, all seven
 *   examples at full precision, plus the Wilson intervals);
 * - reference/stats-reference/outputs/antidepressant_hamd17_reference.json, block `responders`
 *   (response_nri, remission_nri, response_observed);
 * - reference/stats-reference/outputs/distributions_reference.json, block `fisher_test_p`;
 * - reference/r/insight_counts.json (our own R fixture: INSIGHT day 28 counts).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { fisherExactP } from './binary-fisher.ts';
import { armRate, compareBinary, newcombeDifference, numberNeededToTreat, wilsonInterval } from './binary.ts';
import { assertGolden, readReference } from './golden.test-support.ts';

interface NewcombeRef {
  examples: {
    x1: number;
    n1: number;
    x2: number;
    n2: number;
    published_lower: number;
    published_upper: number;
    newcombe_lower: number;
    newcombe_upper: number;
  }[];
  wilson: { x: number; n: number; wilson_lower: number; wilson_upper: number }[];
}
interface PerArm {
  arm: string;
  x: number;
  n: number;
  p: number;
  wilson_lower: number;
  wilson_upper: number;
  clopper_pearson_lower: number;
  clopper_pearson_upper: number;
}
interface ResponderRef {
  per_arm: PerArm[];
  risk_difference: { estimate: number; newcombe_hybrid_score_ci: [number, number] };
  risk_ratio: { estimate: number; ci_log_wald: [number, number] };
  odds_ratio_unadjusted: { estimate: number; ci_woolf: [number, number] };
  nnt: { estimate: number; ci_from_newcombe: [number | null, number | null] };
  fisher_exact: { p_value: number };
}

describe('Newcombe hybrid score CI (newcombe_wilson_reference.json, blocks examples and wilson)', () => {
  const ref = readReference<NewcombeRef>('stats-reference/outputs/newcombe_wilson_reference.json');
  it('all seven Table II examples at full precision, and at the published 4 dp', () => {
    for (const e of ref.examples) {
      const [lo, hi] = newcombeDifference({ events: e.x1, n: e.n1 }, { events: e.x2, n: e.n2 });
      const label = `${e.x1}/${e.n1} vs ${e.x2}/${e.n2}`;
      assertGolden(lo, e.newcombe_lower, 'closedForm', `${label} lower`);
      assertGolden(hi, e.newcombe_upper, 'closedForm', `${label} upper`);
      assert.equal(Number(lo.toFixed(4)), e.published_lower, `${label} published lower`);
      assert.equal(Number(hi.toFixed(4)), e.published_upper, `${label} published upper`);
    }
    assert.equal(ref.examples.length, 7);
  });
  it('Wilson intervals including 0/n and n/n', () => {
    for (const w of ref.wilson) {
      const [lo, hi] = wilsonInterval(w.x, w.n);
      assertGolden(lo, w.wilson_lower, 'closedForm', `wilson ${w.x}/${w.n} lower`);
      assertGolden(hi, w.wilson_upper, 'closedForm', `wilson ${w.x}/${w.n} upper`);
    }
  });
});

describe('responders (antidepressant_hamd17_reference.json, block responders)', () => {
  const ref = readReference<{ responders: Record<string, ResponderRef> }>(
    'stats-reference/outputs/antidepressant_hamd17_reference.json',
  );
  for (const key of ['response_nri', 'remission_nri', 'response_observed']) {
    it(`${key}: per-arm rates, Wilson and Clopper-Pearson, RD Newcombe, RR, OR, NNT, Fisher`, () => {
      const b = ref.responders[key];
      assert.ok(b, key);
      const drug = b.per_arm.find((a) => a.arm === 'DRUG')!;
      const placebo = b.per_arm.find((a) => a.arm === 'PLACEBO')!;
      const r = compareBinary({ events: drug.x, n: drug.n }, { events: placebo.x, n: placebo.n });
      for (const [mine, theirs] of [
        [r.treatment, drug],
        [r.control, placebo],
      ] as const) {
        assertGolden(mine.rate, theirs.p, 'closedForm', `${key} ${theirs.arm} rate`);
        assertGolden(mine.ci[0], theirs.wilson_lower, 'closedForm', `${key} ${theirs.arm} wilson lower`);
        assertGolden(mine.ci[1], theirs.wilson_upper, 'closedForm', `${key} ${theirs.arm} wilson upper`);
        assertGolden(
          mine.clopperPearson[0],
          theirs.clopper_pearson_lower,
          'closedForm',
          `${key} ${theirs.arm} CP lower`,
        );
        assertGolden(
          mine.clopperPearson[1],
          theirs.clopper_pearson_upper,
          'closedForm',
          `${key} ${theirs.arm} CP upper`,
        );
      }
      assertGolden(r.difference.estimate, b.risk_difference.estimate, 'closedForm', `${key} rd`);
      assertGolden(
        r.difference.ci[0],
        b.risk_difference.newcombe_hybrid_score_ci[0],
        'closedForm',
        `${key} newcombe lower`,
      );
      assertGolden(
        r.difference.ci[1],
        b.risk_difference.newcombe_hybrid_score_ci[1],
        'closedForm',
        `${key} newcombe upper`,
      );
      assertGolden(r.riskRatio.estimate, b.risk_ratio.estimate, 'closedForm', `${key} rr`);
      assertGolden(r.riskRatio.ci[0], b.risk_ratio.ci_log_wald[0], 'closedForm', `${key} rr lower`);
      assertGolden(r.riskRatio.ci[1], b.risk_ratio.ci_log_wald[1], 'closedForm', `${key} rr upper`);
      assertGolden(r.oddsRatio.estimate, b.odds_ratio_unadjusted.estimate, 'closedForm', `${key} or`);
      assertGolden(r.oddsRatio.ci[0], b.odds_ratio_unadjusted.ci_woolf[0], 'closedForm', `${key} or lower`);
      assertGolden(r.oddsRatio.ci[1], b.odds_ratio_unadjusted.ci_woolf[1], 'closedForm', `${key} or upper`);
      // R stores the signed 1/RD; ours is 1/|RD| with a kind.
      assertGolden(r.nnt.estimate, Math.abs(b.nnt.estimate), 'closedForm', `${key} nnt`);
      assert.equal(r.nnt.kind, b.nnt.estimate > 0 ? 'benefit' : 'harm');
      // R gives null NNT bounds when the Newcombe CI crosses 0; ours is then the NNTB..inf..NNTH form.
      assert.equal(r.nnt.ci.crossesZero, b.nnt.ci_from_newcombe[0] === null);
      assertGolden(r.fisherP, b.fisher_exact.p_value, 'closedForm', `${key} fisher p`);
    });
  }
});

describe('Fisher exact two-sided p', () => {
  it('distributions_reference.json block fisher_test_p ([[26, 74], [14, 86]])', () => {
    const ref = readReference<{ fisher_test_p: { table: number[][]; p: number } }>(
      'stats-reference/outputs/distributions_reference.json',
    );
    const [[a, b], [c, d]] = ref.fisher_test_p.table as [[number, number], [number, number]];
    assertGolden(fisherExactP(a, b, c, d), ref.fisher_test_p.p, 'closedForm', 'fisher p');
  });
  it('a symmetric table has p = 1 (the tie tolerance counts the mirror table)', () => {
    assert.equal(fisherExactP(5, 5, 5, 5), 1);
  });
  it('a table without events (or without non-events) is the only table of its margins: p = 1 exactly, as R', () => {
    assert.equal(fisherExactP(0, 10, 0, 10), 1);
    assert.equal(fisherExactP(0, 95, 0, 105), 1);
    assert.equal(fisherExactP(10, 0, 10, 0), 1);
  });
});

describe('NNT forms (Altman 1998)', () => {
  it('CI excluding 0 gives an NNT interval', () => {
    const n = numberNeededToTreat(0.2, [0.05, 0.35]);
    assert.equal(n.kind, 'benefit');
    assert.equal(n.ci.crossesZero, false);
    assertGolden(n.ci.lower!, 1 / 0.35, 'closedForm', 'lower');
    assertGolden(n.ci.upper!, 1 / 0.05, 'closedForm', 'upper');
    assert.equal(n.rounded, 5);
  });
  it('a harmful event (adverse effect) flips the orientation', () => {
    const n = numberNeededToTreat(0.1, [-0.05, 0.25], false);
    assert.equal(n.kind, 'harm');
    assertGolden(n.ci.nntbFrom!, 20, 'closedForm', 'nntb from');
    assertGolden(n.ci.nnthFrom!, 4, 'closedForm', 'nnth from');
  });
  it('RD = 0 gives an infinite NNT and kind none', () => {
    const n = numberNeededToTreat(0, [-0.1, 0.1]);
    assert.equal(n.estimate, Infinity);
    assert.equal(n.kind, 'none');
  });
  it('an integer NNT is not rounded up past itself', () => {
    assert.equal(numberNeededToTreat(0.25, [0.1, 0.4]).rounded, 4);
  });
});

describe('INSIGHT day 28 (reference/r/insight_counts.json, our own R fixture)', () => {
  interface Block {
    treatment: { p: number; wilson: [number, number]; clopper_pearson: [number, number] };
    control: { p: number; wilson: [number, number] };
    rd: number;
    newcombe: [number, number];
    nnt: number;
    nntb_from: number;
    nnth_from: number;
    risk_ratio: [number, number, number];
    odds_ratio_woolf: [number, number, number];
    fisher_p: number;
  }
  const ref = readReference<{ remission_day28: Block; response_day28: Block }>('r/insight_counts.json');
  const cases = [
    ['remission_day28', { events: 7, n: 13 }, { events: 5, n: 16 }],
    ['response_day28', { events: 6, n: 13 }, { events: 3, n: 16 }],
  ] as const;
  for (const [key, t, c] of cases) {
    it(`${key}: ${t.events}/${t.n} vs ${c.events}/${c.n}`, () => {
      const b = ref[key];
      const r = compareBinary(t, c);
      assertGolden(r.treatment.rate, b.treatment.p, 'closedForm', 'treatment rate');
      assertGolden(r.treatment.ci[1], b.treatment.wilson[1], 'closedForm', 'treatment wilson upper');
      assertGolden(r.treatment.clopperPearson[0], b.treatment.clopper_pearson[0], 'closedForm', 'treatment CP lower');
      assertGolden(r.control.ci[0], b.control.wilson[0], 'closedForm', 'control wilson lower');
      assertGolden(r.difference.estimate, b.rd, 'closedForm', 'rd');
      assertGolden(r.difference.ci[0], b.newcombe[0], 'closedForm', 'newcombe lower');
      assertGolden(r.difference.ci[1], b.newcombe[1], 'closedForm', 'newcombe upper');
      assertGolden(r.nnt.estimate, b.nnt, 'closedForm', 'nnt');
      assert.equal(r.nnt.ci.crossesZero, true);
      assertGolden(r.nnt.ci.nntbFrom!, b.nntb_from, 'closedForm', 'nntb from');
      assertGolden(r.nnt.ci.nnthFrom!, b.nnth_from, 'closedForm', 'nnth from');
      assertGolden(r.riskRatio.ci[1], b.risk_ratio[2], 'closedForm', 'rr upper');
      assertGolden(r.oddsRatio.ci[0], b.odds_ratio_woolf[1], 'closedForm', 'or lower');
      assertGolden(r.fisherP, b.fisher_p, 'closedForm', 'fisher p');
    });
  }
  it('remission NNT reported as 5 (raw 4.43)', () => {
    const r = compareBinary({ events: 7, n: 13 }, { events: 5, n: 16 });
    assert.equal(r.nnt.rounded, 5);
    assert.equal(r.nnt.estimate.toFixed(2), '4.43');
  });
});

describe('binary properties (fast-check)', () => {
  const counts = fc
    .integer({ min: 1, max: 200 })
    .chain((n) => fc.record({ n: fc.constant(n), events: fc.integer({ min: 0, max: n }) }));
  it('Wilson and Clopper-Pearson intervals lie in [0, 1] and contain the rate', () => {
    fc.assert(
      fc.property(counts, ({ events, n }) => {
        const r = armRate({ events, n });
        for (const [lo, hi] of [r.ci, r.clopperPearson]) {
          assert.ok(
            lo >= 0 && hi <= 1 && lo <= r.rate + 1e-12 && r.rate <= hi + 1e-12,
            `${events}/${n}: [${lo}, ${hi}]`,
          );
        }
      }),
      { numRuns: 300 },
    );
  });
  it('the Newcombe CI lies in [-1, 1], contains the RD and flips sign when the arms are swapped', () => {
    fc.assert(
      fc.property(counts, counts, (a, b) => {
        const [lo, hi] = newcombeDifference(a, b);
        const rd = a.events / a.n - b.events / b.n;
        assert.ok(lo >= -1 - 1e-12 && hi <= 1 + 1e-12 && lo <= rd + 1e-12 && rd <= hi + 1e-12);
        const [lo2, hi2] = newcombeDifference(b, a);
        assert.ok(Math.abs(lo2 + hi) < 1e-12 && Math.abs(hi2 + lo) < 1e-12);
      }),
      { numRuns: 300 },
    );
  });
  it('Fisher p is in (0, 1] and symmetric in the arms', () => {
    fc.assert(
      fc.property(counts, counts, (a, b) => {
        const p = fisherExactP(a.events, a.n - a.events, b.events, b.n - b.events);
        const q = fisherExactP(b.events, b.n - b.events, a.events, a.n - a.events);
        assert.ok(p > 0 && p <= 1 && Math.abs(p - q) < 1e-12, `p ${p} q ${q}`);
      }),
      { numRuns: 200 },
    );
  });
});
