/**
 * Seeded, splittable random streams for Monte-Carlo simulation.
 *
 * Generator: xoroshiro128+ (Blackman & Vigna 2018, "Scrambled linear pseudorandom number generators"), from the
 * pure-rand package. Replicate i of a simulation draws from its own stream: the seeded generator advanced by
 * (i + 1) jumps of 2^64 steps (xoroshiro128+'s jump polynomial), so streams never overlap in practice and replicate
 * i sees the same numbers whichever worker runs it and whatever else that worker ran before. Splitting a simulation
 * into replicate ranges across workers therefore gives bit-identical results to one thread.
 *
 * Uniforms use the two 32-bit outputs' high bits (27 + 26 bits, as the Mersenne Twister reference genrand_res53),
 * because the lowest bits of xoroshiro128+ are its weakest; they are offset by half a step so they lie strictly in
 * (0, 1) and can be inverted by any quantile function.
 */
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { JumpableRandomGenerator } from 'pure-rand/types/JumpableRandomGenerator';

/** A source of uniform variates strictly inside (0, 1). */
export interface UniformSource {
  uniform(): number;
}

const TWO_POW_26 = 67108864;
const TWO_POW_MINUS_53 = 1 / 9007199254740992;

class XoroshiroUniform implements UniformSource {
  constructor(private readonly generator: JumpableRandomGenerator) {}

  uniform(): number {
    const high27 = this.generator.next() >>> 5;
    const low26 = this.generator.next() >>> 6;
    return (high27 * TWO_POW_26 + low26 + 0.5) * TWO_POW_MINUS_53;
  }
}

/** Seeds are integers in [0, 2^31 - 1]: pure-rand seeds xoroshiro128+ with a 32-bit integer. */
export function isValidSeed(seed: number): boolean {
  return Number.isInteger(seed) && seed >= 0 && seed <= 0x7fffffff;
}

/**
 * Calls `run(replicate, source)` for each replicate in [start, end), each with its own stream.
 * Cost of reaching `start`: `start` jumps (~130 generator steps each), negligible next to a replicate.
 */
export function forEachReplicateStream(
  seed: number,
  start: number,
  end: number,
  run: (replicate: number, source: UniformSource) => void,
): void {
  for (const [replicate, source] of replicateStreams(seed, start, end)) run(replicate, source);
}

/** The same streams as forEachReplicateStream, pulled one at a time (for consumers that pause between replicates). */
export function* replicateStreams(seed: number, start: number, end: number): Generator<[number, UniformSource]> {
  const base = xoroshiro128plus(seed);
  for (let i = 0; i < start; i++) base.jump();
  for (let replicate = start; replicate < end; replicate++) {
    base.jump();
    yield [replicate, new XoroshiroUniform(base.clone())];
  }
}
