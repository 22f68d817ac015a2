/**
 * Unit conversion of lab and dose quantities through UCUM (@lhncbc/ucum-lhc): mg/dL -> mg/L, ug/mL -> mg/L,
 * /uL or /mm3 -> 10*9/L, 10*3/uL -> 10*9/L, U/L, and nmol/L -> mg/L with a pathway-supplied molar factor.
 * A quantity without a UCUM code, or with units UCUM cannot convert, is not converted: units are never guessed.
 *
 * The UCUM library is slow per call (~3 us) and the engine must do >= 20,000 assessments/s, so the conversion of each
 * (from, to, factor) triple is computed once as an affine map (scale, offset) and memoised.
 */
import ucum from '@lhncbc/ucum-lhc';
import type { Quantity } from '../record/index.ts';

export type Conversion = { ok: true; value: number } | { ok: false; reason: string };

export interface ConvertOptions {
  /**
   * For mass <-> substance (molar) conversions: nmol/L per mg/L of the analyte (CRP: 9.524, i.e. mg/L = nmol/L /
   * 9.524 [U]). It is the pathway's value, so the caller flags it when unverified. Ignored for other conversions.
   */
  readonly molarMassFactor?: number;
}

type UnitMap = { ok: true; scale: number; offset: number } | { ok: false; reason: string };

// The UCUM tables load on first use (~150 ms), not at import: commands that never convert a unit do not pay for them.
let instance: ReturnType<typeof ucum.UcumLhcUtils.getInstance> | undefined;
const utils = (): ReturnType<typeof ucum.UcumLhcUtils.getInstance> => (instance ??= ucum.UcumLhcUtils.getInstance());

/**
 * Binary floating point turns exact decimal factors into near misses (1/uL -> 0.0009999999999999998 x10^9/L, so
 * 2000/uL would read 1.9999999999999996 and fall below an ANC cut-off of 2.0). Lab values carry far fewer than 12
 * significant digits, so rounding to 12 removes the artefact without changing any real value.
 */
function clean(x: number): number {
  return x === 0 ? 0 : Number(x.toPrecision(12));
}

/** Memo lookup by nested Maps (from -> to -> factor): no key strings are built on the hot path. */
const memoTree = new Map<string, Map<string, Map<number | undefined, UnitMap>>>();
let memoSize = 0;
const MAX_MEMO_ENTRIES = 10_000;

function unitMap(fromUcum: string, toUcum: string, molarMassFactor: number | undefined): UnitMap {
  let byTo = memoTree.get(fromUcum);
  if (byTo === undefined) {
    byTo = new Map();
    memoTree.set(fromUcum, byTo);
  }
  let byFactor = byTo.get(toUcum);
  if (byFactor === undefined) {
    byFactor = new Map();
    byTo.set(toUcum, byFactor);
  }
  const cached = byFactor.get(molarMassFactor);
  if (cached !== undefined) return cached;
  const result = computeUnitMap(fromUcum, toUcum, molarMassFactor);
  // Bounded: a stream of records each with a new unit (a hostile or broken feed) must not grow memory for ever.
  if (memoSize >= MAX_MEMO_ENTRIES) {
    memoTree.clear();
    memoSize = 0;
  }
  byFactor.set(molarMassFactor, result);
  memoSize++;
  return result;
}

function computeUnitMap(fromUcum: string, toUcum: string, molarMassFactor: number | undefined): UnitMap {
  let result: UnitMap;
  if (molarMassFactor !== undefined && !(Number.isFinite(molarMassFactor) && molarMassFactor > 0)) {
    result = { ok: false, reason: `molar factor must be a positive number, got ${molarMassFactor}` };
  } else {
    // nmol/L per mg/L = 1e6 / molecular weight (g/mol): 1 mg/L = 1e-3 g/L = 1e-3 / MW mol/L = 1e6 / MW nmol/L.
    const options = molarMassFactor === undefined ? undefined : { molecularWeight: 1e6 / molarMassFactor };
    const one = guarded(() => utils().convertUnitTo(fromUcum, 1, toUcum, options));
    const zero = guarded(() => utils().convertUnitTo(fromUcum, 0, toUcum, options));
    if (
      one === undefined ||
      zero === undefined ||
      one.status !== 'succeeded' ||
      one.toVal === null ||
      zero.status !== 'succeeded' ||
      zero.toVal === null
    ) {
      // The library's own message quotes the unit and may run long: the reason says what failed, in our words.
      result = { ok: false, reason: `cannot convert ${fromUcum} to ${toUcum} (not a UCUM unit, or another dimension)` };
    } else {
      // convert(0) is non-zero only for units with an offset (Cel, [degF]); lab units are pure scalings.
      result = { ok: true, scale: clean(one.toVal - zero.toVal), offset: clean(zero.toVal) };
    }
  }
  return result;
}

/** Longest unit code handed to UCUM: real codes are a few characters; parsing grows with length. */
export const MAX_UNIT_CODE_CHARS = 64;

/** Names every plain object answers to (`toString`, `constructor`, `__proto__`, ...). */
const OBJECT_MEMBERS: ReadonlySet<string> = new Set([...Object.getOwnPropertyNames(Object.prototype), '__proto__']);

/** isSafeUnitCode's verdicts, per code (bounded like the conversions' memo). */
const safety = new Map<string, boolean>();

/**
 * Whether `code` may be handed to the UCUM library at all: printable ASCII, at most MAX_UNIT_CODE_CHARS, and no
 * symbol named like an object member (outside {annotations}). The library keeps its unit tables in plain objects, so
 * `toString` or `constructor` finds a function there and throws deep inside it; such a code is simply not a unit.
 */
export function isSafeUnitCode(code: string): boolean {
  if (code.length === 0 || code.length > MAX_UNIT_CODE_CHARS) return false;
  // Remembered per code: a record repeats a handful of units, and every quantity of every patient is checked.
  let safe = safety.get(code);
  if (safe === undefined) {
    const symbols = /^[\x21-\x7e]+$/.test(code) ? (code.replace(/\{[^}]*\}/g, '').match(/[A-Za-z_$]+/g) ?? []) : null;
    safe = symbols !== null && !symbols.some((symbol) => OBJECT_MEMBERS.has(symbol));
    if (safety.size >= MAX_MEMO_ENTRIES) safety.clear();
    safety.set(code, safe);
  }
  return safe;
}

/** Runs a UCUM library call; anything it throws is a unit it cannot handle. */
function guarded<T>(call: () => T): T | undefined {
  try {
    return call();
  } catch {
    return undefined;
  }
}

/** Convert a quantity to `toUcum`. Comparators ("<5 mg/L") are the caller's: only the number is converted. */
export function convertQuantity(q: Quantity, toUcum: string, opts?: ConvertOptions): Conversion {
  if (!Number.isFinite(q.value)) return { ok: false, reason: 'the value is not a finite number' };
  if (q.ucum === undefined || q.ucum.trim() === '') {
    // A unit text is named only when it is short and printable (it is input).
    const text = q.unitText;
    const sent =
      text === undefined
        ? 'no unit'
        : /^[\x20-\x7e]{1,32}$/.test(text)
          ? `unit "${text}"`
          : 'a unit given only as text';
    return { ok: false, reason: `no UCUM unit (${sent}); units are not guessed` };
  }
  const code = q.ucum.trim();
  if (!isSafeUnitCode(code)) return { ok: false, reason: `the unit is not a UCUM code; cannot convert to ${toUcum}` };
  // The same unit needs no conversion: the common case (CRP already in mg/L, doses in mg) never loads UCUM's tables.
  if (code === toUcum) return { ok: true, value: q.value };
  const map = unitMap(code, toUcum, opts?.molarMassFactor);
  if (!map.ok) return map;
  if (map.scale === 1 && map.offset === 0) return { ok: true, value: q.value };
  return { ok: true, value: clean(q.value * map.scale + map.offset) };
}

/**
 * An enzyme activity's unit as UCUM converts it: laboratories report ALT and AST in international units per litre,
 * `[IU]/L`, and UCUM's [IU] is an arbitrary unit that converts to nothing, but an enzyme's international unit is the U
 * (1 umol/min), so `[IU]/L` is `U/L` (and then `ukat/L`). Any other unit is returned as it is.
 */
export function enzymeActivityUnit(ucum: string): string {
  return ucum === '[IU]/L' ? 'U/L' : ucum;
}

/** Whether a string is a valid UCUM unit code (memoised with the conversions' cache policy). */
const validity = new Map<string, boolean>();
export function isUcum(unit: string): boolean {
  if (!isSafeUnitCode(unit)) return false;
  let valid = validity.get(unit);
  if (valid === undefined) {
    valid = guarded(() => utils().validateUnitString(unit).status === 'valid') ?? false;
    if (validity.size >= MAX_MEMO_ENTRIES) validity.clear();
    validity.set(unit, valid);
  }
  return valid;
}

/** Number of distinct (from, to, factor) conversions memoised: for benchmarks and the memo test. */
export function conversionCacheSize(): number {
  return memoSize;
}
