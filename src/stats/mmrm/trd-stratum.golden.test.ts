/**
 * Golden: the trial MMRM with a 0/1 stratum (fitMmrmTrial, stratum: true) on the seeded simulated TRD trial
 * reference/r/trd_madrs_crp.csv, against our own R fixture reference/r/mmrm_trd_stratum.json
 * (reference/r/mmrm_trd_stratum.R: nlme::gls corSymm + varIdent REML, emmeans). gls reaches the REML optimum only
 * to ~1e-5 in the estimates (reference/stats-reference/README.md section 0), below TOLERANCE.mmrm, so this file
 * checks what gls gives exactly: the -2RLL, that our optimum is at least as good, and emmeans' reference grid
 * (the LS-means linear functions, where the 0/1 stratum enters at 0.5). The estimates and df of this model are
 * covered by the mmrm/SAS goldens of the same formula without the stratum (trial.test.ts).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { assertGolden, readReference, referencePath } from '../golden.test-support.ts';
import { buildDesign } from './design.ts';
import { referenceGridRow } from './lsmeans.ts';
import { convergedTrialFit } from './converged.test-support.ts';
import { fitMmrmTrial, trialDesignSpec, type MmrmTrialRow, type MmrmTrialSpec } from './trial.ts';

const SOURCE = 'r/mmrm_trd_stratum.json';

interface Reference {
  n_obs: number;
  n_subjects: number;
  minus2_reml_loglik: number;
  reference_grid_covariate_means: { baseline_madrs: number; crp_high: number };
  lsmeans_linfct: { colnames: string[]; rows: { arm: string; week_f: string; L: number[] }[] };
}

const reference = readReference<Reference>(SOURCE);
const rows: MmrmTrialRow[] = readFileSync(referencePath('r/trd_madrs_crp.csv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => {
    const [subject, arm, week, madrs, baseline, crp] = line.split(',');
    return {
      subject: subject!,
      arm: arm!,
      visit: week!,
      change: madrs === '' ? null : Number(madrs) - Number(baseline),
      baseline: Number(baseline),
      stratum: Number(crp) >= 3 ? 1 : 0,
    };
  });
const spec: MmrmTrialSpec = {
  treatment: 'TOCILIZUMAB',
  control: 'PLACEBO',
  visits: ['1', '2', '4', '8'],
  primaryVisit: '8',
  stratum: true,
};
const result = convergedTrialFit(fitMmrmTrial(rows, spec));

test(`${SOURCE}: -2RLL of the stratified trial MMRM, and ours is at least as low as gls's`, () => {
  assert.ok(result.converged);
  assert.equal(result.observations, reference.n_obs);
  assert.equal(result.subjects, reference.n_subjects);
  assertGolden(result.minus2LogLik, reference.minus2_reml_loglik, 'mmrm', `${SOURCE} minus2_reml_loglik`);
  assert.ok(result.minus2LogLik <= reference.minus2_reml_loglik, 'optimum not worse than gls');
});

test(`${SOURCE} lsmeans_linfct: the LS-means grid rows equal emmeans' (baseline at its mean, stratum at 0.5)`, () => {
  assertGolden(
    result.referenceGrid.baseline,
    reference.reference_grid_covariate_means.baseline_madrs,
    'closedForm',
    `${SOURCE} reference_grid_covariate_means.baseline_madrs`,
  );
  assert.equal(result.referenceGrid.stratum, 0.5);
  const design = trialDesignSpec(
    rows.filter((r) => r.change !== null),
    spec,
  );
  const built = buildDesign(design);
  assert.ok(built.ok);
  // R column -> ours: week_f -> visit, baseline_madrs -> baseline, crp_high -> stratum, week_f8:baseline_madrs ->
  // baseline:visit8.
  const rename = (name: string) =>
    name
      .replace(/^week_f(\d):baseline_madrs$/, 'baseline:visit$1')
      .replace('week_f', 'visit')
      .replace('baseline_madrs', 'baseline')
      .replace('crp_high', 'stratum');
  const { colnames } = reference.lsmeans_linfct;
  assert.deepEqual(colnames.map(rename).sort(), [...built.value.columnNames].sort());
  for (const row of reference.lsmeans_linfct.rows) {
    const ours = referenceGridRow(
      design,
      built.value.columns,
      { arm: row.arm, visit: row.week_f },
      {
        baseline: result.referenceGrid.baseline,
        stratum: result.referenceGrid.stratum!,
      },
    );
    row.L.forEach((value, j) => {
      const k = built.value.columnNames.indexOf(rename(colnames[j]!));
      assertGolden(
        ours[k]!,
        value,
        'closedForm',
        `${SOURCE} lsmeans_linfct ${row.arm} week ${row.week_f} ${colnames[j]}`,
      );
    });
  }
});
