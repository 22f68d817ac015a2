/**
 * Trial protocol files: schema validation (every problem names file and field, all collected) and the cross-check
 * against the knowledge each protocol names (citation keys, code sets), done once at load time so that matching never
 * meets an unknown id.
 *
 * Pure: the adapter (load.ts) supplies the parsed JSON with its path.
 */
import type { Knowledge } from '../knowledge/index.ts';
import { unitDimensionProblem } from '../knowledge/cross-check.ts';
import { fail, issue, ok } from '../record/index.ts';
import type { Issue, Result } from '../record/index.ts';
import { checkConduct } from './check-conduct.ts';
import { ieTestCode, ieTestName, ieWording } from './criterion-code.ts';
import type { CriterionTest, TrialProtocol } from './schema.ts';
import { TrialProtocolSchema } from './schema.ts';
import { checked, type MaybeValidated } from '../knowledge/validated.ts';

/** `criteria[3].test.mgPerL` */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? '(root)' : out;
}

export function parseProtocols(files: readonly ({ path: string } & MaybeValidated)[]): Result<TrialProtocol[]> {
  const issues: Issue[] = [];
  const protocols: TrialProtocol[] = [];
  const seen = new Map<string, string>();
  const registryIds = new Map<string, string>();
  for (const file of files) {
    const parsed = checked(TrialProtocolSchema, file);
    if (!parsed.success) {
      for (const zi of parsed.error.issues) {
        const field = formatPath(zi.path);
        issues.push(issue('trials.protocol.invalid', `${file.path}: ${field}: ${zi.message}`, `${file.path}#${field}`));
      }
      continue;
    }
    const protocol = parsed.data;
    const previous = seen.get(protocol.id);
    if (previous !== undefined) {
      issues.push(
        issue('trials.protocol.duplicate', `${file.path}: id: protocol "${protocol.id}" is also in ${previous}`),
      );
      continue;
    }
    seen.set(protocol.id, file.path);
    // `trd match --trial` names a trial by protocol id or registry id (case-insensitive): each must name one protocol.
    protocol.registry.forEach((r, i) => {
      const key = r.id.toLowerCase();
      const other = registryIds.get(key);
      if (other !== undefined) {
        const field = `registry[${i}].id`;
        issues.push(
          issue(
            'trials.protocol.duplicate',
            `${file.path}: ${field}: ${r.system} ${r.id} is also the registry id of ${other} (one protocol file per trial: edit that file, or correct the id)`,
            `${file.path}#${field}`,
          ),
        );
      }
      registryIds.set(key, file.path);
    });
    const ids = new Set<string>();
    // The criterion's SDTM IETESTCD (ieTestCode, from its id) and IETEST: two criteria of one could never be exported.
    const codes = new Map<string, string>();
    const names = new Map<string, string>();
    protocol.criteria.forEach((c, i) => {
      if (ids.has(c.id))
        issues.push(issue('trials.criterion.duplicate', `${file.path}: criteria[${i}].id: "${c.id}" repeats`));
      ids.add(c.id);
      const code = ieTestCode(protocol.id, c);
      const other = codes.get(code);
      if (other !== undefined && other !== c.id) {
        issues.push(
          issue(
            'trials.criterion.duplicate',
            `${file.path}: criteria[${i}].id: "${c.id}" and "${other}" give one SDTM IETESTCD ${code} (made from the id's words after the protocol id and in/ex); rename one id so that its words differ`,
            `${file.path}#criteria[${i}].id`,
          ),
        );
      }
      if (other === undefined) codes.set(code, c.id);
      // Its IETEST (ieTestName: the registry's wording, or the text): one name must likewise name one criterion.
      const name = ieTestName(protocol.criteria, c);
      const named = names.get(name);
      if (named !== undefined && named !== c.id) {
        const field = `criteria[${i}].${ieWording(protocol.criteria, c) === c.text ? 'text' : 'registryText'}`;
        issues.push(
          issue(
            'trials.criterion.duplicate',
            `${file.path}: ${field}: "${c.id}" and "${named}" give one SDTM IETEST "${name}" (the registry's wording, or the text when the registry does not state the criterion alone, within 200 characters); make their text differ`,
            `${file.path}#${field}`,
          ),
        );
      }
      if (named === undefined) names.set(name, c.id);
      if (c.registryText === null && c.note === undefined) {
        issues.push(
          issue(
            'trials.criterion.invalid',
            `${file.path}: criteria[${i}].note: a criterion not on the registry record says where it comes from`,
          ),
        );
      }
      if (c.absentIfNotRecorded && (c.kind !== 'exclusion' || c.test.type === 'manual')) {
        issues.push(
          issue(
            'trials.criterion.invalid',
            `${file.path}: criteria[${i}].absentIfNotRecorded: only for exclusions decided from the record`,
          ),
        );
      }
    });
    protocols.push(protocol);
  }
  return issues.length > 0 ? fail(issues) : ok(protocols);
}

function codeSetsOf(test: CriterionTest): { id: string; field: string }[] {
  switch (test.type) {
    case 'diagnosis-in':
    case 'no-condition-in':
    case 'no-medication-in':
    case 'lab-at-least':
    case 'measurement-at-most':
      return [{ id: test.codeSet, field: 'codeSet' }];
    case 'no-infection-within':
      return test.codeSet === undefined ? [] : [{ id: test.codeSet, field: 'codeSet' }];
    case 'scale-total-at-least':
    case 'scale-total-below':
      return test.scales.flatMap((s, i) => [
        { id: s.itemCodeSet, field: `scales[${i}].itemCodeSet` },
        ...(s.totalCodeSet === undefined ? [] : [{ id: s.totalCodeSet, field: `scales[${i}].totalCodeSet` }]),
      ]);
    default:
      return [];
  }
}

/** Every citation key and code-set id a protocol names must exist; one issue per problem, naming file and field. */
export function checkProtocol(protocol: TrialProtocol, knowledge: Knowledge, path = protocol.id): Issue[] {
  const issues: Issue[] = [];
  const known = (key: string): boolean => knowledge.citations.has(key) || key in protocol.citations;
  // As for every knowledge file (src/knowledge/cross-check.ts): a value marked verified cannot rest on a U-tagged source.
  const tagOf = (key: string): string | undefined => (protocol.citations[key] ?? knowledge.citations.get(key))?.tag;
  const verifiedOnU = (field: string, key: string): void => {
    issues.push(
      issue(
        'knowledge.citation.unverified-source',
        `${path}: ${field}: marked verified but its citation "${key}" is tagged U`,
        `${path}#${field}`,
      ),
    );
  };
  protocol.citationKeys.forEach((key, i) => {
    if (!knowledge.citations.has(key)) {
      issues.push(issue('trials.citation.unknown', `${path}: citationKeys[${i}]: unknown citation "${key}"`));
    }
  });
  protocol.criteria.forEach((c, i) => {
    if (!known(c.citation)) {
      issues.push(
        issue('trials.citation.unknown', `${path}: criteria[${i}].citation: unknown citation "${c.citation}"`),
      );
    }
    if (c.verified && tagOf(c.citation) === 'U') verifiedOnU(`criteria[${i}].citation`, c.citation);
    if (c.appliesTo !== undefined && !known(c.appliesTo.citation)) {
      const field = `criteria[${i}].appliesTo.citation`;
      issues.push(issue('trials.citation.unknown', `${path}: ${field}: unknown citation "${c.appliesTo.citation}"`));
    } else if (c.appliesTo?.verified === true && tagOf(c.appliesTo.citation) === 'U') {
      verifiedOnU(`criteria[${i}].appliesTo.citation`, c.appliesTo.citation);
    }
    const test = c.test;
    if (test.type === 'no-pathway-caution' && !knowledge.pathway.cautions.some((r) => r.code === test.code)) {
      const field = `criteria[${i}].test.code`;
      issues.push(issue('trials.caution.unknown', `${path}: ${field}: the care pathway has no caution "${test.code}"`));
    }
    for (const { id, field } of codeSetsOf(c.test)) {
      if (!knowledge.codeSets.has(id)) {
        issues.push(issue('trials.codeset.unknown', `${path}: criteria[${i}].test.${field}: unknown code set "${id}"`));
      }
    }
    // A scale item no code of its item code set numbers could never be read: the sum would be missing for everyone.
    if (test.type === 'scale-total-at-least' || test.type === 'scale-total-below') {
      test.scales.forEach((scale, j) => {
        const set = knowledge.codeSets.get(scale.itemCodeSet);
        if (set === undefined) return;
        const numbered = new Set(set.codes.flatMap((e) => (e.item === undefined ? [] : [e.item])));
        const wanted = scale.items ?? Array.from({ length: scale.itemCount ?? 0 }, (_, k) => k + 1);
        const missing = wanted.filter((n) => !numbered.has(n));
        if (missing.length === 0) return;
        const field = `criteria[${i}].test.scales[${j}].${scale.items === undefined ? 'itemCount' : 'items'}`;
        const which = `item${missing.length === 1 ? '' : 's'} ${missing.join(', ')}`;
        issues.push(
          issue(
            'trials.criterion.invalid',
            `${path}: ${field}: ${scale.scale} ${which} not numbered by any code of code set "${scale.itemCodeSet}" (its entries' \`item\`): the sum could never be read`,
            `${path}#${field}`,
          ),
        );
      });
    }
    // A limit in a unit of another dimension (a CRP in 10*9/L, a weight in mg/L) could never be compared with a result.
    if (test.type === 'lab-at-least' || test.type === 'measurement-at-most') {
      const set = knowledge.codeSets.get(test.codeSet);
      const problem = set === undefined ? undefined : unitDimensionProblem(set, test.unit);
      const field = `criteria[${i}].test.unit`;
      if (problem !== undefined) {
        issues.push(issue('trials.criterion.invalid', `${path}: ${field}: ${problem}`, `${path}#${field}`));
      }
    }
  });
  // A safety rule's value bounds are in `unit`: it must be a unit of the analyte the pathway reads (its code sets).
  protocol.safety?.rules.forEach((r, i) => {
    if (r.measure !== 'value' || r.unit === undefined) return;
    const unit = r.unit;
    const problems = knowledge.pathway.definitions.labs.analytes[r.analyte].codeSets.flatMap((id) => {
      const set = knowledge.codeSets.get(id);
      const problem = set === undefined ? undefined : unitDimensionProblem(set, unit);
      return problem === undefined ? [] : [problem];
    });
    const field = `safety.rules[${i}].unit`;
    for (const problem of problems) {
      issues.push(issue('trials.conduct.invalid', `${path}: ${field}: ${r.analyte}: ${problem}`, `${path}#${field}`));
    }
  });
  issues.push(...checkConduct(protocol, known, path));
  return issues;
}
