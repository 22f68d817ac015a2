/**
 * R4 general-purpose data types -> the normalized record's Coding, Concept, Quantity and Period.
 * @see https://hl7.org/fhir/R4/datatypes.html
 */
import type {
  CodeableConcept,
  Coding as FhirCoding,
  Period as FhirPeriod,
  Quantity as FhirQuantity,
  Ratio,
  Reference,
} from '@medplum/fhirtypes';
import type { Coding, Comparator, Concept, Period, Quantity } from '../record/index.ts';
import { isObject, readArray, readDate, readNumber, readObject, readString, warn } from './read.ts';
import type { ReadContext, Writable } from './read.ts';

export const UCUM_SYSTEM = 'http://unitsofmeasure.org';

const COMPARATORS: ReadonlySet<string> = new Set(['<', '<=', '>=', '>']);

/**
 * Reads an optional string element of `holder` without building its path unless it is malformed (the hot path);
 * `path` + `suffix` name the holder (read.ts: joined only for a warning).
 */
function stringAt(
  ctx: ReadContext,
  holder: Record<string, unknown>,
  key: string,
  path: string,
  suffix = '',
): string | undefined {
  const value = holder[key];
  if (typeof value === 'string') return value.length > 0 ? value : undefined;
  if (value === undefined || value === null) return undefined;
  return readString(ctx, value, `${path}${suffix}.${key}`);
}

const optionalString = (v: unknown): boolean => v === undefined || v === null || typeof v === 'string';

export function isWellFormedCoding(v: unknown): v is Record<string, string | undefined> {
  return isObject(v) && optionalString(v['system']) && optionalString(v['code']) && optionalString(v['display']);
}

/** The Coding of a well-formed one (isWellFormedCoding): the same as readCoding gives, without its paths. */
export function codingOf(c: Record<string, string | undefined>): Coding | undefined {
  const { system, code, display } = c;
  const coding: { system?: string; code?: string; display?: string } = {};
  if (system) coding.system = system;
  if (code) coding.code = code;
  if (display) coding.display = display;
  return coding.system === undefined && coding.code === undefined && coding.display === undefined ? undefined : coding;
}

export function readCoding(ctx: ReadContext, value: unknown, path: string, suffix = ''): Coding | undefined {
  const c = readObject<FhirCoding>(ctx, value, path, suffix);
  if (c === undefined) return undefined;
  const system = stringAt(ctx, c, 'system', path, suffix);
  const code = stringAt(ctx, c, 'code', path, suffix);
  const display = stringAt(ctx, c, 'display', path, suffix);
  if (system === undefined && code === undefined && display === undefined) return undefined;
  const coding: { system?: string; code?: string; display?: string } = {};
  if (system !== undefined) coding.system = system;
  if (code !== undefined) coding.code = code;
  if (display !== undefined) coding.display = display;
  return coding;
}

/** Hot path: a well-formed coding is read without building its element path, which only a warning needs. */
function codingAt(ctx: ReadContext, item: unknown, path: string, suffix: string, i: number): Coding | undefined {
  return isWellFormedCoding(item) ? codingOf(item) : readCoding(ctx, item, `${path}${suffix}.coding[${i}]`);
}

export function readConcept(ctx: ReadContext, value: unknown, path: string, suffix = ''): Concept | undefined {
  const cc = readObject<CodeableConcept>(ctx, value, path, suffix);
  if (cc === undefined) return undefined;
  const raw = cc.coding;
  const list =
    raw === undefined ? undefined : Array.isArray(raw) ? raw : readArray(ctx, raw, `${path}${suffix}.coding`);
  let codings: Coding[];
  if (list === undefined || list.length === 0) codings = [];
  else if (list.length === 1) {
    // Most concepts carry one coding: a list of exactly one, not the spare room the first push would make.
    const coding = codingAt(ctx, list[0], path, suffix, 0);
    codings = coding === undefined ? [] : [coding];
  } else {
    codings = [];
    for (let i = 0; i < list.length; i++) {
      const coding = codingAt(ctx, list[i], path, suffix, i);
      if (coding !== undefined) codings.push(coding);
    }
  }
  const text = stringAt(ctx, cc, 'text', path, suffix);
  if (codings.length === 0 && text === undefined) return undefined;
  return text === undefined ? { codings } : { codings, text };
}

export function readConcepts(ctx: ReadContext, value: unknown, path: string): Concept[] {
  const list = readArray(ctx, value, path);
  if (list.length === 1) {
    // The common single concept: a list of exactly one, and its path suffix a literal.
    const concept = readConcept(ctx, list[0], path, '[0]');
    return concept === undefined ? [] : [concept];
  }
  const out: Concept[] = [];
  for (let i = 0; i < list.length; i++) {
    const concept = readConcept(ctx, list[i], `${path}[${i}]`);
    if (concept !== undefined) out.push(concept);
  }
  return out;
}

/** The first coded value of a status CodeableConcept (Condition.clinicalStatus and the like). */
export function readStatusCode(ctx: ReadContext, value: unknown, path: string): string | undefined {
  const concept = readConcept(ctx, value, path);
  if (concept === undefined) return undefined;
  for (const coding of concept.codings) if (coding.code !== undefined) return coding.code;
  return undefined;
}

/**
 * A Quantity keeps its UCUM code only when `system` says UCUM: a unit from another system (or none) is kept as text
 * for display, and the engine refuses to convert it rather than guess.
 */
export function readQuantity(ctx: ReadContext, value: unknown, path: string, suffix = ''): Quantity | undefined {
  const q = readObject<FhirQuantity>(ctx, value, path, suffix);
  if (q === undefined) return undefined;
  const raw = q.value;
  if (raw === undefined) return undefined;
  const amount = typeof raw === 'number' && Number.isFinite(raw) ? raw : readNumber(ctx, raw, `${path}${suffix}.value`);
  if (amount === undefined) return undefined;
  const system = stringAt(ctx, q, 'system', path, suffix);
  const code = stringAt(ctx, q, 'code', path, suffix);
  const unit = stringAt(ctx, q, 'unit', path, suffix);
  const rawComparator = stringAt(ctx, q, 'comparator', path, suffix);
  if (rawComparator !== undefined) {
    if (!COMPARATORS.has(rawComparator)) {
      // 'ad' ("sufficient to achieve") and unknown comparators make the number's meaning unclear: drop the value.
      const at = `${path}${suffix}.comparator`;
      warn(ctx, at, `${at} '${rawComparator}' is not <, <=, >= or >; value ignored`);
      return undefined;
    }
  }
  const ucum = system === UCUM_SYSTEM ? code : undefined;
  const unitText = unit ?? (ucum === undefined ? code : undefined);
  // The usual UCUM quantity with a unit as one literal (its fields in the object, no separate property store);
  // otherwise filled in by assignment, in the same key order.
  if (ucum !== undefined && unitText !== undefined && rawComparator === undefined) {
    return { value: amount, ucum, unitText };
  }
  const quantity: Writable<Quantity> = { value: amount };
  if (ucum !== undefined) quantity.ucum = ucum;
  if (unitText !== undefined) quantity.unitText = unitText;
  if (rawComparator !== undefined) quantity.comparator = rawComparator as Comparator;
  return quantity;
}

export function readRatio(
  ctx: ReadContext,
  value: unknown,
  path: string,
): { numerator: Quantity; denominator?: Quantity } | undefined {
  const r = readObject<Ratio>(ctx, value, path);
  if (r === undefined) return undefined;
  const numerator = readQuantity(ctx, r.numerator, path, '.numerator');
  if (numerator === undefined) return undefined;
  const denominator = readQuantity(ctx, r.denominator, path, '.denominator');
  return denominator === undefined ? { numerator } : { numerator, denominator };
}

export function readPeriod(ctx: ReadContext, value: unknown, path: string): Period | undefined {
  const p = readObject<FhirPeriod>(ctx, value, path);
  if (p === undefined) return undefined;
  // An absent bound needs no path: most periods have one bound.
  const start = p.start === undefined ? undefined : readDate(ctx, p.start, `${path}.start`);
  const end = p.end === undefined ? undefined : readDate(ctx, p.end, `${path}.end`);
  if (start === undefined) return end === undefined ? undefined : { end };
  return end === undefined ? { start } : { start, end };
}

export function readReference(
  ctx: ReadContext,
  value: unknown,
  path: string,
): { reference?: string; display?: string } {
  const r = readObject<Reference>(ctx, value, path);
  if (r === undefined) return {};
  const reference = readString(ctx, r.reference, path, '.reference');
  const display = readString(ctx, r.display, path, '.display');
  const out: { reference?: string; display?: string } = {};
  if (reference !== undefined) out.reference = reference;
  if (display !== undefined) out.display = display;
  return out;
}
