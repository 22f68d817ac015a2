/**
 * Node adapter: reads the bundled knowledge folder (located relative to this module, so it works from any working
 * directory and from an installed package) or another folder, and hands the JSON to the pure parseKnowledge.
 * Problems become one KnowledgeError whose message is a single line: the first problem, then where each other one is
 * (file and field); all issues ride along in `issues`.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { issue, jsonSyntaxReason, utf8Text } from '../record/index.ts';
import type { Issue } from '../record/index.ts';
import type { Knowledge } from './knowledge.ts';
import { parseKnowledge } from './parse.ts';
import type { KnowledgeFile } from './parse.ts';

export interface LoadKnowledgeOptions {
  /** A pathway file to use instead of `<knowledgeDir>/pathway/care-pathway.json` (the CLI's `--pathway FILE`). */
  readonly pathwayFile?: string;
  /** A knowledge folder with citations.json, codesets/*.json and pathway/care-pathway.json. */
  readonly knowledgeDir?: string;
}

/**
 * Where the problems after the first are, for the one line: each issue's field, with its file when that is not the
 * first's ("definitions.plausibility.safetyLabs.anc.unit; knowledge/codesets/crp.json: codes[0].code"), so a
 * maintainer sees every place to correct in one run; an issue without a path is counted.
 */
function otherPlaces(issues: readonly Issue[]): string {
  const firstFile = issues[0]?.path?.split('#')[0];
  const places = issues.slice(1).map((i) => {
    if (i.path === undefined) return undefined;
    const [file, field] = i.path.split('#');
    return field === undefined ? file : file === firstFile ? field : `${file}: ${field}`;
  });
  const named = [...new Set(places.filter((p): p is string => p !== undefined))];
  const n = issues.length - 1;
  return ` (and ${n} more problem${n > 1 ? 's' : ''}${named.length === 0 ? '' : `, at ${named.join('; ')}`})`;
}

export class KnowledgeError extends Error {
  readonly issues: readonly Issue[];
  constructor(issues: readonly Issue[]) {
    const first = issues[0]?.message ?? 'invalid knowledge';
    const more = issues.length > 1 ? otherPlaces(issues) : '';
    super(`${first}${more}`.replace(/\s*\n\s*/g, ' '));
    this.name = 'KnowledgeError';
    this.issues = issues;
  }
}

export const BUNDLED_KNOWLEDGE_DIR = fileURLToPath(new URL('../../knowledge/', import.meta.url));

/** A path as messages show it: relative to the working directory when inside it, else absolute. */
export function displayPath(absolute: string): string {
  const rel = relative(process.cwd(), absolute);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : absolute;
}

/**
 * One knowledge file's JSON, with the build's validation of it when its text is unchanged; a file that cannot be read
 * or is not JSON adds an issue naming it (the one reading of a knowledge file, for every loader of knowledge/).
 */
export function readKnowledgeFile(absolute: string, issues: Issue[]): KnowledgeFile | undefined {
  const path = displayPath(absolute);
  let text: string | undefined;
  try {
    // UTF-8 and nothing else, a byte order mark dropped, as `trd` reads its input files (src/record/text.ts).
    text = utf8Text(readFileSync(absolute));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a directory' : (code ?? 'unreadable');
    issues.push(issue('knowledge.file.unreadable', `${path}: (file): ${reason}`, path));
    return undefined;
  }
  if (text === undefined) {
    issues.push(issue('knowledge.file.not-json', `${path}: (file): not valid JSON: not UTF-8 text`, path));
    return undefined;
  }
  try {
    const json = JSON.parse(text) as unknown;
    const validated = validatedByBuild(absolute, text);
    return validated === undefined ? { path, json } : { path, json, validated };
  } catch (error) {
    issues.push(
      issue(
        'knowledge.file.not-json',
        `${path}: (file): not valid JSON: ${jsonSyntaxReason((error as Error).message, text)}`,
        path,
      ),
    );
    return undefined;
  }
}

/** Where the build stores its validation of the bundled files: dist/knowledge-validated.json (none under src/). */
const SNAPSHOT = new URL('../knowledge-validated.json', import.meta.url);
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
let snapshot: Record<string, { sha256: string; value: unknown }> | null | undefined;

/**
 * The schema output the build recorded for the file at `absolute`, if its text is still exactly what was validated
 * (same SHA-256); undefined otherwise, and then the caller validates (src/knowledge/validated.ts).
 */
export function validatedByBuild(absolute: string, text: string): unknown {
  if (snapshot === undefined) {
    try {
      snapshot = (JSON.parse(readFileSync(SNAPSHOT, 'utf8')) as { files: typeof snapshot }).files ?? null;
    } catch {
      snapshot = null;
    }
  }
  const entry = snapshot?.[relative(REPO_ROOT, absolute).split('\\').join('/')];
  if (entry === undefined) return undefined;
  return createHash('sha256').update(text).digest('hex') === entry.sha256 ? entry.value : undefined;
}

function jsonFilesIn(dir: string, issues: Issue[]): string[] {
  try {
    return readdirSync(dir)
      .filter((name) => name.endsWith('.json'))
      .sort()
      .map((name) => join(dir, name));
  } catch {
    issues.push(issue('knowledge.file.unreadable', `${displayPath(dir)}: (folder): cannot be read`, displayPath(dir)));
    return [];
  }
}

let bundled: Knowledge | undefined;

/** Loads, validates and indexes the knowledge; throws KnowledgeError on any problem. */
export function loadKnowledge(options: LoadKnowledgeOptions = {}): Knowledge {
  const useBundled = options.pathwayFile === undefined && options.knowledgeDir === undefined;
  // The bundled knowledge never changes while a process runs: parse it once.
  if (useBundled && bundled !== undefined) return bundled;
  const dir = resolve(options.knowledgeDir ?? BUNDLED_KNOWLEDGE_DIR);
  const issues: Issue[] = [];
  const paths = [
    join(dir, 'citations.json'),
    ...jsonFilesIn(join(dir, 'codesets'), issues),
    resolve(options.pathwayFile ?? join(dir, 'pathway', 'care-pathway.json')),
  ];
  const files = paths.map((p) => readKnowledgeFile(p, issues)).filter((f): f is KnowledgeFile => f !== undefined);
  if (issues.length > 0) throw new KnowledgeError(issues);
  const parsed = parseKnowledge(files);
  if (!parsed.ok) throw new KnowledgeError(parsed.issues);
  if (useBundled) bundled = parsed.value;
  return parsed.value;
}
