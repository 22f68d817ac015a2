/**
 * Pocock-Simon minimisation (Pocock & Simon, Biometrics 1975;31:103-115) with a random element. For a new
 * participant, each arm is scored by the weighted sum over factors of the range of the ratio-adjusted counts in the
 * participant's level if the participant were given that arm; the arm with the lowest score is given with probability
 * `pBest`, another arm otherwise (in proportion to the ratios); ties are broken at random in proportion to the ratios.
 * The state (counts per factor level and arm) and the random stream are explicit so the store can persist both. Pure.
 */
import type { MinimisationPlan } from './plan.ts';
import type { IntSource } from './random.ts';
import { weightedIndex } from './random.ts';

/** counts[factorId][level][armId]. */
export type MarginalCounts = Record<string, Record<string, Record<string, number>>>;

export function emptyCounts(plan: MinimisationPlan): MarginalCounts {
  const counts: MarginalCounts = {};
  for (const f of plan.factors) {
    counts[f.id] = Object.fromEntries(f.levels.map((l) => [l, Object.fromEntries(plan.arms.map((a) => [a.id, 0]))]));
  }
  return counts;
}

const countOf = (counts: MarginalCounts, factor: string, level: string, arm: string): number =>
  counts[factor]?.[level]?.[arm] ?? 0;

/** Weighted imbalance if the participant (with `levels`) were given `candidate`. */
export function imbalanceIf(
  plan: MinimisationPlan,
  counts: MarginalCounts,
  levels: Readonly<Record<string, string>>,
  candidate: string,
): number {
  let total = 0;
  for (const f of plan.factors) {
    const level = levels[f.id] as string;
    const adjusted = plan.arms.map(
      (a) => (countOf(counts, f.id, level, a.id) + (a.id === candidate ? 1 : 0)) / a.ratio,
    );
    total += f.weight * (Math.max(...adjusted) - Math.min(...adjusted));
  }
  return total;
}

/** The arm for the next participant; the caller records it with `countAllocation`. */
export function minimise(
  plan: MinimisationPlan,
  counts: MarginalCounts,
  levels: Readonly<Record<string, string>>,
  source: IntSource,
): string {
  const scores = plan.arms.map((a) => imbalanceIf(plan, counts, levels, a.id));
  const best = Math.min(...scores);
  // Scores are sums of ratio-adjusted integers; compare with a tolerance so 1/3 + 2/3 ties with 1.
  const isBest = scores.map((s) => s - best < 1e-9);
  const bestArms = plan.arms.filter((_, i) => isBest[i]);
  const others = plan.arms.filter((_, i) => !isBest[i]);
  const pickFrom = others.length === 0 || source.unit() < plan.pBest ? bestArms : others;
  return (
    pickFrom[
      weightedIndex(
        pickFrom.map((a) => a.ratio),
        source,
      )
    ] as { id: string }
  ).id;
}

/** Adds one allocation to the counts (in place). */
export function countAllocation(counts: MarginalCounts, levels: Readonly<Record<string, string>>, arm: string): void {
  for (const [factor, level] of Object.entries(levels)) {
    const row = counts[factor]?.[level];
    if (row !== undefined) row[arm] = (row[arm] ?? 0) + 1;
  }
}

/** The largest range of ratio-adjusted counts over every factor level (0 = perfectly balanced margins). */
export function maxMarginalImbalance(plan: MinimisationPlan, counts: MarginalCounts): number {
  let worst = 0;
  for (const f of plan.factors) {
    for (const level of f.levels) {
      const adjusted = plan.arms.map((a) => countOf(counts, f.id, level, a.id) / a.ratio);
      worst = Math.max(worst, Math.max(...adjusted) - Math.min(...adjusted));
    }
  }
  return worst;
}
