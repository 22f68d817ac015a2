import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { deriveFacts } from './index.ts';
import type { ClinicalFacts, MaudsleyStaging } from './index.ts';
import {
  AS_OF,
  candidate,
  concept,
  condition,
  daysBefore,
  exposure,
  knowledge,
  medication,
  RXNORM,
  SYSTEM,
} from './builders.test-support.ts';
import type { RecordParts } from './builders.test-support.ts';
import type { ConditionFact, MedicationFact, ObservationFact, QuestionnaireResponseFact } from '../record/index.ts';

type Extra = RecordParts & {
  extraConditions?: ConditionFact[];
  extraMedications?: MedicationFact[];
  extraObservations?: ObservationFact[];
};
const facts = (extra: Extra): ClinicalFacts => deriveFacts(candidate(extra), knowledge, AS_OF);
const msm = (extra: Extra): MaudsleyStaging => facts(extra).maudsleyStaging;
const points = (m: MaudsleyStaging, d: string): [number, number] | undefined => {
  const x = m.dimensions.find((y) => y.dimension === d);
  return x === undefined ? undefined : [x.minPoints, x.maxPoints];
};

describe('Maudsley Staging Method (reference section 4.3)', () => {
  test('all dimensions scored: moderate F33.1 (3), episode > 24 months (3), 2 failures (1), no augmentation/ECT: 7 moderate', () => {
    const m = msm({ conditions: [condition(SYSTEM.icd10, 'F33.1', { onset: '2024-01-15' })] });
    assert.deepEqual(m.unscored, []);
    assert.equal(m.total, 7);
    assert.equal(m.category, 'moderate');
    assert.deepEqual(points(m, 'duration'), [3, 3]);
    assert.deepEqual(points(m, 'severity'), [3, 3]);
    assert.deepEqual(points(m, 'antidepressants'), [1, 1]);
  });

  test('duration bands: 12 months = 1, 13 months = 2', () => {
    assert.deepEqual(
      points(msm({ conditions: [condition(SYSTEM.icd10, 'F33.1', { onset: '2025-11-27' })] }), 'duration'),
      [1, 1],
    );
    assert.deepEqual(
      points(msm({ conditions: [condition(SYSTEM.icd10, 'F33.1', { onset: '2025-10-27' })] }), 'duration'),
      [2, 2],
    );
  });

  test('augmentation (lithium) and ECT add a point each; severe with psychosis scores 5', () => {
    const ect = {
      ref: 'Procedure/ect',
      code: concept(SYSTEM.snomed, '23835007'),
      status: 'completed',
      performed: daysBefore(300),
    };
    const m = msm({
      conditions: [condition(SYSTEM.icd10, 'F33.3', { onset: '2024-01-15' })],
      extraMedications: [medication(RXNORM.lithium, { start: daysBefore(300), end: daysBefore(200) })],
      procedures: [ect],
    });
    assert.deepEqual(points(m, 'augmentation'), [1, 1]);
    assert.deepEqual(points(m, 'ect'), [1, 1]);
    assert.deepEqual(points(m, 'severity'), [5, 5]);
    assert.equal(m.total, 3 + 5 + 1 + 1 + 1);
    assert.equal(m.category, 'severe');
  });

  test('unscorable dimensions are listed and the total becomes a range', () => {
    const m = msm({ conditions: [condition(SYSTEM.icd10, 'F32.9', { onset: undefined as unknown as string })] });
    assert.equal(m.total, undefined);
    assert.deepEqual([...m.unscored].sort(), ['duration', 'severity']);
    assert.deepEqual(m.range, { min: 1 + 1 + 1 + 0 + 0, max: 3 + 5 + 1 + 0 + 0 });
  });

  test('unverified trials widen the antidepressant dimension: 2 adequate + 1 unverified is 1-2 points, unscored', () => {
    const m = msm({ extraMedications: [exposure(RXNORM.fluoxetine, undefined, 90, 100)] });
    assert.deepEqual(points(m, 'antidepressants'), [1, 2]);
    assert.ok(m.unscored.includes('antidepressants'));
  });

  test('no adequate trial: the antidepressant dimension is not scored', () => {
    const m = msm({ medications: [] });
    assert.ok(m.unscored.includes('antidepressants'));
    assert.deepEqual(points(m, 'antidepressants'), [1, 5]);
  });
});

const phq9Answer = (loinc: string, n: number) => ({
  linkId: `/${loinc}`,
  code: [{ system: SYSTEM.loinc, code: loinc }],
  valueNumber: n,
});

function phq9(date: string, scores: Record<string, number>): QuestionnaireResponseFact {
  return {
    ref: `QuestionnaireResponse/phq9-${date}`,
    questionnaire: 'http://loinc.org/q/44249-1',
    status: 'completed',
    authored: date,
    answers: [...Object.entries(scores).map(([c, n]) => phq9Answer(c, n)), phq9Answer('44261-6', 18)],
  };
}

describe('symptom profile (definition 9)', () => {
  test('PHQ-9 items map to anhedonia, sleep, fatigue, appetite, psychomotor; the latest response wins', () => {
    const older = phq9(daysBefore(100), { '44250-9': 0, '44254-1': 0 });
    const latest = phq9(daysBefore(10), {
      '44250-9': 2,
      '44259-0': 1,
      '44254-1': 3,
      '44251-7': 0,
      '44253-3': 1,
      '44255-8': 3,
    });
    const f = facts({ questionnaireResponses: [older, latest] });
    const scale = f.symptomProfile.scales[0];
    assert.equal(scale?.source, latest.ref);
    assert.equal(scale?.total, 18);
    assert.equal(scale?.items.length, 5, 'item 2 (depressed mood) is not mapped');
    assert.deepEqual(f.symptomProfile.domains, {
      anhedonia: 0.67,
      sleep: 0.33,
      fatigue: 1,
      appetite: 0,
      psychomotor: 0.33,
    });
    assert.ok(f.unverified.some((u) => u.item === 'symptom item mapping'));
  });

  test('MADRS items from an Observation panel with components (items 0-6)', () => {
    const scales = 'http://precision-trd.org/fhir/CodeSystem/scales';
    const panel: ObservationFact = {
      ref: 'Observation/madrs',
      code: concept(scales, 'madrs-total'),
      status: 'final',
      effective: daysBefore(5),
      value: { kind: 'integer', value: 30 },
      interpretation: [],
      referenceRange: [],
      components: [
        { code: concept(scales, 'madrs-7'), value: { kind: 'integer', value: 6 } },
        { code: concept(scales, 'madrs-8'), value: { kind: 'integer', value: 3 } },
      ],
      members: [],
    };
    const f = facts({ extraObservations: [panel] });
    const madrs = f.symptomProfile.scales.find((s) => s.instrument === 'MADRS');
    assert.equal(madrs?.total, 30);
    assert.deepEqual(f.symptomProfile.domains, { fatigue: 1, anhedonia: 0.5 });
  });

  test('no scale: empty profile with a note', () => {
    const f = facts({});
    assert.deepEqual(f.symptomProfile.scales, []);
    assert.match(f.symptomProfile.note, /no PHQ-9/);
  });
});
