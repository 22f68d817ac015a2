import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AS_OF, candidate, knowledge } from './builders.test-support.ts';
import { deriveFacts } from './index.ts';
import type { ClinicalFacts } from './index.ts';
import { clinicianStatement, clinicianSummary, fill, placeholderValues } from './summaries.ts';

test('placeholder texts are built only when a template uses them, once, and read as before', () => {
  const facts = deriveFacts(candidate(), knowledge, AS_OF);
  let reads = 0;
  // A list no template here names: reading it would count.
  const watched: ClinicalFacts = {
    ...facts,
    get contraindications() {
      reads += 1;
      return facts.contraindications;
    },
  };
  const values = placeholderValues(watched);
  assert.equal(reads, 0, 'nothing built before a template asks');
  assert.equal(fill('{adequateCount} of {requiredTrials}', values), '2 of 2');
  assert.equal(reads, 0, 'the contraindication list is not built for a template without it');
  assert.equal(values.contraindicationList, 'none');
  assert.equal(values.contraindicationList, 'none');
  assert.equal(reads, 1, 'built once, then kept');
  assert.deepEqual(Object.keys(values).sort(), Object.keys(placeholderValues(facts)).sort());
});

test('the clinician summary opens with the statement it is given, computed once by the caller', () => {
  const facts = deriveFacts(candidate(), knowledge, AS_OF);
  const row = knowledge.pathway.decision.find((r) => r.code === 'refer-to-trial')!;
  const values = placeholderValues(facts);
  const statement = clinicianStatement(knowledge.pathway, row, facts, values);
  assert.ok(clinicianSummary(statement, row, facts, values).startsWith(`${statement} Adequate trials: `));
  assert.ok(clinicianSummary('Given.', row, facts, values).startsWith('Given. Adequate trials: '));
});
