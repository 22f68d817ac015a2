/** Validation of the long trial CSV: every problem is a clear one-line issue naming the column, label or line. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildDataset, orderVisits, type DatasetSpec } from './dataset.ts';

const header = ['id', 'group', 'week', 'madrs', 'base', 'crp'];
const spec: DatasetSpec = {
  columns: { subject: 'id', arm: 'group', visit: 'week', outcome: 'madrs', baseline: 'base', biomarker: 'crp' },
  treatment: 'TOCI',
  control: 'PBO',
  primaryVisit: '8',
  outcomeType: 'score',
};
const row = (
  id: string,
  group: string,
  week: string,
  madrs: string,
  base = '30',
  crp = '4',
): Record<string, string> => ({ id, group, week, madrs, base, crp });
const good = [
  row('1', 'TOCI', '4', '25'),
  row('1', 'TOCI', '8', '20'),
  row('2', 'PBO', '4', '28'),
  row('2', 'PBO', '8', ''),
];

const messages = (r: ReturnType<typeof buildDataset>): string[] => r.issues.map((i) => i.message);

describe('buildDataset', () => {
  it('builds rows with change = score - baseline and empty outcome = missing', () => {
    const r = buildDataset(header, good, spec);
    assert.ok(r.ok);
    assert.deepEqual(
      r.value.rows.map((x) => x.change),
      [-5, -10, -2, null],
    );
    assert.deepEqual(r.value.visits, ['4', '8']);
    assert.equal(r.value.subjects.length, 2);
  });
  it('with outcome type change, the outcome is used as is', () => {
    const r = buildDataset(header, good, { ...spec, outcomeType: 'change' });
    assert.ok(r.ok);
    assert.equal(r.value.rows[0]!.change, 25);
  });
  it('unknown column names the option and lists the columns', () => {
    const r = buildDataset(header, good, { ...spec, columns: { ...spec.columns, outcome: 'MADRS' } });
    assert.equal(r.ok, false);
    assert.match(messages(r)[0]!, /--outcome: unknown column "MADRS" \(columns: id, group, week, madrs, base, crp\)/);
  });
  it('an absent arm label lists the labels found', () => {
    const r = buildDataset(header, good, { ...spec, treatment: 'TCZ' });
    assert.equal(r.ok, false);
    assert.match(messages(r)[0]!, /--treatment: arm label "TCZ" not found in column group \(found: TOCI, PBO\)/);
  });
  it('a non-numeric outcome names the CSV line', () => {
    const r = buildDataset(header, [...good, row('3', 'PBO', '8', 'n/a')], spec);
    assert.equal(r.ok, false);
    assert.match(messages(r)[0]!, /^line 6: outcome "n\/a" in column madrs is not a number$/);
  });
  it('a subject in two arms is an error with both lines', () => {
    const r = buildDataset(header, [...good, row('1', 'PBO', '2', '27')], spec);
    assert.equal(r.ok, false);
    assert.match(messages(r)[0]!, /line 6: subject 1 is in arm PBO but in arm TOCI on line 2/);
  });
  it('duplicate subject-visit rows, inconsistent baselines and bad biomarkers are errors', () => {
    const r = buildDataset(
      header,
      [...good, row('1', 'TOCI', '8', '19'), row('2', 'PBO', '2', '27', '31'), row('4', 'PBO', '8', '27', '30', '0')],
      spec,
    );
    assert.equal(r.ok, false);
    const m = messages(r).join('\n');
    assert.match(m, /subject 1 has a second row for visit 8/);
    assert.match(m, /subject 2 has baseline 31 but 30 on line 4/);
    assert.match(m, /biomarker "0" in column crp must be a positive number/);
  });
  it('a primary visit that is not in the data is an error', () => {
    const r = buildDataset(header, good, { ...spec, primaryVisit: '12' });
    assert.equal(r.ok, false);
    assert.match(messages(r)[0]!, /--primary-visit: visit "12" not found in column week \(found: 4, 8\)/);
  });
  it('rows of a third arm are left out with a warning', () => {
    const r = buildDataset(header, [...good, row('9', 'OTHER', '8', '10')], spec);
    assert.ok(r.ok);
    assert.equal(r.value.otherArmRows, 1);
    assert.equal(r.issues[0]!.severity, 'warning');
  });
  it('an empty file is an error', () => {
    assert.equal(buildDataset(header, [], spec).ok, false);
  });
});

describe('orderVisits', () => {
  it('orders numeric labels numerically (10 after 9)', () => {
    assert.deepEqual(orderVisits(['10', '2', '9', '2']), ['2', '9', '10']);
  });
  it('keeps first appearance for non-numeric labels', () => {
    assert.deepEqual(orderVisits(['Week 2', 'Week 10', 'Baseline']), ['Week 2', 'Week 10', 'Baseline']);
  });
});
