/**
 * Normal variates by inversion: z = Phi^-1(u) with @stdlib's normal quantile, one uniform per variate, the method
 * R uses by default (normal.kind "Inversion"). Inversion keeps each variate a fixed function of one uniform, so a
 * truncated normal (e.g. log CRP above a threshold) is drawn exactly by inverting only the upper tail.
 */
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import type { UniformSource } from './streams.ts';

export function standardNormal(source: UniformSource): number {
  return normalQuantile(source.uniform(), 0, 1);
}

/**
 * Standard normal conditioned on Z >= a, given upperTail = P(Z >= a) = Phi(-a): z = -Phi^-1(u upperTail), inverted in
 * the upper tail so no precision is lost when a is large.
 */
export function standardNormalAbove(source: UniformSource, upperTail: number): number {
  return -normalQuantile(source.uniform() * upperTail, 0, 1);
}
