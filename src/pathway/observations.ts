/**
 * Shared reading of Observations: which are usable (status, date on or before the as-of date), newest first, and
 * quantity conversion to a pathway unit through src/units (UCUM; never guessed).
 */
import { convertQuantity, isUcum } from '../units/index.ts';
import type { Pathway } from '../knowledge/schema-pathway.ts';
import type { ObservationFact, Quantity } from '../record/index.ts';
import { byRef, dayOf, noteIssue, noteUnverified, sortInPlace } from './context.ts';
import type { EngineContext } from './context.ts';
import type { UnverifiedItem } from './facts.ts';
import { conceptSetHits, useHit } from './lookups.ts';

export interface DatedObservation extends Dated {
  readonly obs: ObservationFact;
}

/** The instant of a dateTime with a time part; undefined for a date alone. */
export function instantOf(value: string | undefined): number | undefined {
  if (value === undefined || value.length <= 10) return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}

/** When a result was taken: its calendar day, and its instant when the date carries a time. */
export interface Dated {
  readonly day: number;
  readonly instant?: number;
}

/**
 * The later first: by instant where both give a time (07 Nov 01:00+10:00 is before 06 Nov 20:00-05:00), else by
 * calendar day; 0 when neither orders them. Takes the numbers, not the objects: the results of several modules pass
 * here, and each caller reading its own objects keeps this shared comparison free of their different shapes.
 */
export function laterFirst(
  aDay: number,
  aInstant: number | undefined,
  bDay: number,
  bInstant: number | undefined,
): number {
  if (aInstant !== undefined && bInstant !== undefined && aInstant !== bInstant) return bInstant - aInstant;
  return bDay - aDay;
}

/**
 * Most recent first (laterFirst); results on one day that times cannot order keep a stable order by reference (never
 * read as "later": see latestTies).
 */
export function newestFirst(a: DatedObservation, b: DatedObservation): number {
  return laterFirst(a.day, a.instant, b.day, b.instant) || byRef(a.obs.ref, b.obs.ref);
}

/**
 * The results that are all "the most recent" of a newest-first list: the first, and every other result on the same
 * calendar day that no pair of times places before it (docs/care-pathway.md definition 5: same-day results without
 * distinguishing times). Callers decide what a disagreement among them means.
 */
export function latestTies<T extends Dated>(sorted: readonly T[]): T[] {
  const first = sorted[0];
  if (first === undefined) return [];
  const out = [first];
  for (let i = 1; i < sorted.length; i++) {
    const o = sorted[i] as T;
    if (o.day !== first.day) break;
    if (first.instant !== undefined && o.instant !== undefined && o.instant < first.instant) continue;
    out.push(o);
  }
  return out;
}

/**
 * A result with no value at all (dataAbsentReason) is not a result: "most recent" passes over it (definitions 5 and 6).
 * A value that is not a number is a result, one that cannot be read.
 */
export function carriesValue(obs: ObservationFact): boolean {
  return obs.value !== undefined;
}

/**
 * The most recent results (latestTies) among those that carry a value, from a newest-first list: the one reading of
 * "the newest result decides" for labs and measurements. A tie whose value is not a number leaves the reading unknown
 * for the caller; an older result is never used in its place.
 */
export function latestWithValue<T extends DatedObservation>(sorted: readonly T[]): T[] {
  return latestTies(sorted.filter(({ obs }) => carriesValue(obs)));
}

export interface ClassifiedObservation extends DatedObservation {
  readonly hits: ReturnType<typeof conceptSetHits>;
  /** Position among the classified observations (record order), to merge per-set lists back into that order. */
  readonly order: number;
}

const NONE: readonly ClassifiedObservation[] = [];

// Each observation's code is resolved against every pathway set and its date parsed once per assessment (the CRP,
// four labs and two screens would otherwise each rescan and re-resolve every observation), and the observations are
// listed per set so that each of those reads visits only its own candidates.
export function classifiedObservations(ctx: EngineContext): readonly ClassifiedObservation[] {
  let list = ctx.scratch.classifiedObservations as readonly ClassifiedObservation[] | undefined;
  if (list === undefined) {
    const out: ClassifiedObservation[] = [];
    const bySet = new Map<string, ClassifiedObservation[]>();
    const undated: UndatedObservation[] = [];
    for (const obs of ctx.record.observations) {
      const hits = conceptSetHits(ctx, obs.code);
      if (hits.size === 0) continue;
      const day = dayOf(obs.effective, 'start');
      if (day === undefined) {
        noteIssue(ctx, 'pathway.observation.undated', 'an Observation has no usable date and was not used', obs.ref);
        undated.push({ obs, hits });
        continue;
      }
      const c: ClassifiedObservation = { obs, day, hits, order: out.length };
      out.push(c);
      for (const setId of hits.keys()) {
        const inSet = bySet.get(setId);
        if (inSet === undefined) bySet.set(setId, [c]);
        else inSet.push(c);
      }
    }
    list = out;
    ctx.scratch.classifiedObservations = list;
    ctx.scratch.observationsBySet = bySet;
    ctx.scratch.undatedObservations = undated;
  }
  return list;
}

/** A classified observation with no usable date: used only where an undated result may still matter (safety.ts). */
export interface UndatedObservation {
  readonly obs: ObservationFact;
  readonly hits: ReturnType<typeof conceptSetHits>;
}

/** The classified observations with no usable date (rare: callers scan them). */
export function undatedObservations(ctx: EngineContext): readonly UndatedObservation[] {
  classifiedObservations(ctx);
  return ctx.scratch.undatedObservations as readonly UndatedObservation[];
}

/** The classified observations coded in any of `codeSets` (in record order): a superset of what useHit accepts. */
export function observationsInSets(ctx: EngineContext, codeSets: readonly string[]): readonly ClassifiedObservation[] {
  classifiedObservations(ctx);
  const bySet = ctx.scratch.observationsBySet as ReadonlyMap<string, readonly ClassifiedObservation[]>;
  if (codeSets.length === 1) return bySet.get(codeSets[0] ?? '') ?? NONE;
  // Every set's list, in record order, with an observation coded in two of the sets kept once: no Set of positions.
  const merged: ClassifiedObservation[] = [];
  for (const setId of codeSets) for (const c of bySet.get(setId) ?? NONE) merged.push(c);
  sortInPlace(merged, (a, b) => a.order - b.order);
  let kept = 0;
  for (const c of merged)
    if (kept === 0 || (merged[kept - 1] as ClassifiedObservation).order !== c.order) merged[kept++] = c;
  merged.length = kept;
  return merged;
}

const statusSets = new WeakMap<readonly string[], ReadonlySet<string>>();

/**
 * A list of valid statuses from the pathway file as a Set, made once per list: tested for every result of a long
 * record, a Set lookup is several times cheaper than searching the array.
 */
export function statusSet(validStatuses: readonly string[]): ReadonlySet<string> {
  let set = statusSets.get(validStatuses);
  if (set === undefined) statusSets.set(validStatuses, (set = new Set(validStatuses)));
  return set;
}

/**
 * Observations coded in any of `codeSets` dated from `fromDay` (context.ts windowStart; none: any date) to the as-of
 * date, newest first (newestFirst). Those with an unusable status are returned separately (`rejected` with the reason,
 * `notValid` dated); undated ones are noted.
 */
export function findObservations(
  ctx: EngineContext,
  codeSets: readonly string[],
  validStatuses: readonly string[],
  fromDay?: number,
): { usable: DatedObservation[]; rejected: { source: string; reason: string }[]; notValid: DatedObservation[] } {
  const usable: DatedObservation[] = [];
  const rejected: { source: string; reason: string }[] = [];
  const notValid: DatedObservation[] = [];
  const from = fromDay ?? Number.NEGATIVE_INFINITY;
  const valid = statusSet(validStatuses);
  for (const c of observationsInSets(ctx, codeSets)) {
    if (c.day > ctx.asOfDay || c.day < from || useHit(ctx, c.hits, codeSets) === undefined) continue;
    if (!valid.has(c.obs.status)) {
      rejected.push({ source: c.obs.ref, reason: `status is ${c.obs.status}` });
      notValid.push({ obs: c.obs, day: c.day });
      continue;
    }
    const instant = instantOf(c.obs.effective);
    usable.push(instant === undefined ? { obs: c.obs, day: c.day } : { obs: c.obs, day: c.day, instant });
  }
  // Not sortInPlace: newestFirst is no total order (context.ts sortInPlace says why that matters).
  usable.sort(newestFirst);
  sortInPlace(rejected, (a, b) => byRef(a.source, b.source));
  return { usable, rejected, notValid };
}

/**
 * Rounds away binary noise (0.3 mg/dL x 10 = 3.0000000000000004) so that boundary comparisons behave as written:
 * twelve significant digits, by arithmetic rather than toPrecision (this runs for every converted value).
 */
function clean(x: number): number {
  // Zero, non-finite values and integers of at most 12 digits are already clean (most lab values in the same unit).
  if (x === 0 || !Number.isFinite(x) || (Number.isInteger(x) && Math.abs(x) < 1e12)) return x;
  const scale = 10 ** (11 - Math.floor(Math.log10(Math.abs(x))));
  return Math.round(x * scale) / scale;
}

/** Longest unit text tried as a UCUM expression (real units are short; this bounds the parser's work). */
const MAX_TEXT_UNIT_LENGTH = 40;

/**
 * Converts to `toUcum`; not ok (with the reason) when the unit is missing, not UCUM, or incompatible. A unit given
 * only as text (valueQuantity.unit without a code) is tried as a UCUM expression (docs/care-pathway.md definition 5):
 * `fromText` says so, and the caller reports it (convertNoting).
 */
export function convert(
  q: Quantity,
  toUcum: string,
  molarMassFactor?: number,
): { ok: true; value: number; fromText: boolean } | { ok: false; reason: string } {
  let from = q;
  const disagreement = unitTextDisagrees(q);
  if (disagreement !== undefined) return { ok: false, reason: disagreement };
  if (q.ucum === undefined) {
    const text = q.unitText?.trim();
    if (text === undefined || text.length === 0 || text.length > MAX_TEXT_UNIT_LENGTH) {
      return { ok: false, reason: 'the unit is not given as a UCUM code' };
    }
    from = { ...q, ucum: text };
  }
  const r =
    molarMassFactor === undefined ? convertQuantity(from, toUcum) : convertQuantity(from, toUcum, { molarMassFactor });
  if (r.ok) return { ok: true, value: clean(r.value), fromText: from !== q };
  return from === q ? { ok: false, reason: r.reason } : { ok: false, reason: 'the unit text is not a UCUM unit' };
}

/**
 * A unit text that is itself a UCUM unit other than the code's ("mg/L" beside the code mg/dL, "nmol/L" beside mg/L):
 * which one the sender meant cannot be told, so the value is not converted. A display that is not UCUM ("10^9/L"),
 * or that UCUM reads as a quantity of another kind altogether ("K/uL", the lab's "thousands per microlitre", is
 * kelvin per microlitre in UCUM, beside the code 10*3/uL), is a label, not a competing unit: not compared.
 */
function unitTextDisagrees(q: Quantity): string | undefined {
  if (q.ucum === undefined || q.unitText === undefined) return undefined;
  const text = q.unitText.trim();
  if (text === q.ucum || text.length === 0 || text.length > MAX_TEXT_UNIT_LENGTH || !isUcum(text)) return undefined;
  const one = convertQuantity({ value: 1, ucum: text }, q.ucum);
  if (one.ok && Math.abs(one.value - 1) < 1e-9) return undefined;
  // Not commensurable even as mass against substance (any molar factor): a label of another kind of quantity.
  if (!one.ok && !convertQuantity({ value: 1, ucum: text }, q.ucum, { molarMassFactor: 1 }).ok) return undefined;
  return `the unit text '${text}' and the UCUM code '${q.ucum}' disagree`;
}

/**
 * convert, reporting a unit that was read from its text as a data issue of the record; a unit as sent that cannot
 * be converted is then read by the pathway's unit labels (convertByLabel).
 */
export function convertNoting(
  ctx: EngineContext,
  source: { readonly ref: string },
  q: Quantity,
  toUcum: string,
  molarMassFactor?: number,
): ReturnType<typeof convert> {
  const r = convert(q, toUcum, molarMassFactor);
  if (r.ok && r.fromText) {
    noteIssue(
      ctx,
      'pathway.unit.text-only',
      'the unit is given only as text (no UCUM code); it is a valid UCUM expression and was used',
      source.ref,
    );
  }
  if (r.ok) return r;
  return convertByLabel(ctx, source, q, toUcum, molarMassFactor) ?? r;
}

/** The labels of definitions.unitLabels by their matching form, made once per pathway. */
const labelIndexes = new WeakMap<object, ReadonlyMap<string, string>>();

/** A unit label's matching form: case, spaces and the micro sign (µ, μ for u) make no difference. */
const labelKey = (label: string): string => label.replace(/\s+/g, '').replace(/[µμ]/g, 'u').toLowerCase();

/**
 * A value whose unit as sent (its code, or its text when it has no code) is a laboratory label the pathway lists
 * ("K/uL", "IU/L": definitions.unitLabels, docs/care-pathway.md definition 5), converted from the UCUM unit the label
 * names: the value, the unit as sent and the UCUM unit it was read as. Undefined when the unit is no listed label or
 * the label's unit does not convert either. A code that is not a label is never overridden by its text. The one
 * reading of a label, for the engine (convertByLabel) and for views that draw what it read (the web timeline).
 */
export function readByLabel(
  unitLabels: Pathway['definitions']['unitLabels'],
  q: Quantity,
  toUcum: string,
  molarMassFactor?: number,
): { readonly value: number; readonly sent: string; readonly ucum: string } | undefined {
  const factor = molarMassFactor === undefined ? undefined : { molarMassFactor };
  let index = labelIndexes.get(unitLabels);
  if (index === undefined) {
    index = new Map(Object.entries(unitLabels.labels).map(([label, ucum]) => [labelKey(label), ucum]));
    labelIndexes.set(unitLabels, index);
  }
  const sent = (q.ucum ?? q.unitText)?.trim();
  const ucum = sent === undefined || sent.length > MAX_TEXT_UNIT_LENGTH ? undefined : index.get(labelKey(sent));
  // Only a unit that is itself the problem: one UCUM reads (a code beside a disagreeing text) is never re-read.
  if (sent === undefined || ucum === undefined || convertQuantity({ value: 1, ucum: sent }, toUcum, factor).ok) {
    return undefined;
  }
  const r = convertQuantity({ ...q, ucum }, toUcum, factor);
  return r.ok ? { value: clean(r.value), sent, ucum } : undefined;
}

/**
 * The unit label list as an unverified value relied on (a value read by it), while the pathway marks it unverified:
 * the one wording for the assessment (convertByLabel) and for a trial criterion that reads a result by a label.
 */
export function unitLabelsUnverified(unitLabels: Pathway['definitions']['unitLabels']): UnverifiedItem | undefined {
  return unitLabels.verified
    ? undefined
    : { item: 'unit labels (definitions.unitLabels)', note: unitLabels.note, citation: unitLabels.citation };
}

/** readByLabel in an assessment: the reading reported, and the list listed as relied upon while it is not verified. */
export function convertByLabel(
  ctx: EngineContext,
  source: { readonly ref: string },
  q: Quantity,
  toUcum: string,
  molarMassFactor?: number,
): { ok: true; value: number; fromText: boolean } | undefined {
  const table = ctx.pathway.definitions.unitLabels;
  const read = readByLabel(table, q, toUcum, molarMassFactor);
  if (read === undefined) return undefined;
  noteIssue(
    ctx,
    'pathway.unit.label',
    `the unit '${read.sent}' is not UCUM as laboratories mean it; read as ${read.ucum} (definitions.unitLabels${table.verified ? '' : ' [U]'})`,
    source.ref,
  );
  const unverified = unitLabelsUnverified(table);
  if (unverified !== undefined) noteUnverified(ctx, unverified.item, unverified.note, unverified.citation);
  return { ok: true, value: read.value, fromText: false };
}

export function describeQuantity(q: Quantity): string {
  return `${q.comparator ?? ''}${q.value} ${q.unitText ?? q.ucum ?? ''}`.trim();
}

export function isoDay(obs: ObservationFact): string {
  return (obs.effective ?? '').slice(0, 10);
}

/** An observation by its reference (panel members), indexed once per assessment and only when asked for. */
export function observationByRef(ctx: EngineContext, ref: string): ObservationFact | undefined {
  let index = ctx.scratch.observationsByRef as ReadonlyMap<string, ObservationFact> | undefined;
  if (index === undefined) {
    index = new Map(ctx.record.observations.map((o) => [o.ref, o]));
    ctx.scratch.observationsByRef = index;
  }
  return index.get(ref);
}
