/**
 * Seeded streams for allocation. Generator: pure-rand's xoroshiro128+; stream i is the seeded generator advanced by
 * i + 1 jumps of 2^64 steps (as src/stats/random/streams.ts does for simulation replicates), so each stratum's list
 * depends only on the seed and the stratum's position, never on the other strata. Integers and reals come from
 * pure-rand's unbiased uniformInt and uniformFloat64. The generator state is four 32-bit integers, which the trial store persists for minimisation.
 */
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus, xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';

export type GeneratorState = readonly number[];

export interface IntSource {
  /** Uniform integer in [from, to]. */
  int(from: number, to: number): number;
  /** Uniform in [0, 1), 53 bits. */
  unit(): number;
  state(): GeneratorState;
}

class XoroshiroInts implements IntSource {
  constructor(private readonly generator: ReturnType<typeof xoroshiro128plus>) {}
  int(from: number, to: number): number {
    return uniformInt(this.generator, from, to);
  }
  unit(): number {
    return uniformFloat64(this.generator);
  }
  state(): GeneratorState {
    return this.generator.getState();
  }
}

/** Stream `index` (0, 1, ...) of `seed`. */
export function streamFor(seed: number, index: number): IntSource {
  const generator = xoroshiro128plus(seed);
  for (let i = 0; i <= index; i++) generator.jump();
  return new XoroshiroInts(generator);
}

/** A stream resumed from a persisted state. */
export function streamFromState(state: GeneratorState): IntSource {
  return new XoroshiroInts(xoroshiro128plusFromState(state));
}

/** Fisher-Yates shuffle of a copy. */
export function shuffled<T>(items: readonly T[], source: IntSource): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = source.int(0, i);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** Picks an index with probability proportional to `weights` (positive integers). */
export function weightedIndex(weights: readonly number[], source: IntSource): number {
  const total = weights.reduce((s, w) => s + w, 0);
  let draw = source.int(1, total);
  for (let i = 0; i < weights.length; i++) {
    draw -= weights[i] as number;
    if (draw <= 0) return i;
  }
  return weights.length - 1;
}
