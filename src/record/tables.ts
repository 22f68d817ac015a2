/**
 * Constant lookup tables that input may index (a unit code, a timing code from a Bundle). A plain object literal
 * answers `toString`, `constructor` or `__proto__` with Object.prototype's members, so such a code would read as a
 * function instead of "not in the table"; these tables have no prototype.
 */
export function lookupTable<T>(entries: Readonly<Record<string, T>>): Readonly<Record<string, T | undefined>> {
  return Object.freeze(Object.assign(Object.create(null) as Record<string, T>, entries));
}
