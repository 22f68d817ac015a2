/**
 * A kit list for a blinded trial: kit codes K0001, K0002, ... whose contents (arms) are shuffled with a seeded stream,
 * so neither the code nor its order reveals the arm. The pharmacist keeps the list; only `addKits` sees the arms. Pure.
 */
import { shuffled, streamFor } from '../randomization/index.ts';
import type { KitInput } from './model.ts';

export function generateKits(arms: readonly string[], countPerArm: number, seed: number, prefix = 'K'): KitInput[] {
  const contents = arms.flatMap((arm) => Array.from({ length: countPerArm }, () => arm));
  const width = Math.max(4, String(contents.length).length);
  return shuffled(contents, streamFor(seed, 0)).map((arm, i) => ({
    kitCode: `${prefix}${String(i + 1).padStart(width, '0')}`,
    arm,
  }));
}
