/**
 * Which unverified knowledge a result relied on. Lookups return the matched entry (code-set entry or antidepressant
 * table row) with its `verified` flag; this turns the unverified ones into display items, so that every output that
 * used a value tagged [U] (docs/README.md) says so.
 *
 * The item shape `{ item, note, citation }` is the same as src/pathway/facts.ts `UnverifiedItem`.
 */
import type { Knowledge, UnverifiedEntry } from './knowledge.ts';
import type { AntidepressantMatch, CodeMatch } from './lookup.ts';
import { systemRule } from './lookup.ts';

export type { UnverifiedEntry };

function systemName(k: Knowledge, system: string): string {
  return systemRule(k, system)?.name ?? system;
}

/** The unverified entry behind one lookup result, or undefined when the entry is verified (or nothing matched). */
export function unverifiedEntry(
  k: Knowledge,
  match: CodeMatch | AntidepressantMatch | undefined,
): UnverifiedEntry | undefined {
  if (match === undefined) return undefined;
  if ('setId' in match) {
    const { entry, setId } = match;
    if (entry.verified) return undefined;
    const built = k.index.unverifiedEntries.get(setId)?.get(entry);
    if (built !== undefined) return built;
    return {
      item: `code set ${setId}: ${systemName(k, entry.system)} ${entry.code} "${entry.display}"`,
      note: entry.note ?? `the code ${entry.code} is not verified in the stored sources`,
      citation: entry.citation,
    };
  }
  const row = match.matched;
  if (row.verified) return undefined;
  const built = k.index.unverifiedRows.get(row);
  if (built !== undefined && row.ingredient === match.ingredient) return built;
  return {
    item: `antidepressants: ${systemName(k, row.system)} ${row.code} "${row.display}" = ${match.ingredient}`,
    note: `the code ${row.code} is not verified in the stored sources`,
    citation: row.citation,
  };
}

/** The unverified entries behind a set of lookup results, once each, in first-use order. */
export function unverifiedEntries(
  k: Knowledge,
  matches: Iterable<CodeMatch | AntidepressantMatch | undefined>,
): UnverifiedEntry[] {
  const seen = new Map<string, UnverifiedEntry>();
  for (const match of matches) {
    const entry = unverifiedEntry(k, match);
    if (entry !== undefined && !seen.has(entry.item)) seen.set(entry.item, entry);
  }
  return [...seen.values()];
}

/**
 * The minimum adequate daily dose of an ingredient as an unverified entry when its source is tagged [U] (docs/README.md)
 * (e.g. moclobemide), or undefined when it is verified or the ingredient has none.
 */
export function unverifiedMinimumDose(k: Knowledge, ingredient: string): UnverifiedEntry | undefined {
  return k.index.unverifiedDoses.get(ingredient);
}
