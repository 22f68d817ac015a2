import type { Command } from 'commander';

/** Placeholder until the `trd design` command lands; replaced by its owner. */
export function registerDesign(_program: Command): void {}
