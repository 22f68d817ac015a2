/**
 * Scoring of one completed instrument: every item checked against its allowed responses, totals and subscales
 * computed from the items (never typed), and nothing computed from an incomplete or invalid form: a total is null
 * unless every item it sums is answered and in range (no prorating). Problems are Issues naming the item, never the
 * value entered. Pure.
 */
import { issue, type Issue } from '../record/index.ts';
import type { InstrumentDefinition, Scoring } from './schema.ts';

export type ItemAnswer = number | string | null;

export interface InstrumentScore {
  readonly instrument: string;
  /** The scoring method used, stored with the result (SHAPS 0-14 and 14-56 totals are not comparable). */
  readonly scoring: string;
  /** Null when any item is missing or invalid. */
  readonly total: number | null;
  readonly subscales: Readonly<Record<string, number | null>>;
  readonly band: string | null;
  readonly complete: boolean;
  readonly answered: number;
  readonly itemCount: number;
  readonly issues: readonly Issue[];
  /** Follow-up messages triggered by the answers (PHQ-9 item 9 above 0). */
  readonly followUp: readonly string[];
  /** False when the scoring or a subscale is not verified. */
  readonly verified: boolean;
}

/** The response an answer scores as, or an Issue. */
function responseOf(def: InstrumentDefinition, item: number, answer: ItemAnswer): number | Issue | null {
  if (answer === null || answer === '') return null;
  const options = def.optionItems[String(item)];
  const where = `${def.id}.item.${item}`;
  if (options !== undefined) {
    const key = String(answer);
    const response = options[key];
    if (response === undefined) {
      return issue(
        'instrument.item.option-invalid',
        `${def.name} item ${item}: answer with one of the options ${Object.keys(options).join(', ')}`,
        where,
      );
    }
    return response;
  }
  const value = typeof answer === 'number' ? answer : Number(answer.trim());
  const [lo, hi] = def.responseRange;
  if (!Number.isInteger(value) || value < lo || value > hi) {
    return issue(
      'instrument.item.out-of-range',
      `${def.name} item ${item}: expected a whole number ${lo}-${hi}`,
      where,
    );
  }
  return value;
}

function pointsOf(scoring: Scoring, response: number): number {
  if (scoring.points === undefined) return response;
  return scoring.points[String(response)] ?? Number.NaN;
}

function bandOf(scoring: Scoring, total: number | null): string | null {
  if (total === null) return null;
  let label: string | null = null;
  for (const b of scoring.bands) if (total >= b.min) label = b.label;
  return label;
}

/** Scores `answers` (item number as a string to answer) with `scoringId` (default: the first scoring). */
export function scoreInstrument(
  def: InstrumentDefinition,
  answers: Readonly<Record<string, ItemAnswer>>,
  scoringId?: string,
): InstrumentScore {
  const issues: Issue[] = [];
  const scoring = scoringId === undefined ? def.scorings[0] : def.scorings.find((s) => s.id === scoringId);
  if (scoring === undefined) {
    const known = def.scorings.map((s) => s.id).join(', ');
    issues.push(issue('instrument.scoring.unknown', `${def.name}: unknown scoring method (known: ${known})`, def.id));
  }
  for (const key of Object.keys(answers)) {
    if (!def.items.some((i) => String(i.number) === key)) {
      issues.push(issue('instrument.item.unknown', `${def.name}: there is no item ${key}`, `${def.id}.item.${key}`));
    }
  }
  const points = new Map<number, number>();
  const responses = new Map<number, number>();
  for (const item of def.items) {
    const r = responseOf(def, item.number, answers[String(item.number)] ?? null);
    if (r === null) {
      issues.push(
        issue(
          'instrument.item.missing',
          `${def.name} item ${item.number} is not answered`,
          `${def.id}.item.${item.number}`,
        ),
      );
    } else if (typeof r !== 'number') {
      issues.push(r);
    } else {
      responses.set(item.number, r);
      if (scoring !== undefined) points.set(item.number, pointsOf(scoring, r));
    }
  }
  const sum = (items: readonly number[]): number | null => {
    if (scoring === undefined) return null;
    let s = 0;
    for (const n of items) {
      const p = points.get(n);
      if (p === undefined || Number.isNaN(p)) return null;
      s += p;
    }
    return s;
  };
  const total = sum(def.items.map((i) => i.number));
  const subscales = Object.fromEntries(def.subscales.map((s) => [s.id, sum(s.items)]));
  const followUp = def.followUpItems
    .filter((f) => (responses.get(f.item) ?? Number.NEGATIVE_INFINITY) > f.above)
    .map((f) => f.message);
  return {
    instrument: def.id,
    scoring: scoring?.id ?? String(scoringId),
    total,
    subscales,
    band: scoring === undefined ? null : bandOf(scoring, total),
    complete: issues.length === 0,
    answered: responses.size,
    itemCount: def.items.length,
    issues,
    followUp,
    verified: (scoring?.verified ?? false) && def.subscales.every((s) => s.verified),
  };
}
