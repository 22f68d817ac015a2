/**
 * A card's `detail` is Markdown (CDS Hooks 2.0, GitHub Flavored); the record's words inside it are text: a Condition
 * whose display holds a link, HTML or emphasis is shown as written on every line that names it, never rendered.
 * Run: node --import tsx --test src/server/cds-hooks/cards-markdown.test.ts
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readBundleFile, sharedEngine } from '../server.test-support.ts';
import { markdownText, patientViewCards } from './cards.ts';

test('markdownText escapes what opens markup within a line and keeps the text on one line', () => {
  assert.equal(
    markdownText('Pneumonia <b>x</b> [see](https://evil.example) | *a* _b_ ~c~ `d` \\e\n# f'),
    'Pneumonia \\<b>x\\</b> \\[see](https://evil.example) \\| \\*a\\* \\_b\\_ \\~c\\~ \\`d\\` \\\\e # f',
  );
});

test("a Condition's text with a link and HTML is escaped on the card, in the summary, the list, the trace and the trials", () => {
  const bundle = readBundleFile('examples/demo/refer-to-trial.json');
  const patientId = 'demo-refer-patient';
  const text = 'Pneumonia <img src=x onerror=alert(1)> [see](https://evil.example)';
  bundle.entry.push({
    resource: {
      resourceType: 'Condition',
      id: 'pneumonia',
      clinicalStatus: {
        coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }],
      },
      code: { coding: [{ system: 'http://snomed.info/sct', code: '233604007' }], text },
      subject: { reference: `Patient/${patientId}` },
      onsetDateTime: '2026-11-20',
    },
  });
  const { assessment, matches } = sharedEngine.assessAndMatchRecord(sharedEngine.read(bundle), { asOf: '2026-11-27' });
  assert.equal(assessment.recommendation.code, 'contraindicated');
  const card = patientViewCards(sharedEngine.knowledge, assessment, matches, patientId).at(-1);
  const detail = card?.detail ?? '';
  const escaped = 'Pneumonia \\<img src=x onerror=alert(1)> \\[see](https://evil.example)';
  // The summary paragraph, the contraindication list, the trace row and each ineligible trial's line.
  assert.ok(detail.split(escaped).length - 1 >= 4, detail);
  assert.ok(!detail.includes(text), 'the text is never left as markup');
});
