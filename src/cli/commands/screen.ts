import type { Command } from 'commander';
export function registerScreen(_program: Command): void {}
