/**
 * Reads knowledge/trials/*.json (trial protocols) and knowledge/trials/codesets/*.json (their extra code sets),
 * located relative to this module so the CLI works from any directory. Problems throw one TrialsError whose message
 * is one line per problem, each naming file and field.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Knowledge } from '../knowledge/index.ts';
import { withMedicationNames } from '../knowledge/index.ts';
import { displayPath, validatedByBuild } from '../knowledge/load.ts';
import { issue, jsonSyntaxReason } from '../record/index.ts';
import type { Issue } from '../record/index.ts';
import { checkProtocol, parseProtocols } from './parse.ts';
import type { TrialProtocol } from './schema.ts';
import { addTrialCodeSets } from './trial-knowledge.ts';
import type { JsonFile } from './trial-knowledge.ts';

export const DEFAULT_TRIALS_DIR = fileURLToPath(new URL('../../knowledge/trials/', import.meta.url));

export class TrialsError extends Error {
  constructor(readonly issues: readonly Issue[]) {
    super(issues.map((i) => i.message).join('\n'));
    this.name = 'TrialsError';
  }
}

function readJsonFiles(dir: string): JsonFile[] {
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((n) => n.endsWith('.json'))
      .sort();
  } catch (e) {
    throw new TrialsError([
      { code: 'trials.dir.unreadable', severity: 'error', message: `${dir}: ${(e as Error).message}` },
    ]);
  }
  // Every file is read before any problem is reported: a broken folder is fixed in one pass (as src/knowledge/load.ts).
  const issues: Issue[] = [];
  const files: JsonFile[] = [];
  for (const name of names) {
    const file = join(dir, name);
    const path = displayPath(file);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      issues.push(
        issue(
          'trials.file.unreadable',
          `${path}: (file): ${code === 'EISDIR' ? 'is a directory' : (code ?? 'unreadable')}`,
          path,
        ),
      );
      continue;
    }
    try {
      const json = JSON.parse(text) as unknown;
      const validated = validatedByBuild(file, text);
      files.push(validated === undefined ? { path, json } : { path, json, validated });
    } catch (e) {
      const reason = jsonSyntaxReason((e as Error).message, text);
      issues.push(issue('trials.file.invalid-json', `${path}: (file): not valid JSON: ${reason}`, path));
    }
  }
  if (issues.length > 0) throw new TrialsError(issues);
  return files;
}

/** The trial protocols in `dir` (default: the bundled knowledge/trials/), schema-validated, each with its file. */
function loadProtocolFiles(dir: string): { protocol: TrialProtocol; path: string }[] {
  const files = readJsonFiles(dir);
  const parsed = parseProtocols(files);
  if (!parsed.ok) throw new TrialsError(parsed.issues);
  // parseProtocols succeeds only when every file gave one protocol, in file order.
  return parsed.value.map((protocol, i) => ({ protocol, path: files[i]?.path ?? protocol.id }));
}

/** The trial protocols in `dir` (default: the bundled knowledge/trials/), schema-validated. */
export function loadProtocols(dir: string = DEFAULT_TRIALS_DIR): TrialProtocol[] {
  return loadProtocolFiles(dir).map((f) => f.protocol);
}

/**
 * The knowledge with the trial code sets added, and the protocols cross-checked against it (citations, code sets).
 * This is what `trd match` uses.
 */
export function loadTrials(
  knowledge: Knowledge,
  dir: string = DEFAULT_TRIALS_DIR,
): { knowledge: Knowledge; protocols: TrialProtocol[] } {
  const extended = addTrialCodeSets(knowledge, readJsonFiles(join(dir, 'codesets')));
  if (!extended.ok) throw new TrialsError(extended.issues);
  const files = loadProtocolFiles(dir);
  const protocols = files.map((f) => f.protocol);
  const problems = files.flatMap((f) => checkProtocol(f.protocol, extended.value, f.path));
  if (problems.length > 0) throw new TrialsError(problems);
  // A current-medication exclusion list (antibiotics) is read by its ingredients' names too (docs/care-pathway.md,
  // "Medications named without a listed code").
  const listed = protocols.flatMap((p) =>
    p.criteria.flatMap((c) => (c.test.type === 'no-medication-in' ? [c.test.codeSet] : [])),
  );
  return { knowledge: withMedicationNames(extended.value, listed), protocols };
}
