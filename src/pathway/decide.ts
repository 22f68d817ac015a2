/**
 * The decision (docs/care-pathway.md, "The decision"): rows are evaluated in order and the
 * first whose named predicate holds gives the recommendation. Every row appears in the trace with what it saw.
 */
import type { DecisionRow } from '../knowledge/schema-pathway.ts';
import type { TraceStep } from './assessment.ts';
import type { ClinicalFacts } from './facts.ts';

function trialsOutcome(tr: ClinicalFacts['treatmentResistance']): string {
  return `${tr.count} adequate trial(s)${tr.unverifiedTrials.length > 0 ? ` + ${tr.unverifiedTrials.length} unverified` : ''}; ${tr.required} required`;
}

function inflammationOutcome(f: ClinicalFacts): string {
  return `inflammation ${f.inflammation.status}: ${f.inflammation.reason}`;
}

// Outcome texts are built only in the rows that report them (this runs for every row of every assessment).
function evaluate(row: DecisionRow, f: ClinicalFacts): { matched: boolean; outcome: string } {
  const tr = f.treatmentResistance;
  switch (row.when) {
    case 'out-of-scope':
      return f.scope.inScope
        ? { matched: false, outcome: `in scope: depression present (${f.depression.conditions.join(', ')})` }
        : {
            matched: true,
            outcome: `out of scope: ${f.scope.reason} (${f.scope.evidence.join(', ') || 'no evidence'})`,
          };
    case 'adequate-plus-unverified-reach-required':
      return {
        matched: tr.count < tr.required && tr.count + tr.unverifiedTrials.length >= tr.required,
        outcome: trialsOutcome(tr),
      };
    case 'too-few-adequate-trials':
      return { matched: tr.count < tr.required, outcome: trialsOutcome(tr) };
    case 'any-contraindication':
      return f.contraindications.length > 0
        ? { matched: true, outcome: f.contraindications.map((c) => `${c.code}: ${c.detail}`).join('; ') }
        : { matched: false, outcome: 'no absolute contraindication found' };
    case 'inflammation-unknown':
      return { matched: f.inflammation.status === 'unknown', outcome: inflammationOutcome(f) };
    case 'inflammation-acute-or-indeterminate':
      return {
        matched: f.inflammation.status === 'acute' || f.inflammation.status === 'indeterminate',
        outcome: inflammationOutcome(f),
      };
    case 'inflammation-normal':
      return { matched: f.inflammation.status === 'normal', outcome: inflammationOutcome(f) };
    case 'inflammation-elevated':
      return { matched: f.inflammation.status === 'elevated', outcome: inflammationOutcome(f) };
  }
}

/** The predicates of `evaluate` that read the inflammation status (and so the CRP cut-off). */
const READS_INFLAMMATION: ReadonlySet<DecisionRow['when']> = new Set([
  'inflammation-unknown',
  'inflammation-acute-or-indeterminate',
  'inflammation-normal',
  'inflammation-elevated',
]);

/**
 * The recommendation codes another CRP cut-off could change: those of the first row that reads the inflammation
 * status and of every row after it. Rows are first-match, so a row before it decides without the CRP. A screen
 * re-decides only these at each extra cut-off (src/screen/assess-batch.ts).
 */
export function cutOffDependentCodes(rows: readonly DecisionRow[]): ReadonlySet<string> {
  const first = rows.findIndex((row) => READS_INFLAMMATION.has(row.when));
  return new Set(first < 0 ? [] : rows.slice(first).map((row) => row.code));
}

export function decide(rows: readonly DecisionRow[], facts: ClinicalFacts): { row: DecisionRow; trace: TraceStep[] } {
  const trace: TraceStep[] = [];
  let chosen: DecisionRow | undefined;
  for (const row of rows) {
    const label = `${row.rule} ${row.code}`;
    if (chosen !== undefined) {
      trace.push({
        rule: label,
        matched: false,
        outcome: `not evaluated: rule ${chosen.rule} matched first`,
        citation: row.citation,
      });
      continue;
    }
    const { matched, outcome } = evaluate(row, facts);
    trace.push({ rule: label, matched, outcome, citation: row.citation });
    if (matched) chosen = row;
  }
  // The schema requires a row for every inflammation status, so some row always matches; this guards hand-built tables.
  if (chosen === undefined) throw new Error('the decision table matched no row: every inflammation status needs a row');
  return { row: chosen, trace };
}
