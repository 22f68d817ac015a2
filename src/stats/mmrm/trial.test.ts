/**
 * fitMmrmTrial: the trial-facing wrapper. Golden against the DIA antidepressant trial
 * (reference/stats-reference/outputs/antidepressant_hamd17_reference.json, blocks mmrm_pkg["Kenward-Roger|
 * Kenward-Roger-Linear"], mmrm_pkg["Satterthwaite|Asymptotic"], mmrm_gls.reference_grid_covariate_means and
 * sas_proc_mixed_kr_published): the wrapper's formula change ~ arm * visit + baseline * visit is the reference's
 * chg ~ baseline * visit_f + arm * visit_f with columns in another order and named as R names them for this order.
 * Then the unhappy paths: invalid input gives converged: false with issues, never an exception.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertGolden, readReference } from '../golden.test-support.ts';
import { readDataset } from './datasets.test-support.ts';
import type { MmrmPkgBlock } from './mmrm-pkg.test-support.ts';
import { convergedTrialFit } from './converged.test-support.ts';
import { contrast } from './contrast.ts';
import { fitMmrm } from './fit.ts';
import { fitMmrmTrial, type MmrmTrialRow, type MmrmTrialSpec } from './trial.ts';

const SOURCE = 'stats-reference/outputs/antidepressant_hamd17_reference.json';

interface Reference {
  mmrm_pkg: Record<string, MmrmPkgBlock>;
  mmrm_gls: { reference_grid_covariate_means: { baseline: number } };
  sas_proc_mixed_kr_published: { minus2_reml_loglik: number };
}
const reference = readReference<Reference>(SOURCE);

const rows: MmrmTrialRow[] = readDataset('antidepressant_hamd17.csv').map((r) => ({
  subject: r.PATIENT!,
  arm: r.THERAPY!,
  visit: r.VISIT!,
  change: Number(r.CHANGE),
  baseline: Number(r.BASVAL),
}));
const spec: MmrmTrialSpec = {
  treatment: 'DRUG',
  control: 'PLACEBO',
  visits: ['4', '5', '6', '7'],
  primaryVisit: '7',
  stratum: false,
};
const result = convergedTrialFit(fitMmrmTrial(rows, spec));

test(`${SOURCE} via fitMmrmTrial: LS means and differences (KR-Linear and Satterthwaite), covariance, grid`, () => {
  assert.ok(result.converged);
  assert.deepEqual(result.issues, []);
  const kr = reference.mmrm_pkg['Kenward-Roger|Kenward-Roger-Linear']!;
  const sat = reference.mmrm_pkg['Satterthwaite|Asymptotic']!;
  assertGolden(result.minus2LogLik, reference.sas_proc_mixed_kr_published.minus2_reml_loglik, 'sasPrinted', '-2RLL');
  assertGolden(result.logLik, kr.reml_loglik, 'mmrm', 'mmrm_pkg reml_loglik');
  assertGolden(
    result.referenceGrid.baseline,
    reference.mmrm_gls.reference_grid_covariate_means.baseline,
    'closedForm',
    'mmrm_gls reference_grid_covariate_means.baseline',
  );
  kr.covariance_matrix.values.forEach((row, i) =>
    row.forEach((v, j) => assertGolden(result.covariance[i]![j]!, v, 'mmrm', `covariance_matrix[${i}][${j}]`)),
  );
  for (const visit of result.visits) {
    if ('available' in visit) assert.fail(`visit ${visit.visit} not estimable: ${visit.reason}`);
    for (const [arm, mine] of [
      ['DRUG', visit.lsMeans.treatment],
      ['PLACEBO', visit.lsMeans.control],
    ] as const) {
      const ref = kr.lsmeans.find((r) => r.arm === arm && r.visit_f === visit.visit)!;
      const where = `mmrm_pkg[KR-Linear] lsmeans ${arm} visit ${visit.visit}`;
      assertGolden(mine.estimate, ref.emmean!, 'mmrm', `${where} emmean`);
      assertGolden(mine.se, ref.se, 'mmrm', `${where} se`);
      assertGolden(mine.df, ref.df, 'mmrmDf', `${where} df`);
      assertGolden(mine.ci[0], ref.ci_lower, 'mmrm', `${where} ci_lower`);
    }
    for (const [block, mine, name] of [
      [kr, visit.difference.kenwardRoger, 'KR-Linear'],
      [sat, visit.difference.satterthwaite, 'Satterthwaite'],
    ] as const) {
      const ref = block.diff.find((r) => r.visit_f === visit.visit)!;
      const where = `mmrm_pkg[${name}] diff visit ${visit.visit}`;
      assertGolden(mine.estimate, ref.estimate!, 'mmrm', `${where} estimate`);
      assertGolden(mine.se, ref.se, 'mmrm', `${where} se`);
      assertGolden(mine.df, ref.df, 'mmrmDf', `${where} df`);
      assertGolden(mine.t, ref.statistic, 'mmrm', `${where} t`);
      assertGolden(mine.p, ref.p_value, 'mmrm', `${where} p`);
      assertGolden(mine.ci[1], ref.ci_upper, 'mmrm', `${where} ci_upper`);
    }
  }
  assert.equal(result.primary.visit, '7');
  assert.deepEqual(result.primary, result.visits[3]);
});

test(`${SOURCE} via fitMmrmTrial: coefficients under R's names for change ~ arm * visit + baseline * visit`, () => {
  const kr = reference.mmrm_pkg['Kenward-Roger|Kenward-Roger-Linear']!;
  // Reference term -> wrapper column: visit_f7 -> visit7, visit_f7:armDRUG -> armDRUG:visit7, baseline:visit_f7 ->
  // baseline:visit7.
  const rename = (term: string) => term.replace(/^visit_f(\d):armDRUG$/, 'armDRUG:visit$1').replace(/visit_f/, 'visit');
  assert.deepEqual(
    result.coefficients.map((c) => c.name),
    [
      '(Intercept)',
      'armDRUG',
      'visit5',
      'visit6',
      'visit7',
      'baseline',
      'armDRUG:visit5',
      'armDRUG:visit6',
      'armDRUG:visit7',
      'baseline:visit5',
      'baseline:visit6',
      'baseline:visit7',
    ],
  );
  for (const c of kr.coefficients) {
    const mine = result.coefficients.find((m) => m.name === rename(c.term));
    assert.ok(mine, `column for ${c.term}`);
    assertGolden(mine.estimate, c.estimate, 'mmrm', `mmrm_pkg[KR-Linear] ${c.term} estimate`);
    assertGolden(mine.se, c.se, 'mmrm', `mmrm_pkg[KR-Linear] ${c.term} se`);
    assertGolden(mine.df, c.df, 'mmrmDf', `mmrm_pkg[KR-Linear] ${c.term} df`);
  }
});

test('fitMmrmTrial: a null change is left out (missing at random), exactly as dropping the row', () => {
  const isTarget = (r: MmrmTrialRow) => r.subject === '1503' && r.visit === '7';
  assert.equal(rows.filter(isTarget).length, 1);
  const nulled = fitMmrmTrial(
    rows.map((r) => (isTarget(r) ? { ...r, change: null } : r)),
    spec,
  );
  const dropped = fitMmrmTrial(
    rows.filter((r) => !isTarget(r)),
    spec,
  );
  assert.ok(nulled.converged && dropped.converged);
  assert.equal(nulled.observations, result.observations - 1);
  assert.equal(nulled.minus2LogLik, dropped.minus2LogLik);
  assert.notEqual(nulled.minus2LogLik, result.minus2LogLik);
});

test('fitMmrmTrial: a 0/1 stratum enters the model as a covariate and the LS means at 0.5 (equal weights)', () => {
  // A stratum that is a function of baseline (>= 20) must be accepted and reported in the reference grid.
  const stratified = rows.map((r) => ({ ...r, stratum: r.baseline >= 20 ? 1 : 0 }));
  const fit = fitMmrmTrial(stratified, { ...spec, stratum: true });
  assert.ok(fit.converged);
  assert.equal(fit.referenceGrid.stratum, 0.5);
  assert.notEqual(stratified.reduce((s, r) => s + r.stratum, 0) / stratified.length, 0.5);
  assert.ok(fit.coefficients.some((c) => c.name === 'stratum'));
  // A covariate changes the estimate a little but not the structure of the result.
  assert.notEqual(fit.primary.difference.kenwardRoger.estimate, result.primary.difference.kenwardRoger.estimate);
});

test('fitMmrmTrial: invalid input gives converged false with a reason and issues, no estimate, never an exception', () => {
  const cases: [MmrmTrialRow[], MmrmTrialSpec, string][] = [
    [rows, { ...spec, primaryVisit: '9' }, 'stats.mmrm.primary-visit'],
    [rows, { ...spec, treatment: 'PLACEBO' }, 'stats.mmrm.arms'],
    [[...rows, { ...rows[0]!, subject: 'X', arm: 'OTHER' }], spec, 'stats.mmrm.unknown-arm'],
    [[...rows, { ...rows[0]!, subject: 'X', visit: '8' }], spec, 'stats.mmrm.unknown-visit'],
    [[...rows, { ...rows[0]! }], spec, 'stats.mmrm.duplicate-visit'],
    [
      [...rows, { ...rows[0]!, visit: '9', arm: 'PLACEBO' }],
      { ...spec, visits: [...spec.visits, '9'] },
      'stats.mmrm.arm-changes',
    ],
    [[...rows, { ...rows[0]!, subject: 'X', baseline: Number.NaN }], spec, 'stats.mmrm.baseline'],
    [rows, { ...spec, stratum: true }, 'stats.mmrm.stratum'],
    [rows.map((r) => ({ ...r, change: null })), spec, 'stats.mmrm.no-data'],
    // No placebo data at visit 7: the arm-by-visit column is aliased, the LS mean not estimable.
    [rows.filter((r) => !(r.arm === 'PLACEBO' && r.visit === '7')), spec, 'stats.mmrm.rank-deficient'],
  ];
  for (const [data, s, code] of cases) {
    const out = fitMmrmTrial(data, s);
    assert.equal(out.converged, false, code);
    assert.ok(
      out.issues.some((i) => i.code === code),
      `${code} in ${out.issues.map((i) => i.code).join(', ')}`,
    );
    // No estimate at all, not even a NaN one: the failure is converged, reason and issues only.
    assert.deepEqual(Object.keys(out).sort(), ['converged', 'issues', 'reason'], code);
    assert.ok(out.reason.length > 0, code);
  }
});

test('fitMmrmTrial: TypeScript refuses an estimate read from a result whose convergence was not checked', () => {
  const out = fitMmrmTrial(rows, { ...spec, primaryVisit: '9' });
  // @ts-expect-error: `primary` exists only on a converged result (MmrmTrialFit); narrow on `converged` first.
  const unchecked: unknown = out.primary;
  assert.equal(unchecked, undefined);
  // @ts-expect-error: likewise the covariance, coefficients and -2 log L.
  assert.equal(out.minus2LogLik, undefined);
  if (!out.converged) assert.match(out.reason, /primary visit 9/);
  else assert.fail('an unknown primary visit must not converge');
});

/**
 * The same model in the cell-means parameterisation (one column per arm and visit observed, baseline by visit): its
 * columns span those the trial design keeps, so every estimable LS mean and difference must agree to the fit's
 * precision, Kenward-Roger included (invariant to a full-rank reparameterisation of X).
 */
function cellMeansFit(data: readonly MmrmTrialRow[], withBaseline = true) {
  const analysed = data.filter((r) => r.change !== null);
  const cells = [...new Set(analysed.map((r) => `${r.arm}@${r.visit}`))];
  const columns = [...cells, ...(withBaseline ? spec.visits.map((v) => `baseline@${v}`) : [])];
  const fit = fitMmrm(
    {
      subject: analysed.map((r) => r.subject),
      visitIndex: analysed.map((r) => spec.visits.indexOf(r.visit)),
      y: analysed.map((r) => r.change as number),
      X: analysed.map((r) => [
        ...cells.map((c) => (c === `${r.arm}@${r.visit}` ? 1 : 0)),
        ...(withBaseline ? spec.visits.map((v) => (v === r.visit ? r.baseline : 0)) : []),
      ]),
      columnNames: columns,
      visitCount: spec.visits.length,
    },
    { method: 'REML' },
  );
  assert.ok(fit.ok && fit.value.converged);
  const meanBaseline = analysed.reduce((sum, r) => sum + r.baseline, 0) / analysed.length;
  const lsRow = (arm: string, visit: string) =>
    columns.map((c) => (c === `${arm}@${visit}` ? 1 : c === `baseline@${visit}` ? meanBaseline : 0));
  return { fit: fit.value, lsRow };
}

test('fitMmrmTrial: an arm without outcomes at a visit other than the primary one: its aliased term is dropped, as R mmrm and SAS do, and the rest estimated', () => {
  for (const gap of ['5', '4']) {
    // No DRUG outcome at week 2 (visit 5: armDRUG:visit5 is a zero column) or week 1 (visit 4, the reference level:
    // armDRUG:visit7 becomes armDRUG minus the other arm-by-visit columns, so another column is dropped).
    const data = rows.map((r) => (r.arm === 'DRUG' && r.visit === gap ? { ...r, change: null } : r));
    const fit = convergedTrialFit(fitMmrmTrial(data, spec));
    const warning = fit.issues.find((i) => i.code === 'stats.mmrm.aliased');
    assert.ok(warning && warning.severity === 'warning', gap);
    assert.match(warning.message, gap === '5' ? /aliased columns armDRUG:visit5 dropped/ : /armDRUG:visit7 dropped/);
    assert.match(warning.message, new RegExp(`not estimable at visit ${gap} \\(no DRUG outcome at visit ${gap}\\)`));
    assert.deepEqual(fit.visits[spec.visits.indexOf(gap)], {
      visit: gap,
      available: false,
      reason: `not estimable: no DRUG outcome at visit ${gap}`,
    });
    const cellMeans = cellMeansFit(data);
    for (const visit of fit.visits) {
      if ('available' in visit) continue;
      const where = `gap ${gap}, visit ${visit.visit}`;
      const treatment = cellMeans.lsRow('DRUG', visit.visit);
      const control = cellMeans.lsRow('PLACEBO', visit.visit);
      const difference = treatment.map((v, j) => v - control[j]!);
      for (const [mine, row, method] of [
        [visit.lsMeans.treatment, treatment, 'kenward-roger'],
        [visit.lsMeans.control, control, 'kenward-roger'],
        [visit.difference.kenwardRoger, difference, 'kenward-roger'],
        [visit.difference.satterthwaite, difference, 'satterthwaite'],
      ] as const) {
        const expected = contrast(cellMeans.fit, row, method);
        assertGolden(mine.estimate, expected.estimate, 'mmrm', `${where} ${method} estimate`);
        assertGolden(mine.se, expected.se, 'mmrm', `${where} ${method} se`);
        assertGolden(mine.df, expected.df, 'mmrmDf', `${where} ${method} df`);
      }
    }
    assert.equal(fit.visits.filter((v) => 'available' in v).length, 1);
    assert.equal(fit.primary.visit, '7');
  }
});

test('fitMmrmTrial: a visit without any outcome is left out of the model (R mmrm drops the visit level) and listed as not estimable', () => {
  const data = rows.map((r) => (r.visit === '5' ? { ...r, change: null } : r));
  const fit = convergedTrialFit(fitMmrmTrial(data, spec));
  const without = convergedTrialFit(
    fitMmrmTrial(
      rows.filter((r) => r.visit !== '5'),
      { ...spec, visits: ['4', '6', '7'] },
    ),
  );
  assert.equal(fit.minus2LogLik, without.minus2LogLik);
  assert.deepEqual(fit.primary, without.primary);
  assert.deepEqual(fit.covarianceVisits, ['4', '6', '7']);
  assert.deepEqual(fit.visits[1], { visit: '5', available: false, reason: 'not estimable: no outcome at visit 5' });
  assert.ok(fit.issues.some((i) => i.code === 'stats.mmrm.empty-visit' && i.severity === 'warning'));
  // At the primary visit nothing is left to estimate: refused.
  const primaryEmpty = fitMmrmTrial(
    rows.map((r) => (r.visit === '7' ? { ...r, change: null } : r)),
    spec,
  );
  assert.equal(primaryEmpty.converged, false);
  assert.match(primaryEmpty.converged ? '' : primaryEmpty.reason, /no outcome at the primary visit 7/);
});

test('fitMmrmTrial: a baseline equal in every subject is dropped with its visit slopes (as R lm and mmrm), not refused', () => {
  const data = rows.map((r) => ({ ...r, baseline: 20 }));
  const fit = convergedTrialFit(fitMmrmTrial(data, spec));
  assert.match(
    fit.issues.find((i) => i.code === 'stats.mmrm.aliased')?.message ?? '',
    /^aliased columns baseline, baseline:visit5, baseline:visit6, baseline:visit7 dropped .*every visit is still estimated/,
  );
  const cellMeans = cellMeansFit(data, false);
  const treatment = cellMeans.lsRow('DRUG', '7');
  const difference = treatment.map((v, j) => v - cellMeans.lsRow('PLACEBO', '7')[j]!);
  const expected = contrast(cellMeans.fit, difference, 'kenward-roger');
  assertGolden(fit.primary.difference.kenwardRoger.estimate, expected.estimate, 'mmrm', 'estimate');
  assertGolden(fit.primary.difference.kenwardRoger.se, expected.se, 'mmrm', 'se');
  assertGolden(fit.primary.difference.kenwardRoger.df, expected.df, 'mmrmDf', 'df');
  assertGolden(
    fit.primary.lsMeans.treatment.estimate,
    contrast(cellMeans.fit, treatment, 'kenward-roger').estimate,
    'mmrm',
    'LS mean',
  );
});
