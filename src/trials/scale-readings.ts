/**
 * Rating-scale readings at item level, from QuestionnaireResponses (answers identified by item code or linkId) and
 * from Observations (item-coded results, panel components, and totals). The care pathway's symptom profile keeps only
 * items mapped to symptom domains, so trial criteria that need other items (BDI-II item 9 and 19, all SHAPS items)
 * read them here, identified by the code sets' `item` numbers.
 */
import { matchCoding } from '../knowledge/index.ts';
import type { Knowledge } from '../knowledge/index.ts';
import type { CodeEntry } from '../knowledge/schema-codesets.ts';
import { toDayNumber } from '../record/index.ts';
import type { Coding, ObservationValue, PatientRecord, ResourceRef } from '../record/index.ts';

export interface ScaleReading {
  readonly ref: ResourceRef;
  readonly date: string;
  readonly day: number;
  /** Item number -> score. */
  readonly items: ReadonlyMap<number, number>;
  /** A total-score Observation, with the scoring its code names. */
  readonly total?: { readonly value: number; readonly scoring?: string };
}

const VALID_RESPONSE = new Set(['completed', 'amended']);
const VALID_OBSERVATION = new Set(['final', 'amended', 'corrected']);

/**
 * The code-set entry for a coding (via D1's matchCoding, which returns the entry with its `item` / `scoring`), or for
 * a bare linkId: QuestionnaireResponse linkIds often are the item code without a system (LHC-Forms uses the LOINC
 * code), so a system-less code is tried under each system the set uses.
 */
export function entryFor(knowledge: Knowledge, setId: string, coding: Coding): CodeEntry | undefined {
  if (coding.code === undefined) return undefined;
  if (coding.system !== undefined) return matchCoding(knowledge, setId, coding)?.entry;
  const systems = new Set((knowledge.codeSets.get(setId)?.codes ?? []).map((e) => e.system));
  for (const system of systems) {
    const entry = matchCoding(knowledge, setId, { system, code: coding.code })?.entry;
    if (entry !== undefined) return entry;
  }
  return undefined;
}

function numberOf(value: ObservationValue | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (value.kind === 'integer') return value.value;
  if (value.kind === 'quantity' && value.quantity.comparator === undefined) return value.quantity.value;
  return undefined;
}

function itemOf(knowledge: Knowledge, setId: string, codings: readonly Coding[], linkId?: string): number | undefined {
  for (const coding of codings) {
    const item = entryFor(knowledge, setId, coding)?.item;
    if (item !== undefined) return item;
  }
  return linkId === undefined ? undefined : entryFor(knowledge, setId, { code: linkId })?.item;
}

/**
 * Readings of one scale dated in [fromDay, toDay], most recent first. Item-coded Observations of the same day are
 * grouped into one reading (an EHR that stores each item as its own Observation).
 */
export function scaleReadings(
  record: PatientRecord,
  knowledge: Knowledge,
  source: { readonly itemCodeSet: string; readonly totalCodeSet?: string },
  fromDay: number,
  toDay: number,
): ScaleReading[] {
  const readings: ScaleReading[] = [];
  const inWindow = (date: string | undefined): number | undefined => {
    const day = toDayNumber(date);
    return day !== undefined && day >= fromDay && day <= toDay ? day : undefined;
  };
  for (const qr of record.questionnaireResponses) {
    const day = inWindow(qr.authored);
    if (day === undefined || qr.authored === undefined || !VALID_RESPONSE.has(qr.status)) continue;
    const items = new Map<number, number>();
    for (const answer of qr.answers) {
      const item = itemOf(knowledge, source.itemCodeSet, answer.code, answer.linkId);
      if (item !== undefined && answer.valueNumber !== undefined) items.set(item, answer.valueNumber);
    }
    if (items.size > 0) readings.push({ ref: qr.ref, date: qr.authored.slice(0, 10), day, items });
  }
  const itemObservationsByDay = new Map<number, { ref: ResourceRef; date: string; items: Map<number, number> }>();
  for (const obs of record.observations) {
    const day = inWindow(obs.effective);
    if (day === undefined || obs.effective === undefined || !VALID_OBSERVATION.has(obs.status)) continue;
    const date = obs.effective.slice(0, 10);
    const totalEntry =
      source.totalCodeSet === undefined
        ? undefined
        : obs.code.codings.map((c) => entryFor(knowledge, source.totalCodeSet ?? '', c)).find((e) => e !== undefined);
    const value = numberOf(obs.value);
    if (totalEntry !== undefined && value !== undefined) {
      const total = totalEntry.scoring === undefined ? { value } : { value, scoring: totalEntry.scoring };
      readings.push({ ref: obs.ref, date, day, items: new Map(), total });
      continue;
    }
    const components = new Map<number, number>();
    for (const component of obs.components) {
      const item = itemOf(knowledge, source.itemCodeSet, component.code.codings);
      const score = numberOf(component.value);
      if (item !== undefined && score !== undefined) components.set(item, score);
    }
    if (components.size > 0) {
      readings.push({ ref: obs.ref, date, day, items: components });
      continue;
    }
    const item = itemOf(knowledge, source.itemCodeSet, obs.code.codings);
    if (item !== undefined && value !== undefined) {
      const group = itemObservationsByDay.get(day) ?? { ref: obs.ref, date, items: new Map<number, number>() };
      group.items.set(item, value);
      itemObservationsByDay.set(day, group);
    }
  }
  for (const [day, group] of itemObservationsByDay) readings.push({ ...group, day });
  return readings.sort((a, b) => b.day - a.day);
}
