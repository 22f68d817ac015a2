/**
 * Defensive readers for untrusted FHIR JSON. A bundle comes from outside, so every element is checked before use:
 * a missing optional element is fine (undefined), a malformed one becomes a warning Issue naming the resource
 * reference and the element path, and the reader carries on. Nothing here throws.
 *
 * `Untrusted<T>` keeps the element names of the @medplum/fhirtypes R4 interfaces (so a misspelt element is a compile
 * error) while typing every value as `unknown` (so nothing is trusted before it is read through these functions).
 */
import { issue } from '../record/index.ts';
import type { Issue, ResourceRef } from '../record/index.ts';

export type Untrusted<T> = { readonly [K in keyof T]?: unknown };

/** A fact while a reader fills it in, field by field in the fact's key order. */
export type { Writable } from '../record/index.ts';

/** Where the reader is: the resource being read and the sink for its warnings. */
export interface ReadContext {
  readonly ref: ResourceRef;
  readonly issues: Issue[];
}

export const MALFORMED = 'fhir.element.malformed';

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function warn(ctx: ReadContext, path: string, message: string, code: string = MALFORMED): void {
  ctx.issues.push(issue(code, message, `${ctx.ref}.${path}`, 'warning'));
}

export function note(ctx: ReadContext, path: string, message: string, code: string): void {
  ctx.issues.push(issue(code, message, `${ctx.ref}.${path}`, 'information'));
}

/**
 * One shared empty list for a missing array element (most resources leave most lists out): no empty array is made
 * per read. Frozen, so no reader can add to it.
 */
export const NONE: readonly never[] = Object.freeze([]);

// Each reader below takes the element path in two parts, `path` and an optional `suffix`, and joins them only for a
// warning: a hot reader passes a literal suffix ('.text') instead of building `${p}.text` for every element it reads.

export function readObject<T>(ctx: ReadContext, value: unknown, path: string, suffix = ''): Untrusted<T> | undefined {
  if (value === undefined || value === null) return undefined;
  if (isObject(value)) return value as Untrusted<T>;
  warn(ctx, path + suffix, `${path}${suffix} should be an object; ignored`);
  return undefined;
}

/**
 * A list element. One value sent where FHIR JSON wants a list (`"coding": { ... }`, as some converters write a list of
 * one) is read as that one item, with a warning: ignoring it would read a depression diagnosis, or a safety lab's
 * interpretation, as absent, a confident answer from data whose meaning is plain. The item is then read as any
 * list item is, so a value of the wrong kind is still refused by its own reader (docs/care-pathway.md "What goes in").
 */
export function readArray(ctx: ReadContext, value: unknown, path: string, suffix = ''): readonly unknown[] {
  if (Array.isArray(value)) return value;
  if (value === undefined || value === null) return NONE;
  warn(ctx, path + suffix, `${path}${suffix} should be an array; read as a list of one`);
  return [value];
}

export function readString(ctx: ReadContext, value: unknown, path: string, suffix = ''): string | undefined {
  if (typeof value === 'string') return value.length > 0 ? value : undefined;
  if (value === undefined || value === null) return undefined;
  warn(ctx, path + suffix, `${path}${suffix} should be a string; ignored`);
  return undefined;
}

/** A finite JSON number. Numeric strings are refused: FHIR JSON sends decimals as numbers. */
export function readNumber(ctx: ReadContext, value: unknown, path: string, suffix = ''): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (value === undefined || value === null) return undefined;
  warn(ctx, path + suffix, `${path}${suffix} should be a number; ignored`);
  return undefined;
}

export function readBoolean(ctx: ReadContext, value: unknown, path: string, suffix = ''): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === undefined || value === null) return undefined;
  warn(ctx, path + suffix, `${path}${suffix} should be true or false; ignored`);
  return undefined;
}

const DATE_PREFIX = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?/;

/**
 * True when `text` starts with a calendar date (YYYY, YYYY-MM or YYYY-MM-DD) that exists: the same test as
 * src/record/dates.ts `toDayNumber`, in plain arithmetic because the adapter checks every date of a large bundle.
 */
export function isFhirDate(text: string): boolean {
  let year: number;
  let month: number;
  let day: number;
  if (isFullDateShape(text)) {
    // The common `YYYY-MM-DD...`, read digit by digit: no regex match and no array.
    year = digitsAt(text, 0, 4);
    month = digitsAt(text, 5, 7);
    day = digitsAt(text, 8, 10);
  } else {
    const m = DATE_PREFIX.exec(text);
    if (m === null) return false;
    if (m[2] === undefined) return true;
    month = Number(m[2]);
    if (m[3] === undefined) return month >= 1 && month <= 12;
    year = Number(m[1]);
    day = Number(m[3]);
  }
  if (month < 1 || month > 12) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const daysInMonth =
    month === 2 ? (leap ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
  return day >= 1 && day <= daysInMonth;
}

/** Ten characters `DDDD-DD-DD` at the start (D a digit). */
function isFullDateShape(text: string): boolean {
  if (text.length < 10 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return false;
  for (let i = 0; i < 10; i++) {
    if (i === 4 || i === 7) continue;
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
  }
  return true;
}

/** The number written by the digits from `start` to `end` (already checked to be digits). */
function digitsAt(text: string, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) n = n * 10 + (text.charCodeAt(i) - 48);
  return n;
}

/** A FHIR date, dateTime or instant, kept as written; anything not a calendar date is dropped with a warning. */
export function readDate(ctx: ReadContext, value: unknown, path: string, suffix = ''): string | undefined {
  const text = readString(ctx, value, path, suffix);
  if (text === undefined) return undefined;
  if (isFhirDate(text)) return text;
  warn(ctx, path + suffix, `${path}${suffix} is not a FHIR date; ignored`);
  return undefined;
}
