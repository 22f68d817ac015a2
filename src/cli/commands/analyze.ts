import type { Command } from 'commander';

/** Placeholder until the `trd analyze` command lands; replaced by its owner. */
export function registerAnalyze(_program: Command): void {}
