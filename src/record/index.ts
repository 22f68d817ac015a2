export * from './types.ts';
export * from './issues.ts';
export * from './dates.ts';
export * from './tables.ts';
export * from './text.ts';
