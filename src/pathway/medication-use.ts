/**
 * Definitions 2 (exposure) and 3a (current medication) of docs/care-pathway.md, written once for every medication record
 * (docs: knowledge/pathway/care-pathway.json `definitions.currentMedication`). Antidepressant exposures, latent-TB
 * treatment, tocilizumab before a CRP, cautions, contraindications and trial criteria all read these uses; none
 * re-derives "how long" or "current".
 *
 * - Which records document an exposure (`definitions.currentMedication.records`): statements active, completed,
 *   stopped, on-hold (intended and unknown: unverified); requests with an order intent and status active, completed,
 *   stopped, on-hold; dispenses completed; administrations completed or in-progress. Nothing that starts after the
 *   as-of date exists yet.
 * - How long: a request is ONE supply from authoredOn (expectedSupplyDuration, else quantity / daily dose); refills
 *   count only through the dispenses recorded for them, which are uses of their own. A stopped request ends only at a
 *   known end. A dispense lasts its daysSupply (else quantity / daily dose). An active or on-hold statement without an
 *   end runs to the as-of date while it is current. Anything else without an end has an unknown duration: unverified,
 *   never counted up to the as-of date.
 * - Current: the period contains the as-of date, or the record is open-ended (active or on-hold, no end) and started
 *   within `openEndedWindowDays`; an older open-ended record is stale (not current, reported with its date). A
 *   biologic immunosuppressant with a known last dose or supply end stays current for its washout.
 */
import {
  matchConceptInSets,
  medicationNamesOf,
  nonSystemicRoute,
  setsListIngredient,
  unverifiedName,
  unverifiedRoutes,
} from '../knowledge/index.ts';
import type { Knowledge, MedicationName } from '../knowledge/index.ts';
import type { MedicationFact, Quantity, Writable } from '../record/index.ts';
import type { Days, Pathway } from '../knowledge/schema-pathway.ts';
import {
  byRef,
  dayOf,
  isFullDate,
  isoDate,
  noteIssue,
  noteUnverified,
  sortInPlace,
  useThreshold,
  withinDaysAfter,
} from './context.ts';
import type { EngineContext } from './context.ts';
import type { ClinicalFacts } from './facts.ts';
import { inAnySet } from './lookups.ts';
import { statusSet } from './observations.ts';
/** Unit texts that name a count of dose units when the sender gave no UCUM code. */
const COUNT_UNIT_TEXT = new Set(['tablet', 'tablets', 'tab', 'tabs', 'capsule', 'capsules', 'cap', 'caps', 'each']);

export interface MedicationUse {
  readonly fact: MedicationFact;
  /** Why the record documents no exposure (status, intent, a start after the as-of date). */
  readonly ignored?: string;
  /** First day on the drug (a partial date is read as its latest day, so imprecision never lengthens an exposure). */
  readonly startDay?: number;
  /** Last day on the drug, inclusive, at most the as-of day; undefined when the duration is unknown. */
  readonly endDay?: number;
  /** The same, not capped at the as-of day (a completed course must have ended by then). */
  readonly knownEndDay?: number;
  /** The last known day of use: the end, else the date of a record dated by one day; undefined when unknown. */
  readonly lastDay?: number;
  /**
   * When a start or end is given only as a month or year: the widest reading of the period (a partial start at its
   * earliest day, a partial end at its latest, the end at most the as-of day). It may show that the dates allow an
   * adequate trial the firm reading does not establish (definition 3: unverified, never inadequate).
   */
  readonly widest?: { readonly startDay: number; readonly endDay: number };
  /** Why the exposure is unverified (status intended or unknown, duration unknown); undefined when firm. */
  readonly unverified?: string;
  /** True when the status alone makes it unverified (intended, unknown): not confirmed as taken. */
  readonly unconfirmed: boolean;
  /** Active or on-hold (in-progress for an administration) with no stated end. */
  readonly openEnded: boolean;
  /**
   * Not counted as current, but may be: open-ended and started before the open-ended window (or undated), or a
   * biologic with a washout whose last dose is unknown. Reported as a data issue; confirmed through the work-up.
   */
  readonly stale: boolean;
  /** Definition 3a, washout included. */
  readonly current: boolean;
  /**
   * The medicines the record names (its text or a coding's display: an ingredient or brand name of
   * src/knowledge/medication-names.ts), read for a record that documents an exposure and does not say it is applied
   * or inhaled. Used only where no listed code places it (`membership`).
   */
  readonly names?: readonly MedicationName[];
}

/** A count unit (tablets, {tbl}, 1) rather than a mass. */
export function isCountUnit(q: Quantity): boolean {
  if (q.ucum !== undefined) return q.ucum === '1' || (q.ucum.startsWith('{') && q.ucum.endsWith('}'));
  return q.unitText !== undefined && COUNT_UNIT_TEXT.has(q.unitText.trim().toLowerCase());
}

/** Whole days a quantity lasts at a daily dose in the same unit (30 tablets at 2 a day: 15 days). */
function daysOfQuantity(quantity: Quantity | undefined, daily: Quantity | undefined): number | undefined {
  if (quantity === undefined || daily === undefined || !(daily.value > 0) || !(quantity.value > 0)) return undefined;
  const same =
    (isCountUnit(quantity) && isCountUnit(daily)) ||
    (quantity.ucum !== undefined && quantity.ucum === daily.ucum) ||
    (quantity.ucum === undefined && daily.ucum === undefined && quantity.unitText === daily.unitText);
  if (!same) return undefined;
  const days = Math.floor(quantity.value / daily.value);
  return days >= 1 && days <= 36_525 ? days : undefined;
}

/** One supply in days: a request's expected supply, a dispense's daysSupply, else quantity / daily dose. */
export function supplyDays(m: MedicationFact): number | undefined {
  if (m.kind === 'request') {
    return m.dispense?.expectedSupplyDays ?? daysOfQuantity(m.dispense?.quantity, m.dailyDose);
  }
  if (m.kind === 'dispense') return m.supply?.days ?? daysOfQuantity(m.supply?.quantity, m.dailyDose);
  return undefined;
}

/** The pathway's statuses and intents of the records that document an exposure. */
type RecordRules = Pathway['definitions']['currentMedication']['records'];

/** "(only completed counts)", "(only completed or in-progress count)". */
function onlyThese(statuses: readonly string[]): string {
  const named = statuses.length === 1 ? statuses[0] : `${statuses.slice(0, -1).join(', ')} or ${statuses.at(-1)}`;
  return `(only ${named} ${statuses.length === 1 ? 'counts' : 'count'})`;
}

function whyIgnored(m: MedicationFact, r: RecordRules): string | undefined {
  switch (m.kind) {
    case 'statement':
      return statusSet(r.statement.taken).has(m.status) || statusSet(r.statement.unconfirmed).has(m.status)
        ? undefined
        : `MedicationStatement status is ${m.status}`;
    case 'request':
      // Definition 2 lists the intents that count; a request that states none is not known to be an order.
      if (m.intent === undefined) return `MedicationRequest has no intent ${onlyThese(r.request.orderIntents)}`;
      if (!statusSet(r.request.orderIntents).has(m.intent))
        return `MedicationRequest intent is ${m.intent} (not an order)`;
      return statusSet(r.request.statuses).has(m.status)
        ? undefined
        : `MedicationRequest status is ${m.status} ${onlyThese(r.request.statuses)}`;
    case 'dispense':
      return statusSet(r.dispense.statuses).has(m.status)
        ? undefined
        : `MedicationDispense status is ${m.status} ${onlyThese(r.dispense.statuses)}`;
    case 'administration':
      return statusSet(r.administration.statuses).has(m.status)
        ? undefined
        : `MedicationAdministration status is ${m.status} ${onlyThese(r.administration.statuses)}`;
  }
}

const RESOURCE_NAME = {
  statement: 'MedicationStatement',
  request: 'MedicationRequest',
  dispense: 'MedicationDispense',
  administration: 'MedicationAdministration',
} as const;

interface Settings {
  readonly window: Days;
  readonly records: RecordRules;
}

const WINDOW_ITEM = 'open-ended medication window (days)';

/** A record that documents no exposure (built as one literal: this runs for every medication of every assessment). */
function ignoredUse(fact: MedicationFact, ignored: string): MedicationUse {
  return { fact, ignored, unconfirmed: false, openEnded: false, stale: false, current: false };
}

/** An open-ended record is stale when undated or started before the window (noted as relied upon only then). */
function isStale(ctx: EngineContext, startDay: number | undefined, window: Days): boolean {
  if (startDay === undefined) return true;
  useThreshold(ctx, WINDOW_ITEM, window);
  return !withinDaysAfter(ctx.asOfDay, startDay, window);
}

function judge(ctx: EngineContext, m: MedicationFact, s: Settings): MedicationUse {
  const ignoredWhy = whyIgnored(m, s.records);
  if (ignoredWhy !== undefined) return ignoredUse(m, ignoredWhy);
  const named = namesOf(ctx, m);
  const start = m.period.start;
  let startDay = start === undefined ? undefined : dayOf(start, isFullDate(start) ? 'start' : 'end');
  // A month or year that holds the as-of date ("2026-11" as of 27 November) may have begun before it: read at its
  // latest day that is not after the as-of date, the record exists (an IL-6 blocker started "this month" is current).
  if (startDay !== undefined && startDay > ctx.asOfDay && (dayOf(start, 'start') ?? startDay) <= ctx.asOfDay) {
    startDay = ctx.asOfDay;
  }
  if (startDay !== undefined && startDay > ctx.asOfDay) {
    return ignoredUse(m, `starts ${start ?? ''}, after the as-of date`);
  }
  // A partial end date is read as its earliest day: imprecision never lengthens an exposure.
  const end = m.period.end;
  const statedEnd = end === undefined ? undefined : dayOf(end, 'start');
  const openEnded =
    statusSet(s.records.openEndedStatuses).has(m.status) && statedEnd === undefined && m.kind !== 'dispense';
  const unconfirmed = m.kind === 'statement' && statusSet(s.records.statement.unconfirmed).has(m.status);
  let stale = openEnded && isStale(ctx, startDay, s.window);
  const lasting = endOfUse(ctx, m, startDay, statedEnd, openEnded, stale);
  let endDay = lasting.endDay;
  let durationProblem = lasting.problem;
  if (endDay !== undefined && startDay !== undefined && endDay < startDay) {
    durationProblem = 'ends before it starts';
    endDay = undefined;
  }
  // Definition 3a: the period contains the as-of date, or an open-ended record within the window.
  let current =
    (startDay !== undefined && endDay !== undefined && endDay >= ctx.asOfDay) ||
    (openEnded && !stale && startDay !== undefined);
  // The last known day of use: the end, else the date of a record dated by one day (a dose on that day).
  const lastDay = endDay ?? (m.periodSource === 'effectiveDateTime' ? startDay : undefined);
  if (!current && !openEnded) {
    if (lastDay !== undefined) current = withinWashout(ctx, m, named, lastDay);
    else if (washoutOf(ctx, m, named) !== undefined) {
      // A biologic's washout runs from its last dose: with no end, supply or date, the last dose may have been
      // yesterday, so the record is neither current nor safely past (definition 3a).
      stale = true;
      noteIssue(
        ctx,
        'medication.last-dose-unknown',
        `${RESOURCE_NAME[m.kind]} of a biologic ${startDay === undefined ? 'with no date' : `from ${isoDate(startDay)}`} gives no last dose: its washout cannot be established (confirm when it was last given)`,
        m.ref,
      );
    }
  }
  if (stale && openEnded) {
    const what = `open-ended ${RESOURCE_NAME[m.kind]}`;
    const since = startDay === undefined ? 'with no start date' : `from ${isoDate(startDay)}`;
    noteIssue(
      ctx,
      'medication.stale',
      `${what} ${since} is older than ${s.window.value} days: not counted as current (confirm whether it is still taken)`,
      m.ref,
    );
  }
  const unverified = unconfirmed
    ? `${RESOURCE_NAME[m.kind]} status is ${m.status}: not confirmed as taken`
    : durationProblem === undefined
      ? undefined
      : `duration not established (${durationProblem})`;
  const use: Writable<MedicationUse> = {
    fact: m,
    startDay,
    endDay: endDay === undefined ? undefined : Math.min(endDay, ctx.asOfDay),
    knownEndDay: endDay,
    lastDay,
    unverified,
    unconfirmed,
    openEnded,
    stale,
    current,
  };
  if (named !== undefined) use.names = named;
  if (endDay !== undefined && !(isFullDate(start) && (end === undefined || isFullDate(end)))) {
    const widest = widestReading(ctx, m, start, end, openEnded, stale);
    if (widest !== undefined) use.widest = widest;
  }
  return use;
}

/**
 * The last day of use (inclusive, not capped at the as-of day) from a start and a stated end, or why it is unknown:
 * a request or dispense lasts one supply (a stated end shortens it), a stopped request only to a known end, an
 * open-ended current record runs to the as-of day, an administration without an end is its one day.
 */
function endOfUse(
  ctx: EngineContext,
  m: MedicationFact,
  startDay: number | undefined,
  statedEnd: number | undefined,
  openEnded: boolean,
  stale: boolean,
): { endDay?: number; problem?: string } {
  if (startDay === undefined) return { problem: 'start date unknown' };
  if (m.kind === 'request' || m.kind === 'dispense') {
    const supply = supplyDays(m);
    if (m.kind === 'request' && m.status === 'stopped' && statedEnd === undefined) {
      return { problem: 'stopped, with no known end' };
    }
    if (supply !== undefined) {
      const supplyEnd = startDay + supply - 1;
      return { endDay: statedEnd === undefined ? supplyEnd : Math.min(supplyEnd, statedEnd) };
    }
    return statedEnd !== undefined ? { endDay: statedEnd } : { problem: 'no supply duration and no end' };
  }
  if (statedEnd !== undefined) return { endDay: statedEnd };
  if (openEnded && !stale) return { endDay: ctx.asOfDay };
  if (m.kind === 'administration') return { endDay: startDay };
  if (openEnded) return { problem: 'open-ended and stale' };
  return { problem: m.periodSource === 'effectiveDateTime' ? 'a single date' : 'no end date' };
}

/** The widest reading of a period given partly as a month or year (MedicationUse.widest); undefined when none. */
function widestReading(
  ctx: EngineContext,
  m: MedicationFact,
  start: string | undefined,
  end: string | undefined,
  openEnded: boolean,
  stale: boolean,
): MedicationUse['widest'] {
  const startDay = dayOf(start, 'start');
  if (startDay === undefined) return undefined;
  const statedEnd = end === undefined ? undefined : dayOf(end, 'end');
  const endDay = endOfUse(ctx, m, startDay, statedEnd, openEnded, stale).endDay;
  if (endDay === undefined || endDay < startDay) return undefined;
  return { startDay, endDay: Math.min(endDay, ctx.asOfDay) };
}

/** The [U] route words, listed as relied upon when they set a record aside. */
function noteRoutes(ctx: EngineContext): void {
  const routes = unverifiedRoutes(ctx.knowledge);
  if (routes !== undefined) noteUnverified(ctx, routes.item, routes.note, routes.citation);
}

/**
 * The medicines a record names, undefined when none; a record whose texts say it is applied or inhaled ("cream",
 * "eye drops") names none, and the [U] route words it was set aside by are listed as relied upon.
 */
function namesOf(ctx: EngineContext, m: MedicationFact): readonly MedicationName[] | undefined {
  const { names, nonSystemic } = medicationNamesOf(ctx.knowledge, m);
  if (nonSystemic !== undefined) noteRoutes(ctx);
  return names.length === 0 ? undefined : names;
}

/** The word or route that says a record is applied or inhaled, not systemic (its [U] words noted); else undefined. */
export function notSystemic(ctx: EngineContext, m: MedicationFact): string | undefined {
  const route = nonSystemicRoute(ctx.knowledge, m);
  if (route !== undefined) noteRoutes(ctx);
  return route;
}

/** The first medicine a record names whose ingredient one of the code sets lists. */
export function namedIn(
  k: Knowledge,
  codeSets: readonly string[],
  u: Pick<MedicationUse, 'names'>,
): MedicationName | undefined {
  return u.names?.find((n) => setsListIngredient(k, codeSets, n.ingredient));
}

/**
 * How a record belongs to code sets (docs/care-pathway.md, "Medications named without a listed code"): `code` when
 * its product or an ingredient has a code of one of them; `name` when it has none but names a medicine they list
 * (an ingredient or brand name): a possible use to confirm, never a confirmed one; undefined otherwise.
 */
export function membership(
  ctx: EngineContext,
  codeSets: readonly string[],
  u: Pick<MedicationUse, 'fact' | 'names'>,
): 'code' | 'name' | undefined {
  if (inMedicationSets(ctx, codeSets, u.fact)) return 'code';
  return namedIn(ctx.knowledge, codeSets, u) === undefined ? undefined : 'name';
}

/** "named "Actemra" (tocilizumab) without a code the pathway lists", for messages. */
export function namedOnlyPhrase(named: MedicationName): string {
  const which = named.brand === undefined ? `"${named.name}"` : `"${named.name}" (${named.ingredient})`;
  return `named ${which} without a code the pathway lists`;
}

/** A record a rule read by name only: reported as an issue, and its [U] brand name listed as relied upon. */
export function noteNamedOnly(ctx: EngineContext, u: MedicationUse, named: MedicationName): void {
  noteIssue(
    ctx,
    'medication.named-only',
    `${RESOURCE_NAME[u.fact.kind]} ${namedOnlyPhrase(named)}: read as possibly ${named.ingredient}, never as confirmed (confirm the medicine and record it coded)`,
    u.fact.ref,
  );
  const unverified = unverifiedName(named);
  if (unverified !== undefined) noteUnverified(ctx, unverified.item, unverified.note, unverified.citation);
}

/** A use read by name only, with the medicine it names. */
export interface NamedOnlyUse {
  readonly use: MedicationUse;
  readonly named: MedicationName;
}

/**
 * Current (and, with `staleToo`, stale) uses that only name a medicine of the code sets, each noted (noteNamedOnly).
 */
export function namedOnlyUsesIn(ctx: EngineContext, codeSets: readonly string[], staleToo: boolean): NamedOnlyUse[] {
  const out: NamedOnlyUse[] = [];
  for (const u of medicationUses(ctx)) {
    if (!(u.current || (staleToo && u.stale))) continue;
    const named = namedIn(ctx.knowledge, codeSets, u);
    if (named === undefined) continue;
    // A record with a listed code is not named-only; looked up quietly, since nothing here relies on that code.
    if (matchConceptInSets(ctx.knowledge, codeSets, u.fact.medication) !== undefined) continue;
    if (u.fact.ingredients.some((i) => matchConceptInSets(ctx.knowledge, codeSets, i.code) !== undefined)) continue;
    noteNamedOnly(ctx, u, named);
    out.push({ use: u, named });
  }
  return out;
}

/**
 * The washout of a biologic immunosuppressant (its own, else the default); undefined for other medications. A record
 * that only names a biologic gets that biologic's washout: whether it is current is then what is to be confirmed.
 */
function washoutOf(
  ctx: EngineContext,
  m: MedicationFact,
  names: readonly MedicationName[] | undefined,
): { name: string; days: Days } | undefined {
  const w = ctx.pathway.definitions.currentMedication.biologicWashout;
  const use = { fact: m, names };
  if (membership(ctx, w.codeSets, use) === undefined) return undefined;
  const own = w.byIngredient.find((i) => membership(ctx, i.codeSets, use) !== undefined);
  return own === undefined
    ? { name: 'biologic washout (days)', days: w.defaultDays }
    : { name: `${own.ingredient} washout (days)`, days: own.days };
}

/** A biologic immunosuppressant is current for its washout after the last known day of use. */
function withinWashout(
  ctx: EngineContext,
  m: MedicationFact,
  names: readonly MedicationName[] | undefined,
  lastDay: number,
): boolean {
  const washout = washoutOf(ctx, m, names);
  if (washout === undefined) return false;
  useThreshold(ctx, washout.name, washout.days);
  return withinDaysAfter(ctx.asOfDay, lastDay, washout.days);
}

/** The product or one of its ingredients is in any of the code sets. */
export function inMedicationSets(ctx: EngineContext, codeSets: readonly string[], m: MedicationFact): boolean {
  if (inAnySet(ctx, codeSets, m.medication)) return true;
  for (const i of m.ingredients) if (inAnySet(ctx, codeSets, i.code)) return true;
  return false;
}

/** Every medication record's use, judged once per assessment (in record order). */
export function medicationUses(ctx: EngineContext): readonly MedicationUse[] {
  const cached = ctx.scratch.medicationUses as readonly MedicationUse[] | undefined;
  if (cached !== undefined) return cached;
  const settings: Settings = {
    window: ctx.pathway.definitions.currentMedication.openEndedWindowDays,
    records: ctx.pathway.definitions.currentMedication.records,
  };
  const uses: MedicationUse[] = [];
  for (const m of ctx.record.medications) uses.push(judge(ctx, m, settings));
  ctx.scratch.medicationUses = uses;
  return uses;
}

/** Current uses (definition 3a) whose product or an ingredient is in any of the code sets. */
export function currentUsesIn(ctx: EngineContext, codeSets: readonly string[]): MedicationUse[] {
  const out: MedicationUse[] = [];
  for (const u of medicationUses(ctx)) if (u.current && inMedicationSets(ctx, codeSets, u.fact)) out.push(u);
  return out;
}

/** Stale open-ended uses whose product or an ingredient is in any of the code sets. */
export function staleUsesIn(ctx: EngineContext, codeSets: readonly string[]): MedicationUse[] {
  const out: MedicationUse[] = [];
  for (const u of medicationUses(ctx)) if (u.stale && inMedicationSets(ctx, codeSets, u.fact)) out.push(u);
  return out;
}

/** YYYY-MM-DD of a use's start, for messages. */
export function useStart(u: MedicationUse): string | undefined {
  return u.startDay === undefined ? undefined : isoDate(u.startDay);
}

/**
 * The refs of current and of stale records, the records whose use is over with its last known day, and those not
 * current whose last day is unknown, each sorted by ref (ClinicalFacts.medications).
 */
export function medicationStatus(ctx: EngineContext): ClinicalFacts['medications'] {
  const current: string[] = [];
  const stale: string[] = [];
  const ended: { source: string; end: string }[] = [];
  const endUnknown: string[] = [];
  for (const u of medicationUses(ctx)) {
    if (u.current) current.push(u.fact.ref);
    if (u.stale) stale.push(u.fact.ref);
    // Neither current nor stale, with a known last day (at most the as-of day, or it would be current).
    else if (!u.current && u.ignored === undefined && u.lastDay !== undefined) {
      ended.push({ source: u.fact.ref, end: isoDate(u.lastDay) });
    }
    // Not current, and when its use ended is not known (stale ones included): it may have ended yesterday.
    if (!u.current && u.ignored === undefined && u.lastDay === undefined) endUnknown.push(u.fact.ref);
  }
  return {
    current: sortInPlace(current, byRef),
    stale: sortInPlace(stale, byRef),
    ended: sortInPlace(ended, (a, b) => byRef(a.source, b.source)),
    endUnknown: sortInPlace(endUnknown, byRef),
  };
}
