import type { Command } from 'commander';

/** Placeholder until the `trd assess` command lands; replaced by its owner. */
export function registerAssess(_program: Command): void {}
