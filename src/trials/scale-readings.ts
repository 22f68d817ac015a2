/**
 * Rating-scale readings at item level, from QuestionnaireResponses (answers identified by item code or linkId) and
 * from Observations (item-coded results, panel components, and totals). The care pathway's symptom profile keeps only
 * items mapped to symptom domains, so trial criteria that need other items (BDI-II item 9 and 19, all SHAPS items)
 * read them here, identified by the code sets' `item` numbers. A coded answer without an ordinal value is scored
 * through the item set's answer code sets (PHQ-9: LOINC LL358-3), as the pathway reads it (src/pathway/symptoms.ts);
 * one that no answer set lists leaves the item unanswered.
 */
import { matchAnswerScore, matchCoding, unverifiedEntries } from '../knowledge/index.ts';
import type { CodeMatch, Knowledge, UnverifiedEntry } from '../knowledge/index.ts';
import { instantOf, laterFirst, statusSet } from '../pathway/observations.ts';
import { byRef } from '../pathway/context.ts';
import { toDayNumber } from '../record/index.ts';
import type { Coding, ObservationFact, ObservationValue, PatientRecord, ResourceRef } from '../record/index.ts';

export interface ScaleReading {
  readonly ref: ResourceRef;
  readonly date: string;
  readonly day: number;
  /** Epoch ms when the date carries a time (orders readings of one day). */
  readonly instant?: number;
  /** Item number -> score. */
  readonly items: ReadonlyMap<number, number>;
  /** A total-score Observation, with the scoring its code names. */
  readonly total?: { readonly value: number; readonly scoring?: string };
  /** Unverified codes the reading was recognised by (the local scales CodeSystem is [U]). */
  readonly unverified: readonly UnverifiedEntry[];
}

/** The systems a code set uses, computed once per knowledge object and set. */
const systemsBySet = new WeakMap<Knowledge, Map<string, readonly string[]>>();
function systemsOf(knowledge: Knowledge, setId: string): readonly string[] {
  let bySet = systemsBySet.get(knowledge);
  if (bySet === undefined) {
    bySet = new Map();
    systemsBySet.set(knowledge, bySet);
  }
  let systems = bySet.get(setId);
  if (systems === undefined) {
    systems = [...new Set((knowledge.codeSets.get(setId)?.codes ?? []).map((e) => e.system))];
    bySet.set(setId, systems);
  }
  return systems;
}

/**
 * The code-set entry for a coding (via matchCoding, which returns the entry with its `item` / `scoring`), or for
 * a bare linkId: QuestionnaireResponse linkIds often are the item code without a system (LHC-Forms uses the LOINC
 * code), so a system-less code is tried under each system the set uses.
 */
export function entryFor(knowledge: Knowledge, setId: string, coding: Coding): CodeMatch | undefined {
  if (coding.code === undefined) return undefined;
  if (coding.system !== undefined) return matchCoding(knowledge, setId, coding);
  for (const system of systemsOf(knowledge, setId)) {
    const match = matchCoding(knowledge, setId, { system, code: coding.code });
    if (match !== undefined) return match;
  }
  return undefined;
}

function numberOf(value: ObservationValue | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (value.kind === 'integer') return value.value;
  if (value.kind === 'quantity' && value.quantity.comparator === undefined) return value.quantity.value;
  return undefined;
}

/** A coded value's score through the item set's answer code sets, with the answer entry it rests on. */
function codedScore(knowledge: Knowledge, setId: string, codings: readonly Coding[]): CodeMatch | undefined {
  return codings.length === 0 ? undefined : matchAnswerScore(knowledge, setId, codings);
}

function itemOf(
  knowledge: Knowledge,
  setId: string,
  codings: readonly Coding[],
  linkId?: string,
): CodeMatch | undefined {
  for (const coding of codings) {
    const match = entryFor(knowledge, setId, coding);
    if (match?.entry.item !== undefined) return match;
  }
  const match = linkId === undefined ? undefined : entryFor(knowledge, setId, { code: linkId });
  return match?.entry.item === undefined ? undefined : match;
}

/** The reading with the instant of its date, when the date carries a time. */
function timed(reading: ScaleReading, date: string): ScaleReading {
  const instant = instantOf(date);
  return instant === undefined ? reading : { ...reading, instant };
}

/**
 * Readings of one scale dated in [fromDay, toDay], most recent first. Item-coded Observations of the same day are
 * grouped into one reading (an EHR that stores each item as its own Observation).
 * @param observations the record's observations that may hold a reading, in record order (default: all of them); a
 *   caller that has classified the record passes only those coded in the scale's sets (src/trials/classified.ts).
 */
export function scaleReadings(
  record: PatientRecord,
  knowledge: Knowledge,
  source: { readonly itemCodeSet: string; readonly totalCodeSet?: string },
  fromDay: number,
  toDay: number,
  observations: readonly ObservationFact[] = record.observations,
): ScaleReading[] {
  const readings: ScaleReading[] = [];
  // The pathway's valid statuses for scale records (definitions.symptoms.validStatuses), as the profile uses them.
  const statuses = knowledge.pathway.definitions.symptoms.validStatuses;
  const validResponse = statusSet(statuses.questionnaireResponse);
  const validObservation = statusSet(statuses.observation);
  const inWindow = (date: string | undefined): number | undefined => {
    const day = toDayNumber(date);
    return day !== undefined && day >= fromDay && day <= toDay ? day : undefined;
  };
  for (const qr of record.questionnaireResponses) {
    const day = inWindow(qr.authored);
    if (day === undefined || qr.authored === undefined || !validResponse.has(qr.status)) continue;
    const items = new Map<number, number>();
    const matches: CodeMatch[] = [];
    for (const answer of qr.answers) {
      const match = itemOf(knowledge, source.itemCodeSet, answer.code, answer.linkId);
      if (match?.entry.item === undefined) continue;
      const coded =
        answer.valueNumber === undefined && answer.valueCoding !== undefined
          ? codedScore(knowledge, source.itemCodeSet, [answer.valueCoding])
          : undefined;
      const value = answer.valueNumber ?? coded?.entry.score;
      if (value === undefined) continue;
      items.set(match.entry.item, value);
      matches.push(match);
      if (coded !== undefined) matches.push(coded);
    }
    if (items.size > 0) {
      const unverified = unverifiedEntries(knowledge, matches);
      readings.push(timed({ ref: qr.ref, date: qr.authored.slice(0, 10), day, items, unverified }, qr.authored));
    }
  }
  const itemObservationsByDay = new Map<
    number,
    { ref: ResourceRef; date: string; items: Map<number, number>; conflicting: Set<number>; matches: CodeMatch[] }
  >();
  for (const obs of observations) {
    const day = inWindow(obs.effective);
    if (day === undefined || obs.effective === undefined || !validObservation.has(obs.status)) continue;
    const date = obs.effective.slice(0, 10);
    const totalSet = source.totalCodeSet;
    const totalMatch =
      totalSet === undefined
        ? undefined
        : obs.code.codings.map((c) => entryFor(knowledge, totalSet, c)).find((m) => m !== undefined);
    const value = numberOf(obs.value);
    if (totalMatch !== undefined && value !== undefined) {
      const scoring = totalMatch.entry.scoring;
      const total = scoring === undefined ? { value } : { value, scoring };
      const unverified = unverifiedEntries(knowledge, [totalMatch]);
      readings.push(timed({ ref: obs.ref, date, day, items: new Map(), total, unverified }, obs.effective));
      continue;
    }
    const components = new Map<number, number>();
    const matches: CodeMatch[] = [];
    for (const component of obs.components) {
      const match = itemOf(knowledge, source.itemCodeSet, component.code.codings);
      const coded =
        component.value?.kind === 'concept'
          ? codedScore(knowledge, source.itemCodeSet, component.value.concept.codings)
          : undefined;
      const score = numberOf(component.value) ?? coded?.entry.score;
      if (match?.entry.item === undefined || score === undefined) continue;
      components.set(match.entry.item, score);
      matches.push(match);
      if (coded !== undefined) matches.push(coded);
    }
    if (components.size > 0) {
      const unverified = unverifiedEntries(knowledge, matches);
      readings.push(timed({ ref: obs.ref, date, day, items: components, unverified }, obs.effective));
      continue;
    }
    const match = itemOf(knowledge, source.itemCodeSet, obs.code.codings);
    const coded =
      value === undefined && obs.value?.kind === 'concept'
        ? codedScore(knowledge, source.itemCodeSet, obs.value.concept.codings)
        : undefined;
    const itemValue = value ?? coded?.entry.score;
    if (match?.entry.item !== undefined && itemValue !== undefined) {
      const group = itemObservationsByDay.get(day) ?? {
        ref: obs.ref,
        date,
        items: new Map<number, number>(),
        conflicting: new Set<number>(),
        matches: [] as CodeMatch[],
      };
      // The group is named by its first reference in sort order, not in entry order.
      if (byRef(obs.ref, group.ref) < 0) group.ref = obs.ref;
      const item = match.entry.item;
      const earlier = group.items.get(item);
      if (earlier !== undefined && earlier !== itemValue) group.conflicting.add(item);
      group.items.set(item, itemValue);
      group.matches.push(match);
      if (coded !== undefined) group.matches.push(coded);
      itemObservationsByDay.set(day, group);
    }
  }
  for (const [day, { ref, date, items, conflicting, matches }] of itemObservationsByDay) {
    // One item scored twice that day with different values: neither is used (the item counts as unanswered).
    for (const item of conflicting) items.delete(item);
    readings.push({ ref, date, day, items, unverified: unverifiedEntries(knowledge, matches) });
  }
  // Most recent first as the pathway orders results; the reference only keeps same-time readings in a stable order.
  return readings.sort((a, b) => laterFirst(a.day, a.instant, b.day, b.instant) || byRef(a.ref, b.ref));
}
