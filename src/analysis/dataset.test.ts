/** Validation of the long trial CSV: every problem is a clear one-line issue naming the column, label or line. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CONCEALED_ARM } from '../trial/exports/analysis-csv.ts';
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
  it('unknown column names the option, never the header (file content)', () => {
    const r = buildDataset(header, good, { ...spec, columns: { ...spec.columns, outcome: 'MADRS' } });
    assert.equal(r.ok, false);
    assert.equal(
      messages(r)[0]!,
      '--outcome: unknown column "MADRS" (the header has 6 columns; one of them differs from it only in letter case, and column names are matched exactly)',
    );
    const other = buildDataset(header, good, { ...spec, columns: { ...spec.columns, outcome: 'HAMD' } });
    assert.deepEqual(messages(other), ['--outcome: unknown column "HAMD" (the header has 6 columns)']);
  });
  it('a chosen column named twice in the header is refused: its records would hold only one of the two', () => {
    const twice = [...header, 'madrs'];
    const r = buildDataset(twice, good, spec);
    assert.equal(r.ok, false);
    assert.deepEqual(messages(r), [
      '--outcome: the header names 2 columns "madrs": rename them so that each name is one column',
    ]);
    // A repeated name that no option chooses is no ambiguity.
    assert.ok(buildDataset([...header, 'note', 'note'], good, spec).ok);
  });
  it('rows of empty cells are empty lines; a row without its arm is an error, not a row of another arm', () => {
    const blank = row('', '', '', '', '', '');
    const r = buildDataset(header, [...good, blank, blank], spec);
    assert.ok(r.ok);
    assert.equal(r.value.otherArmRows, 0);
    assert.equal(r.value.rows.length, good.length);
    assert.ok(!r.issues.some((i) => i.code === 'analysis.arm.other'));
    const noArm = buildDataset(header, [...good, row('3', '', '8', '12')], spec);
    assert.equal(noArm.ok, false);
    assert.deepEqual(messages(noArm), ['empty arm in column group: 1 row (line 6)']);
  });
  it('a semicolon- or tab-separated file is named as such, not only as six unknown columns', () => {
    for (const [separator, word] of [
      [';', 'semicolons'],
      ['\t', 'tabs'],
    ] as const) {
      const r = buildDataset([header.join(separator)], [], spec);
      assert.equal(r.ok, false);
      assert.equal(
        messages(r)[0],
        `the header is one column holding ${word}: the file is not comma-separated; save it as CSV with commas between fields and decimal points (not commas) in numbers`,
      );
    }
  });
  it('an absent arm label counts the labels found without quoting them', () => {
    const r = buildDataset(header, good, { ...spec, treatment: 'TCZ' });
    assert.equal(r.ok, false);
    assert.match(
      messages(r)[0]!,
      /^--treatment: arm label "TCZ" not found in column group \(it holds 2 other labels\)$/,
    );
  });
  it('a blinded trial-store export (every arm "concealed") is named as such, one issue', () => {
    const blinded = good.map((r) => ({ ...r, group: CONCEALED_ARM }));
    const r = buildDataset(header, blinded, spec);
    assert.equal(r.ok, false);
    assert.deepEqual(messages(r), [
      'column group holds only "concealed": a blinded export (trd trial export --blinded) has no arms to compare; analyse an unblinded export',
    ]);
    assert.equal(r.issues[0]!.code, 'analysis.arm.absent');
    // One other label: the count in the singular.
    const one = buildDataset(
      header,
      good.map((x) => ({ ...x, group: 'PBO' })),
      spec,
    );
    assert.equal(messages(one)[0], '--treatment: arm label "TOCI" not found in column group (it holds 1 other label)');
  });
  it('an arm label found only in other letter case is said so, without quoting the label found', () => {
    const r = buildDataset(header, good, { ...spec, control: 'pbo' });
    assert.equal(r.ok, false);
    assert.equal(
      messages(r)[0],
      '--control: arm label "pbo" not found in column group (it holds 2 other labels; one of them differs from it only in letter case, and arm labels are matched exactly)',
    );
  });
  it('non-numeric outcomes: one line with the count and the first line numbers, no cell quoted', () => {
    const r = buildDataset(header, [...good, row('3', 'PBO', '8', 'n/a')], spec);
    assert.equal(r.ok, false);
    assert.equal(messages(r)[0]!, 'outcome column madrs is not a number (or is beyond ±1e+150): 1 row (line 6)');
    const many = Array.from({ length: 40 }, (_, k) => row(String(10 + k), 'PBO', '8', 'x'));
    const m = buildDataset(header, [...good, ...many], spec);
    assert.equal(m.ok, false);
    assert.deepEqual(messages(m), [
      'outcome column madrs is not a number (or is beyond ±1e+150): 40 rows (lines 6, 7, 8, 9, 10 and 35 more)',
    ]);
  });
  it('a row without a visit (a subject with only a baseline) is refused with how to give that subject', () => {
    const r = buildDataset(header, [...good, row('3', 'PBO', '', '')], spec);
    assert.equal(r.ok, false);
    assert.deepEqual(messages(r), [
      'empty visit in column week (a subject with only a baseline takes a row at the primary visit with an empty outcome, so that non-responder imputation counts it): 1 row (line 6)',
    ]);
  });
  it('a number written with a comma is named as such, per column, not only as "not a number"', () => {
    const r = buildDataset(header, [...good, row('3', 'PBO', '8', '6,5'), row('4', 'PBO', '8', 'n/a')], spec);
    assert.equal(r.ok, false);
    assert.deepEqual(messages(r), [
      'outcome column madrs holds a number written with a comma (6,88): write numbers with a decimal point (6.88) and no thousands separator: 1 row (line 6)',
      'outcome column madrs is not a number (or is beyond ±1e+150): 1 row (line 7)',
    ]);
  });
  it('a value whose square would overflow (beyond ±1e150) is refused like a non-number; 1e150 itself is read', () => {
    const huge = buildDataset(header, [...good, row('3', 'PBO', '8', '1e308')], spec);
    assert.equal(huge.ok, false);
    assert.match(
      messages(huge)[0]!,
      /^outcome column madrs is not a number \(or is beyond ±1e\+150\): 1 row \(line 6\)$/,
    );
    assert.equal(buildDataset(header, [...good, row('3', 'PBO', '8', '1e150')], spec).ok, true);
  });
  it('a subject in two arms is an error naming the line', () => {
    const r = buildDataset(header, [...good, row('1', 'PBO', '2', '27')], spec);
    assert.equal(r.ok, false);
    assert.match(messages(r)[0]!, /^a subject in another arm than on an earlier line: 1 row \(line 6\)$/);
  });
  it('duplicate subject-visit rows, inconsistent baselines and bad biomarkers are errors', () => {
    const r = buildDataset(
      header,
      [...good, row('1', 'TOCI', '8', '19'), row('2', 'PBO', '2', '27', '31'), row('4', 'PBO', '8', '27', '30', '0')],
      spec,
    );
    assert.equal(r.ok, false);
    const m = messages(r).join('\n');
    assert.match(m, /a second row for the same subject and visit: 1 row/);
    assert.match(m, /a subject with another baseline than on an earlier line: 1 row/);
    assert.match(m, /biomarker column crp is not a positive number/);
  });
  it('a biomarker beyond the assay limit is read as its limit; 0, <0 and a changing limit are errors', () => {
    const cells = ['<0.2', '< 0.2', '<=0.3', '≤0.3', '>10', '>=10', '≥10'];
    const r = buildDataset(
      header,
      cells.map((crp, i) => row(String(i), i % 2 ? 'TOCI' : 'PBO', '8', '20', '30', crp)),
      spec,
    );
    assert.ok(r.ok);
    assert.deepEqual(
      r.value.subjects.map((x) => [x.biomarker, x.biomarkerLimit]),
      [
        [null, { side: 'below', limit: 0.2, inclusive: false }],
        [null, { side: 'below', limit: 0.2, inclusive: false }],
        [null, { side: 'below', limit: 0.3, inclusive: true }],
        [null, { side: 'below', limit: 0.3, inclusive: true }],
        [null, { side: 'above', limit: 10, inclusive: false }],
        [null, { side: 'above', limit: 10, inclusive: true }],
        [null, { side: 'above', limit: 10, inclusive: true }],
      ],
    );
    for (const bad of ['0', '<0', '<-1', '<', '<0.2 mg/L']) {
      const b = buildDataset(header, [...good, row('5', 'PBO', '8', '20', '30', bad)], spec);
      assert.equal(b.ok, false, bad);
      assert.match(messages(b).join('\n'), /biomarker column crp is not a positive number .*<0\.2 or >10/, bad);
    }
    const changing = buildDataset(
      header,
      [...good, row('5', 'PBO', '4', '20', '30', '<0.2'), row('5', 'PBO', '8', '20', '30', '0.1')],
      spec,
    );
    assert.equal(changing.ok, false);
    assert.match(messages(changing).join('\n'), /another baseline biomarker than on an earlier line/);
  });
  it('a negative score (a missing-value code such as -9?) is analysed but named, with its lines', () => {
    const r = buildDataset(header, [...good, row('3', 'PBO', '8', '-9'), row('4', 'TOCI', '8', '12', '-99')], spec);
    assert.ok(r.ok);
    assert.deepEqual(
      r.issues.filter((i) => i.code === 'analysis.score.negative').map((i) => [i.severity, i.message]),
      [
        [
          'warning',
          'negative score in column madrs or base (a missing-value code such as -9? write missing values as empty cells); analysed as a score: 2 rows (lines 6, 7)',
        ],
      ],
    );
    // A change may be negative: with --outcome-type change only the baseline is a score.
    const change = buildDataset(header, [...good, row('3', 'PBO', '8', '-9')], { ...spec, outcomeType: 'change' });
    assert.ok(change.ok && !change.issues.some((i) => i.code === 'analysis.score.negative'));
  });
  it('an empty baseline is a missing baseline (warned), a non-numeric one an error', () => {
    const r = buildDataset(header, [...good, row('3', 'PBO', '4', '20', ''), row('3', 'PBO', '8', '18', 'NA')], spec);
    assert.ok(r.ok);
    const three = r.value.rows.filter((x) => x.subject === '3');
    assert.deepEqual(
      three.map((x) => [x.baseline, x.change, x.scoreWithoutBaseline]),
      [
        [null, null, 20],
        [null, null, 18],
      ],
    );
    assert.match(
      r.issues.find((i) => i.code === 'analysis.baseline.missing')?.message ?? '',
      /^1 subject without a baseline score: left out of the ANCOVA, the MMRM and the biomarker model/,
    );
    // With --outcome-type change the change stands; there is no score to read.
    const change = buildDataset(header, [...good, row('3', 'PBO', '8', '-6', '')], { ...spec, outcomeType: 'change' });
    assert.ok(change.ok);
    assert.deepEqual(
      change.value.rows.filter((x) => x.subject === '3').map((x) => [x.change, x.scoreWithoutBaseline]),
      [[-6, undefined]],
    );
    const bad = buildDataset(header, [...good, row('3', 'PBO', '8', '18', 'thirty')], spec);
    assert.equal(bad.ok, false);
    assert.match(messages(bad).join('\n'), /baseline column base is not a number .*: 1 row \(line 6\)/);
  });
  it('a primary visit that is not in the data is an error', () => {
    const r = buildDataset(header, good, { ...spec, primaryVisit: '12' });
    assert.equal(r.ok, false);
    // The visits are named, so the one meant can be picked (visit labels are named in the visit-order warning too).
    assert.equal(messages(r)[0], '--primary-visit: visit "12" not found in column week (it holds 2 visits: 4, 8)');
    const written = buildDataset(header, good, { ...spec, primaryVisit: '8.0' });
    assert.equal(
      messages(written)[0],
      '--primary-visit: visit "8.0" not found in column week (it holds 2 visits: 4, 8; "8" is that visit\'s number written another way)',
    );
  });
  it('rows of a third arm are left out with a warning', () => {
    const r = buildDataset(header, [...good, row('9', 'OTHER', '8', '10')], spec);
    assert.ok(r.ok);
    assert.equal(r.value.otherArmRows, 1);
    assert.equal(r.issues[0]!.severity, 'warning');
  });
  it('an arm label with spaces around it is the arm, as subject and visit labels are', () => {
    const r = buildDataset(header, [...good, row('3', ' TOCI ', '8', '15'), row('3', 'TOCI', '4', '22')], spec);
    assert.ok(r.ok, messages(r).join('; '));
    assert.equal(r.value.otherArmRows, 0);
    assert.equal(r.value.subjects.filter((x) => x.arm === 'TOCI').length, 2);
  });
  it('an arm label that differs from --treatment or --control only in letter case is an error, not a third arm', () => {
    const r = buildDataset(header, [...good, row('3', 'toci', '8', '15'), row('4', 'Pbo', '8', '15')], spec);
    assert.equal(r.ok, false);
    assert.deepEqual(messages(r), [
      'arm label in column group differs from --treatment or --control only in letter case (the same arm written two ways?): 2 rows (lines 6, 7)',
    ]);
  });
  it('two visit labels with one number ("8" and "8.0", "Week 8" and "week 08") are an error, not two visits', () => {
    const numeric = buildDataset(header, [...good, row('3', 'TOCI', '8.0', '15')], spec);
    assert.equal(numeric.ok, false);
    assert.deepEqual(messages(numeric), [
      'visit labels in column week name one visit two ways (2 labels for visit number 8: "8", "8.0"): write each visit one way',
    ]);
    const named = buildDataset(
      header,
      [row('1', 'TOCI', 'Week 8', '20'), row('2', 'PBO', 'week 08', '25'), row('1', 'TOCI', 'Week 4', '25')],
      { ...spec, primaryVisit: 'Week 8' },
    );
    assert.equal(named.ok, false);
    assert.match(messages(named).join(), /2 labels for visit number 8: "Week 8", "week 08"\)/);
    // Names that differ ("D28" from one site's export, "Day 28" from the other's) are listed by appearance; no subject
    // has a row under both, so they are one visit, and the D28 subjects would be non-responders at Day 28.
    const sites = [
      ...['1', '2'].flatMap((id) => [row(id, 'TOCI', 'Day 7', '25'), row(id, 'TOCI', 'Day 28', '20')]),
      ...['3', '4'].flatMap((id) => [row(id, 'PBO', 'Day 7', '25'), row(id, 'PBO', 'D28', '22')]),
      row('5', 'PBO', 'Day 28', '24'),
    ];
    const twoWays = buildDataset(header, sites, { ...spec, primaryVisit: 'Day 28' });
    assert.equal(twoWays.ok, false);
    assert.deepEqual(messages(twoWays), [
      'visit labels in column week name one visit two ways (2 labels for visit number 28: "Day 28", "D28", and no subject has a row under more than one): write each visit one way',
    ]);
    // Two visits of one number that share subjects ("Day 4" and "Week 4") are two visits.
    const two = buildDataset(
      header,
      [
        ['1', 'TOCI'],
        ['2', 'PBO'],
      ].flatMap(([id, arm]) => [row(id!, arm!, 'Day 4', '25'), row(id!, arm!, 'Week 4', '20')]),
      { ...spec, primaryVisit: 'Week 4' },
    );
    assert.ok(two.ok, messages(two).join('; '));
    assert.deepEqual(two.value.visits, ['Day 4', 'Week 4']);
  });
  it('a baseline visit among post-baseline rows is a warning with the hint to remove those rows', () => {
    const r = buildDataset(header, [...good, row('1', 'TOCI', '0', '30')], spec);
    assert.ok(r.ok);
    const m = r.issues.find((i) => i.code === 'analysis.visit.baseline-row');
    assert.match(m?.message ?? '', /looks like the baseline visit.*column base.*remove these rows: 1 row \(line 6\)/);
  });
  it('an empty file is an error', () => {
    assert.equal(buildDataset(header, [], spec).ok, false);
  });
});

describe('visit order in the dataset', () => {
  it('warns when visits can only be listed in order of first appearance', () => {
    const relabel = (week: string): string => (week === '4' ? 'Mid' : 'End');
    const r = buildDataset(
      header,
      good.map((x) => ({ ...x, week: relabel(x.week ?? '') })),
      { ...spec, primaryVisit: 'End' },
    );
    assert.ok(r.ok);
    assert.deepEqual(r.value.visits, ['Mid', 'End']);
    assert.deepEqual(
      r.issues.filter((i) => i.code === 'analysis.visit.order').map((i) => i.severity),
      ['warning'],
    );
    assert.ok(buildDataset(header, good, spec).issues.every((i) => i.code !== 'analysis.visit.order'));
  });
});

describe('orderVisits', () => {
  it('orders numeric labels numerically (10 after 9)', () => {
    assert.deepEqual(orderVisits(['10', '2', '9', '2']), { visits: ['2', '9', '10'], byAppearance: false });
  });
  it('orders one name with numbers by the number (Week 10 after Week 9)', () => {
    assert.deepEqual(orderVisits(['Week 10', 'week 2', 'Week 9']), {
      visits: ['week 2', 'Week 9', 'Week 10'],
      byAppearance: false,
    });
    assert.deepEqual(orderVisits(['day28', 'day7']).visits, ['day7', 'day28']);
  });
  it('keeps first appearance for other labels, and says so', () => {
    assert.deepEqual(orderVisits(['Week 2', 'Day 10', 'End']), {
      visits: ['Week 2', 'Day 10', 'End'],
      byAppearance: true,
    });
    assert.equal(orderVisits(['End']).byAppearance, false);
  });
});
