/**
 * Reference forms the FHIR adapter and the population screen both read, as regular-expression text that JavaScript
 * and DuckDB (RE2) accept alike, so the two read the same resources as a patient's.
 */

/** The optional tail of a versioned reference (`Patient/p1/_history/2`), which names the same resource. */
export const VERSION_TAIL = '(?:/_history/[^/]+)?';
