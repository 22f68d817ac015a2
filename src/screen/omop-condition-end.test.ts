/**
 * A condition row that ends on the day it starts is an encounter's diagnosis, whose end date an ETL took from the
 * visit: it does not say the disease resolved that day. Read as resolved, a hepatitis B diagnosed at a visit a month
 * ago was no contraindication and the patient was referred to a trial; a depression diagnosed at visits so recorded
 * was no current episode. Such a row is read as a Condition with no resolution, and so is a row that ends when the
 * visit it was recorded at ends (an inpatient stay's diagnosis dated with the stay); a row that ends after it starts
 * on a day of its own (a problem list's resolved date) is resolved from its end, as before (docs/screening.md).
 *
 * Each scenario runs on DuckDB and on PostgreSQL: PGlite in-process by default, the real server when TRD_PG_URL is
 * set (.ci/run starts one).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  dayFromAsOf,
  type assessPersons,
  omopScenario,
  twoReferablePersons,
  populationForFile,
  type PersonPair,
  projectionRow,
  conceptIdSql,
} from './fixtures.test-support.ts';
import { codeSetJudges, personResources } from './sources/omop.ts';

const population = populationForFile(1000, 20261204);

type Two = PersonPair;

/**
 * The first person: chronic hepatitis B (ICD-10-CM B18.1, mapped to its SNOMED concept) diagnosed at a visit 30 days
 * ago, ending that day. The second: every condition row of theirs ends on the day it starts.
 */
function siteRows(t: (table: string) => string, [hepatitis, sameDay]: Two): string[] {
  const concept = (vocabulary: string, code: string): string => conceptIdSql(t, vocabulary, code);
  return [
    `INSERT INTO ${t('condition_occurrence')} VALUES (${hepatitis * 100 + 94}, ${hepatitis}, ${concept('SNOMED', '61977001')},
       DATE '${dayFromAsOf(-30)}', DATE '${dayFromAsOf(-30)}', 32817, 'B18.1', ${concept('ICD10CM', 'B18.1')}, NULL)`,
    `UPDATE ${t('condition_occurrence')} SET condition_end_date = condition_start_date WHERE person_id = ${sameDay}`,
  ];
}

function check(results: Awaited<ReturnType<typeof assessPersons>>, [hepatitis, sameDay]: Two): void {
  const h = results.get(hepatitis);
  assert.equal(h?.recommendation.code, 'contraindicated', 'a hepatitis B diagnosed at a visit is not resolved');
  assert.ok(h.contraindications.some((c) => c.code === 'hepatitis'));
  assert.equal(results.get(sameDay)?.recommendation.code, 'refer-to-trial', 'the depression stays current');
}

omopScenario(
  'a condition row that ends on the day it starts is not resolved',
  population,
  (): Two => twoReferablePersons(population()),
  siteRows,
  check,
);

/**
 * The first person: chronic hepatitis B diagnosed during a 5-day inpatient stay that ended 30 days ago, the row
 * dated with the stay (as an ETL fills condition_end_date from the visit). The second: every condition row of theirs
 * recorded at a 4-day visit and ending when the visit ends.
 */
function visitRows(t: (table: string) => string, [hepatitis, stay]: Two): string[] {
  const concept = (vocabulary: string, code: string): string => conceptIdSql(t, vocabulary, code);
  const visit = -(hepatitis * 100 + 93);
  return [
    `INSERT INTO ${t('visit_occurrence')} VALUES (${visit}, ${hepatitis}, 9201, DATE '${dayFromAsOf(-34)}',
       DATE '${dayFromAsOf(-30)}', 32817)`,
    `INSERT INTO ${t('condition_occurrence')} VALUES (${hepatitis * 100 + 93}, ${hepatitis}, ${concept('SNOMED', '61977001')},
       DATE '${dayFromAsOf(-33)}', DATE '${dayFromAsOf(-30)}', 32817, 'B18.1', ${concept('ICD10CM', 'B18.1')}, ${visit})`,
    `INSERT INTO ${t('visit_occurrence')}
       SELECT -condition_occurrence_id, person_id, 9201, condition_start_date, condition_start_date + 3, 32817
       FROM ${t('condition_occurrence')} WHERE person_id = ${stay}`,
    `UPDATE ${t('condition_occurrence')} SET condition_end_date = condition_start_date + 3,
       visit_occurrence_id = -condition_occurrence_id WHERE person_id = ${stay}`,
  ];
}

omopScenario(
  "a condition row that ends when the visit it was recorded at ends is not resolved (the visit's end)",
  population,
  (): Two => twoReferablePersons(population(), 2),
  visitRows,
  check,
);

test("a condition row ending with its visit has no end, but an infection's or a pregnancy's ends with the visit", () => {
  const row = projectionRow({
    person_id: '7',
    domain: 'condition',
    row_id: '70',
    concept_vocabulary: 'SNOMED',
    concept_code: '61977001', // chronic hepatitis B
    start_date: '2026-03-02',
    end_date: '2026-03-06',
    visit_end_date: '2026-03-06',
  });

  const out = personResources(
    [
      row,
      { ...row, row_id: '71', visit_end_date: '2026-03-08' }, // ended two days before its visit did
      { ...row, row_id: '72', concept_code: '68566005' }, // a urinary tract infection, through the stay
      { ...row, row_id: '73', concept_vocabulary: 'ICD10CM', concept_code: 'N39.0' },
      // premature rupture of membranes, coded at a delivery admission: the delivery ends the pregnancy
      { ...row, row_id: '74', concept_vocabulary: 'ICD10CM', concept_code: 'O42.92' },
    ],
    { byStandard: new Map(), ...codeSetJudges(population().engine.knowledge) },
    '2026-11-27',
  ) as { id: string; clinicalStatus?: { coding: { code: string }[] }; abatementDateTime?: string }[];
  assert.deepEqual(
    out.map((c) => [c.id, c.clinicalStatus?.coding[0]?.code, c.abatementDateTime]),
    [
      ['c70', undefined, undefined], // no real end: no status (the pathway reads it as current)
      ['c71', 'resolved', '2026-03-06'],
      ['c72', 'resolved', '2026-03-06'],
      ['c73', 'resolved', '2026-03-06'],
      ['c74', 'resolved', '2026-03-06'],
    ],
  );
});

test('a condition row ending after its start, on or before the as-of date, is resolved from its end', () => {
  const row = projectionRow({
    person_id: '7',
    domain: 'condition',
    row_id: '60',
    concept_vocabulary: 'SNOMED',
    concept_code: '61977001',
    start_date: '2026-03-02',
    end_date: '2026-03-02',
  });

  const out = personResources(
    [row, { ...row, row_id: '61', end_date: '2026-05-10' }, { ...row, row_id: '62', end_date: '2027-01-10' }],
    { byStandard: new Map(), isAllergyRecord: () => false },
    '2026-11-27',
  ) as { id: string; clinicalStatus?: { coding: { code: string }[] }; abatementDateTime?: string }[];
  assert.deepEqual(
    out.map((c) => [c.id, c.clinicalStatus?.coding[0]?.code, c.abatementDateTime]),
    [
      ['c60', undefined, undefined], // ends on its start day: no real end, no status
      ['c61', 'resolved', '2026-05-10'],
      ['c62', 'active', undefined],
    ],
  );
});
