/**
 * Cross-file checks of the knowledge: every citation key and code-set id named anywhere exists, and a code entry
 * marked verified does not rest on a citation tagged [U] (it would hide an unverified value from the outputs).
 */
import { issue } from '../record/index.ts';
import type { Issue } from '../record/index.ts';
import type { Located } from './build-index.ts';
import type { AntidepressantTable, Citation, CodeSet, CodeSystem } from './schema-codesets.ts';
import { pathwayCitationKeys, pathwayCodeSetIds } from './schema-pathway.ts';
import type { Pathway } from './schema-pathway.ts';

interface CitationUse {
  readonly path: string;
  readonly field: string;
  readonly key: string;
  /** The entry's own verified flag, when the citation backs a value that has one. */
  readonly verified?: boolean;
}

function codeSetCitationUses(codeSets: readonly Located<CodeSet>[]): CitationUse[] {
  const uses: CitationUse[] = [];
  for (const { path, value } of codeSets) {
    value.citations.forEach((key, i) => uses.push({ path, field: `citations[${i}]`, key }));
    value.codes.forEach((c, i) =>
      uses.push({ path, field: `codes[${i}].citation`, key: c.citation, verified: c.verified }),
    );
  }
  return uses;
}

function citationUses(
  codeSystems: Located<readonly CodeSystem[]>,
  codeSets: readonly Located<CodeSet>[],
  antidepressants: Located<AntidepressantTable>,
  pathway: Located<Pathway>,
): CitationUse[] {
  const uses: CitationUse[] = [];
  codeSystems.value.forEach((s, i) =>
    uses.push({ path: codeSystems.path, field: `systems[${i}].citation`, key: s.citation }),
  );
  uses.push(...codeSetCitationUses(codeSets));
  const t = antidepressants.value;
  const ap = antidepressants.path;
  t.citations.forEach((key, i) => uses.push({ path: ap, field: `citations[${i}]`, key }));
  t.ingredients.forEach((row, i) => {
    uses.push({
      path: ap,
      field: `ingredients[${i}].minDailyDoseCitation`,
      key: row.minDailyDoseCitation,
      verified: row.minDailyDoseVerified,
    });
    row.codes.forEach((c, j) =>
      uses.push({ path: ap, field: `ingredients[${i}].codes[${j}].citation`, key: c.citation, verified: c.verified }),
    );
  });
  t.otherIngredients.forEach((row, i) =>
    row.codes.forEach((c, j) =>
      uses.push({
        path: ap,
        field: `otherIngredients[${i}].codes[${j}].citation`,
        key: c.citation,
        verified: c.verified,
      }),
    ),
  );
  t.products.forEach((p, i) =>
    uses.push({ path: ap, field: `products[${i}].citation`, key: p.citation, verified: p.verified }),
  );
  for (const { key, path } of pathwayCitationKeys(pathway.value)) uses.push({ path: pathway.path, field: path, key });
  return uses;
}

export function checkCitations(
  citations: ReadonlyMap<string, Citation>,
  codeSystems: Located<readonly CodeSystem[]>,
  codeSets: readonly Located<CodeSet>[],
  antidepressants: Located<AntidepressantTable>,
  pathway: Located<Pathway>,
): Issue[] {
  return checkUses(citations, citationUses(codeSystems, codeSets, antidepressants, pathway));
}

/** The citation checks of checkCitations for code sets loaded on their own (the trial code sets). */
export function checkCodeSetCitations(
  citations: ReadonlyMap<string, Citation>,
  codeSets: readonly Located<CodeSet>[],
): Issue[] {
  return checkUses(citations, codeSetCitationUses(codeSets));
}

function checkUses(citations: ReadonlyMap<string, Citation>, uses: readonly CitationUse[]): Issue[] {
  const issues: Issue[] = [];
  for (const use of uses) {
    const citation = citations.get(use.key);
    if (citation === undefined) {
      issues.push(
        issue(
          'knowledge.citation.unknown',
          `${use.path}: ${use.field}: unknown citation "${use.key}" (add it to knowledge/citations.json)`,
          `${use.path}#${use.field}`,
        ),
      );
    } else if (use.verified === true && citation.tag === 'U') {
      issues.push(
        issue(
          'knowledge.citation.unverified-source',
          `${use.path}: ${use.field}: marked verified but its citation "${use.key}" is tagged U`,
          `${use.path}#${use.field}`,
        ),
      );
    }
  }
  return issues;
}

/**
 * Every code-set reference in the pathway by field name (`codeSet`, `codeSets`, `...CodeSets`), as a backstop for
 * fields that `pathwayCodeSetIds` (schema-pathway.ts) does not list yet.
 */
function codeSetRefsByName(node: unknown, path: string, out: { id: string; path: string }[]): void {
  if (Array.isArray(node)) {
    node.forEach((v, i) => codeSetRefsByName(v, `${path}[${i}]`, out));
    return;
  }
  if (node === null || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node)) {
    const child = path === '' ? key : `${path}.${key}`;
    if (key === 'codeSet' && typeof value === 'string') out.push({ id: value, path: child });
    else if ((key === 'codeSets' || key.endsWith('CodeSets')) && Array.isArray(value)) {
      value.forEach((id, i) => {
        if (typeof id === 'string') out.push({ id, path: `${child}[${i}]` });
      });
    } else codeSetRefsByName(value, child, out);
  }
}

export function checkPathwayCodeSets(pathway: Located<Pathway>, codeSetIds: ReadonlySet<string>): Issue[] {
  const refs = pathwayCodeSetIds(pathway.value);
  const seen = new Set(refs.map((r) => r.path));
  const byName: { id: string; path: string }[] = [];
  codeSetRefsByName(pathway.value, '', byName);
  for (const ref of byName) if (!seen.has(ref.path)) refs.push(ref);
  return refs
    .filter(({ id }) => !codeSetIds.has(id))
    .map(({ id, path }) =>
      issue(
        'knowledge.codeset.unknown',
        `${pathway.path}: ${path}: unknown code set "${id}" (no knowledge/codesets file has this id)`,
        `${pathway.path}#${path}`,
      ),
    );
}

/**
 * Every `answerCodeSets` id of a code set names a loaded set whose entries all carry a `score`: a coded answer is read
 * through it, so an entry without a score would read as no answer at all.
 */
export function checkAnswerCodeSets(codeSets: readonly Located<CodeSet>[]): Issue[] {
  const byId = new Map(codeSets.map((s) => [s.value.id, s.value] as const));
  const issues: Issue[] = [];
  for (const { path, value } of codeSets) {
    (value.answerCodeSets ?? []).forEach((id, i) => {
      const field = `answerCodeSets[${i}]`;
      const target = byId.get(id);
      if (target === undefined) {
        issues.push(
          issue(
            'knowledge.codeset.unknown',
            `${path}: ${field}: unknown code set "${id}" (no knowledge/codesets file has this id)`,
            `${path}#${field}`,
          ),
        );
      } else if (target.codes.some((c) => c.score === undefined)) {
        issues.push(
          issue(
            'knowledge.field.invalid',
            `${path}: ${field}: answer code set "${id}" has entries without a score`,
            `${path}#${field}`,
          ),
        );
      }
    });
  }
  return issues;
}
