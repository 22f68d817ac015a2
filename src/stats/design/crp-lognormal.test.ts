import assert from 'node:assert/strict';
import { test } from 'node:test';
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import { TOLERANCE, withinTolerance } from '../tolerances.ts';
import { calibrateCrpLogNormal, logCrpMoments, type CrpLogNormal } from './crp-lognormal.ts';

const OSIMO = {
  thresholdMgPerL: 3,
  prevalenceAboveThreshold: 0.27,
  secondThresholdMgPerL: 1,
  prevalenceAboveSecondThreshold: 0.58,
};

function calibrated(): CrpLogNormal {
  const r = calibrateCrpLogNormal(OSIMO);
  if (!r.ok) assert.fail(JSON.stringify(r.issues));
  return r.value;
}

test('the calibrated log-normal reproduces both Osimo 2019 prevalences (CRP > 3: 27 %, CRP > 1: 58 %)', () => {
  const d = calibrated();
  const above = (c: number) => normalCdf((d.meanLog - Math.log(c)) / d.sdLog, 0, 1);
  assert.ok(withinTolerance(above(3), 0.27, TOLERANCE.closedForm));
  assert.ok(withinTolerance(above(1), 0.58, TOLERANCE.closedForm));
  // Documented parameters (crp-lognormal.ts and knowledge/design/crp-distribution.json).
  assert.equal(d.meanLog.toFixed(4), '0.2722');
  assert.equal(d.sdLog.toFixed(4), '1.3485');
  assert.equal(d.medianMgPerL.toFixed(2), '1.31');
});

test('log-CRP moments above the threshold match numerical integration of the truncated normal', () => {
  const d = calibrated();
  // Simpson's rule over z in [a, a + 12] of the standard normal density, then rescaled; independent of the
  // inverse-Mills-ratio formulas under test.
  const a = (Math.log(3) - d.meanLog) / d.sdLog;
  const steps = 20000;
  const h = 12 / steps;
  let m0 = 0;
  let m1 = 0;
  let m2 = 0;
  for (let i = 0; i <= steps; i++) {
    const z = a + i * h;
    const w = (i === 0 || i === steps ? 1 : i % 2 === 1 ? 4 : 2) * Math.exp(-0.5 * z * z);
    const l = d.meanLog + d.sdLog * z - Math.log(3);
    m0 += w;
    m1 += w * l;
    m2 += w * l * l;
  }
  const mean = m1 / m0;
  const variance = m2 / m0 - mean * mean;
  const m = logCrpMoments(d, 'aboveThreshold');
  assert.ok(withinTolerance(m.mean, mean, TOLERANCE.rootFinding), `${m.mean} vs ${mean}`);
  assert.ok(withinTolerance(m.variance, variance, TOLERANCE.rootFinding), `${m.variance} vs ${variance}`);
  const all = logCrpMoments(d, 'all');
  assert.equal(all.mean, d.meanLog - Math.log(3));
  assert.equal(all.variance, d.sdLog ** 2);
});

test('inconsistent calibrations are issues', () => {
  const r = calibrateCrpLogNormal({ ...OSIMO, prevalenceAboveSecondThreshold: 0.2 });
  assert.equal(r.ok, false);
  assert.equal(r.issues[0]?.code, 'design.crp.prevalence.invalid');
  const t = calibrateCrpLogNormal({ ...OSIMO, secondThresholdMgPerL: 5 });
  assert.equal(t.ok, false);
  assert.equal(t.issues[0]?.code, 'design.crp.threshold.invalid');
});
