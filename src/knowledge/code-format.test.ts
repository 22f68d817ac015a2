import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { codeFormatProblem } from './code-format.ts';
import { bundledFiles, fileJson } from './knowledge.test-support.ts';
import { parseKnowledge } from './parse.ts';

describe('code formats (src/knowledge/code-format.ts)', () => {
  test('LOINC: the mod-10 check digit, with the code that would pass', () => {
    for (const code of ['30522-7', '1988-5', '2106-3', '751-8', '26515-7', '63895-7']) {
      assert.equal(codeFormatProblem(code, 'loinc', false), undefined, code);
    }
    assert.match(codeFormatProblem('30522-8', 'loinc', false) ?? '', /check digit \(30522-7 would pass\)/);
    assert.match(codeFormatProblem('30522', 'loinc', false) ?? '', /not a LOINC code/);
    // Answer, answer-list and part codes: shape only.
    assert.equal(codeFormatProblem('LA32-8', 'loinc', false), undefined);
    assert.equal(codeFormatProblem('LL358-3', 'loinc', false), undefined);
  });

  test('SNOMED CT: 6 to 18 digits and the Verhoeff check digit', () => {
    for (const code of ['22298006', '370143000', '77386006', '11999007', '373067005']) {
      assert.equal(codeFormatProblem(code, 'snomed-ct', false), undefined, code);
    }
    assert.match(codeFormatProblem('370143001', 'snomed-ct', false) ?? '', /Verhoeff/);
    assert.match(codeFormatProblem('12345', 'snomed-ct', false) ?? '', /6 to 18 digits/);
    assert.match(codeFormatProblem('037014300', 'snomed-ct', false) ?? '', /no leading zero/);
  });

  test('ICD-10 and ATC by structure (prefix entries may stop early); RxNorm and CVX digits', () => {
    for (const code of ['F32', 'F321', 'F32A', 'O99341', 'Z3A']) {
      assert.equal(codeFormatProblem(code, 'icd-10', false), undefined, code);
    }
    assert.equal(codeFormatProblem('F3', 'icd-10', true), undefined);
    assert.match(codeFormatProblem('F3', 'icd-10', false) ?? '', /ICD-10/);
    assert.match(codeFormatProblem('3F2', 'icd-10', false) ?? '', /ICD-10/);
    for (const code of ['N', 'N06', 'N06A', 'N06AB', 'N06AB06']) {
      assert.equal(codeFormatProblem(code, 'atc', false), undefined, code);
    }
    assert.match(codeFormatProblem('N06AB6', 'atc', false) ?? '', /ATC/);
    assert.equal(codeFormatProblem('36437', 'digits', false), undefined);
    assert.match(codeFormatProblem('3643 7', 'digits', false) ?? '', /numeric/);
  });

  test('a mistyped code in a code set or the antidepressant table fails the load, naming file, field and code', () => {
    const files = bundledFiles();
    const crp = fileJson(files, 'crp.json') as { codes: { code: string }[] };
    (crp.codes[0] as { code: string }).code = '30522-8';
    const table = fileJson(files, 'antidepressants.json') as { ingredients: { codes: { code: string }[] }[] };
    const first = table.ingredients[0]?.codes[0] as { code: string };
    first.code = `${first.code}x`;
    const r = parseKnowledge(files);
    assert.ok(!r.ok);
    const found = r.issues.map((i) => `${i.code} ${i.message}`);
    assert.ok(
      found.some((m) =>
        /^knowledge\.code\.malformed .*crp\.json: codes\[0\]\.code: "30522-8" fails the LOINC check digit/.test(m),
      ),
      found.join('\n'),
    );
    assert.ok(
      found.some((m) =>
        /^knowledge\.code\.malformed .*antidepressants\.json: ingredients\[0\]\.codes\[0\]\.code/.test(m),
      ),
      found.join('\n'),
    );
  });
});

describe('LOINC codes written inline in the pathway', () => {
  test('a mistyped questionnaire item linkId or questionnaire URL fails the load, naming file, field and code', () => {
    const files = bundledFiles();
    const pathway = fileJson(files, 'care-pathway.json') as {
      definitions: {
        safety: { suicideRisk: { items: { linkIds: string[] }[] } };
        symptoms: { instruments: { questionnaireUrls: string[]; items: { linkIds: string[] }[] }[] };
      };
    };
    const suicide = pathway.definitions.safety.suicideRisk.items[0] as { linkIds: string[] };
    assert.equal(suicide.linkIds[0], '44260-8');
    suicide.linkIds[0] = '44260-9';
    const phq9 = pathway.definitions.symptoms.instruments[0] as {
      questionnaireUrls: string[];
      items: { linkIds: string[] }[];
    };
    phq9.questionnaireUrls[0] = 'http://loinc.org/q/44249-2';
    (phq9.items[0] as { linkIds: string[] }).linkIds[1] = '/44250-8';
    const r = parseKnowledge(files);
    assert.ok(!r.ok);
    const found = r.issues.filter((i) => i.code === 'knowledge.code.malformed').map((i) => i.message);
    assert.deepEqual(found, [
      'knowledge/pathway/care-pathway.json: definitions.safety.suicideRisk.items[0].linkIds[0]: "44260-9" fails the LOINC check digit (44260-8 would pass)',
      'knowledge/pathway/care-pathway.json: definitions.symptoms.instruments[0].questionnaireUrls[0]: "http://loinc.org/q/44249-2" (LOINC 44249-2) fails the LOINC check digit (44249-1 would pass)',
      'knowledge/pathway/care-pathway.json: definitions.symptoms.instruments[0].items[0].linkIds[1]: "/44250-8" (LOINC 44250-8) fails the LOINC check digit (44250-9 would pass)',
    ]);
  });

  test("a valid LOINC code under another item than the instrument's item code set gives it is refused, naming both", () => {
    const files = bundledFiles();
    const pathway = fileJson(files, 'care-pathway.json') as {
      definitions: {
        safety: { suicideRisk: { items: { linkIds: string[] }[] } };
        symptoms: { instruments: { items: { item: number; linkIds: string[] }[] }[] };
      };
    };
    // PHQ-9 item 3's code (sleep) written for item 9, which the suicide-risk alert reads: its check digit passes.
    pathway.definitions.safety.suicideRisk.items[0]!.linkIds[0] = '44259-0';
    const sleep = pathway.definitions.symptoms.instruments[0]!.items.findIndex((it) => it.item === 3);
    pathway.definitions.symptoms.instruments[0]!.items[sleep]!.linkIds[1] = '/44254-1';
    const r = parseKnowledge(files);
    assert.ok(!r.ok);
    assert.deepEqual(
      r.issues.map((i) => `${i.code} ${i.message}`),
      [
        'knowledge.field.invalid knowledge/pathway/care-pathway.json: definitions.safety.suicideRisk.items[0].linkIds[0]: LOINC 44259-0 is PHQ-9 item 3 in code set "phq9-items", not item 9',
        `knowledge.field.invalid knowledge/pathway/care-pathway.json: definitions.symptoms.instruments[0].items[${sleep}].linkIds[1]: LOINC 44254-1 is PHQ-9 item 4 in code set "phq9-items", not item 3`,
      ],
    );
  });

  test('the bundled pathway passes (local linkIds such as phq9-9 are not LOINC codes and are not checked)', () => {
    assert.ok(parseKnowledge(bundledFiles()).ok);
  });
});
