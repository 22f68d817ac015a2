import type { Command } from 'commander';

/** Placeholder until the `trd match` command lands; replaced by its owner. */
export function registerMatch(_program: Command): void {}
