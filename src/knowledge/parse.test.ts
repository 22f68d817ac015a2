import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { test } from 'node:test';
import { corruptedKnowledgeDir, bundledFiles, fileJson } from './knowledge.test-support.ts';
import { KnowledgeError, loadKnowledge } from './load.ts';
import { parseKnowledge } from './parse.ts';

const messages = (files = bundledFiles()): string[] => {
  const r = parseKnowledge(files);
  return r.ok ? [] : r.issues.map((i) => i.message);
};

test('the bundled knowledge loads with zero issues', () => {
  const r = parseKnowledge(bundledFiles());
  assert.ok(r.ok, `issues: ${r.ok ? '' : r.issues.map((i) => i.message).join('\n')}`);
  assert.deepEqual(r.issues, []);
  const k = loadKnowledge();
  assert.ok(k.codeSets.has('depression'));
  assert.ok(k.citations.has('cdc-aha-2003-crp'));
  assert.equal(loadKnowledge(), k, 'the bundled knowledge is parsed once per process');
  assert.ok(k.sources.some((s) => s.id === 'antidepressants' && /^\d+\.\d+\.\d+$/.test(s.version)));
});

test('a corrupted copy fails with a one-line message naming the file and the field', () => {
  const dir = corruptedKnowledgeDir('codesets/antidepressants.json', (json) => {
    const ingredients = json['ingredients'] as Record<string, unknown>[];
    (ingredients[3] as Record<string, unknown>)['minDailyDoseMg'] = 'twenty';
  });
  try {
    assert.throws(
      () => loadKnowledge({ knowledgeDir: dir }),
      (error: unknown) => {
        assert.ok(error instanceof KnowledgeError);
        assert.match(error.message, /antidepressants\.json: ingredients\[3\]\.minDailyDoseMg: .*expected number/);
        assert.doesNotMatch(error.message, /\n/);
        return true;
      },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a missing or non-JSON file is reported by name', () => {
  const dir = corruptedKnowledgeDir('citations.json', () => undefined);
  try {
    assert.throws(
      () => loadKnowledge({ knowledgeDir: dir, pathwayFile: `${dir}/pathway/nope.json` }),
      /nope\.json: \(file\): file not found/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a pathway naming a missing code set fails, naming the pathway field', () => {
  const files = bundledFiles();
  const pathway = fileJson(files, 'care-pathway.json');
  const definitions = pathway['definitions'] as { depression: { codeSets: string[] } };
  definitions.depression.codeSets[0] = 'no-such-set';
  const found = messages(files);
  assert.ok(
    found.some((m) =>
      /care-pathway\.json: definitions\.depression\.codeSets\[0\]: unknown code set "no-such-set"/.test(m),
    ),
    found.join('\n'),
  );
});

test('--pathway FILE: a pathway naming a missing code set fails to load with a one-line message', () => {
  const dir = corruptedKnowledgeDir('pathway/care-pathway.json', (json) => {
    const definitions = json['definitions'] as { depression: { remissionCodeSets: string[] } };
    definitions.depression.remissionCodeSets = ['depression-remission', 'gone'];
  });
  try {
    assert.throws(
      () => loadKnowledge({ pathwayFile: `${dir}/pathway/care-pathway.json` }),
      (error: unknown) => {
        assert.ok(error instanceof KnowledgeError);
        assert.match(
          error.message,
          /care-pathway\.json: definitions\.depression\.remissionCodeSets\[1\]: unknown code set "gone"/,
        );
        assert.doesNotMatch(error.message, /\n/);
        return true;
      },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--pathway FILE: a pathway without an item the schema requires names it as missing, never assuming a value', () => {
  // A site's pathway written before the body-weight range was added: the range is unverified [U], so it is the file's
  // to state; the trial store would otherwise judge an infusion's weight by a range no one chose.
  const dir = corruptedKnowledgeDir('pathway/care-pathway.json', (json) => {
    const definitions = json['definitions'] as { plausibility: Record<string, unknown> };
    delete definitions.plausibility['bodyWeightKg'];
  });
  try {
    assert.throws(
      () => loadKnowledge({ pathwayFile: `${dir}/pathway/care-pathway.json` }),
      (error: unknown) => {
        assert.ok(error instanceof KnowledgeError);
        assert.match(
          error.message,
          /care-pathway\.json: definitions\.plausibility\.bodyWeightKg: missing: this file must give it \(a required object; no value is assumed in its place\)$/,
        );
        assert.doesNotMatch(error.message, /received undefined|\n/);
        return true;
      },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('unknown citation keys are reported wherever they are used, and all problems are collected', () => {
  const files = bundledFiles();
  const depression = fileJson(files, 'codesets/depression.json');
  (depression['codes'] as Record<string, unknown>[])[0]!['citation'] = 'no-such-source';
  const table = fileJson(files, 'antidepressants.json');
  (table['ingredients'] as Record<string, unknown>[])[0]!['minDailyDoseCitation'] = 'also-missing';
  const crp = fileJson(files, 'codesets/crp.json');
  crp['version'] = 'v1';
  const found = messages(files);
  assert.ok(found.some((m) => /depression\.json: codes\[0\]\.citation: unknown citation "no-such-source"/.test(m)));
  assert.ok(
    found.some((m) => /antidepressants\.json: ingredients\[0\]\.minDailyDoseCitation: unknown citation/.test(m)),
  );
  assert.ok(found.some((m) => /crp\.json: version: expected a semantic version/.test(m)));
});

test('an entry marked verified may not rest on a citation tagged U', () => {
  const files = bundledFiles();
  const infection = fileJson(files, 'codesets/infection-active.json');
  const first = (infection['codes'] as Record<string, unknown>[])[0]!;
  assert.equal(first['verified'], false);
  first['verified'] = true;
  assert.ok(
    messages(files).some((m) =>
      /infection-active\.json: codes\[0\]\.citation: marked verified but .* tagged U/.test(m),
    ),
  );
});

test('structural rules: prefix only where the system allows it, canonical systems, no duplicates, known schema', () => {
  const files = bundledFiles();
  const ect = fileJson(files, 'codesets/ect.json');
  const codes = ect['codes'] as Record<string, unknown>[];
  codes[0]!['match'] = 'prefix';
  codes.push(
    { ...codes[0]!, match: 'exact' },
    { ...codes[0]!, match: 'exact', system: 'urn:oid:2.16.840.1.113883.6.96' },
  );
  files.push({ path: 'knowledge/codesets/stray.json', json: { schema: 'precision-trd/unknown@9' } });
  files.push({ path: 'knowledge/codesets/ect-copy.json', json: { ...ect, codes: [codes[1]] } });
  const found = messages(files);
  assert.ok(found.some((m) => /ect\.json: codes\[0\]\.match: prefix matching is not allowed for SNOMED CT/.test(m)));
  assert.ok(found.some((m) => /ect\.json: codes\[2\]\.system: use the canonical URI/.test(m)));
  assert.ok(found.some((m) => /stray\.json: schema: unknown schema "precision-trd\/unknown@9"/.test(m)));
  assert.ok(
    found.some((m) => /ect-copy\.json: id: code set "ect" is also defined in knowledge\/codesets\/ect\.json/.test(m)),
  );
});

test("a code set whose id is not its file's name is refused at the code-set file, before the pathway naming it", () => {
  const files = bundledFiles();
  fileJson(files, 'codesets/crp.json')['id'] = 'crp-hs';
  assert.deepEqual(messages(files), [
    `knowledge/codesets/crp.json: id: "crp-hs" is not the file's name "crp" (a code set's id is its file name: correct the id or rename the file)`,
    'knowledge/pathway/care-pathway.json: definitions.inflammation.crpCodeSets[0]: unknown code set "crp" (no knowledge/codesets file has this id)',
  ]);
});

test('a code in two sets the pathway reads as opposites (positive and negative, hepatitis and infection) is refused', () => {
  const files = bundledFiles();
  const hepatitis = fileJson(files, 'codesets/hepatitis.json')['codes'] as Record<string, unknown>[];
  const negative = fileJson(files, 'codesets/result-negative.json')['codes'] as Record<string, unknown>[];
  // Hepatitis A, which infection-active covers by its prefix B15; the LOINC answer Positive, listed in result-positive.
  hepatitis.push({
    ...hepatitis[0],
    system: 'http://hl7.org/fhir/sid/icd-10-cm',
    code: 'B15.9',
    display: 'Hepatitis A',
  });
  negative.push({ ...negative[0], system: 'http://loinc.org', code: 'LA6576-8', display: 'Positive' });
  const positiveIndex = (fileJson(files, 'codesets/result-positive.json')['codes'] as { code: string }[]).findIndex(
    (c) => c.code === 'LA6576-8',
  );
  assert.deepEqual(messages(files), [
    `knowledge/codesets/result-positive.json: codes[${positiveIndex}]: LA6576-8 is also in code set "result-negative" (knowledge/codesets/result-negative.json), which the pathway reads as its opposite (a positive and a negative result): keep it in one of them`,
    `knowledge/codesets/hepatitis.json: codes[${hepatitis.length - 1}]: B15.9 is also in code set "infection-active" (knowledge/codesets/infection-active.json), which the pathway reads as its opposite (hepatitis and another active infection): keep it in one of them`,
  ]);
});

test('a product mapped to an unknown ingredient, or a code mapped twice, is rejected', () => {
  const files = bundledFiles();
  const table = fileJson(files, 'antidepressants.json');
  const products = table['products'] as Record<string, unknown>[];
  products[0]!['ingredient'] = 'unobtainium';
  products.push({ ...products[1]!, ingredient: 'fluoxetine' });
  const found = messages(files);
  assert.ok(found.some((m) => /products\[0\]\.ingredient: unknown ingredient "unobtainium"/.test(m)));
  assert.ok(found.some((m) => new RegExp(`products\\[${products.length - 1}\\]\\.code: .* is already mapped`).test(m)));
});

test('missing required files are named', () => {
  const files = bundledFiles().filter(
    (f) => !f.path.endsWith('citations.json') && !f.path.endsWith('care-pathway.json'),
  );
  const found = messages(files);
  assert.ok(found.some((m) => /no citation registry \(precision-trd\/citations@1\)/.test(m)));
  assert.ok(found.some((m) => /no pathway \(precision-trd\/pathway@1\)/.test(m)));
});

test('code-set references are checked by field name too (e.g. a symptom instrument item set)', () => {
  const files = bundledFiles();
  const pathway = fileJson(files, 'care-pathway.json');
  const json = JSON.stringify(pathway);
  // Rename every reference to one set, wherever it sits, to an id that does not exist.
  const renamed = JSON.parse(json.replaceAll('"phq9-items"', '"phq9-items-missing"')) as Record<string, unknown>;
  const index = files.findIndex((f) => f.path.endsWith('care-pathway.json'));
  files[index] = { path: files[index]!.path, json: renamed };
  const found = messages(files);
  assert.ok(json.includes('"phq9-items"'), 'the bundled pathway names phq9-items');
  assert.ok(
    found.some((m) => /care-pathway\.json: .*: unknown code set "phq9-items-missing"/.test(m)),
    found.join('\n'),
  );
});

test('an IL-6 blocker brand name must name an ingredient of the IL-6 blocker code sets, once', () => {
  const files = bundledFiles();
  const pathway = fileJson(files, 'care-pathway.json');
  const rule = (
    pathway['contraindications'] as { code: string; il6BlockerBrandNames?: { ingredient: string }[] }[]
  ).find((c) => c.code === 'immunosuppressant');
  const brands = rule?.il6BlockerBrandNames ?? [];
  assert.ok(brands.length > 1, 'the bundled pathway lists brand names');
  (brands[0] as { ingredient: string }).ingredient = 'adalimumab';
  brands.push({ ...(brands[1] as { ingredient: string }) });
  const found = messages(files);
  assert.ok(
    found.some((m) =>
      /il6BlockerBrandNames\[0\]: ingredient "adalimumab" is not an ingredient of il6-blockers/.test(m),
    ),
    found.join('\n'),
  );
  assert.ok(
    found.some((m) => /il6BlockerBrandNames\[\d+\]: the name "RoActemra" is listed twice/.test(m)),
    found.join('\n'),
  );
});
