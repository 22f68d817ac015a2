/**
 * The trial matcher's extra code sets (knowledge/trials/codesets/: psychiatric exclusions, antibiotics, SHAPS items)
 * are added to a loaded Knowledge here, validated with the code-set schema and indexed by src/knowledge/build-index.ts, so
 * lookups behave exactly as for the bundled sets. A set already present with identical content is skipped (if the
 * knowledge loader learns to read the folder itself, nothing breaks); a different set under a taken id is an error.
 *
 * Pure: the adapter (load.ts) supplies the parsed JSON with its path.
 */
import { buildCodeIndex, buildSetIndexes, buildUnverifiedEntries } from '../knowledge/build-index.ts';
import type { Located } from '../knowledge/build-index.ts';
import type { Knowledge } from '../knowledge/index.ts';
import { checkCodeSetCitations } from '../knowledge/cross-check.ts';
import { codeSetIdIssues } from '../knowledge/parse.ts';
import { CodeSetSchema } from '../knowledge/schema-codesets.ts';
import type { CodeSet } from '../knowledge/schema-codesets.ts';
import { fail, issue, ok } from '../record/index.ts';
import type { Issue, Result } from '../record/index.ts';
import { formatPath } from './parse.ts';
import { checked, type MaybeValidated } from '../knowledge/validated.ts';

export interface JsonFile extends MaybeValidated {
  readonly path: string;
}

export function addTrialCodeSets(knowledge: Knowledge, files: readonly JsonFile[]): Result<Knowledge> {
  const issues: Issue[] = [];
  const added: Located<CodeSet>[] = [];
  for (const file of files) {
    const parsed = checked(CodeSetSchema, file);
    if (!parsed.success) {
      for (const zi of parsed.error.issues) {
        const field = formatPath(zi.path);
        issues.push(issue('trials.codeset.invalid', `${file.path}: ${field}: ${zi.message}`, `${file.path}#${field}`));
      }
      continue;
    }
    const set = parsed.data;
    issues.push(...codeSetIdIssues(file.path, set.id));
    const existing = knowledge.codeSets.get(set.id) ?? added.find((a) => a.value.id === set.id)?.value;
    if (existing !== undefined) {
      if (JSON.stringify(existing) !== JSON.stringify(set)) {
        issues.push(
          issue(
            'trials.codeset.duplicate',
            `${file.path}: id: code set "${set.id}" is already defined`,
            `${file.path}#id`,
          ),
        );
      }
      continue;
    }
    // The same citation checks as the bundled code sets: known keys, and no verified entry on a U-tagged source.
    issues.push(...checkCodeSetCitations(knowledge.citations, [{ path: file.path, value: set }]));
    added.push({ path: file.path, value: set });
  }
  const indexes = buildSetIndexes(added, knowledge.index.systems, issues);
  if (issues.length > 0) return fail(issues);
  if (added.length === 0) return ok(knowledge);
  const codeSets = new Map(knowledge.codeSets);
  for (const { value } of added) codeSets.set(value.id, value);
  const sets = new Map(knowledge.index.sets);
  for (const [id, index] of indexes) sets.set(id, index);
  const { systems, antidepressantCodes } = knowledge.index;
  return ok({
    ...knowledge,
    codeSets,
    index: {
      ...knowledge.index,
      sets,
      codes: buildCodeIndex(systems, sets, antidepressantCodes),
      unverifiedEntries: buildUnverifiedEntries(systems, sets),
    },
    sources: [
      ...knowledge.sources,
      ...added.map((a) => ({
        path: a.path,
        schema: 'precision-trd/codeset@1',
        id: a.value.id,
        version: a.value.version,
      })),
    ],
  });
}
