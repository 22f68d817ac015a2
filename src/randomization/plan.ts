/**
 * A randomization plan: arms with their allocation ratio, stratification factors with their levels, and the method
 * (stratified permuted blocks, or Pocock-Simon minimisation with a random element), with the seed that makes it
 * reproducible. The plan is the concealed part of a trial: whoever holds the seed can rebuild the list. Pure.
 */
import { z } from 'zod';

const Key = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'expected letters, digits, ".", "_" or "-"');
/** pure-rand seeds xoroshiro128+ with a 32-bit integer. */
export const SeedSchema = z.int().min(0).max(0x7fffffff);

export const ArmSchema = z.strictObject({ id: Key, ratio: z.int().min(1).max(20) });
export type Arm = z.infer<typeof ArmSchema>;

export const FactorSchema = z.strictObject({
  id: Key,
  levels: z.array(Key).min(1),
  /** Weight in the minimisation imbalance sum (Pocock & Simon 1975); ignored by permuted blocks. */
  weight: z.number().positive().default(1),
});
export type Factor = z.infer<typeof FactorSchema>;

const Common = {
  arms: z.array(ArmSchema).min(2),
  factors: z.array(FactorSchema),
  seed: SeedSchema,
};

export const PermutedBlocksPlanSchema = z.strictObject({
  method: z.literal('permuted-blocks'),
  ...Common,
  /** Block sizes drawn uniformly for each block; each must be a multiple of the sum of the ratios. */
  blockSizes: z.array(z.int().min(2)).min(1),
  /** Blocks are generated until each stratum's list has at least this many slots (the last block is complete). */
  perStratum: z.int().min(1).max(100000),
});

export const MinimisationPlanSchema = z.strictObject({
  method: z.literal('minimisation'),
  ...Common,
  /**
   * Probability of giving the arm that minimises the weighted imbalance (Pocock & Simon's p; 0.8 is common). The
   * other arms share 1 - p in proportion to their ratios; ties are broken at random in proportion to the ratios.
   */
  pBest: z.number().gt(0.5).max(1),
});

export const RandomizationPlanSchema = z
  .discriminatedUnion('method', [PermutedBlocksPlanSchema, MinimisationPlanSchema])
  .superRefine((plan, ctx) => {
    const ids = plan.arms.map((a) => a.id);
    if (new Set(ids).size !== ids.length)
      ctx.addIssue({ code: 'custom', message: 'arm ids must differ', path: ['arms'] });
    const factorIds = plan.factors.map((f) => f.id);
    if (new Set(factorIds).size !== factorIds.length) {
      ctx.addIssue({ code: 'custom', message: 'factor ids must differ', path: ['factors'] });
    }
    plan.factors.forEach((f, i) => {
      if (new Set(f.levels).size !== f.levels.length) {
        ctx.addIssue({ code: 'custom', message: `levels of ${f.id} must differ`, path: ['factors', i, 'levels'] });
      }
    });
    if (plan.method === 'permuted-blocks') {
      const unit = ratioSum(plan.arms);
      plan.blockSizes.forEach((size, i) => {
        if (size % unit !== 0) {
          ctx.addIssue({
            code: 'custom',
            message: `block size ${size} is not a multiple of the ratio sum ${unit}`,
            path: ['blockSizes', i],
          });
        }
      });
    }
  });
export type RandomizationPlan = z.infer<typeof RandomizationPlanSchema>;
export type PermutedBlocksPlan = z.infer<typeof PermutedBlocksPlanSchema>;
export type MinimisationPlan = z.infer<typeof MinimisationPlanSchema>;

export const ratioSum = (arms: readonly Arm[]): number => arms.reduce((s, a) => s + a.ratio, 0);

/** A stratum written `crp=high|site=A` (factors in plan order); `all` when there are no factors. */
export function stratumKey(factors: readonly Factor[], levels: Readonly<Record<string, string>>): string {
  if (factors.length === 0) return 'all';
  return factors.map((f) => `${f.id}=${levels[f.id] ?? ''}`).join('|');
}

/** Every stratum, the last factor varying fastest, as level maps. */
export function allStrata(factors: readonly Factor[]): Record<string, string>[] {
  return factors.reduce<Record<string, string>[]>(
    (acc, f) => acc.flatMap((partial) => f.levels.map((level) => ({ ...partial, [f.id]: level }))),
    [{}],
  );
}

/** Problems with a participant's levels (unknown factor, missing factor, level not in the plan); empty when fine. */
export function levelProblems(factors: readonly Factor[], levels: Readonly<Record<string, string>>): string[] {
  const problems: string[] = [];
  for (const f of factors) {
    const level = levels[f.id];
    if (level === undefined) problems.push(`missing stratification factor ${f.id}`);
    else if (!f.levels.includes(level)) problems.push(`${f.id}: level not in the plan (${f.levels.join(', ')})`);
  }
  for (const id of Object.keys(levels)) {
    if (!factors.some((f) => f.id === id)) problems.push('a stratification factor not in the plan');
  }
  return problems;
}
