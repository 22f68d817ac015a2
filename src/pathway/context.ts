/**
 * The per-assessment context the derivations share: the record, the knowledge, the as-of day and two collectors
 * (data issues, unverified values relied on). Built once per assessment; everything here is pure.
 */
import type { Knowledge } from '../knowledge/index.ts';
import type { CitedValue, Days, Pathway } from '../knowledge/schema-pathway.ts';
import { ageInYears, fromDayNumber, issue, toDayNumber } from '../record/index.ts';
import type { Issue, PatientRecord } from '../record/index.ts';
import type { UnverifiedItem } from './facts.ts';

const AS_OF = /^\d{4}-\d{2}-\d{2}$/;

export interface EngineContext {
  readonly record: PatientRecord;
  readonly knowledge: Knowledge;
  readonly pathway: Pathway;
  readonly asOf: string;
  readonly asOfDay: number;
  readonly issues: Issue[];
  readonly unverified: Map<string, UnverifiedItem>;
  /**
   * Open collectors of the unverified values one derivation relies on (a contraindication rule: a trial criterion
   * reading it lists them); noteUnverified adds to each, even a value the assessment already noted. Lists, not Maps:
   * each value is one object per assessment (`unverified`), so a list holds it once by identity, and an empty list
   * costs almost nothing (every contraindication rule opens one, and most note nothing).
   */
  readonly collectors: UnverifiedItem[][];
  /** Per-assessment caches owned by single modules (kept on the context, not in WeakMaps, to spare the GC). */
  readonly scratch: {
    classifiedObservations?: readonly unknown[];
    observationsBySet?: ReadonlyMap<string, readonly unknown[]>;
    observationsByRef?: ReadonlyMap<string, unknown>;
    /** Classified observations with no usable date (observations.ts). */
    undatedObservations?: readonly unknown[];
    medicationUses?: readonly unknown[];
    responses?: readonly unknown[];
    /** Usable responses with no usable date (symptoms.ts). */
    undatedResponses?: readonly unknown[];
    /** Resource reference -> the scale items it answers with no score the pathway knows (symptoms.ts). */
    unreadableItems?: Map<string, string[]>;
  };
}

export function createContext(record: PatientRecord, knowledge: Knowledge, asOf: string): EngineContext {
  const asOfDay = AS_OF.test(asOf) ? dayOf(asOf) : undefined;
  if (asOfDay === undefined) throw new Error(`asOf must be a YYYY-MM-DD date, got "${asOf}"`);
  return {
    record,
    knowledge,
    pathway: knowledge.pathway,
    asOf,
    asOfDay,
    issues: [],
    unverified: new Map(),
    collectors: [],
    scratch: {},
  };
}

/** Note a data problem once (same code and path). */
export function noteIssue(ctx: EngineContext, code: string, message: string, path?: string): void {
  if (ctx.issues.some((i) => i.code === code && i.path === path)) return;
  ctx.issues.push(issue(code, message, path, 'warning'));
}

/** Record that the result relied on an unverified value (tagged [U], docs/README.md). */
export function noteUnverified(ctx: EngineContext, item: string, note: string, citation: string): void {
  let noted = ctx.unverified.get(item);
  if (noted === undefined) ctx.unverified.set(item, (noted = { item, note, citation }));
  for (const collector of ctx.collectors) if (!collector.includes(noted)) collector.push(noted);
}

/** Note a threshold as relied upon: adds it to `unverified` when the pathway marks it `verified: false`. */
export function useThreshold(ctx: EngineContext, name: string, t: CitedValue): number {
  if (!t.verified) noteUnverified(ctx, name, t.note ?? `${name} = ${t.value} ${t.unit} is not verified`, t.citation);
  return t.value;
}

/**
 * The first day inside a window that ends on `endDay` (the as-of day): with `inclusive`, a date exactly `value` days
 * before is inside (day >= end - value); without, it must be newer (day > end - value). Every window of the pathway
 * is read through this function or withinDaysAfter, so the `inclusive` flag always means the same thing.
 */
export function windowStart(endDay: number, window: Pick<Days, 'value' | 'inclusive'>): number {
  return window.inclusive ? endDay - window.value : endDay - window.value + 1;
}

/** Is `day` on or after `anchorDay` and within `window` days after it (the boundary day per `inclusive`)? */
export function withinDaysAfter(day: number, anchorDay: number, window: Pick<Days, 'value' | 'inclusive'>): boolean {
  const after = day - anchorDay;
  return after >= 0 && (window.inclusive ? after <= window.value : after < window.value);
}

/**
 * Orders by resource reference: the tie-break that makes every list in a result independent of the order of the
 * entries in the input bundle (a property test shuffles them).
 */
export function byRef(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Lists up to this long are sorted by insertion (sortInPlace); longer ones by Array.prototype.sort. */
const INSERTION_SORT_MAX = 16;

/**
 * `list.sort(compare)` for the short lists of one assessment (most hold none to three items): up to
 * INSERTION_SORT_MAX items by insertion. The built-in sort sets up its work arrays on every call, about ten times the
 * insertion's cost on three items, and an assessment sorts some fifty lists. Both sorts are stable, so they give the
 * same order when `compare` is a total order (byRef, numbers, keys chained with ||). A comparator that is not one
 * (observations.ts newestFirst, which orders by time where both results give one and by day otherwise) keeps the
 * built-in sort, since two algorithms may order its cycles differently.
 */
export function sortInPlace<T>(list: T[], compare: (a: T, b: T) => number): T[] {
  if (list.length > INSERTION_SORT_MAX) return list.sort(compare);
  for (let i = 1; i < list.length; i++) {
    const item = list[i] as T;
    let j = i - 1;
    for (; j >= 0 && compare(list[j] as T, item) > 0; j--) list[j + 1] = list[j] as T;
    list[j + 1] = item;
  }
  return list;
}

/** Day number of a fact's date, or undefined; partial dates resolve to their earliest or latest day. */
export function dayOf(value: string | undefined, bound: 'start' | 'end' = 'start'): number | undefined {
  return toDayNumber(value, bound);
}

/** YYYY-MM-DD of a day number. */
export function isoDate(day: number): string {
  return fromDayNumber(day);
}

/** True when a FHIR date is given to the day (not a year or month). */
export function isFullDate(value: string | undefined): boolean {
  return value !== undefined && value.length >= 10;
}

/** Age in whole years on a day. */
export function ageOn(birthDate: string | undefined, day: number): number | undefined {
  return ageInYears(birthDate, day);
}

/**
 * The ages a birth date given only as a year or month allows on a day (born on its first or its last day); undefined
 * for a full or unusable birth date, or when both give the same age.
 */
export function ageRangeOn(
  birthDate: string | undefined,
  day: number,
): { youngest: number; oldest: number } | undefined {
  if (birthDate === undefined || isFullDate(birthDate)) return undefined;
  const oldest = ageInYears(birthDate, day);
  const last = toDayNumber(birthDate, 'end');
  const youngest = last === undefined ? undefined : ageInYears(fromDayNumber(last), day);
  return oldest === undefined || youngest === undefined || youngest === oldest ? undefined : { youngest, oldest };
}
