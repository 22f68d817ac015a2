/**
 * The shape of a code in each code system, checked when the knowledge loads (build-index.ts): a code listed with a
 * typo would otherwise load and never match a record, so a safety lab or an exclusion would silently read as absent.
 * Which check a system gets is data (`format` in knowledge/codesets/code-systems.json); the checks are here.
 *
 * Written by hand: the two check digits are a few lines each (LOINC's mod 10, SNOMED CT's Verhoeff), and no maintained
 * npm package offers them for these code systems.
 */
import type { CodeFormat } from './schema-codesets.ts';

/** LOINC: digits, a hyphen and the mod-10 check digit (LOINC Users' Guide, "Check digit"). */
function loincProblem(code: string): string | undefined {
  // Answer (LA), answer-list (LL) and part (LP) codes carry a check digit computed on another basis: shape only.
  if (/^L[APL]\d+-\d$/.test(code)) return undefined;
  const m = /^(\d{1,7})-(\d)$/.exec(code);
  if (m === null) return 'is not a LOINC code (digits, a hyphen and a check digit, e.g. 30522-7)';
  const body = m[1] as string;
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    // From the right, every other digit doubled (digits of the product added), starting with the rightmost.
    let d = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  const check = (10 - (sum % 10)) % 10;
  return check === Number(m[2]) ? undefined : `fails the LOINC check digit (${body}-${check} would pass)`;
}

// Verhoeff's dihedral-group tables (SNOMED CT Technical Implementation Guide, "Check-digit computation").
const D = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
  [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
  [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
  [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
  [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
  [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
  [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
  [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
  [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
];
const P = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
  [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
  [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
  [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
  [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
  [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
  [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
];

/** SNOMED CT: 6 to 18 digits, no leading zero, the last a Verhoeff check digit. */
function snomedProblem(code: string): string | undefined {
  if (!/^[1-9]\d{5,17}$/.test(code)) return 'is not a SNOMED CT identifier (6 to 18 digits, no leading zero)';
  let c = 0;
  for (let i = 0; i < code.length; i++) {
    const row = P[i % 8] as number[];
    c = (D[c] as number[])[row[Number(code[code.length - 1 - i])] as number] as number;
  }
  return c === 0 ? undefined : 'fails the SNOMED CT (Verhoeff) check digit';
}

const ATC_LEVELS = /^[A-Z](\d\d([A-Z]([A-Z](\d\d)?)?)?)?$/;

/** A code, as normalised for its system (no dots, upper case), that fits the format; prefixes may stop early. */
const SHAPES: Record<Exclude<CodeFormat, 'loinc' | 'snomed-ct'>, { exact: RegExp; prefix: RegExp; what: string }> = {
  // A letter, two characters of the category, then up to four of the subcategory (ICD-10-CM: up to seven in all).
  'icd-10': { exact: /^[A-Z]\d[0-9A-Z][0-9A-Z]{0,4}$/, prefix: /^[A-Z](\d[0-9A-Z]{0,5})?$/, what: 'ICD-10' },
  // Any of the five levels (A, A10, A10B, A10BA, A10BA02): each is a code of its own.
  atc: { exact: ATC_LEVELS, prefix: ATC_LEVELS, what: 'ATC' },
  digits: { exact: /^\d+$/, prefix: /^\d+$/, what: 'numeric' },
};

/**
 * Why `code` (normalised for its system) cannot be a code of `format`, or undefined when it can. `prefix`: the entry
 * matches by prefix (a category or group), so a shorter code is allowed.
 */
export function codeFormatProblem(code: string, format: CodeFormat, prefix: boolean): string | undefined {
  if (format === 'loinc') return loincProblem(code);
  if (format === 'snomed-ct') return snomedProblem(code);
  const shape = SHAPES[format];
  return (prefix ? shape.prefix : shape.exact).test(code) ? undefined : `is not a well-formed ${shape.what} code`;
}
