/**
 * A protocol's conduct blocks checked against the instrument definitions: every instrument a visit collects exists,
 * and every outcome's subscale and scoring method exist in its instrument. Run when a trial is initialised. Pure.
 */
import type { InstrumentDefinition } from '../instruments/index.ts';
import type { TrialProtocol } from '../trials/schema.ts';

export function conductProblems(
  protocol: TrialProtocol,
  instruments: ReadonlyMap<string, InstrumentDefinition>,
): string[] {
  const problems: string[] = [];
  for (const v of protocol.visits ?? []) {
    for (const id of v.instruments) if (!instruments.has(id)) problems.push(`visit ${v.id}: unknown instrument ${id}`);
  }
  const outcomes = protocol.outcomes === undefined ? [] : [protocol.outcomes.primary, ...protocol.outcomes.secondary];
  for (const o of outcomes) {
    const def = instruments.get(o.instrument);
    if (def === undefined) {
      problems.push(`outcome ${o.id}: unknown instrument ${o.instrument}`);
      continue;
    }
    if (o.subscale !== undefined && !def.subscales.some((s) => s.id === o.subscale)) {
      problems.push(`outcome ${o.id}: ${def.name} has no subscale ${o.subscale}`);
    }
    if (o.scoring !== undefined && !def.scorings.some((s) => s.id === o.scoring)) {
      problems.push(`outcome ${o.id}: ${def.name} has no scoring ${o.scoring}`);
    }
  }
  return problems;
}
