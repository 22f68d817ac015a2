import assert from 'node:assert/strict';
import { test } from 'node:test';
import tCdf from '@stdlib/stats-base-dists-t-cdf';
import { assertGolden, readReference } from './golden.test-support.ts';
import { pnt, qnt } from './noncentral-t.ts';

interface SharedRow {
  q: number;
  df: number;
  ncp: number;
  upper: number;
}
interface OwnPtRow {
  t: number;
  df: number;
  ncp: number;
  lower: number;
  upper: number;
}
interface OwnQtRow {
  p: number;
  df: number;
  ncp: number;
  q: number;
}

test('pnt upper tail = R pt(q, df, ncp, lower.tail = FALSE): distributions_reference.json pt_noncentral_upper', () => {
  const rows = readReference<{ pt_noncentral_upper: SharedRow[] }>(
    'stats-reference/outputs/distributions_reference.json',
  ).pt_noncentral_upper;
  assert.ok(rows.length >= 60);
  for (const r of rows) {
    assertGolden(pnt(r.q, r.df, r.ncp, false), r.upper, 'closedForm', `pt(${r.q}, ${r.df}, ncp = ${r.ncp}, upper)`);
  }
});

test('pnt both tails, negative t and ncp, fractional and huge df = R: reference/r/noncentral_t.json block pt', () => {
  // R's own precision here is ~1e-12 absolute (errmax of the series), so closedForm (1e-10 absolute below 1) holds;
  // observed agreement is ~1e-14. Includes the df > 4e5 normal-approximation branch and ncp = 39 (left tail = 0).
  const rows = readReference<{ pt: OwnPtRow[] }>('r/noncentral_t.json').pt;
  assert.equal(rows.length, 216);
  for (const r of rows) {
    const label = `pt(${r.t}, ${r.df}, ncp = ${r.ncp})`;
    assertGolden(pnt(r.t, r.df, r.ncp, true), r.lower, 'closedForm', `${label} lower`);
    assertGolden(pnt(r.t, r.df, r.ncp, false), r.upper, 'closedForm', `${label} upper`);
  }
});

test('qnt = R qt(p, df, ncp): reference/r/noncentral_t.json block qt (both are iterative: rootFinding tolerance)', () => {
  const rows = readReference<{ qt: OwnQtRow[] }>('r/noncentral_t.json').qt;
  assert.equal(rows.length, 80);
  for (const r of rows) {
    assertGolden(qnt(r.p, r.df, r.ncp), r.q, 'rootFinding', `qt(${r.p}, ${r.df}, ncp = ${r.ncp})`);
    assertGolden(qnt(1 - r.p, r.df, r.ncp, false), r.q, 'rootFinding', `qt(${1 - r.p}, upper)`);
  }
});

test('pnt edge cases: central t at ncp 0, infinite t, invalid df', () => {
  assert.equal(pnt(1.3, 7, 0), tCdf(1.3, 7));
  assert.equal(pnt(1.3, 7, 0, false), tCdf(-1.3, 7));
  assert.equal(pnt(Number.POSITIVE_INFINITY, 5, 2), 1);
  assert.equal(pnt(Number.NEGATIVE_INFINITY, 5, 2), 0);
  assert.equal(pnt(Number.POSITIVE_INFINITY, 5, 2, false), 0);
  assert.ok(Number.isNaN(pnt(1, 0, 2)));
  assert.ok(Number.isNaN(pnt(1, -3, 2)));
  assert.ok(Number.isNaN(pnt(Number.NaN, 3, 2)));
  assert.ok(Number.isNaN(qnt(1.5, 3, 2)));
  assert.equal(qnt(0, 3, 2), Number.NEGATIVE_INFINITY);
  // t = 0: P(T <= 0) = pnorm(-ncp).
  assert.ok(Math.abs(pnt(0, 12, 1.5) - 0.0668072012688581) < 1e-15);
});
