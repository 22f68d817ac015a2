/**
 * A kit list for a blinded trial: kit codes K0001, K0002, ... whose contents (arms) are shuffled with a seeded stream,
 * so neither the code nor its order reveals the arm. The pharmacist keeps the list; only `addKits` sees the arms. Pure.
 */
import { shuffled, streamFor, type Arm } from '../randomization/index.ts';
import type { KitInput } from './model.ts';

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/**
 * Kits in the plan's allocation ratio: each arm gets `perRatioUnit` x its share of the ratio in lowest terms (2:1 or
 * 4:2 with 100 gives 200 and 100; 1:1 gives 100 each), so no arm runs out while the others have stock (randomization
 * stops when any arm is out). The contents are the arms in plan order, each repeated, shuffled with stream 0 of `seed`.
 */
export function generateKits(arms: readonly Arm[], perRatioUnit: number, seed: number, prefix = 'K'): KitInput[] {
  const unit = arms.reduce((g, a) => gcd(g, a.ratio), 0);
  const contents = arms.flatMap((a) => Array.from({ length: (perRatioUnit * a.ratio) / unit }, () => a.id));
  const width = Math.max(4, String(contents.length).length);
  return shuffled(contents, streamFor(seed, 0)).map((arm, i) => ({
    kitCode: `${prefix}${String(i + 1).padStart(width, '0')}`,
    arm,
  }));
}
