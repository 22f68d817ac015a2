import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assess, cutOffDependentCodes, deriveFacts } from './index.ts';
import type { Assessment } from './index.ts';
import {
  AS_OF,
  candidate,
  condition,
  daysBefore,
  depression,
  exposure,
  hsCrp,
  knowledge,
  medication,
  record,
  RXNORM,
  standardCrp,
  SYSTEM,
  workup,
} from './builders.test-support.ts';
import type { PatientRecord } from '../record/index.ts';

const run = (r: PatientRecord): Assessment => assess(r, knowledge, { asOf: AS_OF });

describe('decision table: each row (docs/care-pathway.md "The decision")', () => {
  test('row 1 out-of-scope: no depression, even with 2 adequate trials and raised CRP', () => {
    const a = run(candidate({ conditions: [] }));
    assert.equal(a.recommendation.code, 'out-of-scope');
    assert.equal(a.recommendation.rule, 1);
    assert.equal(a.treatmentResistance.count, 2);
  });

  test('row 2 confirm-history: 1 adequate + 1 unverified (no dose) reach 2', () => {
    const a = run(
      candidate({
        medications: [exposure(RXNORM.sertraline, 100, 70, 400), exposure(RXNORM.escitalopram, undefined, 70, 200)],
      }),
    );
    assert.equal(a.recommendation.code, 'confirm-history');
    assert.equal(a.treatmentResistance.count, 1);
    assert.equal(a.treatmentResistance.unverifiedTrials.length, 1);
    assert.deepEqual(a.treatmentResistance.unverifiedTrials[0]?.missing, ['daily dose']);
    assert.match(a.recommendation.clinicianSummary, /escitalopram \(confirm daily dose/);
  });

  test('row 3 not-trd: one adequate trial and nothing unverified', () => {
    const a = run(candidate({ medications: [exposure(RXNORM.sertraline, 100, 70)] }));
    assert.equal(a.recommendation.code, 'not-trd');
    assert.equal(a.recommendation.rule, 3);
    assert.match(a.recommendation.clinicianSummary, /1 adequate antidepressant trial/);
  });

  test('row 3 not-trd: no antidepressant at all', () => {
    assert.equal(run(candidate({ medications: [] })).recommendation.code, 'not-trd');
  });

  test('row 4 contraindicated: names each reason, before any CRP consideration', () => {
    const a = run(candidate({ observations: [hsCrp(7), ...workup({ ancPer10e9L: 1.5, plateletsPer10e9L: 80 })] }));
    assert.equal(a.recommendation.code, 'contraindicated');
    assert.deepEqual(a.contraindications.map((c) => c.code).sort(), ['neutropenia', 'thrombocytopenia']);
    assert.match(a.recommendation.clinicianSummary, /Neutropenia/);
    assert.match(a.recommendation.clinicianSummary, /Thrombocytopenia/);
  });

  test('row 5 measure-crp: no CRP', () => {
    const a = run(candidate({ crp: [] }));
    assert.equal(a.recommendation.code, 'measure-crp');
    assert.equal(a.inflammation.status, 'unknown');
  });

  test('row 6 repeat-crp: acute (> 10 mg/L) and indeterminate (<5 standard assay)', () => {
    assert.equal(run(candidate({ crp: [hsCrp(10.01)] })).recommendation.code, 'repeat-crp');
    const censored = run(candidate({ crp: [standardCrp(5, daysBefore(20), { comparator: '<' })] }));
    assert.equal(censored.inflammation.status, 'indeterminate');
    assert.equal(censored.recommendation.code, 'repeat-crp');
  });

  test('row 7 not-inflamed: CRP below 3 mg/L', () => {
    const a = run(candidate({ crp: [hsCrp(2.99)] }));
    assert.equal(a.recommendation.code, 'not-inflamed');
    assert.match(a.recommendation.clinicianSummary, /2\.99 mg\/L/);
  });

  test('row 8 refer-to-trial: CRP exactly 3 and exactly 10 are elevated', () => {
    for (const v of [3, 7, 10]) {
      const a = run(candidate({ crp: [hsCrp(v)] }));
      assert.equal(a.recommendation.code, 'refer-to-trial', `CRP ${v}`);
      assert.equal(a.inflammation.status, 'elevated');
    }
  });

  test('rows are first-match: no depression wins over a contraindication and a missing CRP', () => {
    const a = run(record({ medications: [], observations: workup({ ancPer10e9L: 1 }) }));
    assert.equal(a.recommendation.code, 'out-of-scope');
  });

  test('confirm-history precedes contraindicated', () => {
    const a = run(
      candidate({
        medications: [exposure(RXNORM.sertraline, 100, 70, 400), exposure(RXNORM.escitalopram, undefined, 70)],
        observations: [hsCrp(7), ...workup({ ancPer10e9L: 1 })],
      }),
    );
    assert.equal(a.recommendation.code, 'confirm-history');
    assert.equal(a.contraindications.length, 1);
  });
});

describe('the result', () => {
  const a = run(candidate());

  test('carries the schema, pathway id and version, patient age and sex', () => {
    assert.equal(a.schema, 'precision-trd/assessment@1');
    assert.deepEqual(a.pathway, { id: 'trd-il6-candidacy', version: '1.1.7' });
    assert.deepEqual(a.patient, { reference: 'Patient/test', age: 45, sex: 'female' });
    assert.equal(a.asOf, AS_OF);
  });

  test('the trace has every row with its citation; only the matched row is matched', () => {
    assert.equal(a.trace.length, 8);
    assert.deepEqual(
      a.trace.filter((t) => t.matched).map((t) => t.rule),
      ['8 refer-to-trial'],
    );
    for (const t of a.trace) assert.ok(knowledge.citations.has(t.citation), t.citation);
  });

  test('every citation the result names exists in the registry', () => {
    const r = run(candidate({ observations: [hsCrp(7), ...workup({ ancPer10e9L: 1 })] }));
    const cited = [
      r.recommendation.citation,
      ...r.contraindications.map((c) => c.citation),
      ...r.unverified.map((u) => u.citation),
    ];
    for (const c of cited) assert.ok(knowledge.citations.has(c), c);
  });

  test('refer-to-trial patient summary: a trial is the route, not standard treatment, not off-label, talk to the psychiatrist', () => {
    const s = a.recommendation.patientSummary;
    assert.match(s, /clinical trial/);
    assert.match(s, /not a standard treatment for depression/);
    assert.match(s, /should not be used outside a trial/);
    assert.match(s, /psychiatrist/);
    assert.doesNotMatch(s, /\{/);
  });

  test('clinician summary names counts, the CRP value, date and assay', () => {
    const s = a.recommendation.clinicianSummary;
    assert.match(s, /2 adequate trials/);
    assert.match(s, new RegExp(`CRP 7 mg/L on ${daysBefore(20)}, high-sensitivity assay`));
    assert.doesNotMatch(s, /\{[a-zA-Z]+\}/);
  });

  test('missing work-up is listed in the summary of a referral', () => {
    const r = run(candidate({ observations: [hsCrp(7)] }));
    assert.equal(r.recommendation.code, 'refer-to-trial');
    assert.deepEqual(
      r.missingWorkup.map((w) => w.code),
      ['anc', 'platelets', 'alt', 'ast', 'latent-tb-screen', 'hepatitis-b-serology'],
    );
    assert.match(r.recommendation.clinicianSummary, /Missing work-up: ANC; platelets; ALT; AST/);
  });

  test('every recommendation code has a patient summary without placeholders', () => {
    const records: PatientRecord[] = [
      candidate({ conditions: [] }),
      candidate({
        medications: [exposure(RXNORM.sertraline, 100, 70), exposure(RXNORM.escitalopram, undefined, 70, 300)],
      }),
      candidate({ medications: [] }),
      candidate({ observations: [hsCrp(7), ...workup({ ancPer10e9L: 1 })] }),
      candidate({ crp: [] }),
      candidate({ crp: [hsCrp(20)] }),
      candidate({ crp: [hsCrp(1)] }),
      candidate(),
    ];
    const codes = records.map((r) => run(r).recommendation.code);
    assert.deepEqual(codes, [
      'out-of-scope',
      'confirm-history',
      'not-trd',
      'contraindicated',
      'measure-crp',
      'repeat-crp',
      'not-inflamed',
      'refer-to-trial',
    ]);
    for (const r of records) {
      const s = run(r).recommendation.patientSummary;
      assert.ok(s.length > 40);
      assert.doesNotMatch(s, /[{}]/);
    }
  });

  test('deriveFacts gives the same derivations as assess', () => {
    const r = candidate();
    const f = deriveFacts(r, knowledge, AS_OF);
    assert.equal(f.treatmentResistance.count, 2);
    assert.equal(f.inflammation.status, 'elevated');
    assert.equal(f.labs.anc?.value, 3.8);
    assert.equal(f.screens.latentTb?.outcome, 'negative');
  });

  test('a malformed as-of date is a programmer error', () => {
    assert.throws(() => assess(candidate(), knowledge, { asOf: '27/11/2026' }), /asOf/);
  });

  test('nothing dated after the as-of date is used', () => {
    const r = candidate({
      extraConditions: [condition(SYSTEM.icd10, 'J18.9', { onset: daysBefore(-3) })],
      extraMedications: [medication(RXNORM.fluoxetine, { dailyMg: 40, start: daysBefore(-5) })],
      crp: [hsCrp(1), hsCrp(50, daysBefore(-1))],
    });
    const a = run(r);
    assert.equal(a.recommendation.code, 'not-inflamed');
    assert.equal(a.contraindications.length, 0);
    assert.equal(a.treatmentResistance.ignored.length, 1);
  });
});

test('depression builders: a current depression qualifies', () => {
  assert.equal(deriveFacts(record({ conditions: [depression()] }), knowledge, AS_OF).depression.present, true);
});

describe('which recommendations another CRP cut-off could change (a screen re-decides only these)', () => {
  const rows = knowledge.pathway.decision;
  test('the bundled table: the rows from the first that reads the inflammation status on', () => {
    assert.deepEqual([...cutOffDependentCodes(rows)].sort(), [
      'measure-crp',
      'not-inflamed',
      'refer-to-trial',
      'repeat-crp',
    ]);
  });
  test('a table that reads the inflammation first: every code, whatever its name', () => {
    const inflammationFirst = [...rows.filter((r) => r.when.startsWith('inflammation-')), ...rows];
    assert.deepEqual([...cutOffDependentCodes(inflammationFirst)].sort(), [...new Set(rows.map((r) => r.code))].sort());
  });
});
