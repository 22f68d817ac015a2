import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import fc from 'fast-check';
import { isFhirId } from './bundle-index.ts';

// The R4 id datatype's own definition, which the character loop must agree with for every string.
const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

test('isFhirId agrees with the R4 id pattern', () => {
  for (const id of ['a', 'A-1.b', 'x'.repeat(64), 'x'.repeat(65), '', 'a/b', 'a b', 'é', 'a\n', '_']) {
    assert.equal(isFhirId(id), FHIR_ID.test(id), JSON.stringify(id));
  }
  const idChars = fc.constantFrom(...'aZ09-._/ \n~é'.split(''));
  fc.assert(
    fc.property(
      fc.oneof(
        fc.string(),
        fc.array(idChars, { maxLength: 70 }).map((cs) => cs.join('')),
      ),
      (id) => {
        assert.equal(isFhirId(id), FHIR_ID.test(id));
      },
    ),
    { seed: 6, numRuns: 2000 },
  );
});
