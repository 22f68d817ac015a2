import assert from 'node:assert/strict';
import { test } from 'node:test';
import { conversionCacheSize, convertQuantity, isUcum } from './index.ts';

// Expected factors: reference section 3.4, docs/README.md (mg/dL x 10, ug/mL x 1, nmol/L / 9.524 [U], /mm3 / 1000 = 10*9/L).
const mgPerL = (value: number, ucum: string, molarMassFactor?: number): number => {
  const r = convertQuantity({ value, ucum }, 'mg/L', molarMassFactor === undefined ? undefined : { molarMassFactor });
  assert.ok(r.ok, `expected ${value} ${ucum} to convert`);
  return r.value;
};

test('CRP mg/dL converts x10 to mg/L (0.300 mg/dL = 3.00 mg/L exactly, so the cut-off boundary holds)', () => {
  assert.equal(mgPerL(0.3, 'mg/dL'), 3);
  assert.equal(mgPerL(0.7, 'mg/dL'), 7);
  assert.equal(mgPerL(1.01, 'mg/dL'), 10.1);
});

test('CRP ug/mL is 1:1 with mg/L, and mg/L is identity', () => {
  assert.equal(mgPerL(4.2, 'ug/mL'), 4.2);
  assert.equal(mgPerL(4.2, 'mg/L'), 4.2);
});

test('CRP nmol/L converts with the molar factor (mg/L = nmol/L / 9.524)', () => {
  assert.ok(Math.abs(mgPerL(28.572, 'nmol/L', 9.524) - 3) < 1e-9);
  assert.ok(Math.abs(mgPerL(95.24, 'nmol/L', 9.524) - 10) < 1e-9);
  // A factor passed along with a mass unit is ignored (callers may always pass the pathway's factor).
  assert.equal(mgPerL(0.5, 'mg/dL', 9.524), 5);
  assert.equal(mgPerL(5, 'ug/mL', 9.524), 5);
  const noFactor = convertQuantity({ value: 28.572, ucum: 'nmol/L' }, 'mg/L');
  assert.equal(noFactor.ok, false, 'molar to mass needs the factor');
  const badFactor = convertQuantity({ value: 1, ucum: 'nmol/L' }, 'mg/L', { molarMassFactor: -1 });
  assert.equal(badFactor.ok, false);
});

test('cell counts: /uL and /mm3 to 10*9/L divide by 1000; 10*3/uL equals 10*9/L; boundaries stay exact', () => {
  const to109 = (value: number, ucum: string): number => {
    const r = convertQuantity({ value, ucum }, '10*9/L');
    assert.ok(r.ok, `${ucum} should convert`);
    return r.value;
  };
  assert.equal(to109(2000, '/uL'), 2, 'ANC 2000/uL is exactly 2.0 x10^9/L, not 1.9999999999999996');
  assert.equal(to109(2000, '/mm3'), 2);
  assert.equal(to109(100000, '/mm3'), 100);
  assert.equal(to109(1.5, '10*3/uL'), 1.5);
  assert.equal(to109(250, '10*3/mm3'), 250);
  assert.equal(to109(3.1, '10*9/L'), 3.1);
});

test('enzyme activity U/L is identity; incompatible units are not ok', () => {
  const alt = convertQuantity({ value: 54, ucum: 'U/L' }, 'U/L');
  assert.deepEqual(alt, { ok: true, value: 54 });
  assert.equal(convertQuantity({ value: 54, ucum: 'mg/L' }, 'U/L').ok, false);
  assert.equal(convertQuantity({ value: 2, ucum: 'mg/L' }, '10*9/L').ok, false);
});

test('unknown or non-UCUM units are never guessed', () => {
  for (const ucum of ['K/uL', 'cells/uL', 'mg/dl/x?', 'foo']) {
    const r = convertQuantity({ value: 1, ucum }, '10*9/L');
    assert.equal(r.ok, false, `${ucum} must not convert`);
    if (!r.ok) assert.match(r.reason, /cannot convert/);
  }
  const textOnly = convertQuantity({ value: 3, unitText: 'mg/L' }, 'mg/L');
  assert.equal(textOnly.ok, false, 'a unit sent only as text is not treated as UCUM');
  if (!textOnly.ok) assert.match(textOnly.reason, /no UCUM unit \(unit "mg\/L"\)/);
  assert.equal(convertQuantity({ value: Number.NaN, ucum: 'mg/L' }, 'mg/L').ok, false);
});

test('memoisation: repeated conversions give identical results and add one cache entry per unit pair', () => {
  const first = convertQuantity({ value: 0.45, ucum: 'mg/dL' }, 'mg/L');
  const size = conversionCacheSize();
  for (let i = 0; i < 100; i++) {
    assert.deepEqual(convertQuantity({ value: 0.45, ucum: 'mg/dL' }, 'mg/L'), first);
  }
  assert.equal(conversionCacheSize(), size);
  convertQuantity({ value: 1, ucum: 'g/L' }, 'mg/L');
  assert.equal(conversionCacheSize(), size + 1);
  // Failures are memoised too, and stay failures.
  const bad1 = convertQuantity({ value: 1, ucum: 'K/uL' }, 'mg/L');
  const bad2 = convertQuantity({ value: 1, ucum: 'K/uL' }, 'mg/L');
  assert.deepEqual(bad1, bad2);
});

test('isUcum recognises UCUM codes', () => {
  assert.equal(isUcum('mg/dL'), true);
  assert.equal(isUcum('10*9/L'), true);
  assert.equal(isUcum('cells/uL'), false);
  assert.equal(
    isUcum('K/uL'),
    true,
    'kelvin per microlitre: valid UCUM, which is why conversion (not validity) decides',
  );
});

test('hostile unit codes: object member names, 120,000 characters, control characters are not units, quickly', () => {
  for (const ucum of [
    'toString',
    'constructor',
    '__proto__',
    'mg/valueOf',
    '10*hasOwnProperty',
    'm'.repeat(120_000),
    'mg\u001b[2J',
  ]) {
    const started = performance.now();
    const r = convertQuantity({ value: 5, ucum }, 'mg/L');
    assert.equal(r.ok, false, ucum.slice(0, 20));
    if (!r.ok) assert.ok(r.reason.length < 120 && !r.reason.includes('\u001b'), r.reason);
    assert.equal(isUcum(ucum), false);
    assert.ok(performance.now() - started < 1000, 'rejected without parsing');
  }
  // An annotation may say anything: {toString} is a valid (dimensionless) UCUM unit.
  assert.equal(isUcum('{toString}'), true);
});
