/** UCUM unit conversion for lab results and doses (pure; memoised per unit pair). */
export { convertQuantity, conversionCacheSize, enzymeActivityUnit, isUcum } from './convert.ts';
export type { Conversion, ConvertOptions } from './convert.ts';
export { unitForReading } from './display.ts';
