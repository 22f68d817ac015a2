/**
 * Stratified permuted blocks with random block sizes: for each stratum, blocks are appended until the list holds at
 * least `perStratum` slots; each block's size is drawn uniformly from `blockSizes`, and the block holds every arm
 * size / ratio-sum x ratio times in a random order. Each stratum draws from its own stream (src/randomization/random.ts),
 * so a stratum's list depends only on the seed and the stratum's position. Pure.
 */
import type { PermutedBlocksPlan } from './plan.ts';
import { allStrata, ratioSum, stratumKey } from './plan.ts';
import { shuffled, streamFor } from './random.ts';
import type { IntSource } from './random.ts';

export interface AllocationRow {
  /** `crp=high|site=A`. */
  readonly stratum: string;
  /** 1, 2, ... within the stratum. */
  readonly sequence: number;
  /** 1, 2, ... within the stratum. */
  readonly block: number;
  readonly blockSize: number;
  readonly arm: string;
}

function block(plan: PermutedBlocksPlan, size: number, source: IntSource): string[] {
  const copies = size / ratioSum(plan.arms);
  const contents = plan.arms.flatMap((arm) => Array.from({ length: arm.ratio * copies }, () => arm.id));
  return shuffled(contents, source);
}

/** The concealed list of one stratum (its position `index` in allStrata order). */
export function stratumList(plan: PermutedBlocksPlan, index: number, stratum: string): AllocationRow[] {
  const source = streamFor(plan.seed, index);
  const rows: AllocationRow[] = [];
  for (let b = 1; rows.length < plan.perStratum; b++) {
    const size = plan.blockSizes[source.int(0, plan.blockSizes.length - 1)] as number;
    for (const arm of block(plan, size, source)) {
      rows.push({ stratum, sequence: rows.length + 1, block: b, blockSize: size, arm });
    }
  }
  return rows;
}

/** The whole allocation table, stratum by stratum in allStrata order. */
export function allocationTable(plan: PermutedBlocksPlan): AllocationRow[] {
  return allStrata(plan.factors).flatMap((levels, index) => stratumList(plan, index, stratumKey(plan.factors, levels)));
}
