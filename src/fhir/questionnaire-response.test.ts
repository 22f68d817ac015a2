import assert from 'node:assert/strict';
import { test } from 'node:test';
import { recordOf } from './fixtures.test-support.ts';

const ordinal = (url: string, value: number) => ({ extension: [{ url, valueDecimal: value }] });

test('nested items flatten; ordinals from ordinalValue or itemWeight; integer, decimal and string answers', () => {
  const record = recordOf({
    resourceType: 'QuestionnaireResponse',
    id: 'q1',
    questionnaire: 'http://loinc.org/q/44249-1',
    status: 'completed',
    authored: '2026-11-06T09:00:00Z',
    item: [
      {
        linkId: 'group',
        item: [
          {
            linkId: '44250-9',
            text: 'Little interest',
            answer: [
              {
                valueCoding: {
                  code: 'LA6570-1',
                  ...ordinal('http://hl7.org/fhir/StructureDefinition/ordinalValue', 2),
                },
              },
            ],
          },
          {
            linkId: '44259-0',
            answer: [
              {
                valueCoding: { code: 'LA6571-9', ...ordinal('http://hl7.org/fhir/StructureDefinition/itemWeight', 3) },
              },
            ],
          },
        ],
      },
      {
        linkId: '44261-6',
        answer: [{ valueInteger: 17, item: [{ linkId: 'nested-under-answer', answer: [{ valueDecimal: 1.5 }] }] }],
      },
      { linkId: 'note', answer: [{ valueString: 'tired all the time' }] },
      { linkId: 'unscored', answer: [{ valueCoding: { code: 'x' } }] },
      { answer: [{ valueInteger: 1 }] },
    ],
  });
  const qr = record.questionnaireResponses[0];
  assert.equal(qr?.status, 'completed');
  assert.equal(qr?.authored, '2026-11-06T09:00:00Z');
  assert.deepEqual(
    qr?.answers.map((a) => [a.linkId, a.valueNumber ?? a.valueString ?? a.valueCoding?.code]),
    [
      ['44250-9', 2],
      ['44259-0', 3],
      ['44261-6', 17],
      ['nested-under-answer', 1.5],
      ['note', 'tired all the time'],
      ['unscored', 'x'],
    ],
  );
  assert.equal(qr?.answers[0]?.text, 'Little interest');
  assert.ok(record.issues.some((i) => i.path === 'QuestionnaireResponse/q1.item[4].linkId'));
});
