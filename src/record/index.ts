export * from './types.ts';
export * from './issues.ts';
export * from './dates.ts';
