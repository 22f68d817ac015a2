/**
 * The record's conditions and observations as trial criteria read them, classified once per match call: each code's
 * set memberships (one read of the knowledge index per coding), each observation's day, each condition's "recorded on
 * or before the as-of day", and lists per code set in record order. A protocol has a dozen criteria on code sets
 * (psychiatric history, infections, weight, monocytes, scale items); each used to scan the whole record and resolve
 * every code and date again, and matching three protocols cost more than the assessment itself.
 *
 * The lists only narrow where a criterion looks: each criterion keeps its own checks (status, window, value), visits
 * its candidates in record order and matches a concept by the knowledge's one rule (matchInMemberships: the first set
 * in the criterion's order, then the first coding of the concept).
 */
import { codingSets, matchInMemberships } from '../knowledge/index.ts';
import type { CodeEntry, CodeMatch } from '../knowledge/index.ts';
import { isRecordedHistory } from '../pathway/conditions.ts';
import { toDayNumber } from '../record/index.ts';
import type { Coding, ConditionFact, ObservationFact } from '../record/index.ts';
import type { MatchContext } from './context.ts';
import { once } from './context.ts';

type Memberships = readonly ReadonlyMap<string, CodeEntry>[];

interface Classified<T> {
  readonly fact: T;
  /** Position in the record, to merge the lists of several sets back into record order. */
  readonly order: number;
  /** The code's codings and the sets each belongs to, index by index. */
  readonly codings: readonly Coding[];
  readonly memberships: Memberships;
}

export interface ClassifiedObservation extends Classified<ObservationFact> {
  /** The calendar day of `effective`, undefined when it has none or it is malformed. */
  readonly day: number | undefined;
}

interface ObservationLists {
  /** By the sets of the observation's own code. */
  readonly bySet: ReadonlyMap<string, readonly ClassifiedObservation[]>;
  /** By the sets of its components' codes (a panel whose components are scale items). */
  readonly byComponentSet: ReadonlyMap<string, readonly ClassifiedObservation[]>;
  /** With a coding that has no system: a bare code may match a set under any of its systems (scale items). */
  readonly bareCoded: readonly ClassifiedObservation[];
}

const NONE: readonly never[] = [];

function listUnder<T>(bySet: Map<string, T[]>, sets: Iterable<string>, item: T): void {
  for (const setId of sets) {
    const list = bySet.get(setId);
    if (list === undefined) bySet.set(setId, [item]);
    else if (list.at(-1) !== item) list.push(item);
  }
}

function membershipsOf(ctx: MatchContext, codings: readonly Coding[]): Memberships {
  return codings.map((coding) => codingSets(ctx.knowledge, coding));
}

/** Conditions recorded on or before the as-of day (refuted and entered-in-error left out), listed per set. */
function conditionLists(ctx: MatchContext): ReadonlyMap<string, readonly Classified<ConditionFact>[]> {
  return once(ctx, 'classified|conditions', () => {
    const bySet = new Map<string, Classified<ConditionFact>[]>();
    ctx.record.conditions.forEach((fact, order) => {
      if (!isRecordedHistory(fact, ctx.asOfDay)) return;
      const codings = fact.code.codings;
      const memberships = membershipsOf(ctx, codings);
      const item = { fact, order, codings, memberships };
      for (const sets of memberships) listUnder(bySet, sets.keys(), item);
    });
    return bySet;
  });
}

/** Every observation, listed under the sets of its code and, apart, of its components' codes. */
function observationLists(ctx: MatchContext): ObservationLists {
  return once(ctx, 'classified|observations', () => {
    const bySet = new Map<string, ClassifiedObservation[]>();
    const byComponentSet = new Map<string, ClassifiedObservation[]>();
    const bareCoded: ClassifiedObservation[] = [];
    ctx.record.observations.forEach((fact, order) => {
      const codings = fact.code.codings;
      const memberships = membershipsOf(ctx, codings);
      const item = { fact, order, codings, memberships, day: toDayNumber(fact.effective) };
      for (const sets of memberships) listUnder(bySet, sets.keys(), item);
      let bare = codings.some((c) => c.system === undefined);
      for (const component of fact.components) {
        for (const coding of component.code.codings) {
          if (coding.system === undefined) bare = true;
          else listUnder(byComponentSet, codingSets(ctx.knowledge, coding).keys(), item);
        }
      }
      if (bare) bareCoded.push(item);
    });
    return { bySet, byComponentSet, bareCoded };
  });
}

/** The items listed under any of the sets in any of the maps (and the extra list), each once, in record order. */
function inRecordOrder<T extends { readonly order: number }>(
  maps: readonly ReadonlyMap<string, readonly T[]>[],
  codeSets: readonly string[],
  extra: readonly T[] = NONE,
): readonly T[] {
  const lists: (readonly T[])[] = [];
  for (const bySet of maps) {
    for (const setId of codeSets) {
      const list = bySet.get(setId);
      if (list !== undefined) lists.push(list);
    }
  }
  if (extra.length > 0) lists.push(extra);
  // Most criteria find their facts under one set, or none: no merge then.
  if (lists.length <= 1) return lists[0] ?? NONE;
  const seen = new Set<number>();
  const merged: T[] = [];
  for (const list of lists) {
    for (const item of list) {
      if (!seen.has(item.order)) {
        seen.add(item.order);
        merged.push(item);
      }
    }
  }
  return merged.sort((a, b) => a.order - b.order);
}

/** The first of `codeSets` that a coding of the item belongs to, with the first such coding (the knowledge's rule). */
export function matchInSets<T>(item: Classified<T>, codeSets: readonly string[]): CodeMatch | undefined {
  return matchInMemberships(codeSets, item.codings, item.memberships);
}

/** Conditions recorded on or before the as-of day whose code is in any of the sets, in record order. */
export function conditionsCodedIn(
  ctx: MatchContext,
  codeSets: readonly string[],
): readonly Classified<ConditionFact>[] {
  return inRecordOrder([conditionLists(ctx)], codeSets);
}

/** Observations whose code is in the set, in record order. */
export function observationsCodedIn(ctx: MatchContext, codeSet: string): readonly ClassifiedObservation[] {
  return observationLists(ctx).bySet.get(codeSet) ?? NONE;
}

/**
 * Observations that may carry a reading of a scale: code or a component's code in one of the sets, or a coding with
 * no system (matched by its bare code), in record order.
 */
export function observationsMaybeIn(ctx: MatchContext, codeSets: readonly string[]): readonly ObservationFact[] {
  const lists = observationLists(ctx);
  return inRecordOrder([lists.bySet, lists.byComponentSet], codeSets, lists.bareCoded).map((item) => item.fact);
}
