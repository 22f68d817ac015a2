/**
 * analyzeTrial in process, on our simulated MADRS/CRP trial (reference/r/trd_madrs_crp.csv): how blocks that cannot
 * be computed are reported, responder counting under NRI vs observed cases, the text summary, and the HTML report.
 * The numbers themselves are checked against R in src/stats/*.test.ts and src/cli/commands/analyze.test.ts.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { referencePath } from '../stats/golden.test-support.ts';
import { analyzeTrial, likelyNonConvergenceCause, type AnalysisOptions } from './analyze.ts';
import { buildDataset, type DatasetSpec, type TrialDataset } from './dataset.ts';
import { fmt, fmtCi, fmtNnt, fmtP, fmtPercent, fmtPIs, fmtRatio } from './format.ts';
import { compareBinary } from '../stats/binary.ts';
import { fitMmrmTrial } from '../stats/mmrm/index.ts';
import { forestRows } from './plots.ts';
import { renderHtmlReport } from './report-html.ts';
import { analysisSummary } from './text-summary.ts';

const text = readFileSync(referencePath('r/trd_madrs_crp.csv'), 'utf8');
const records = parse(text, { columns: true, skip_empty_lines: true }) as Record<string, string>[];
const header = Object.keys(records[0]!);
const spec: DatasetSpec = {
  columns: {
    subject: 'subject',
    arm: 'arm',
    visit: 'week',
    outcome: 'madrs',
    baseline: 'baseline_madrs',
    biomarker: 'crp',
  },
  treatment: 'TOCILIZUMAB',
  control: 'PLACEBO',
  primaryVisit: '8',
  outcomeType: 'score',
};
const built = buildDataset(header, records, spec);
assert.ok(built.ok);
const ds: TrialDataset = built.value;
const options: AnalysisOptions = {
  responseReduction: 0.5,
  remissionMax: 10,
  effectsAt: [1, 3, 10],
  level: 0.95,
  biomarkerCut: 3,
};

describe('analyzeTrial', () => {
  it('subjects without a biomarker are named as left out of the stratified MMRM, which gets none of their rows', () => {
    const first = ds.rows[0]!.subject;
    const withGap: TrialDataset = {
      ...ds,
      rows: ds.rows.map((r) => (r.subject === first ? { ...r, biomarker: null } : r)),
    };
    let rowsSeen: readonly { subject: string }[] = [];
    const r = analyzeTrial(withGap, options, 'x.csv', (rows) => {
      rowsSeen = rows;
      return 'not fitted in this test';
    });
    assert.ok(
      r.issues.some(
        (i) =>
          i.code === 'analysis.biomarker.missing' &&
          /^1 subject without a biomarker value is left out of the MMRM too/.test(i.message),
      ),
    );
    assert.ok(!rowsSeen.some((row) => row.subject === first));
    assert.ok(!analyzeTrial(ds, options, 'x.csv', 'n/a').issues.some((i) => i.code === 'analysis.biomarker.missing'));
  });
  it('with no biomarker in any subject, the stratified ANCOVA and MMRM say the subjects were left out for it', () => {
    const none: TrialDataset = { ...ds, rows: ds.rows.map((r) => ({ ...r, biomarker: null })) };
    const r = analyzeTrial(none, options, 'x.csv', fitMmrmTrial);
    assert.ok('available' in r.ancova && !r.ancova.available);
    assert.match(
      r.ancova.reason,
      /^\d+ subjects without a biomarker .* left out of the stratified ANCOVA; need >= 2 analysed subjects per arm \(have 0 and 0\)$/,
    );
    assert.deepEqual(r.mmrm, {
      available: false,
      reason:
        'MMRM not fitted: no TOCILIZUMAB outcome at the primary visit 8 from a subject with a baseline and a biomarker stratum (the model needs both; the TOCILIZUMAB outcomes there are all from subjects without), so the treatment difference there cannot be estimated',
    });
  });
  it('every block that cannot be computed is recorded one way: in its place with its reason, never as an issue', async () => {
    const none: TrialDataset = { ...ds, rows: ds.rows.map((r) => ({ ...r, biomarker: null })) };
    const r = analyzeTrial(none, options, 'x.csv', fitMmrmTrial);
    assert.ok('available' in r.ancova && 'available' in r.mmrm && 'available' in r.interaction);
    // The ANCOVA and the interaction model failed as the MMRM did: none of them is also an error in `issues`.
    assert.deepEqual(
      r.issues.filter((i) => i.severity === 'error'),
      [],
    );
    const s = analysisSummary(r);
    assert.doesNotMatch(s, /^error:/m);
    assert.match(s, /^ANCOVA: not available \(.*need >= 2 analysed subjects per arm/m);
    assert.match(s, /^MMRM: not available \(MMRM not fitted: /m);
    const html = await renderHtmlReport(r, []);
    assert.doesNotMatch(html, /<li>error: /);
    assert.match(html, /Not available: .*need &gt;= 2 analysed subjects per arm/);
  });
  it('Hedges g is given with its own n, which can differ from the stratified ANCOVA n', async () => {
    // One subject with a primary-visit outcome but no biomarker: out of the stratified ANCOVA, in Hedges g.
    const first = ds.rows.find((r) => r.visit === '8' && r.change !== null)!.subject;
    const noCrp: TrialDataset = {
      ...ds,
      rows: ds.rows.map((r) => (r.subject === first ? { ...r, biomarker: null } : r)),
    };
    const r = analyzeTrial(noCrp, options, 'x.csv', 'n/a');
    assert.ok(!('available' in r.ancova) && !('available' in r.hedgesG));
    const g = r.hedgesG;
    assert.equal(g.n.treatment + g.n.control, r.ancova.n.total + 1);
    assert.match(
      analysisSummary(r),
      new RegExp(
        `^Hedges g \\(change at the primary visit, observed cases, n = ${g.n.treatment} TOCILIZUMAB \\+ ${g.n.control} PLACEBO\\): `,
        'm',
      ),
    );
    const html = await renderHtmlReport(r, []);
    assert.match(html, new RegExp(`observed cases \\(n = ${g.n.treatment} TOCILIZUMAB, ${g.n.control} PLACEBO;`));
  });
  it('the MMRM is reported with its n: subjects and outcomes of the fit, as R (gls n_subjects 120, n_obs 451)', async () => {
    const golden = JSON.parse(readFileSync(referencePath('r/mmrm_trd_stratum.json'), 'utf8')) as {
      n_obs: number;
      n_subjects: number;
    };
    const r = analyzeTrial(ds, options, 'x.csv', fitMmrmTrial);
    assert.ok(!('available' in r.mmrm && r.mmrm.available === false));
    assert.equal(r.mmrm.subjects, golden.n_subjects);
    assert.equal(r.mmrm.observations, golden.n_obs);
    assert.match(
      analysisSummary(r),
      /^MMRM at the primary visit \(unstructured, REML, 120 subjects, 451 outcomes\): /m,
    );
    assert.match(await renderHtmlReport(r, []), /REML, 120 subjects with 451 post-baseline outcomes, converged/);
  });
  it('an unavailable MMRM is reported with its reason, not faked', () => {
    const r = analyzeTrial(ds, options, 'x.csv', 'MMRM module not installed');
    assert.deepEqual(r.mmrm, { available: false, reason: 'MMRM module not installed' });
    assert.equal(r.schema, 'precision-trd/analysis@1');
  });
  it('an MMRM that throws becomes an unavailable block', () => {
    const r = analyzeTrial(ds, options, 'x.csv', () => {
      throw new Error('boom');
    });
    assert.equal(r.mmrm.available, false);
    assert.match((r.mmrm as { reason: string }).reason, /MMRM failed: boom/);
  });
  it('a non-converged MMRM with no numbers is unavailable and says why', () => {
    const nan = { estimate: NaN, se: NaN, df: NaN, t: NaN, p: NaN, ci: [NaN, NaN] as const };
    const failed = {
      converged: false,
      visits: [],
      primary: {
        visit: '8',
        lsMeans: { treatment: null, control: null },
        difference: { kenwardRoger: nan, satterthwaite: nan },
      },
      covariance: [],
      iterations: 0,
      logLik: NaN,
      issues: [{ code: 'x', severity: 'error', message: 'Hessian not positive definite' }],
    };
    const r = analyzeTrial(ds, options, 'x.csv', () => failed);
    assert.equal(r.mmrm.available, false);
    assert.match((r.mmrm as { reason: string }).reason, /did not converge: Hessian not positive definite/);
  });
  it('a non-converged MMRM that stopped with numbers is still unavailable, with the fitter reason', () => {
    const stopped = { estimate: -1.49, se: 1.57, df: 27, t: -0.95, p: 0.35, ci: [-4.7, 1.7] as const };
    const fit = {
      converged: false,
      visits: [],
      primary: {
        visit: '8',
        lsMeans: { treatment: null, control: null },
        difference: { kenwardRoger: stopped, satterthwaite: stopped },
      },
      covariance: [],
      iterations: 200,
      logLik: -10,
      issues: [
        { code: 'stats.mmrm.max-iterations', severity: 'warning', message: 'no convergence within 200 iterations' },
      ],
    };
    const r = analyzeTrial(ds, options, 'x.csv', () => fit);
    assert.deepEqual(r.mmrm, {
      available: false,
      reason: 'MMRM did not converge: no convergence within 200 iterations',
    });
    assert.doesNotMatch(analysisSummary(r), /-1\.49|0\.35/);
  });
  it('a visit without any outcome is left out of the covariance, and covarianceVisits names its rows', () => {
    const empty: TrialDataset = {
      ...ds,
      rows: ds.rows.map((row) => (row.visit === '2' ? { ...row, change: null } : row)),
    };
    const r = analyzeTrial(empty, options, 'x.csv', fitMmrmTrial);
    assert.ok(r.mmrm.available, r.mmrm.available ? '' : r.mmrm.reason);
    const kept = ds.visits.filter((v) => v !== '2');
    assert.deepEqual(r.mmrm.covarianceVisits, kept);
    assert.equal(r.mmrm.covariance.length, kept.length);
    assert.ok(r.mmrm.covariance.every((row) => row.length === kept.length));
    const full = analyzeTrial(ds, options, 'x.csv', fitMmrmTrial);
    assert.ok(full.mmrm.available);
    assert.deepEqual(full.mmrm.covarianceVisits, ds.visits);
  });
  it('an arm without any outcome at a non-primary visit: that visit is not estimable, the primary visit is (as R mmrm and SAS)', () => {
    const gap: TrialDataset = {
      ...ds,
      rows: ds.rows.map((row) => (row.arm === ds.treatment && row.visit === '2' ? { ...row, change: null } : row)),
    };
    const r = analyzeTrial(gap, options, 'x.csv', fitMmrmTrial);
    assert.ok(r.mmrm.available, r.mmrm.available ? '' : r.mmrm.reason);
    assert.deepEqual(r.mmrm.visits[gap.visits.indexOf('2')], {
      visit: '2',
      available: false,
      reason: 'not estimable: no TOCILIZUMAB outcome at visit 2',
    });
    assert.ok(Number.isFinite(r.mmrm.kenwardRoger.estimate) && r.mmrm.kenwardRoger.se > 0);
    const warning = r.issues.find((i) => i.code === 'stats.mmrm.aliased');
    assert.ok(warning && warning.severity === 'warning');
    assert.match(warning.message, /armTOCILIZUMAB:visit2 dropped .*not estimable at visit 2 \(no TOCILIZUMAB outcome/);
    assert.match(analysisSummary(r), /warning: aliased columns armTOCILIZUMAB:visit2 dropped/);
  });
  it('one subject in an arm: the MMRM refuses it as the ANCOVA does, at the primary visit and at another visit', () => {
    const treated = [...new Set(ds.rows.filter((r) => r.arm === ds.treatment).map((r) => r.subject))];
    const onlyOneAt = (visit: string): TrialDataset => ({
      ...ds,
      rows: ds.rows.map((row) =>
        row.arm === ds.treatment && row.visit === visit && row.subject !== treated[0] ? { ...row, change: null } : row,
      ),
    });
    const primary = analyzeTrial(onlyOneAt('8'), options, 'x.csv', fitMmrmTrial);
    assert.ok('available' in primary.ancova);
    assert.match(primary.ancova.reason, /need >= 2 analysed subjects per arm \(have 1 and \d+\)/);
    assert.ok(!primary.mmrm.available);
    assert.match(
      primary.mmrm.reason,
      /^MMRM not fitted: need >= 2 analysed subjects per arm \(have 1 and \d+\) at the primary visit 8$/,
    );
    assert.ok('available' in primary.hedgesG);
    const other = analyzeTrial(onlyOneAt('2'), options, 'x.csv', fitMmrmTrial);
    assert.ok(other.mmrm.available, other.mmrm.available ? '' : other.mmrm.reason);
    assert.deepEqual(other.mmrm.visits[ds.visits.indexOf('2')], {
      visit: '2',
      available: false,
      reason: `need >= 2 analysed subjects per arm (have 1 and ${new Set(ds.rows.filter((r) => r.arm === ds.control && r.visit === '2' && r.change !== null && r.baseline !== null).map((r) => r.subject)).size}) at visit 2`,
    });
  });
  it('an arm without any outcome at the primary visit: the MMRM is refused, naming the arm and the visit', () => {
    const gap: TrialDataset = {
      ...ds,
      rows: ds.rows.map((row) => (row.arm === ds.control && row.visit === '8' ? { ...row, change: null } : row)),
    };
    let called = false;
    const r = analyzeTrial(gap, options, 'x.csv', (rows, spec) => {
      called = true;
      return fitMmrmTrial(rows, spec);
    });
    assert.deepEqual(r.mmrm, {
      available: false,
      reason:
        'MMRM not fitted: no PLACEBO outcome at the primary visit 8, so the treatment difference there cannot be estimated',
    });
    assert.equal(called, false);
  });
  it('baseline rows among the visits: the MMRM names them as the cause, before the fitter guess', () => {
    const firstRows = records.filter((x, i) => records.findIndex((y) => y.subject === x.subject) === i);
    const withBaseline = [...records, ...firstRows.map((x) => ({ ...x, week: '0', madrs: x.baseline_madrs ?? '' }))];
    const b = buildDataset(header, withBaseline, spec);
    assert.ok(b.ok);
    assert.ok(b.issues.some((i) => i.code === 'analysis.visit.baseline-row'));
    const r = analyzeTrial(b.value, { ...options, biomarkerCut: undefined }, 'x.csv', fitMmrmTrial);
    assert.equal(r.mmrm.available, false);
    assert.match(
      (r.mmrm as { reason: string }).reason,
      /^MMRM did not converge: visit "0" looks like the baseline visit \(warning analysis.visit.baseline-row\)/,
    );
  });
  it('the MMRM receives every long row with the 0/1 stratum and the ordered visits', () => {
    let seen: { rows: number; stratum: unknown; visits: readonly string[] } | undefined;
    analyzeTrial(ds, options, 'x.csv', (rows, spec) => {
      seen = { rows: rows.length, stratum: rows[0]!.stratum, visits: spec.visits };
      throw new Error('stop');
    });
    assert.equal(seen?.rows, ds.rows.length);
    assert.ok(seen?.stratum === 0 || seen?.stratum === 1);
    assert.deepEqual(seen?.visits, ['1', '2', '4', '8']);
  });
  it('NRI counts every randomised subject; observed cases only those seen at the primary visit', () => {
    const r = analyzeTrial(ds, options, 'x.csv', 'off');
    assert.ok(!('available' in r.response));
    assert.equal(r.response.treatment.n + r.response.control.n, 120);
    const observed = r.response.observed;
    assert.ok(!('available' in observed));
    assert.equal(observed.treatment.n + observed.control.n, 100);
    assert.ok(observed.treatment.events === r.response.treatment.events);
  });
  it('a baseline score of 0 has no percentage reduction: not a responder (0 to 0 is no 50% reduction), with a warning', () => {
    // Two treated subjects seen at the primary visit, with baseline 0 and an unchanged score of 0.
    const zeroed = ds.subjects
      .filter((x) => x.arm === ds.treatment)
      .filter((x) => ds.rows.some((r) => r.subject === x.subject && r.visit === ds.primaryVisit && r.change !== null))
      .slice(0, 2)
      .map((x) => x.subject);
    const zero: TrialDataset = {
      ...ds,
      subjects: ds.subjects.map((x) => (zeroed.includes(x.subject) ? { ...x, baseline: 0 } : x)),
      rows: ds.rows.map((r) => (zeroed.includes(r.subject) ? { ...r, baseline: 0, change: 0 } : r)),
    };
    const before = analyzeTrial(ds, options, 'x.csv', 'off');
    const after = analyzeTrial(zero, options, 'x.csv', 'off');
    assert.ok(!('available' in before.response) && !('available' in after.response));
    assert.ok(!('available' in before.response.observed) && !('available' in after.response.observed));
    const wasResponder = zeroed.filter((subject) => {
      const x = ds.subjects.find((y) => y.subject === subject)!;
      const change = ds.rows.find((r) => r.subject === subject && r.visit === ds.primaryVisit)!.change!;
      return change <= -0.5 * x.baseline!;
    }).length;
    // NRI: same denominator, the two counted as non-responders; observed cases: the two left out.
    assert.equal(after.response.treatment.n, before.response.treatment.n);
    assert.equal(after.response.treatment.events, before.response.treatment.events - wasResponder);
    assert.equal(after.response.observed.treatment.n, before.response.observed.treatment.n - 2);
    assert.equal(after.response.observed.treatment.events, before.response.observed.treatment.events - wasResponder);
    const warning = after.issues.find((i) => i.code === 'analysis.response.baseline-not-positive');
    assert.ok(warning && warning.severity === 'warning');
    assert.match(warning.message, /^2 subjects with a baseline score of 0 or less/);
    assert.ok(!before.issues.some((i) => i.code === 'analysis.response.baseline-not-positive'));
    // The JSON repeats the rule among its conventions.
    assert.ok(after.conventions.some((c) => c.startsWith('response needs a baseline above 0')));
    // Remission is a post score, defined at baseline 0: the two (score 0) are remitters.
    assert.ok(!('available' in after.remission) && !('available' in after.remission.observed));
    assert.equal(after.remission.observed.treatment.n, before.response.observed.treatment.n);
  });
  it('an hs-CRP beyond the assay limit (<0.2, >10) keeps its stratum in the ANCOVA and MMRM, and is left out of the ln model', () => {
    const subjects = [...new Set(records.map((x) => x.subject!))];
    const low = subjects.slice(0, 3);
    const high = subjects.slice(3, 5);
    const unplaced = subjects.slice(5, 6);
    // The same trial three ways: censored cells; exact values on the same side of the cut 3 (the stratified models
    // must not change); no biomarker for them (the ln model must equal that).
    const build = (crpOf: (subject: string, crp: string) => string) => {
      const b = buildDataset(
        header,
        records.map((x) => ({ ...x, crp: crpOf(x.subject!, x.crp!) })),
        spec,
      );
      assert.ok(b.ok, b.ok ? '' : b.issues.map((i) => i.message).join('; '));
      return b;
    };
    const censored = build((id, crp) =>
      low.includes(id) ? '<0.2' : high.includes(id) ? '>10' : unplaced.includes(id) ? '<5' : crp,
    );
    const exact = build((id, crp) =>
      low.includes(id) ? '0.1' : high.includes(id) ? '20' : unplaced.includes(id) ? '' : crp,
    );
    const missing = build((id, crp) => ([...low, ...high, ...unplaced].includes(id) ? '' : crp));
    assert.deepEqual(censored.value.subjects.find((x) => x.subject === low[0])!.biomarkerLimit, {
      side: 'below',
      limit: 0.2,
      inclusive: false,
    });
    const [c, e, m] = [censored, exact, missing].map((b) => analyzeTrial(b.value, options, 'x.csv', fitMmrmTrial));
    const fitted = <T extends object>(block: T): Exclude<T, { available: false }> => {
      assert.ok(!('available' in block && block.available === false), JSON.stringify(block));
      return block as Exclude<T, { available: false }>;
    };
    const [ac, ae, am] = [c!, e!, m!].map((r) => fitted(r.ancova));
    assert.equal(ac!.estimate, ae!.estimate);
    assert.equal(ac!.n.total, ae!.n.total);
    assert.notEqual(ac!.n.total, am!.n.total);
    const [mc, me] = [c!, e!].map((r) => fitted(r.mmrm));
    assert.equal(mc!.kenwardRoger.estimate, me!.kenwardRoger.estimate);
    const [ic, im] = [c!, m!].map((r) => fitted(r.interaction));
    assert.equal(ic!.estimate, im!.estimate);
    assert.equal(ic!.n, im!.n);
    // The text gives the model's own n: the censored subjects are in the ANCOVA's n, not in this one.
    assert.ok(ic!.n < ac!.n.total);
    assert.match(
      analysisSummary(c!),
      new RegExp(
        `^Treatment x ln\\(biomarker\\) interaction \\(change ~ arm \\* log\\(biomarker / cut\\) \\+ baseline, n = ${ic!.n}\\): `,
        'm',
      ),
    );
    const censoredWarning = c!.issues.find((i) => i.code === 'analysis.biomarker.censored');
    assert.equal(censoredWarning?.severity, 'warning');
    // The limits this file has, with their counts: not a fixed example that reads as what was found.
    assert.match(
      censoredWarning.message,
      /^5 subjects with a biomarker reported beyond an assay limit \(3 at <0\.2, 1 at >10, 1 at <5\) are left out/,
    );
    const oneLimit = analyzeTrial(
      build((id, crp) => (low.includes(id) ? '<0.2' : crp)).value,
      options,
      'x.csv',
      fitMmrmTrial,
    );
    assert.match(
      oneLimit.issues.find((i) => i.code === 'analysis.biomarker.censored')!.message,
      /^3 subjects with a biomarker reported beyond an assay limit \(3 at <0\.2\) are left out/,
    );
    // "<5" does not say which side of 3 the value is: that subject is left out of the stratified models.
    // Each warning in the singular for one subject, and the ANCOVA's says which model left it out.
    assert.match(c!.issues.find((i) => i.code === 'analysis.biomarker.missing')!.message, /^1 subject without/);
    assert.match(
      c!.issues.find((i) => i.code === 'stats.ancova.biomarker-missing')!.message,
      /^1 subject without a biomarker \(or beyond an assay limit that does not place it against the cut\) left out of the stratified ANCOVA$/,
    );
  });
  it('the by-stratum effects are reported when the ln(biomarker) model cannot be fitted (nearly every CRP beyond the limit)', async () => {
    const subjects = [...new Set(records.map((x) => x.subject!))];
    const exact = new Set(subjects.slice(0, 3));
    // Every other CRP reported beyond the assay limit on its own side of the cut 3: the strata are those of the
    // exact values, but only 3 subjects have a logarithm, too few for the 5-term ln(biomarker) model.
    const b = buildDataset(
      header,
      records.map((x) => ({
        ...x,
        crp: exact.has(x.subject!) ? x.crp! : Number(x.crp) >= 3 ? '>10' : '<0.2',
      })),
      spec,
    );
    assert.ok(b.ok);
    const r = analyzeTrial(b.value, options, 'x.csv', 'off');
    const full = analyzeTrial(ds, options, 'x.csv', 'off');
    assert.ok('available' in r.interaction && 'strata' in r.interaction, JSON.stringify(r.interaction));
    assert.equal(
      r.interaction.reason,
      'only 3 subjects with an outcome have a biomarker value with a logarithm (not beyond an assay limit): the ln(biomarker) model needs more than its 5 coefficients',
    );
    assert.ok(!('available' in full.interaction) && !('available' in full.interaction.strata));
    assert.ok(!('available' in r.interaction.strata), JSON.stringify(r.interaction.strata));
    assert.deepEqual(r.interaction.strata, full.interaction.strata);
    const s = analysisSummary(r);
    assert.match(s, /^Treatment x ln\(biomarker\) interaction: not available \(/m);
    assert.match(s, /^ {2}by stratum: low \(n = \d+\) /m);
    assert.equal(forestRows(r).filter((row) => row.label.startsWith('Biomarker')).length, 2);
    const html = await renderHtmlReport(r, []);
    assert.match(html, /Not available \(the model on ln\(biomarker\)\): /);
    assert.match(html, /<td>biomarker &lt; 3<\/td><td>\d+<\/td>/);
  });
  it('a subject without a baseline score: left out of the ANCOVA and MMRM (complete cases, as R), kept under NRI', () => {
    // The first treated subject seen at the primary visit, once with its baseline cell emptied, once removed.
    const subject = ds.rows.find(
      (r) => r.arm === ds.treatment && r.visit === ds.primaryVisit && r.change !== null,
    )!.subject;
    const emptied = buildDataset(
      header,
      records.map((x) => (x.subject === subject ? { ...x, baseline_madrs: '' } : x)),
      spec,
    );
    const removed = buildDataset(
      header,
      records.filter((x) => x.subject !== subject),
      spec,
    );
    assert.ok(emptied.ok && removed.ok);
    assert.ok(emptied.issues.some((i) => i.code === 'analysis.baseline.missing'));
    const opts = { ...options, remissionMax: 60 };
    const [e, r] = [emptied, removed].map((b) => analyzeTrial(b.value, opts, 'x.csv', fitMmrmTrial));
    const fitted = <T extends object>(block: T): Exclude<T, { available: false }> => {
      assert.ok(!('available' in block && block.available === false), JSON.stringify(block));
      return block as Exclude<T, { available: false }>;
    };
    assert.equal(fitted(e!.ancova).estimate, fitted(r!.ancova).estimate);
    assert.equal(fitted(e!.mmrm).kenwardRoger.estimate, fitted(r!.mmrm).kenwardRoger.estimate);
    assert.equal(fitted(e!.interaction).estimate, fitted(r!.interaction).estimate);
    // NRI keeps the subject: one more in the denominator, a non-responder (no reduction from an unknown baseline).
    const [re, rr] = [fitted(e!.response), fitted(r!.response)];
    assert.equal(re.treatment.n, rr.treatment.n + 1);
    assert.equal(re.treatment.events, rr.treatment.events);
    // Remission reads the post-baseline score: every MADRS is <= 60, so the subject is a remitter.
    const [me, mr] = [fitted(e!.remission), fitted(r!.remission)];
    assert.equal(me.treatment.n, mr.treatment.n + 1);
    assert.equal(me.treatment.events, mr.treatment.events + 1);
  });
  it('observed cases are not estimable, with no Fisher p, when an arm has no primary-visit outcome', () => {
    const noTreated = {
      ...ds,
      rows: ds.rows.map((row) =>
        row.arm === ds.treatment && row.visit === ds.primaryVisit ? { ...row, change: null } : row,
      ),
    };
    const r = analyzeTrial(noTreated, options, 'x.csv', 'off');
    assert.deepEqual(r.response.observed, {
      available: false,
      reason: `not estimable (no observed outcome in arm ${ds.treatment})`,
      imputation: 'observed-cases',
    });
    const s = analysisSummary(r);
    assert.match(s, /observed cases: not estimable \(no observed outcome in arm TOCILIZUMAB\)/);
    assert.doesNotMatch(s, /NaN/);
  });
  it('NRI is not estimable either when an arm has no primary-visit outcome: it would compare imputed values only', () => {
    // Every treated subject missing at the primary visit: NRI would count the arm 0/n and report a confident harm.
    const noTreated = {
      ...ds,
      rows: ds.rows.map((row) =>
        row.arm === ds.treatment && row.visit === ds.primaryVisit ? { ...row, change: null } : row,
      ),
    };
    const r = analyzeTrial(noTreated, options, 'x.csv', 'off');
    const reason = `not estimable (no observed outcome in arm ${ds.treatment}: non-responder imputation would count the whole arm as non-responders)`;
    assert.ok('available' in r.response && r.response.available === false);
    assert.equal(r.response.reason, reason);
    assert.ok(!('nnt' in r.response) && !('fisherP' in r.response));
    const s = analysisSummary(r);
    assert.match(s, new RegExp(`Response \\(.*non-responder imputation\\): ${reason.replace(/[()]/g, '\\$&')}`));
    assert.doesNotMatch(s, /NNT|Fisher p/);
  });
  it('without --remission-max or a biomarker those blocks say they were not analysed', () => {
    const r = analyzeTrial(ds, { responseReduction: 0.5, effectsAt: [1, 3, 10], level: 0.95 }, 'x.csv', 'off');
    assert.equal((r.remission as { available: boolean }).available, false);
    assert.equal((r.interaction as { available: boolean }).available, false);
    assert.equal((r.ancova as { formula: string }).formula, 'change ~ arm + baseline');
  });
  it('descriptives cover every visit and arm', () => {
    const r = analyzeTrial(ds, options, 'x.csv', 'off');
    assert.equal(r.descriptives.length, 8);
    assert.ok(r.descriptives.every((d) => d.ci !== null && d.ci[0] < d.mean! && d.mean! < d.ci[1]));
  });
  it('the text summary explains each block', () => {
    const s = analysisSummary(analyzeTrial(ds, options, 'x.csv', 'not available here'));
    assert.match(s, /Effects are treatment minus control/);
    assert.match(s, /ANCOVA \(change ~ arm \+ baseline \+ stratum, observed cases, n = 100\)/);
    assert.match(s, /MMRM: not available \(not available here\)/);
    assert.match(s, /effect at biomarker 10: /);
  });
});

describe('HTML report', () => {
  it('is one page with three inline SVG figures, escaped labels and no scripts', async () => {
    const r = analyzeTrial(ds, options, 'trial <1>.csv', 'off');
    const html = await renderHtmlReport(r, [{ arm: 'PLACEBO', biomarker: 2 }]);
    assert.equal((html.match(/<svg /g) ?? []).length, 3);
    assert.match(html, /trial &lt;1&gt;\.csv/);
    assert.doesNotMatch(html, /<script/);
    assert.match(html, /Biomarker &gt;= 3/);
  });
});

describe('formatting', () => {
  it('p-values as R format.pval at 4 digits', () => {
    assert.equal(fmtP(0.025344), '0.0253');
    assert.equal(fmtP(4.8e-17), '<0.0001');
  });
  it('a p-value just below 0.05 (or 0.01, 0.001) is never rounded up to it', () => {
    assert.equal(fmtP(0.049962), '0.04996');
    assert.equal(fmtPIs(0.0499996), 'p = 0.0499996');
    assert.equal(fmtP(0.0099951), '0.009995');
    assert.equal(fmtP(0.00099962), '0.0009996');
    // At or above the level, and away from it, 4 decimals as before.
    assert.equal(fmtP(0.05), '0.0500');
    assert.equal(fmtP(0.050004), '0.0500');
    assert.equal(fmtP(0.0131349), '0.0131');
  });
  it('a p-value in a sentence is "p < 0.0001" below 4 digits, never "p = <0.0001"', async () => {
    assert.equal(fmtPIs(0.025344), 'p = 0.0253');
    assert.equal(fmtPIs(4.8e-17), 'p < 0.0001');
    assert.equal(fmtPIs(Number.NaN), 'p = NA');
    // A treatment effect of 15 points: every test of it is far below 0.0001.
    const strong: TrialDataset = {
      ...ds,
      rows: ds.rows.map((row) =>
        row.arm === 'TOCILIZUMAB' && row.change !== null ? { ...row, change: row.change - 15 } : row,
      ),
    };
    const r = analyzeTrial(strong, options, 'x.csv', fitMmrmTrial);
    const s = analysisSummary(r);
    assert.match(s, /^ANCOVA .*, p < 0\.0001$/m);
    assert.match(s, /Student t p < 0\.0001, Welch t p < 0\.0001/);
    const html = await renderHtmlReport(r, []);
    for (const out of [s, html]) assert.doesNotMatch(out, /p = &lt;|p = </);
  });
  it('NNT with a CI that excludes 0, and the NNTB-to-NNTH form', () => {
    assert.equal(
      fmtNnt({ estimate: 4.2, rounded: 5, kind: 'benefit', ci: { crossesZero: false, lower: 2.5, upper: 12 } }),
      'NNTB 5 (raw 4.20; 95% CI NNTB 2.50 to 12.00)',
    );
    assert.equal(
      fmtNnt({
        estimate: 8.48,
        rounded: 9,
        kind: 'benefit',
        ci: { crossesZero: true, nntbFrom: 4.03, nnthFrom: 58.94 },
      }),
      'NNTB 9 (raw 8.48; 95% CI NNTB 4.03 to infinity to NNTH 58.94)',
    );
  });
  it('a risk difference of 0 keeps its CI; a ratio with a zero cell is not estimable', () => {
    assert.equal(
      fmtNnt({
        estimate: Number.POSITIVE_INFINITY,
        rounded: Number.POSITIVE_INFINITY,
        kind: 'none',
        ci: { crossesZero: true, nntbFrom: 2.68, nnthFrom: 2.68 },
      }),
      'NNT infinite (risk difference 0; 95% CI NNTB 2.68 to infinity to NNTH 2.68)',
    );
    // 5/10 vs 0/10: both ratios infinite, lower limit Inf - Inf; 0/10 vs 5/10: both 0, upper limit -Inf + Inf.
    const infinite = compareBinary({ events: 5, n: 10 }, { events: 0, n: 10 });
    assert.equal(infinite.oddsRatio.estimable, false);
    assert.equal(fmtRatio(infinite.oddsRatio), 'not estimable (a zero cell)');
    assert.equal(fmtRatio(infinite.riskRatio), 'not estimable (a zero cell)');
    const zero = compareBinary({ events: 0, n: 10 }, { events: 5, n: 10 });
    assert.deepEqual(zero.riskRatio.ci, [0, Number.NaN]);
    assert.equal(fmtRatio(zero.riskRatio), 'not estimable (a zero cell)');
    const fine = compareBinary({ events: 3, n: 10 }, { events: 5, n: 10 });
    assert.equal(fine.oddsRatio.estimable, true);
    assert.match(fmtRatio(fine.oddsRatio), /^0\.43 \(0\.07 to 2\.\d\d\)$/);
  });
  it('a risk ratio with every subject of both arms an event has no CI, not "1.00 (1.00 to 1.00)"', () => {
    // 10/10 vs 10/10: the log-Wald variance 1/a - 1/n1 + 1/c - 1/n2 is 0 because both non-event cells are 0.
    const both = compareBinary({ events: 10, n: 10 }, { events: 10, n: 10 });
    assert.equal(fmtRatio(both.riskRatio), 'not estimable (a zero cell)');
    const one = compareBinary({ events: 10, n: 10 }, { events: 3, n: 10 });
    assert.equal(fmtRatio(one.riskRatio), '3.33 (1.29 to 8.59)');
  });
});

describe('MMRM non-convergence names its likely cause', () => {
  const ds = (visits: string[]): TrialDataset => ({
    rows: [],
    subjects: [],
    visits,
    primaryVisit: visits[visits.length - 1]!,
    columns: spec.columns,
    outcomeType: 'score',
    treatment: 'T',
    control: 'C',
    otherArmRows: 0,
  });
  const rowsOf = (subjects: number, visits: string[], skip?: string) =>
    Array.from({ length: subjects }, (_, s) =>
      visits.filter((v) => v !== skip || s < 3).map((visit) => ({ subject: `s${s}`, visit, change: s % 7 })),
    ).flat();
  it('too many covariance parameters for the subjects', () => {
    const visits = ['1', '2', '3', '4', '5', '6'];
    assert.match(
      likelyNonConvergenceCause(ds(visits), rowsOf(20, visits)),
      /6 visits need 21 covariance parameters.*20 subjects/,
    );
  });
  it('a sparse visit', () => {
    const visits = ['1', '2', '3'];
    assert.match(likelyNonConvergenceCause(ds(visits), rowsOf(60, visits, '2')), /a visit with only 3 outcomes/);
  });
  it('otherwise a near-singular covariance', () => {
    const visits = ['1', '2'];
    assert.match(likelyNonConvergenceCause(ds(visits), rowsOf(60, visits)), /near-singular/);
  });
});

describe('an enriched trial: every subject in one biomarker stratum', () => {
  // Only CRP >= 3 mg/L randomised (the enriched design of docs/statistics.md): the stratum term is a constant, which
  // R's lm aliases (its coefficient NA, the rest as without it). The models are fitted without it, not refused.
  const high = new Set(ds.rows.filter((r) => (r.biomarker as number) >= 3).map((r) => r.subject));
  const enriched: TrialDataset = {
    ...ds,
    subjects: ds.subjects.filter((s) => high.has(s.subject)),
    rows: ds.rows.filter((r) => high.has(r.subject)),
  };
  const r = analyzeTrial(enriched, options, 'x.csv', fitMmrmTrial);
  const unstratified = analyzeTrial(enriched, { ...options, biomarkerCut: undefined }, 'x.csv', fitMmrmTrial);

  it('the ANCOVA leaves the constant stratum out and says so', () => {
    assert.ok(!('available' in r.ancova) && !('available' in unstratified.ancova));
    assert.equal(r.ancova.formula, 'change ~ arm + baseline');
    assert.ok(Math.abs(r.ancova.estimate - unstratified.ancova.estimate) < 1e-12);
    assert.ok(Math.abs(r.ancova.se - unstratified.ancova.se) < 1e-12);
    assert.ok(r.issues.some((i) => i.code === 'stats.ancova.one-stratum' && i.severity === 'warning'));
  });
  it('the MMRM is fitted without the stratum, with a warning', () => {
    assert.ok(r.mmrm.available && unstratified.mmrm.available);
    assert.ok(Math.abs(r.mmrm.kenwardRoger.estimate - unstratified.mmrm.kenwardRoger.estimate) < 1e-9);
    assert.ok(r.issues.some((i) => i.code === 'analysis.mmrm.one-stratum'));
  });
  it('the interaction on ln(biomarker) is still estimated; only the by-stratum effects are not', () => {
    assert.ok(!('available' in r.interaction), JSON.stringify(r.interaction));
    assert.ok(Number.isFinite(r.interaction.estimate) && r.interaction.se > 0);
    assert.ok('available' in r.interaction.strata);
    assert.match(r.interaction.strata.reason, /all \d+ subjects are in the stratum biomarker >= 3/);
    assert.ok(!r.issues.some((i) => i.severity === 'error'));
    const s = analysisSummary(r);
    assert.match(s, /by stratum: not available \(all \d+ subjects are in the stratum biomarker >= 3\)/);
    assert.ok(!forestRows(r).some((row) => row.label.startsWith('Biomarker')));
  });
  it('the HTML report says why the forest plot has no stratum rows', async () => {
    const html = await renderHtmlReport(r, []);
    assert.match(html, /Effects by stratum: not available \(all \d+ subjects are in the stratum biomarker &gt;= 3\)/);
  });
});

describe('a baseline equal in every subject', () => {
  const constant: TrialDataset = { ...ds, rows: ds.rows.map((r) => ({ ...r, baseline: 30 })) };
  const r = analyzeTrial(constant, { ...options, biomarkerCut: undefined }, 'x.csv', 'n/a');

  it('the HTML report does not call the ANCOVA adjusted for the baseline it left out', async () => {
    assert.ok(!('available' in r.ancova));
    assert.equal(r.ancova.formula, 'change ~ arm');
    const html = await renderHtmlReport(r, []);
    assert.doesNotMatch(html, /adjusted for baseline/);
    assert.match(html, /change ~ arm, observed cases \(n = \d+\)\. The difference is not adjusted for any covariate/);
    const stratified = await renderHtmlReport(analyzeTrial(ds, options, 'x.csv', 'n/a'), []);
    assert.match(stratified, /The difference is adjusted for baseline and biomarker stratum\./);
  });
});

describe('number formatting', () => {
  it('a value that rounds to zero has no minus sign: "0.00", "0.0%", never "-0.00" or "-0.0%"', () => {
    assert.equal(fmt(-0.004), '0.00');
    assert.equal(fmt(-0.0004, 3), '0.000');
    assert.equal(fmt(-0.005, 3), '-0.005');
    assert.equal(fmtPercent(-0.0003), '0.0%');
    assert.equal(fmtPercent(-0.0006), '-0.1%');
    assert.equal(fmtCi([-0.001, 0.5]), '0.00 to 0.50');
  });
});

describe('the record of what was analysed', () => {
  it('JSON, text and report name the columns and what the outcome column holds', async () => {
    const r = analyzeTrial(ds, options, 'x.csv', 'n/a');
    assert.deepEqual(r.input.columns, spec.columns);
    assert.equal(r.input.outcomeType, 'score');
    assert.match(
      analysisSummary(r),
      /\nEffects are treatment minus control in change from baseline \(madrs - baseline_madrs;/,
    );
    const html = await renderHtmlReport(r, []);
    assert.match(html, /<td>--outcome<\/td><td>madrs<\/td>/);
    assert.match(html, /<td>--outcome-type<\/td><td>score<\/td>/);
    assert.match(html, /<td>--response-reduction<\/td><td>0.5<\/td>/);
    assert.match(html, /<td>--effects-at<\/td><td>1, 3, 10<\/td>/);
    assert.match(html, /<td>confidence level<\/td><td>0.95<\/td>/);
    // JSON keys are not option names, and --effects-at is listed only when a biomarker is analysed.
    assert.doesNotMatch(html, /<td>(outcomeType|responseReduction|effectsAt|level)<\/td>/);
    const plain = analyzeTrial(ds, { responseReduction: 0.5, effectsAt: [1, 3, 10], level: 0.95 }, 'x.csv', 'n/a');
    assert.doesNotMatch(await renderHtmlReport(plain, []), /effects-at/);
    const change = buildDataset(
      [...header, 'chg'],
      records.map((x) => ({ ...x, chg: x.madrs === '' ? '' : String(Number(x.madrs) - Number(x.baseline_madrs)) })),
      { ...spec, columns: { ...spec.columns, outcome: 'chg' }, outcomeType: 'change' },
    );
    assert.ok(change.ok);
    const c = analyzeTrial(change.value, options, 'x.csv', 'n/a');
    assert.equal(c.input.outcomeType, 'change');
    assert.match(analysisSummary(c), /in change from baseline \(column chg, baseline baseline_madrs;/);
  });
});

describe('the HTML report against the JSON', () => {
  it('gives the by-stratum effects as numbers, not only as forest-plot rows', async () => {
    const r = analyzeTrial(ds, options, 'x.csv', 'n/a');
    assert.ok(!('available' in r.interaction) && !('available' in r.interaction.strata));
    const { low, high, n } = r.interaction.strata;
    const html = await renderHtmlReport(r, []);
    for (const [label, count, e] of [
      ['biomarker &lt; 3', n.low, low],
      ['biomarker &gt;= 3', n.high, high],
    ] as const) {
      const row = `<tr><td>${label}</td><td>${count}</td><td>${fmt(e.estimate, 3)}</td><td>${fmt(e.se, 4)}</td><td>${fmtCi(e.ci, 3)}</td><td>${fmtP(e.p)}</td></tr>`;
      assert.ok(html.includes(row), row);
    }
  });
});

describe('the plot of mean change by visit', () => {
  it('has its numbers beside it in the HTML report, one row per visit and arm, as the JSON descriptives', async () => {
    const r = analyzeTrial(ds, options, 'x.csv', 'n/a');
    const html = await renderHtmlReport(r, []);
    assert.equal(r.descriptives.length, 8);
    for (const d of r.descriptives) {
      const row = `<tr><td>${d.visit}</td><td>${d.arm}</td><td>${d.n}</td><td>${fmt(d.mean, 3)}</td><td>${fmt(d.sd, 3)}</td><td>${fmtCi(d.ci, 3)}</td></tr>`;
      assert.ok(html.includes(row), row);
    }
  });
});

describe('a baseline CRP converted from nmol/L with the unverified [U] factor (crp_conversion of the trial export)', () => {
  const factor = 'CRP molar factor (nmol/L per mg/L) 9.524 [U]';
  const converted = new Set([...new Set(records.map((r) => r['subject']!))].slice(0, 12));
  const withColumn = records.map((r) => {
    const row = Object.assign(Object.create(null) as Record<string, string>, r);
    row['crp_conversion'] = converted.has(r['subject']!) ? factor : '';
    return row;
  });
  const convSpec: DatasetSpec = { ...spec, columns: { ...spec.columns, biomarkerConversion: 'crp_conversion' } };
  const convBuilt = buildDataset([...header, 'crp_conversion'], withColumn, convSpec);
  assert.ok(convBuilt.ok);
  const report = analyzeTrial(convBuilt.value, options, 'x.csv', 'not fitted in this test');

  it('JSON says how many subjects, with which factor, that it is unverified, and gives the interaction without them', () => {
    const c = report.biomarkerConversion;
    assert.ok(c !== undefined);
    assert.equal(c.column, 'crp_conversion');
    assert.equal(c.subjects, 12);
    assert.equal(c.unverified, 12);
    assert.deepEqual(c.conversions, [{ conversion: factor, unverified: true, subjects: 12 }]);
    assert.ok(c.sensitivity !== undefined && !('available' in c.sensitivity.interaction));
    assert.equal(c.sensitivity.excluded, 12);
    // The sensitivity figure is the same model on the dataset without those subjects.
    const without = analyzeTrial(
      { ...ds, rows: ds.rows.filter((r) => !converted.has(r.subject)) },
      options,
      'x.csv',
      'not fitted in this test',
    );
    assert.ok(!('available' in without.interaction));
    assert.equal(c.sensitivity.interaction.estimate, without.interaction.estimate);
    assert.equal(c.sensitivity.interaction.n, without.interaction.n);
    assert.ok(
      report.issues.some((i) => i.code === 'analysis.biomarker.converted-unverified' && i.message.includes('[U]')),
    );
  });

  it('the text and the HTML report say it beside the interaction', async () => {
    const text = analysisSummary(report);
    assert.match(
      text,
      /12 subjects' biomarker converted from nmol\/L with an unverified factor \[U\] \(column crp_conversion\); without them \(n = \d+\)/,
    );
    assert.match(text, /warning: 12 subjects' baseline biomarker was converted .*9\.524 \[U\]/);
    const html = await renderHtmlReport(report, []);
    assert.match(html, /Sensitivity: without the biomarker values converted with an unverified factor/);
  });

  it('a verified factor is counted but not warned about; a file without the column has no such block', () => {
    const verified = withColumn.map((r) => ({
      ...r,
      crp_conversion: r['crp_conversion'] === '' ? '' : factor.replace(' [U]', ''),
    }));
    const b = buildDataset([...header, 'crp_conversion'], verified, convSpec);
    assert.ok(b.ok);
    const r = analyzeTrial(b.value, options, 'x.csv', 'not fitted in this test');
    assert.equal(r.biomarkerConversion?.subjects, 12);
    assert.equal(r.biomarkerConversion?.unverified, 0);
    assert.equal(r.biomarkerConversion?.sensitivity, undefined);
    assert.ok(!r.issues.some((i) => i.code === 'analysis.biomarker.converted-unverified'));
    const plain = analyzeTrial(ds, options, 'x.csv', 'not fitted in this test');
    assert.ok(!('biomarkerConversion' in plain));
    // Every biomarker converted: nothing is left to refit, and it is said so.
    const all = buildDataset(
      [...header, 'crp_conversion'],
      withColumn.map((r) => ({ ...r, crp_conversion: factor })),
      convSpec,
    );
    assert.ok(all.ok);
    const everyone = analyzeTrial(all.value, options, 'x.csv', 'not fitted in this test').biomarkerConversion;
    assert.ok(everyone?.sensitivity !== undefined && 'available' in everyone.sensitivity.interaction);
    assert.match(
      everyone.sensitivity.interaction.reason,
      /^every subject with a primary-visit outcome has a biomarker converted/,
    );
  });
});
