import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { deriveFacts } from './index.ts';
import type { ClinicalFacts } from './index.ts';
import {
  AS_OF,
  candidate,
  concept,
  condition,
  daysBefore,
  depression,
  hsCrp,
  knowledge,
  medication,
  record,
  RXNORM,
  screen,
  SYSTEM,
  workup,
} from './builders.test-support.ts';
import type { RecordParts } from './builders.test-support.ts';
import type { ConditionFact, MedicationFact, ObservationFact } from '../record/index.ts';

type Extra = RecordParts & {
  extraConditions?: ConditionFact[];
  extraMedications?: MedicationFact[];
  extraObservations?: ObservationFact[];
};
const facts = (extra: Extra): ClinicalFacts => deriveFacts(candidate(extra), knowledge, AS_OF);

describe('depression (definition 1)', () => {
  const present = (c: ConditionFact): boolean =>
    deriveFacts(record({ conditions: [c] }), knowledge, AS_OF).depression.present;

  test('ICD-10 F33.1, ICD-10-CM F32.A and SNOMED 370143000 qualify; absent clinical status counts as active', () => {
    assert.equal(present(depression()), true);
    assert.equal(present(condition(SYSTEM.icd10cm, 'F32.A')), true);
    assert.equal(present(condition(SYSTEM.snomed, '370143000')), true);
    const { clinicalStatus: _drop, ...noStatus } = depression();
    assert.equal(present(noStatus), true);
  });

  test('remission codes do not count and are reported as excluded', () => {
    const f = deriveFacts(record({ conditions: [condition(SYSTEM.icd10, 'F33.4')] }), knowledge, AS_OF);
    assert.equal(f.depression.present, false);
    assert.match(f.depression.excluded[0]?.reason ?? '', /remission/);
  });

  test('refuted, entered-in-error, resolved, abated before as-of, onset after as-of do not count', () => {
    assert.equal(present(depression({ verificationStatus: 'refuted' })), false);
    assert.equal(present(depression({ verificationStatus: 'entered-in-error' })), false);
    assert.equal(present(depression({ clinicalStatus: 'resolved' })), false);
    assert.equal(present(depression({ abatement: daysBefore(1) })), false);
    assert.equal(present(depression({ abatement: AS_OF })), true, 'abatement on the as-of date is not before it');
    assert.equal(present(depression({ onset: daysBefore(-1) })), false);
    assert.equal(present(depression({ clinicalStatus: 'relapse' })), true);
  });

  test('a non-depression condition is neither present nor excluded', () => {
    const f = deriveFacts(record({ conditions: [condition(SYSTEM.icd10, 'J45.9')] }), knowledge, AS_OF);
    assert.equal(f.depression.present, false);
    assert.equal(f.depression.excluded.length, 0);
  });
});

describe('cautions (definition 7)', () => {
  const cautions = (f: ClinicalFacts): string[] => f.cautions.map((c) => c.code);

  test('none for the base candidate', () => assert.deepEqual(cautions(facts({})), []));

  test('age 65 is a caution, 64 is not', () => {
    assert.deepEqual(cautions(facts({ birthDate: '1961-11-27' })), ['older-age']);
    assert.deepEqual(cautions(facts({ birthDate: '1961-11-28' })), []);
  });

  test('history of diverticulitis (even resolved), named in the detail', () => {
    const diverticulitis = condition(SYSTEM.icd10, 'K57.3', {
      clinicalStatus: 'resolved',
      code: { ...concept(SYSTEM.icd10, 'K57.3'), text: 'Diverticular disease of large intestine' },
    });
    const f = facts({ extraConditions: [diverticulitis] });
    assert.deepEqual(cautions(f), ['gi-perforation-risk']);
    assert.equal(f.cautions[0]?.detail, 'history recorded: K57.3 Diverticular disease of large intestine');
    assert.deepEqual(f.cautions[0]?.evidence, [diverticulitis.ref]);
    assert.deepEqual(f.contraindications, []);
  });

  test('live vaccine within 28 days is a caution; 29 days ago is not', () => {
    const imm = (d: number) => ({
      ref: `Immunization/${d}`,
      vaccine: concept(SYSTEM.cvx, '03'),
      status: 'completed',
      occurrence: daysBefore(d),
    });
    const recent = facts({ immunizations: [imm(28)] });
    assert.deepEqual(cautions(recent), ['recent-live-vaccine']);
    assert.ok(recent.unverified.some((u) => /live-vaccine window/.test(u.item)));
    assert.deepEqual(cautions(facts({ immunizations: [imm(29)] })), []);
  });

  test('current NSAID (ibuprofen) or systemic corticosteroid', () => {
    const f = facts({ extraMedications: [medication(RXNORM.ibuprofen, { start: daysBefore(10) })] });
    assert.deepEqual(cautions(f), ['crp-confounding-medication']);
    assert.deepEqual(
      cautions(facts({ extraMedications: [medication('H02AB06', { system: SYSTEM.atc, start: daysBefore(10) })] })),
      ['crp-confounding-medication'],
    );
  });
});

describe('missing work-up (definition 8)', () => {
  const missing = (f: ClinicalFacts): string[] => f.missingWorkup.map((w) => w.code);

  test('complete work-up: nothing missing', () => assert.deepEqual(missing(facts({})), []));

  test('no labs and screens: all six, each with an action', () => {
    const f = facts({ observations: [hsCrp(7)] });
    assert.deepEqual(missing(f), ['anc', 'platelets', 'alt', 'ast', 'latent-tb-screen', 'hepatitis-b-serology']);
    for (const w of f.missingWorkup) assert.ok(w.action.length > 10);
  });

  test('latent-TB screen older than 365 days is missing; hepatitis B serology has no window', () => {
    const old = [
      hsCrp(7),
      ...workup().slice(0, 4),
      screen('71773-6', false, daysBefore(366)),
      screen('5196-1', false, daysBefore(900)),
    ];
    assert.deepEqual(missing(facts({ observations: old })), ['latent-tb-screen']);
    const edge = [
      hsCrp(7),
      ...workup().slice(0, 4),
      screen('71773-6', false, daysBefore(365)),
      screen('5196-1', false, daysBefore(900)),
    ];
    assert.deepEqual(missing(facts({ observations: edge })), []);
  });
});

describe('comorbid IL-6-responsive disease (definition 10)', () => {
  test('active rheumatoid arthritis and giant cell arteritis are reported, not blocking', () => {
    const f = facts({ extraConditions: [condition(SYSTEM.icd10, 'M05.9'), condition(SYSTEM.icd10, 'M31.6')] });
    assert.deepEqual(
      f.comorbidIl6Disease.map((c) => c.code),
      ['rheumatoid-arthritis', 'giant-cell-arteritis'],
    );
    assert.deepEqual(
      f.comorbidIl6Disease.map((c) => c.detail),
      ['active condition recorded: M05.9', 'active condition recorded: M31.6'],
    );
    assert.deepEqual(f.contraindications, []);
    assert.deepEqual(
      facts({ extraConditions: [condition(SYSTEM.icd10, 'M05.9', { clinicalStatus: 'inactive' })] }).comorbidIl6Disease,
      [],
    );
  });
});
