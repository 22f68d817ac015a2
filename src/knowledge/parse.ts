/**
 * parseKnowledge: validates every knowledge file (chosen by its `schema` field), cross-checks citation keys and
 * code-set ids across files, and builds the lookup indexes. It collects ALL problems, each naming its file and field
 * (`knowledge/codesets/antidepressants.json: ingredients[3].minDailyDoseMg: Invalid input: expected number, ...`),
 * and fails once, so a broken knowledge folder is fixed in one pass.
 *
 * Pure: the caller (load.ts, tests, a browser) supplies the parsed JSON with the path it came from.
 */
import type { z } from 'zod';
import { fail, issue, ok } from '../record/index.ts';
import type { Issue, Result } from '../record/index.ts';
import {
  buildAntidepressantIndex,
  buildCodeIndex,
  buildSetIndexes,
  buildSystemRules,
  buildUnverifiedAntidepressants,
  buildUnverifiedEntries,
} from './build-index.ts';
import type { Located } from './build-index.ts';
import { buildMedicationNames } from './medication-names.ts';
import { checkAnswerCodeSets, checkCitations, checkConflictingSets, checkPathwayCodeSets } from './cross-check.ts';
import type { Knowledge, KnowledgeSource } from './knowledge.ts';
import {
  AntidepressantTableSchema,
  CitationsFileSchema,
  CodeSetSchema,
  CodeSystemsFileSchema,
  KNOWLEDGE_FILE_SCHEMAS,
} from './schema-codesets.ts';
import type { AntidepressantTable, Citation, CitationsFile, CodeSet, CodeSystemsFile } from './schema-codesets.ts';
import { PATHWAY_SCHEMA, PathwaySchema } from './schema-pathway.ts';
import type { Pathway } from './schema-pathway.ts';
import { checked, type MaybeValidated } from './validated.ts';

export interface KnowledgeFile extends MaybeValidated {
  /** Where the JSON came from, as it should appear in messages (e.g. `knowledge/codesets/depression.json`). */
  readonly path: string;
}

/** `ingredients[3].minDailyDoseMg`, `citations["actemra-us-pi-5.2"].tag` */
export function formatFieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (typeof part === 'string' && /^[A-Za-z_$][\w$]*$/.test(part)) out += out === '' ? part : `.${part}`;
    else out += `[${JSON.stringify(String(part))}]`;
  }
  return out === '' ? '(root)' : out;
}

/** Whether `path` names a key its parent object in `json` does not have (an item left out of the file). */
function leftOut(json: unknown, path: readonly PropertyKey[]): boolean {
  let node = json;
  for (const key of path.slice(0, -1)) {
    if (node === null || typeof node !== 'object') return false;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  const last = path.at(-1);
  return node !== null && typeof node === 'object' && !Array.isArray(node) && last !== undefined && !(last in node);
}

/**
 * The file validated by `schema`; each problem adds an issue naming the file and the field. A required item the file
 * leaves out (a site's own pathway written before an item was added) is named as missing, never filled in from the
 * bundled knowledge: its value may be unverified [U] and is the file's to state.
 */
export function validate<T>(schema: z.ZodType<T>, file: KnowledgeFile, issues: Issue[]): Located<T> | undefined {
  const parsed = checked(schema, file);
  if (parsed.success) return { path: file.path, value: parsed.data };
  for (const zi of parsed.error.issues) {
    const field = formatFieldPath(zi.path);
    const message =
      zi.code === 'invalid_type' && leftOut(file.json, zi.path)
        ? `missing: this file must give it (a required ${zi.expected}; no value is assumed in its place)`
        : zi.message;
    issues.push(issue('knowledge.field.invalid', `${file.path}: ${field}: ${message}`, `${file.path}#${field}`));
  }
  return undefined;
}

/**
 * A code set's id is its file's name (knowledge/codesets/README.md): a typo in the id would otherwise surface only
 * as an unknown code set in the file that names it. Paths not ending in `.json` (in-memory JSON) are not checked.
 */
export function codeSetIdIssues(path: string, id: string): Issue[] {
  const name = /([^/\\]+)\.json$/.exec(path)?.[1];
  if (name === undefined || name === id) return [];
  return [
    issue(
      'knowledge.field.invalid',
      `${path}: id: "${id}" is not the file's name "${name}" (a code set's id is its file name: correct the id or rename the file)`,
      `${path}#id`,
    ),
  ];
}

function schemaOf(json: unknown): string | undefined {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return undefined;
  const schema = (json as Record<string, unknown>)['schema'];
  return typeof schema === 'string' ? schema : undefined;
}

interface Sorted {
  citations: Located<CitationsFile>[];
  codeSystems: Located<CodeSystemsFile>[];
  codeSets: Located<CodeSet>[];
  antidepressants: Located<AntidepressantTable>[];
  pathways: Located<Pathway>[];
  /** Schemas of files that failed validation (so a missing-file message is not added on top). */
  failed: Set<string>;
}

function validateAll(files: readonly KnowledgeFile[], issues: Issue[]): Sorted {
  const sorted: Sorted = {
    citations: [],
    codeSystems: [],
    codeSets: [],
    antidepressants: [],
    pathways: [],
    failed: new Set(),
  };
  let schema: string | undefined;
  const push = <T>(list: Located<T>[], located: Located<T> | undefined): void => {
    if (located !== undefined) list.push(located);
    else if (schema !== undefined) sorted.failed.add(schema);
  };
  for (const file of files) {
    schema = schemaOf(file.json);
    switch (schema) {
      case KNOWLEDGE_FILE_SCHEMAS.citations:
        push(sorted.citations, validate(CitationsFileSchema, file, issues));
        break;
      case KNOWLEDGE_FILE_SCHEMAS.codeSystems:
        push(sorted.codeSystems, validate(CodeSystemsFileSchema, file, issues));
        break;
      case KNOWLEDGE_FILE_SCHEMAS.codeSet:
        push(sorted.codeSets, validate(CodeSetSchema, file, issues));
        break;
      case KNOWLEDGE_FILE_SCHEMAS.antidepressants:
        push(sorted.antidepressants, validate(AntidepressantTableSchema, file, issues));
        break;
      case PATHWAY_SCHEMA:
        push(sorted.pathways, validate(PathwaySchema, file, issues));
        break;
      default:
        issues.push(
          issue(
            'knowledge.file.unknown-schema',
            `${file.path}: schema: ${schema === undefined ? 'missing (expected a JSON object with a "schema" field)' : `unknown schema "${schema}"`}`,
            `${file.path}#schema`,
          ),
        );
    }
  }
  return sorted;
}

/** Exactly one file of a kind; problems name what is missing or duplicated. */
function single<T>(
  sorted: Sorted,
  list: Located<T>[],
  schema: string,
  what: string,
  issues: Issue[],
): Located<T> | undefined {
  if (list.length === 1) return list[0];
  if (list.length > 1) {
    issues.push(
      issue('knowledge.file.duplicate', `${list.map((f) => f.path).join(', ')}: schema: more than one ${what}`),
    );
  } else if (!sorted.failed.has(schema)) {
    issues.push(issue('knowledge.file.missing', `(knowledge): schema: no ${what} (${schema}) was supplied`));
  }
  return undefined;
}

function mergeCitations(
  registry: Located<CitationsFile>,
  pathway: Located<Pathway>,
  issues: Issue[],
): Map<string, Citation> {
  const citations = new Map<string, Citation>(Object.entries(registry.value.citations));
  for (const [key, citation] of Object.entries(pathway.value.citations ?? {})) {
    const existing = citations.get(key);
    if (existing !== undefined && JSON.stringify(existing) !== JSON.stringify(citation)) {
      const field = formatFieldPath(['citations', key]);
      issues.push(
        issue(
          'knowledge.citation.conflict',
          `${pathway.path}: ${field}: differs from the same key in ${registry.path} (one registry: cite it by key)`,
          `${pathway.path}#${field}`,
        ),
      );
    } else if (existing === undefined) {
      citations.set(key, citation);
    }
  }
  return citations;
}

export function parseKnowledge(files: readonly KnowledgeFile[]): Result<Knowledge> {
  const issues: Issue[] = [];
  const sorted = validateAll(files, issues);
  const S = KNOWLEDGE_FILE_SCHEMAS;
  const citationsFile = single(sorted, sorted.citations, S.citations, 'citation registry', issues);
  const systemsFile = single(sorted, sorted.codeSystems, S.codeSystems, 'code-system table', issues);
  const antidepressants = single(sorted, sorted.antidepressants, S.antidepressants, 'antidepressant table', issues);
  const pathway = single(sorted, sorted.pathways, PATHWAY_SCHEMA, 'pathway', issues);

  const codeSets = new Map<string, CodeSet>();
  const codeSetPaths = new Map<string, string>();
  for (const { path, value } of sorted.codeSets) {
    issues.push(...codeSetIdIssues(path, value.id));
    const previous = codeSetPaths.get(value.id);
    if (previous !== undefined) {
      issues.push(
        issue(
          'knowledge.codeset.duplicate',
          `${path}: id: code set "${value.id}" is also defined in ${previous}`,
          `${path}#id`,
        ),
      );
    } else {
      codeSets.set(value.id, value);
      codeSetPaths.set(value.id, path);
    }
  }
  if (
    citationsFile === undefined ||
    systemsFile === undefined ||
    antidepressants === undefined ||
    pathway === undefined
  ) {
    return fail(issues);
  }

  const citations = mergeCitations(citationsFile, pathway, issues);
  const systemsList: Located<CodeSystemsFile['systems']> = { path: systemsFile.path, value: systemsFile.value.systems };
  issues.push(...checkCitations(citations, systemsList, sorted.codeSets, antidepressants, pathway));
  issues.push(...checkPathwayCodeSets(pathway, new Set(codeSets.keys())));
  issues.push(...checkAnswerCodeSets(sorted.codeSets));

  const systems = buildSystemRules(systemsList, issues);
  const sets = buildSetIndexes(sorted.codeSets, systems, issues);
  const adIndex = buildAntidepressantIndex(antidepressants, systems, issues);
  const medicationNames = buildMedicationNames(pathway, codeSets, adIndex.ingredients, issues);
  if (issues.length > 0) return fail(issues);

  const sources: KnowledgeSource[] = [
    {
      path: citationsFile.path,
      schema: KNOWLEDGE_FILE_SCHEMAS.citations,
      id: 'citations',
      version: citationsFile.value.version,
    },
    {
      path: systemsFile.path,
      schema: KNOWLEDGE_FILE_SCHEMAS.codeSystems,
      id: 'code-systems',
      version: systemsFile.value.version,
    },
    {
      path: antidepressants.path,
      schema: KNOWLEDGE_FILE_SCHEMAS.antidepressants,
      id: antidepressants.value.id,
      version: antidepressants.value.version,
    },
    ...sorted.codeSets.map((f) => ({
      path: f.path,
      schema: KNOWLEDGE_FILE_SCHEMAS.codeSet,
      id: f.value.id,
      version: f.value.version,
    })),
    { path: pathway.path, schema: PATHWAY_SCHEMA, id: pathway.value.id, version: pathway.value.version },
  ];
  const knowledge: Knowledge = {
    pathway: pathway.value,
    codeSets,
    antidepressants: antidepressants.value,
    citations,
    codeSystems: systemsFile.value.systems,
    sources,
    index: {
      systems,
      sets,
      ...adIndex,
      codes: buildCodeIndex(systems, sets, adIndex.antidepressantCodes),
      unverifiedEntries: buildUnverifiedEntries(systems, sets),
      ...buildUnverifiedAntidepressants(systems, adIndex),
      medicationNames,
    },
  };
  const conflicts = checkConflictingSets(knowledge, codeSetPaths);
  return conflicts.length > 0 ? fail(conflicts) : ok(knowledge);
}
