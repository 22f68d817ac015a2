/**
 * Cross-file checks of the knowledge: every citation key and code-set id named anywhere exists, and a code entry
 * marked verified does not rest on a citation tagged [U] (it would hide an unverified value from the outputs).
 */
import { issue } from '../record/index.ts';
import type { Issue } from '../record/index.ts';
import type { Located } from './build-index.ts';
import { codeFormatProblem } from './code-format.ts';
import type { Knowledge } from './knowledge.ts';
import { inCodeSet } from './lookup.ts';
import { LAB_DIMENSIONS } from './schema-codesets.ts';
import type { AntidepressantTable, Citation, CodeSet, CodeSystem } from './schema-codesets.ts';
import { convertQuantity } from '../units/index.ts';
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
 * Why results of `set` cannot be compared in `unit`, or undefined when they can: the unit must be one UCUM converts
 * a unit of the set's dimension to (the entries' `dimension`, LAB_DIMENSIONS). A CRP limit in 10*9/L or a weight in
 * mg/L would otherwise load, no result would ever convert to it, and the criterion or rule would be undecided for
 * every patient. A set whose entries give no dimension cannot be checked, and says so.
 */
export function unitDimensionProblem(set: CodeSet, unit: string): string | undefined {
  const dimensions = [...new Set(set.codes.flatMap((c) => (c.dimension === undefined ? [] : [c.dimension])))];
  if (dimensions.length === 0) {
    return `code set "${set.id}" gives no dimension for its results (\`dimension\` on its entries), so the unit "${unit}" cannot be checked`;
  }
  const fits = dimensions.some((d) => {
    const { unit: of, also } = LAB_DIMENSIONS[d];
    if (of === undefined) return false;
    return of === unit || also?.includes(unit) === true || convertQuantity({ value: 1, ucum: of }, unit).ok;
  });
  if (fits) return undefined;
  const what = dimensions
    .map((d) => {
      const { what: words, unit: example } = LAB_DIMENSIONS[d];
      return example === undefined ? words : `${words}, e.g. ${example}`;
    })
    .join('; ');
  return `"${unit}" is not a unit of what code set "${set.id}" measures (${what}): no result could be converted to it`;
}

/** The pathway's safety lab units (`definitions.labs.analytes[*].unit`) against their code sets' dimension. */
export function checkPathwayLabUnits(pathway: Located<Pathway>, codeSets: ReadonlyMap<string, CodeSet>): Issue[] {
  const issues: Issue[] = [];
  for (const [analyte, lab] of Object.entries(pathway.value.definitions.labs.analytes)) {
    for (const id of lab.codeSets) {
      const set = codeSets.get(id);
      const problem = set === undefined ? undefined : unitDimensionProblem(set, lab.unit);
      const field = `definitions.labs.analytes.${analyte}.unit`;
      if (problem !== undefined) {
        issues.push(
          issue('knowledge.field.invalid', `${pathway.path}: ${field}: ${problem}`, `${pathway.path}#${field}`),
        );
      }
    }
  }
  return issues;
}

/** A linkId or questionnaire URL that is a LOINC code, bare or as its last segment ("44260-8", "/44260-8"). */
const INLINE_LOINC = /(?:^|\/)(\d+-\d+)$/;

/**
 * LOINC codes written in the pathway itself rather than in a code set (the questionnaire items' `linkIds` and the
 * instruments' `questionnaireUrls`) get the check of every listed code (code-format.ts): a typo would never match a
 * response, and the item (PHQ-9 item 9 for the suicide-risk alert) would silently read as unanswered.
 */
export function checkPathwayInlineCodes(pathway: Located<Pathway>): Issue[] {
  const issues: Issue[] = [];
  const walk = (node: unknown, path: string): void => {
    if (Array.isArray(node)) {
      node.forEach((v, i) => walk(v, `${path}[${i}]`));
      return;
    }
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      const child = path === '' ? key : `${path}.${key}`;
      if ((key === 'linkIds' || key === 'questionnaireUrls') && Array.isArray(value)) {
        value.forEach((text, i) => {
          const code = typeof text === 'string' ? INLINE_LOINC.exec(text)?.[1] : undefined;
          const problem = code === undefined ? undefined : codeFormatProblem(code, 'loinc', false);
          if (problem === undefined) return;
          const field = `${child}[${i}]`;
          const what = text === code ? `"${code}"` : `"${String(text)}" (LOINC ${code})`;
          issues.push(
            issue(
              'knowledge.code.malformed',
              `${pathway.path}: ${field}: ${what} ${problem}`,
              `${pathway.path}#${field}`,
            ),
          );
        });
      } else walk(value, child);
    }
  };
  walk(pathway.value, '');
  return issues;
}

/**
 * A LOINC linkId of a questionnaire item in the pathway (PHQ-9 item 9's 44260-8) that the instrument's item code sets
 * list under another item number: a valid code in the wrong place reads one item's answers as another's (the
 * suicide-risk alert on item 3's, a symptom domain on the wrong item), silently. The item code sets are the pathway's
 * `symptoms.instruments[].itemCodeSets` of that instrument; `isLoinc` tells an entry's system (code-systems.json).
 */
export function checkPathwayLinkIdItems(
  pathway: Located<Pathway>,
  codeSets: ReadonlyMap<string, CodeSet>,
  isLoinc: (system: string) => boolean,
): Issue[] {
  const d = pathway.value.definitions;
  const itemSets = new Map(d.symptoms.instruments.map((ins) => [ins.instrument, ins.itemCodeSets] as const));
  const uses = [
    ...d.safety.suicideRisk.items.map((r, i) => ({
      ...r,
      field: `definitions.safety.suicideRisk.items[${i}].linkIds`,
    })),
    ...d.symptoms.instruments.flatMap((ins, i) =>
      ins.items.map((it, j) => ({
        instrument: ins.instrument,
        item: it.item,
        linkIds: it.linkIds,
        field: `definitions.symptoms.instruments[${i}].items[${j}].linkIds`,
      })),
    ),
  ];
  const issues: Issue[] = [];
  for (const use of uses) {
    use.linkIds.forEach((text, k) => {
      const code = INLINE_LOINC.exec(text)?.[1];
      if (code === undefined) return;
      for (const id of itemSets.get(use.instrument) ?? []) {
        const listed = codeSets.get(id)?.codes.filter((e) => e.code === code && isLoinc(e.system)) ?? [];
        const other = listed.find((e) => e.item !== undefined && e.item !== use.item);
        if (other === undefined || listed.some((e) => e.item === use.item)) continue;
        const field = `${use.field}[${k}]`;
        issues.push(
          issue(
            'knowledge.field.invalid',
            `${pathway.path}: ${field}: LOINC ${code} is ${use.instrument} item ${other.item ?? ''} in code set "${id}", not item ${use.item}`,
            `${pathway.path}#${field}`,
          ),
        );
      }
    });
  }
  return issues;
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

/**
 * Code sets the pathway reads as opposites, by the pathway fields that name them: a code in both would be read as
 * whichever the engine tries first (a test result as positive, not negative; a diagnosis as current depression, not
 * remission), silently. Hepatitis B and C are the contraindication `hepatitis`, never also an active infection
 * (docs/care-pathway.md, definition 6).
 */
function conflictingSets(p: Pathway): { sets: readonly [readonly string[], readonly string[]]; what: string }[] {
  const d = p.definitions;
  const codeSetsOf = (code: string): readonly string[] =>
    p.contraindications.flatMap((c) =>
      c.code !== code ? [] : 'activeCodeSets' in c ? c.activeCodeSets : 'codeSets' in c ? c.codeSets : [],
    );
  return [
    { sets: [d.screens.positiveCodeSets, d.screens.negativeCodeSets], what: 'a positive and a negative result' },
    { sets: [d.depression.codeSets, d.depression.remissionCodeSets], what: 'depression and its remission' },
    { sets: [codeSetsOf('hepatitis'), codeSetsOf('active-infection')], what: 'hepatitis and another active infection' },
  ];
}

/** No code of one set of a conflicting pair is in the other (an exact code, or covered by a prefix entry). */
export function checkConflictingSets(k: Knowledge, pathOf: ReadonlyMap<string, string>): Issue[] {
  const issues: Issue[] = [];
  for (const { sets, what } of conflictingSets(k.pathway)) {
    // A code listed as such in both sets is named once, at the first; a prefix of one covering a code of the other at
    // that code.
    const named = new Set<string>();
    for (const [from, to] of [sets, [sets[1], sets[0]]] as const) {
      for (const id of from) {
        const path = pathOf.get(id) ?? id;
        k.codeSets.get(id)?.codes.forEach((entry, i) => {
          const other = to.find((otherId) => inCodeSet(k, otherId, { system: entry.system, code: entry.code }));
          if (other === undefined || named.has(`${entry.system}|${entry.code}`)) return;
          named.add(`${entry.system}|${entry.code}`);
          const field = `codes[${i}]`;
          issues.push(
            issue(
              'knowledge.codeset.conflict',
              `${path}: ${field}: ${entry.code} is also in code set "${other}" (${pathOf.get(other) ?? other}), which the pathway reads as its opposite (${what}): keep it in one of them`,
              `${path}#${field}`,
            ),
          );
        });
      }
    }
  }
  return issues;
}
